//! `Credentials` (a native handle, validated by the core when made) and the
//! AUTH payloads of `Auth`.

use crate::convert::{self, JResult};
use crate::errors::{Outcome, native};
use jni::Env;
use jni::objects::{JByteArray, JString};
use jni::sys::{jboolean, jlong};
use mailwright::Credentials;
use mailwright::smtp::auth;

/// The credentials behind a handle (immutable once made).
pub fn credentials<'a>(handle: jlong) -> JResult<&'a Credentials> {
    convert::handle::<Credentials>(handle)
}

/// An AUTH payload the core makes from the credentials behind `handle`.
fn payload<'l>(
    env: &mut Env<'l>,
    handle: jlong,
    make: fn(&Credentials) -> mailwright::Result<auth::Secret>,
) -> Outcome<JByteArray<'l>> {
    Ok(convert::new_bytes(env, &make(credentials(handle)?)?)?)
}

native! {
    /// Credentials from their parts, checked by the core (`InvalidCredentials`).
    fn credentialsNew(
        env,
        user: JString<'l>,
        secret: JString<'l>,
        label: JString<'l>,
        oauth2: jboolean,
    ) -> jlong {
        let user = convert::string(env, &user, "user")?;
        let secret = convert::string(env, &secret, if oauth2 { "token" } else { "key" })?;
        let label = convert::opt_string(env, &label, "label")?;
        convert::into_handle(Credentials::from_parts(
            &user,
            &secret,
            label.as_deref(),
            oauth2,
        )?)
    }

    /// The same credentials with a label (checked by the core).
    fn credentialsWithLabel(env, handle: jlong, label: JString<'l>) -> jlong {
        let label = convert::string(env, &label, "label")?;
        convert::into_handle(credentials(handle)?.clone().with_label(label)?)
    }

    /// The user name the server sees (`user` or `user#label`).
    fn credentialsUsername(env, handle: jlong) -> JString<'l> {
        convert::new_string(env, Some(credentials(handle)?.username()))?
    }

    fn credentialsIsOAuth2(_, handle: jlong) -> jboolean {
        credentials(handle)?.is_oauth2()
    }

    fn credentialsFree(_, handle: jlong) {
        // SAFETY: called once, by the Credentials' cleaner.
        unsafe { convert::free::<Credentials>(handle) }
    }

    fn authLogin(env, handle: jlong) -> JByteArray<'l> {
        payload(env, handle, auth::auth_login)?
    }

    fn authPlain(env, handle: jlong) -> JByteArray<'l> {
        payload(env, handle, auth::auth_plain)?
    }

    fn authXoauth2(env, handle: jlong) -> JByteArray<'l> {
        payload(env, handle, auth::auth_xoauth2)?
    }

    /// The answer to a LOGIN challenge; the core decides from the prompt (or,
    /// when the prompt says nothing, from whether the user name was sent).
    fn authLoginAnswer(
        env,
        handle: jlong,
        challenge: JString<'l>,
        username_sent: jboolean,
    ) -> JByteArray<'l> {
        let challenge = convert::string(env, &challenge, "challenge")?;
        let answer = auth::login_answer(
            auth::login_prompt(&challenge, username_sent),
            credentials(handle)?,
        )?;
        convert::new_bytes(env, &answer)?
    }
}

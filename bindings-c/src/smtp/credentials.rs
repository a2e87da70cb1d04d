//! Credentials: made (and checked) by the core's `Credentials::from_parts`.

use crate::convert::{opt_str_arg, out, str_arg, text_arg, to_c_string};
use crate::errors::{Fail, boundary, guard, mw_result};
use mailwright::Credentials;
use std::ffi::{CString, c_char};

/// User and key (or OAuth 2 token) with an optional SendCloud label (opaque;
/// the secret is zeroed when freed and never appears in an error). Free
/// with `mw_credentials_free`.
pub struct mw_credentials {
    pub(crate) inner: Credentials,
    username: CString,
}

/// NULL or a live handle's credentials.
pub(crate) fn creds_ref<'a>(credentials: *const mw_credentials) -> Option<&'a Credentials> {
    // SAFETY: NULL or a live handle (contract).
    unsafe { credentials.as_ref() }.map(|c| &c.inner)
}

fn give<'a>(
    out_credentials: *mut *mut mw_credentials,
    parts: impl FnOnce() -> Result<(&'a str, &'a str, Option<&'a str>), Fail>,
    oauth2: bool,
) -> mw_result {
    boundary(|| {
        let (user, secret, label) = parts()?;
        let slot = out(out_credentials, "out_credentials")?;
        let inner = Credentials::from_parts(user, secret, label, oauth2)?;
        *slot = Box::into_raw(Box::new(mw_credentials {
            username: to_c_string(inner.username()),
            inner,
        }));
        Ok(())
    })
}

unsafe fn make(
    user: *const c_char,
    secret: *const c_char,
    secret_name: &'static str,
    label: *const c_char,
    oauth2: bool,
    out_credentials: *mut *mut mw_credentials,
) -> mw_result {
    give(
        out_credentials,
        || {
            Ok((
                unsafe { str_arg(user, "user") }?,
                unsafe { str_arg(secret, secret_name) }?,
                unsafe { opt_str_arg(label, "label") }?,
            ))
        },
        oauth2,
    )
}

/// Creates credentials from parts given with their lengths (so a NUL inside
/// reaches the core's check instead of ending the string): `user`, the key
/// or token `secret`, an optional `label` (NULL for none), and whether the
/// secret is an OAuth 2 token. Checked now by the core
/// (MW_ERR_INVALID_CREDENTIALS). On success `*out_credentials` is owned by
/// the caller.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_credentials_from_parts(
    user: *const c_char,
    user_len: usize,
    secret: *const c_char,
    secret_len: usize,
    label: *const c_char,
    label_len: usize,
    oauth2: bool,
    out_credentials: *mut *mut mw_credentials,
) -> mw_result {
    give(
        out_credentials,
        || {
            let label = if label.is_null() {
                None
            } else {
                Some(unsafe { text_arg(label, label_len, "label") }?)
            };
            Ok((
                unsafe { text_arg(user, user_len, "user") }?,
                unsafe { text_arg(secret, secret_len, "secret") }?,
                label,
            ))
        },
        oauth2,
    )
}

/// Creates credentials for a key; `label` may be NULL (with a label the user
/// name sent is `user#label`). They are checked now: a bad user, key or
/// label is MW_ERR_INVALID_CREDENTIALS. On success `*out_credentials` is
/// owned by the caller (free with `mw_credentials_free`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_credentials_new(
    user: *const c_char,
    key: *const c_char,
    label: *const c_char,
    out_credentials: *mut *mut mw_credentials,
) -> mw_result {
    unsafe { make(user, key, "key", label, false, out_credentials) }
}

/// Creates OAuth 2 credentials (sent with XOAUTH2); `label` may be NULL.
/// Checked now, like `mw_credentials_new`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_credentials_new_oauth2(
    user: *const c_char,
    token: *const c_char,
    label: *const c_char,
    out_credentials: *mut *mut mw_credentials,
) -> mw_result {
    unsafe { make(user, token, "token", label, true, out_credentials) }
}

/// The user name sent to the server (`user` or `user#label`), or NULL if
/// `credentials` is NULL. Owned by the credentials.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_credentials_username(
    credentials: *const mw_credentials,
) -> *const c_char {
    guard(std::ptr::null(), || {
        // SAFETY: NULL or a live handle (contract).
        unsafe { credentials.as_ref() }.map_or(std::ptr::null(), |c| c.username.as_ptr())
    })
}

/// Frees credentials (the secret is zeroed). NULL does nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_credentials_free(credentials: *mut mw_credentials) {
    guard((), || {
        if !credentials.is_null() {
            // SAFETY: from `mw_credentials_new*` (contract).
            drop(unsafe { Box::from_raw(credentials) });
        }
    })
}

/// The credentials a call needs, or MW_ERR_NULL_PARAMETER.
pub(crate) fn creds_arg<'a>(credentials: *const mw_credentials) -> Result<&'a Credentials, Fail> {
    creds_ref(credentials).ok_or_else(|| Fail::null("credentials"))
}

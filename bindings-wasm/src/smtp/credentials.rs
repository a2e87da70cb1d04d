//! `Credentials`: made (and checked, by the core) once; the secret never
//! leaves WebAssembly memory.

use crate::convert::{get, missing, opt_string, string};
use crate::errors::{IntoJs, type_error};
use wasm_bindgen::prelude::*;

/// User and key (or OAuth 2 token) with an optional SendCloud label (user
/// name `user#label`). Checked when made; the secret is never shown.
#[wasm_bindgen]
#[derive(Clone)]
pub struct Credentials {
    pub(crate) inner: mailwright::Credentials,
}

#[wasm_bindgen]
impl Credentials {
    /// Throws InvalidCredentials for an empty user or key, NUL/CR/LF, or a bad label.
    #[wasm_bindgen(constructor)]
    pub fn new(user: JsValue, key: JsValue, label: JsValue) -> Result<Credentials, JsValue> {
        make(user, key, label, false)
    }

    /// Credentials with an OAuth 2 access token (sent with XOAUTH2).
    pub fn oauth2(user: JsValue, token: JsValue, label: JsValue) -> Result<Credentials, JsValue> {
        make(user, token, label, true)
    }

    /// A copy, for APIs that take credentials by value (`new Session(init, creds.clone())`).
    #[wasm_bindgen(js_name = clone)]
    pub fn clone_js(&self) -> Credentials {
        self.clone()
    }

    /// The user name sent: `user` or `user#label`.
    #[wasm_bindgen(getter)]
    pub fn username(&self) -> String {
        self.inner.username().to_string()
    }

    /// True for an OAuth 2 token (XOAUTH2 only).
    #[wasm_bindgen(getter, js_name = isOAuth2)]
    pub fn is_oauth2(&self) -> bool {
        self.inner.is_oauth2()
    }

    #[wasm_bindgen(js_name = toString)]
    pub fn to_js_string(&self) -> String {
        self.inner.to_string()
    }
}

/// Strings taken as `JsValue` so that a lone surrogate is refused (see convert).
fn make(
    user: JsValue,
    secret: JsValue,
    label: JsValue,
    oauth2: bool,
) -> Result<Credentials, JsValue> {
    let user = string(user, "user")?;
    let secret = string(secret, if oauth2 { "token" } else { "key" })?;
    let label = if missing(&label) {
        None
    } else {
        Some(string(label, "label")?)
    };
    mailwright::Credentials::from_parts(&user, &secret, label.as_deref(), oauth2)
        .map(|inner| Credentials { inner })
        .js()
}

/// Credentials given as plain data: `{ user, key, label? }` or `{ user, token, label? }`.
pub fn from_object(v: &JsValue) -> Result<mailwright::Credentials, JsValue> {
    if !v.is_object() {
        return Err(type_error(
            "credentials must be a Credentials or { user, key | token, label? }".into(),
        ));
    }
    let user = string(get(v, "user")?, "credentials.user")?;
    let token = get(v, "token")?;
    let (secret, oauth2) = if missing(&token) {
        (string(get(v, "key")?, "credentials.key")?, false)
    } else {
        (string(token, "credentials.token")?, true)
    };
    let label = opt_string(v, "label")?;
    mailwright::Credentials::from_parts(&user, &secret, label.as_deref(), oauth2).js()
}

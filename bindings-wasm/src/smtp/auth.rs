//! AUTH payloads: the core's pure functions of the credentials (and the
//! challenge), as bytes.

use super::credentials::Credentials;
use crate::convert::string;
use crate::errors::IntoJs;
use mailwright::smtp::auth;
use wasm_bindgen::prelude::*;

/// `AUTH LOGIN <base64 user>\r\n`.
#[wasm_bindgen(js_name = authLogin)]
pub fn auth_login(credentials: &Credentials) -> Result<Vec<u8>, JsValue> {
    auth::auth_login(&credentials.inner)
        .map(|s| s.to_vec())
        .js()
}

/// `AUTH PLAIN <base64>\r\n`.
#[wasm_bindgen(js_name = authPlain)]
pub fn auth_plain(credentials: &Credentials) -> Result<Vec<u8>, JsValue> {
    auth::auth_plain(&credentials.inner)
        .map(|s| s.to_vec())
        .js()
}

/// `AUTH XOAUTH2 <base64>\r\n` for OAuth 2 credentials.
#[wasm_bindgen(js_name = authXoauth2)]
pub fn auth_xoauth2(credentials: &Credentials) -> Result<Vec<u8>, JsValue> {
    auth::auth_xoauth2(&credentials.inner)
        .map(|s| s.to_vec())
        .js()
}

/// The answer to a `334` LOGIN challenge (its base64 text): the user name
/// or the key, as the core reads the prompt.
#[wasm_bindgen(js_name = loginAnswer)]
pub fn login_answer(
    challenge: JsValue,
    credentials: &Credentials,
    username_sent: bool,
) -> Result<Vec<u8>, JsValue> {
    let challenge = string(challenge, "challenge")?;
    auth::login_answer(
        auth::login_prompt(&challenge, username_sent),
        &credentials.inner,
    )
    .map(|s| s.to_vec())
    .js()
}

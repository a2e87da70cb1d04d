//! `connectOptions(options)` → `ClientPlan`: the user's connection options
//! checked by the core (`ClientOptions` and its rules) before any socket
//! opens, and everything the Node transport needs to act on them: where to
//! connect, how (TLS mode), how long to wait, which certificate to accept,
//! and the session to drive. The transport decides nothing itself.

use super::credentials::{Credentials, from_object};
use super::session::Session;
use crate::convert::{get, list, missing, opt_bool, opt_number, opt_string, string, text_or_bytes};
use crate::errors::{IntoJs, type_error};
use js_sys::Array;
use mailwright::smtp::settings::{is_ip_address, port_from_f64, timeout_from_millis};
use mailwright::smtp::{ClientOptions, TlsMode, pin};
use wasm_bindgen::prelude::*;

/// Validated connection options (see `connectOptions`).
#[wasm_bindgen]
pub struct ClientPlan {
    pub(crate) options: ClientOptions,
}

/// Checks the options of `send()` / `Client.connect()` with the core and
/// returns the plan; throws InvalidOption, InvalidCredentials or a TypeError.
/// `options.credentials` may be plain `{ user, key | token, label? }`; a
/// `Credentials` object goes in `credentials` instead (taken by value: pass
/// `creds.clone()`), since WebAssembly objects cannot be read from a property.
#[wasm_bindgen(js_name = connectOptions)]
pub fn connect_options(
    options: JsValue,
    credentials: Option<Credentials>,
) -> Result<ClientPlan, JsValue> {
    if !options.is_object() {
        return Err(type_error("options must be an object".into()));
    }
    let host = string(get(&options, "host")?, "options.host")?;
    let mut o = ClientOptions::for_host(host);
    if let Some(tls) = opt_string(&options, "tls")? {
        o = o.tls(TlsMode::from_name(&tls).js()?);
    }
    if let Some(port) = opt_number(&options, "port")? {
        o.port = Some(port_from_f64(port).js()?);
    }
    if let Some(millis) = opt_number(&options, "timeout")? {
        o = o.timeout(timeout_from_millis(millis).js()?);
    }
    if let Some(millis) = opt_number(&options, "messageTimeout")? {
        o.message_timeout = timeout_from_millis(millis).js()?;
    }
    if let Some(on) = opt_bool(&options, "allowPlaintextAuth")? {
        o.allow_plaintext_auth = Some(on);
    }
    if let Some(name) = opt_string(&options, "helloName")? {
        o = o.hello_name(name);
    }
    if let Some(on) = opt_bool(&options, "pipelining")? {
        o.pipelining = on;
    }
    if let Some(on) = opt_bool(&options, "pipelineAfterData")? {
        o.pipeline_after_data = on;
    }
    if let Some(on) = opt_bool(&options, "transcript")? {
        o.transcript = on;
    }
    for pem in list(get(&options, "ca")?) {
        o = o.ca_pem(text_or_bytes(pem, "options.ca")?);
    }
    for fingerprint in list(get(&options, "pinSha256")?) {
        o = o
            .pin_sha256(&string(fingerprint, "options.pinSha256")?)
            .js()?;
    }
    for pem in list(get(&options, "pinCertificate")?) {
        o = o
            .pin_certificate_pem(&text_or_bytes(pem, "options.pinCertificate")?)
            .js()?;
    }
    match credentials {
        Some(c) => o = o.credentials(c.inner),
        None => {
            let c = get(&options, "credentials")?;
            if !missing(&c) {
                o = o.credentials(from_object(&c)?);
            }
        }
    }
    o.validate().js()?;
    Ok(ClientPlan { options: o })
}

fn millis(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[wasm_bindgen]
impl ClientPlan {
    /// The host to connect to.
    #[wasm_bindgen(getter)]
    pub fn host(&self) -> String {
        self.options.host.clone()
    }

    /// The port: the one given, else the TLS mode's default.
    #[wasm_bindgen(getter)]
    pub fn port(&self) -> u16 {
        self.options.effective_port()
    }

    /// The TLS mode's name.
    #[wasm_bindgen(getter)]
    pub fn tls(&self) -> String {
        self.options.tls.as_str().to_string()
    }

    /// True when the connection starts with the TLS handshake.
    #[wasm_bindgen(getter)]
    pub fn implicit(&self) -> bool {
        self.options.tls.is_implicit()
    }

    /// Milliseconds allowed to open the connection.
    #[wasm_bindgen(getter, js_name = connectTimeout)]
    pub fn connect_timeout(&self) -> f64 {
        millis(self.options.connect_timeout)
    }

    /// Milliseconds allowed for each complete reply once its command is
    /// sent (the session's deadline), and for each TLS handshake.
    #[wasm_bindgen(getter)]
    pub fn timeout(&self) -> f64 {
        millis(self.options.timeout)
    }

    /// Milliseconds allowed for each message, MAIL FROM to its final reply.
    #[wasm_bindgen(getter, js_name = messageTimeout)]
    pub fn message_timeout(&self) -> f64 {
        millis(self.options.message_timeout)
    }

    /// True when credentials may go over a connection without TLS (the
    /// core's rule: the option given, else only for a loopback host).
    #[wasm_bindgen(getter, js_name = allowPlaintextAuth)]
    pub fn allow_plaintext_auth(&self) -> bool {
        self.options.session_config().allow_plaintext_auth
    }

    /// The name the certificate must carry, sent as SNI; undefined for an IP
    /// address (SNI carries host names only; the address is checked instead).
    #[wasm_bindgen(getter)]
    pub fn servername(&self) -> Option<String> {
        let name = self.options.server_name();
        (!is_ip_address(name)).then(|| name.to_string())
    }

    /// Extra trusted root certificates (PEM), added to the default roots.
    #[wasm_bindgen(getter)]
    pub fn ca(&self) -> Array {
        self.options
            .extra_roots_pem
            .iter()
            .map(|pem| JsValue::from_str(&String::from_utf8_lossy(pem)))
            .collect()
    }

    /// True when certificates are pinned: the server's certificate must be
    /// one of them, and nothing else about it is checked.
    #[wasm_bindgen(getter)]
    pub fn pinned(&self) -> bool {
        !self.options.pinned_sha256.is_empty()
    }

    /// Why the server's certificate (DER) is refused by the pins, or
    /// undefined when it is accepted (or nothing is pinned).
    #[wasm_bindgen(js_name = pinMismatch)]
    pub fn pin_mismatch(&self, der: &[u8]) -> Option<String> {
        let pins = &self.options.pinned_sha256;
        (!pins.is_empty() && !pin::matches(der, pins))
            .then(|| pin::mismatch(der).message().to_string())
    }

    /// A new sans-IO session for these options.
    pub fn session(&self) -> Result<Session, JsValue> {
        Session::from_config(self.options.session_config())
    }
}

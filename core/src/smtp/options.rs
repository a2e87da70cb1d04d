//! Where and how to connect: [`ClientOptions`], built on the leaf rules of
//! [`settings`](super::settings), and the [`SessionConfig`] they give.

use super::credentials::Credentials;
use super::session::SessionConfig;
use super::settings::{
    DEFAULT_HELLO_NAME, DEFAULT_MESSAGE_TIMEOUT, DEFAULT_PIPELINING, DEFAULT_TIMEOUT, TlsMode,
    check_hello_name, check_timeout, is_loopback,
};
use crate::error::{Error, ErrorKind, Result, quote};
use std::time::Duration;

/// Where and how to connect. Start from [`ClientOptions::new`] (or
/// [`ClientOptions::for_host`]) to get every default; [`ClientOptions::validate`]
/// applies every rule, and every transport calls it before opening anything.
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// Host name or IP address.
    pub host: String,
    /// Port; `None` means the TLS mode's default ([`TlsMode::default_port`]).
    pub port: Option<u16>,
    /// Encryption.
    pub tls: TlsMode,
    /// Credentials for AUTH.
    pub credentials: Option<Credentials>,
    /// The EHLO name (default `localhost`).
    pub hello_name: String,
    /// Extra trusted root certificates, PEM (added to the Mozilla roots).
    pub extra_roots_pem: Vec<Vec<u8>>,
    /// Pinned certificates (SHA-256 of their DER): when any is given, the
    /// server's certificate must be exactly one of them, and nothing else
    /// about it is checked (a self-signed test certificate works).
    pub pinned_sha256: Vec<[u8; 32]>,
    /// Name the certificate must carry (default: `host`).
    pub tls_server_name: Option<String>,
    /// Time allowed to open the connection.
    pub connect_timeout: Duration,
    /// Time allowed for each read and write, and for each complete reply
    /// (however slowly it trickles in).
    pub timeout: Duration,
    /// Time allowed for each message, from MAIL FROM to its final reply.
    pub message_timeout: Duration,
    /// Use PIPELINING when offered.
    pub pipelining: bool,
    /// Send the next message's commands behind the previous message's data
    /// (see [`SessionConfig::pipeline_after_data`]; off: Haraka refuses it).
    pub pipeline_after_data: bool,
    /// Keep a transcript (secrets masked).
    pub transcript: bool,
    /// Whether credentials may be sent over an unencrypted connection (no
    /// STARTTLS offered, a 454, or `TlsMode::None`): `None` (the default)
    /// allows it only for a loopback host (`localhost`, `127.0.0.0/8`,
    /// `::1`), where nothing crosses a network; `Some(true)` always;
    /// `Some(false)` never.
    pub allow_plaintext_auth: Option<bool>,
}

impl ClientOptions {
    /// Options for `host:port` with STARTTLS required and 30-second time-outs.
    pub fn new(host: impl Into<String>, port: u16) -> Self {
        ClientOptions {
            port: Some(port),
            ..ClientOptions::for_host(host)
        }
    }

    /// Options for `host` on the TLS mode's default port.
    pub fn for_host(host: impl Into<String>) -> Self {
        ClientOptions {
            host: host.into(),
            port: None,
            tls: TlsMode::default(),
            credentials: None,
            hello_name: DEFAULT_HELLO_NAME.into(),
            extra_roots_pem: Vec::new(),
            pinned_sha256: Vec::new(),
            tls_server_name: None,
            connect_timeout: DEFAULT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            message_timeout: DEFAULT_MESSAGE_TIMEOUT,
            pipelining: DEFAULT_PIPELINING,
            pipeline_after_data: false,
            transcript: false,
            allow_plaintext_auth: None,
        }
    }

    /// Authenticate with these credentials.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Sets the encryption mode.
    pub fn tls(mut self, tls: TlsMode) -> Self {
        self.tls = tls;
        self
    }

    /// Sets the EHLO name (checked by [`ClientOptions::validate`]).
    pub fn hello_name(mut self, name: impl Into<String>) -> Self {
        self.hello_name = name.into();
        self
    }

    /// Sets both the connect and the read/write time-outs (checked by
    /// [`ClientOptions::validate`]).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self.timeout = timeout;
        self
    }

    /// Trusts the certificates in this PEM text too (added to the Mozilla roots).
    pub fn ca_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.extra_roots_pem.push(pem.into());
        self
    }

    /// Trusts exactly the certificate with this SHA-256 fingerprint (64 hex
    /// digits, colons allowed, as `openssl x509 -fingerprint -sha256` prints).
    pub fn pin_sha256(mut self, fingerprint: &str) -> Result<Self> {
        self.pinned_sha256
            .push(super::pin::parse_fingerprint(fingerprint)?);
        Ok(self)
    }

    /// Trusts exactly the certificate(s) in this PEM text (a self-signed
    /// server certificate, say).
    pub fn pin_certificate_pem(mut self, pem: &[u8]) -> Result<Self> {
        self.pinned_sha256
            .extend(super::pin::fingerprints_from_pem(pem)?);
        Ok(self)
    }

    /// The port to connect to.
    pub fn effective_port(&self) -> u16 {
        self.port.unwrap_or(self.tls.default_port())
    }

    /// The name the server's certificate must carry.
    pub fn server_name(&self) -> &str {
        self.tls_server_name.as_deref().unwrap_or(&self.host)
    }

    /// Applies every rule: a host, a port 1 to 65535, time-outs between 1 ms
    /// and a day, a valid EHLO name, sendable credentials.
    pub fn validate(&self) -> Result<()> {
        if self.host.is_empty() || self.host.bytes().any(|b| b.is_ascii_control() || b == b' ') {
            return Err(Error::new(
                ErrorKind::InvalidOption,
                format!("the host {} is empty or malformed", quote(&self.host)),
            ));
        }
        if self.port == Some(0) {
            return Err(Error::new(
                ErrorKind::InvalidOption,
                "the port must be 1 to 65535; 0 was given",
            ));
        }
        check_timeout(self.connect_timeout)?;
        check_timeout(self.timeout)?;
        check_timeout(self.message_timeout)?;
        check_hello_name(&self.hello_name)?;
        if let Some(credentials) = &self.credentials {
            credentials.validate()?;
        }
        Ok(())
    }

    /// The sans-IO session configuration for these options.
    pub fn session_config(&self) -> SessionConfig {
        SessionConfig {
            hello_name: self.hello_name.clone(),
            tls: self.tls,
            credentials: self.credentials.clone(),
            pipelining: self.pipelining,
            pipeline_after_data: self.pipeline_after_data,
            transcript: self.transcript,
            allow_plaintext_auth: self
                .allow_plaintext_auth
                .unwrap_or_else(|| is_loopback(&self.host)),
            reply_timeout: self.timeout,
            message_timeout: self.message_timeout,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_validate() {
        let ok = ClientOptions::for_host("127.0.0.1");
        ok.validate().unwrap();
        assert_eq!(ok.effective_port(), 25);
        assert_eq!(ok.clone().tls(TlsMode::Implicit).effective_port(), 465);
        assert_eq!(ClientOptions::new("h", 2525).effective_port(), 2525);
        let bad = ClientOptions::new("h", 25).hello_name("x\r\nRSET");
        assert_eq!(bad.validate().unwrap_err().kind(), ErrorKind::InvalidOption);
        let bad = ClientOptions::new("h", 25).timeout(Duration::ZERO);
        assert_eq!(bad.validate().unwrap_err().kind(), ErrorKind::InvalidOption);
        assert!(ClientOptions::new("h", 0).validate().is_err());
        assert!(ClientOptions::new("", 25).validate().is_err());
    }

    #[test]
    fn plaintext_auth_only_on_loopback_unless_allowed() {
        for host in [
            "127.0.0.1",
            "127.9.9.9",
            "::1",
            "[::1]",
            "localhost",
            "LOCALHOST",
        ] {
            assert!(
                ClientOptions::for_host(host)
                    .session_config()
                    .allow_plaintext_auth,
                "{host}"
            );
        }
        for host in [
            "192.0.2.1",
            "smtp.example.com",
            "localhost.example.com",
            "::2",
        ] {
            assert!(
                !ClientOptions::for_host(host)
                    .session_config()
                    .allow_plaintext_auth,
                "{host}"
            );
        }
        let mut options = ClientOptions::for_host("smtp.example.com");
        options.allow_plaintext_auth = Some(true);
        assert!(options.session_config().allow_plaintext_auth);
        let mut options = ClientOptions::for_host("127.0.0.1");
        options.allow_plaintext_auth = Some(false);
        assert!(!options.session_config().allow_plaintext_auth);
    }
}

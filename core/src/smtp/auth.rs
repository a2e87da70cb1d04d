//! SMTP AUTH payloads as pure functions of (mechanism, credentials, challenge).
//! Payloads are bytes (PLAIN holds NULs inside its base64) and zeroized on drop.

use super::credentials::Credentials;
use crate::error::{Error, ErrorKind, Result};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroizing;

/// Bytes that hold a secret: zeroized when dropped.
pub type Secret = Zeroizing<Vec<u8>>;

/// The SASL mechanisms mailwright speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mechanism {
    /// RFC 4616, with an initial response: one round trip.
    Plain,
    /// The de-facto LOGIN mechanism (SendCloud offers only this one).
    Login,
    /// Google/Microsoft XOAUTH2, for OAuth 2 access tokens.
    XOAuth2,
}

impl Mechanism {
    /// The name on the AUTH line.
    pub fn name(self) -> &'static str {
        match self {
            Mechanism::Plain => "PLAIN",
            Mechanism::Login => "LOGIN",
            Mechanism::XOAuth2 => "XOAUTH2",
        }
    }

    /// Looks a mechanism up by name (case-insensitive).
    pub fn from_name(name: &str) -> Option<Mechanism> {
        [Mechanism::Plain, Mechanism::Login, Mechanism::XOAuth2]
            .into_iter()
            .find(|m| m.name().eq_ignore_ascii_case(name))
    }

    /// The best mechanism of those offered for these credentials: XOAUTH2 for
    /// a token; PLAIN (one round trip), then LOGIN, for a key.
    pub fn select(offered: &[Mechanism], credentials: &Credentials) -> Option<Mechanism> {
        let preference: &[Mechanism] = if credentials.is_oauth2() {
            &[Mechanism::XOAuth2]
        } else {
            &[Mechanism::Plain, Mechanism::Login]
        };
        preference.iter().copied().find(|m| offered.contains(m))
    }
}

fn line(parts: &[&[u8]]) -> Secret {
    let mut out = Zeroizing::new(Vec::with_capacity(
        parts.iter().map(|p| p.len()).sum::<usize>() + 2,
    ));
    for part in parts {
        out.extend_from_slice(part);
    }
    out.extend_from_slice(b"\r\n");
    out
}

fn encode(bytes: &[u8]) -> Zeroizing<String> {
    Zeroizing::new(STANDARD.encode(bytes))
}

/// `AUTH PLAIN <base64(\0user\0key)>\r\n`.
pub fn auth_plain(credentials: &Credentials) -> Secret {
    let mut raw = Zeroizing::new(Vec::new());
    raw.push(0);
    raw.extend_from_slice(credentials.username().as_bytes());
    raw.push(0);
    raw.extend_from_slice(credentials.secret().as_bytes());
    line(&[b"AUTH PLAIN ", encode(&raw).as_bytes()])
}

/// `AUTH LOGIN <base64(user)>\r\n`: the user name rides on the AUTH line as an
/// initial response, as in SendCloud's reference session.
pub fn auth_login(credentials: &Credentials) -> Vec<u8> {
    line(&[
        b"AUTH LOGIN ",
        STANDARD.encode(credentials.username()).as_bytes(),
    ])
    .to_vec()
}

/// What a LOGIN challenge asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoginPrompt {
    /// The user name.
    Username,
    /// The password.
    Password,
}

/// Decides what a `334` challenge during LOGIN asks for. The challenge is
/// decoded; a prompt that says "user" asks for the user name and one that
/// says "pass" for the password; anything else (servers differ, some send
/// nothing) is answered by position: after the user name, the password.
pub fn login_prompt(challenge: &str, username_sent: bool) -> LoginPrompt {
    let decoded = STANDARD.decode(challenge.trim()).unwrap_or_default();
    let text = String::from_utf8_lossy(&decoded).to_ascii_lowercase();
    if text.contains("pass") {
        LoginPrompt::Password
    } else if text.contains("user") {
        LoginPrompt::Username
    } else if username_sent {
        LoginPrompt::Password
    } else {
        LoginPrompt::Username
    }
}

/// The answer to a LOGIN prompt: `base64(user)` or `base64(key)`, CRLF-terminated.
pub fn login_answer(prompt: LoginPrompt, credentials: &Credentials) -> Secret {
    match prompt {
        LoginPrompt::Username => line(&[STANDARD.encode(credentials.username()).as_bytes()]),
        LoginPrompt::Password => line(&[encode(credentials.secret().as_bytes()).as_bytes()]),
    }
}

/// `AUTH XOAUTH2 <base64(user=<user>\x01auth=Bearer <token>\x01\x01)>\r\n`.
pub fn auth_xoauth2(credentials: &Credentials) -> Result<Secret> {
    if !credentials.is_oauth2() {
        return Err(Error::new(
            ErrorKind::InvalidCredentials,
            "XOAUTH2 needs an OAuth 2 token (Credentials::oauth2)",
        ));
    }
    let mut raw = Zeroizing::new(Vec::new());
    raw.extend_from_slice(b"user=");
    raw.extend_from_slice(credentials.username().as_bytes());
    raw.extend_from_slice(b"\x01auth=Bearer ");
    raw.extend_from_slice(credentials.secret().as_bytes());
    raw.extend_from_slice(b"\x01\x01");
    Ok(line(&[b"AUTH XOAUTH2 ", encode(&raw).as_bytes()]))
}

/// The first line of an AUTH exchange for `mechanism`.
pub fn initial(mechanism: Mechanism, credentials: &Credentials) -> Result<Secret> {
    credentials.validate()?;
    match mechanism {
        Mechanism::Plain => Ok(auth_plain(credentials)),
        Mechanism::Login => Ok(Zeroizing::new(auth_login(credentials))),
        Mechanism::XOAuth2 => auth_xoauth2(credentials),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_match_the_reference() {
        let c = Credentials::new("api_user", "api_key").with_label("12345");
        assert_eq!(auth_login(&c), b"AUTH LOGIN YXBpX3VzZXIjMTIzNDU=\r\n");
        // 334 UGFzc3dvcmQ6 is base64("Password:").
        assert_eq!(login_prompt("UGFzc3dvcmQ6", true), LoginPrompt::Password);
        assert_eq!(
            &login_answer(LoginPrompt::Password, &c)[..],
            b"YXBpX2tleQ==\r\n"
        );
        assert_eq!(
            &auth_plain(&c)[..],
            b"AUTH PLAIN AGFwaV91c2VyIzEyMzQ1AGFwaV9rZXk=\r\n"
        );
        let decoded = STANDARD
            .decode(&auth_plain(&c)[11..auth_plain(&c).len() - 2])
            .unwrap();
        assert_eq!(decoded, b"\0api_user#12345\0api_key");
        let t = Credentials::oauth2("me@ifaxin.com", "ya29.token");
        let x = auth_xoauth2(&t).unwrap();
        let decoded = STANDARD.decode(&x[13..x.len() - 2]).unwrap();
        assert_eq!(
            decoded,
            b"user=me@ifaxin.com\x01auth=Bearer ya29.token\x01\x01"
        );
        assert_eq!(
            auth_xoauth2(&c).unwrap_err().kind(),
            ErrorKind::InvalidCredentials
        );
    }

    #[test]
    fn prompts_by_text_or_position() {
        assert_eq!(login_prompt("VXNlcm5hbWU6", false), LoginPrompt::Username); // "Username:"
        assert_eq!(login_prompt("VXNlcm5hbWU6", true), LoginPrompt::Username);
        assert_eq!(login_prompt("cGFzc3dvcmQ=", false), LoginPrompt::Password); // "password"
        assert_eq!(login_prompt("", false), LoginPrompt::Username);
        assert_eq!(login_prompt("", true), LoginPrompt::Password);
        assert_eq!(login_prompt("not base64!", true), LoginPrompt::Password);
    }

    #[test]
    fn selection_prefers_plain_then_login() {
        let key = Credentials::new("u", "k");
        let token = Credentials::oauth2("u", "t");
        use Mechanism::*;
        assert_eq!(Mechanism::select(&[Login, Plain], &key), Some(Plain));
        assert_eq!(Mechanism::select(&[Login], &key), Some(Login));
        assert_eq!(Mechanism::select(&[XOAuth2], &key), None);
        assert_eq!(
            Mechanism::select(&[Login, Plain, XOAuth2], &token),
            Some(XOAuth2)
        );
        assert_eq!(Mechanism::select(&[Login], &token), None);
    }

    #[test]
    fn initial_validates() {
        let bad = Credentials::new("", "k");
        assert_eq!(
            initial(Mechanism::Plain, &bad).unwrap_err().kind(),
            ErrorKind::InvalidCredentials
        );
    }
}

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
    /// Every mechanism, in the order of preference for a key.
    pub const ALL: &'static [Mechanism] = &[Mechanism::Plain, Mechanism::Login, Mechanism::XOAuth2];

    /// The name on the AUTH line: `PLAIN`, `LOGIN` or `XOAUTH2`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Mechanism::Plain => "PLAIN",
            Mechanism::Login => "LOGIN",
            Mechanism::XOAuth2 => "XOAUTH2",
        }
    }

    /// Looks a mechanism up by name (case-insensitive).
    pub fn from_name(name: &str) -> Option<Mechanism> {
        Mechanism::ALL
            .iter()
            .copied()
            .find(|m| m.as_str().eq_ignore_ascii_case(name))
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

/// One line of an AUTH exchange: the bytes to send (a secret, zeroized on
/// drop) and what a transcript may show of it (secrets masked).
pub struct AuthLine {
    /// The bytes to send, CRLF-terminated.
    pub bytes: Secret,
    /// The line as a transcript shows it.
    pub shown: String,
}

impl std::fmt::Debug for AuthLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthLine")
            .field("shown", &self.shown)
            .finish()
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

fn key_credentials(credentials: &Credentials) -> Result<()> {
    credentials.validate()?;
    if credentials.is_oauth2() {
        return Err(Error::new(
            ErrorKind::InvalidCredentials,
            "PLAIN and LOGIN need a key, not an OAuth 2 token (use XOAUTH2)",
        ));
    }
    Ok(())
}

/// The PLAIN response alone: `base64(\0user\0key)` CRLF (what follows a bare
/// `AUTH PLAIN` once the server answers 334).
pub fn plain_response(credentials: &Credentials) -> Result<Secret> {
    key_credentials(credentials)?;
    let mut raw = Zeroizing::new(Vec::new());
    raw.push(0);
    raw.extend_from_slice(credentials.username().as_bytes());
    raw.push(0);
    raw.extend_from_slice(credentials.secret().as_bytes());
    Ok(line(&[encode(&raw).as_bytes()]))
}

/// `AUTH PLAIN <base64(\0user\0key)>\r\n`.
pub fn auth_plain(credentials: &Credentials) -> Result<Secret> {
    let response = plain_response(credentials)?;
    Ok(line(&[b"AUTH PLAIN ", &response[..response.len() - 2]]))
}

/// `AUTH LOGIN <base64(user)>\r\n`: the user name rides on the AUTH line as an
/// initial response, as in SendCloud's reference session.
pub fn auth_login(credentials: &Credentials) -> Result<Secret> {
    key_credentials(credentials)?;
    Ok(line(&[
        b"AUTH LOGIN ",
        STANDARD.encode(credentials.username()).as_bytes(),
    ]))
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
pub fn login_answer(prompt: LoginPrompt, credentials: &Credentials) -> Result<Secret> {
    key_credentials(credentials)?;
    Ok(match prompt {
        LoginPrompt::Username => line(&[STANDARD.encode(credentials.username()).as_bytes()]),
        LoginPrompt::Password => line(&[encode(credentials.secret().as_bytes()).as_bytes()]),
    })
}

/// `AUTH XOAUTH2 <base64(user=<user>\x01auth=Bearer <token>\x01\x01)>\r\n`.
pub fn auth_xoauth2(credentials: &Credentials) -> Result<Secret> {
    credentials.validate()?;
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

/// The first line of an AUTH exchange for `mechanism`, with its transcript form.
pub fn initial(mechanism: Mechanism, credentials: &Credentials) -> Result<AuthLine> {
    Ok(match mechanism {
        Mechanism::Plain => AuthLine {
            bytes: auth_plain(credentials)?,
            shown: "AUTH PLAIN <credentials, masked>".into(),
        },
        Mechanism::Login => AuthLine {
            bytes: auth_login(credentials)?,
            // The user name is not a secret: shown as sent, like the reference.
            shown: format!("AUTH LOGIN {}", STANDARD.encode(credentials.username())),
        },
        Mechanism::XOAuth2 => AuthLine {
            bytes: auth_xoauth2(credentials)?,
            shown: "AUTH XOAUTH2 <credentials, masked>".into(),
        },
    })
}

/// The answer to a `334` challenge during `mechanism`, with its transcript
/// form. `username_sent` tells LOGIN what was already sent; the returned
/// flag says whether this answer sent the user name.
pub fn challenge_answer(
    mechanism: Mechanism,
    challenge: &str,
    username_sent: bool,
    credentials: &Credentials,
) -> Result<(AuthLine, bool)> {
    Ok(match mechanism {
        Mechanism::Login => {
            let prompt = login_prompt(challenge, username_sent);
            let bytes = login_answer(prompt, credentials)?;
            let shown = match prompt {
                LoginPrompt::Username => STANDARD.encode(credentials.username()),
                LoginPrompt::Password => "<password, masked>".to_string(),
            };
            (AuthLine { bytes, shown }, prompt == LoginPrompt::Username)
        }
        // The server ignored the initial response: send it again, alone.
        Mechanism::Plain => (
            AuthLine {
                bytes: plain_response(credentials)?,
                shown: "<credentials, masked>".into(),
            },
            false,
        ),
        // A 334 to XOAUTH2 carries the error: answer empty, the 5xx follows.
        Mechanism::XOAuth2 => (
            AuthLine {
                bytes: Zeroizing::new(b"\r\n".to_vec()),
                shown: String::new(),
            },
            false,
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_match_the_reference() {
        let c = Credentials::new("api_user", "api_key")
            .unwrap()
            .with_label("12345")
            .unwrap();
        assert_eq!(
            &auth_login(&c).unwrap()[..],
            b"AUTH LOGIN YXBpX3VzZXIjMTIzNDU=\r\n"
        );
        // 334 UGFzc3dvcmQ6 is base64("Password:").
        assert_eq!(login_prompt("UGFzc3dvcmQ6", true), LoginPrompt::Password);
        assert_eq!(
            &login_answer(LoginPrompt::Password, &c).unwrap()[..],
            b"YXBpX2tleQ==\r\n"
        );
        assert_eq!(
            &auth_plain(&c).unwrap()[..],
            b"AUTH PLAIN AGFwaV91c2VyIzEyMzQ1AGFwaV9rZXk=\r\n"
        );
        let response = plain_response(&c).unwrap();
        let decoded = STANDARD.decode(&response[..response.len() - 2]).unwrap();
        assert_eq!(decoded, b"\0api_user#12345\0api_key");
        let t = Credentials::oauth2("me@ifaxin.com", "ya29.token").unwrap();
        let x = auth_xoauth2(&t).unwrap();
        let b64 = x.strip_prefix(b"AUTH XOAUTH2 ").unwrap();
        let decoded = STANDARD.decode(&b64[..b64.len() - 2]).unwrap();
        assert_eq!(
            decoded,
            b"user=me@ifaxin.com\x01auth=Bearer ya29.token\x01\x01"
        );
        assert_eq!(
            auth_xoauth2(&c).unwrap_err().kind(),
            ErrorKind::InvalidCredentials
        );
        // A token is never sent by PLAIN or LOGIN.
        for r in [
            auth_plain(&t),
            auth_login(&t),
            login_answer(LoginPrompt::Password, &t),
        ] {
            assert_eq!(r.unwrap_err().kind(), ErrorKind::InvalidCredentials);
        }
        let first = initial(Mechanism::Login, &c).unwrap();
        assert_eq!(first.shown, "AUTH LOGIN YXBpX3VzZXIjMTIzNDU=");
        let first = initial(Mechanism::Plain, &c).unwrap();
        assert!(!first.shown.contains("AGFw"));
        assert!(!format!("{first:?}").contains("AGFw"));
        let (answer, sent_user) =
            challenge_answer(Mechanism::Login, "UGFzc3dvcmQ6", true, &c).unwrap();
        assert_eq!(
            (&answer.bytes[..], answer.shown.as_str(), sent_user),
            (&b"YXBpX2tleQ==\r\n"[..], "<password, masked>", false)
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
        let key = Credentials::new("u", "k").unwrap();
        let token = Credentials::oauth2("u", "t").unwrap();
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
    fn names_round_trip() {
        for &m in Mechanism::ALL {
            assert_eq!(Mechanism::from_name(m.as_str()), Some(m));
        }
        assert_eq!(Mechanism::from_name("login"), Some(Mechanism::Login));
        assert_eq!(Mechanism::from_name("CRAM-MD5"), None);
    }
}

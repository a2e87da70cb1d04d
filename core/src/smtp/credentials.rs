//! Credentials, with SendCloud's label-joined user names. The secret is
//! zeroized on drop and never shown by `Debug`, `Display` or any error.

use crate::error::{Error, ErrorKind, Result};
use std::fmt;
use zeroize::Zeroizing;

/// What the secret is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SecretKind {
    /// A password or API key (PLAIN, LOGIN).
    Password,
    /// An OAuth 2 access token (XOAUTH2).
    OAuth2Token,
}

/// A user and a key (or an OAuth 2 token), with an optional SendCloud label:
/// with a label the user name sent is `api_user#label_id`.
///
/// Credentials are checked when made (and again before any AUTH payload is
/// built): a bad user, key or label is an `InvalidCredentials` error at once,
/// in every language.
///
/// ```
/// let creds = mailwright::Credentials::new("api_user", "api_key")?.with_label("12345")?;
/// assert_eq!(creds.username(), "api_user#12345");
/// assert!(!format!("{creds:?}").contains("api_key"));
/// assert!(mailwright::Credentials::new("api_user", "").is_err());
/// # Ok::<(), mailwright::Error>(())
/// ```
#[derive(Clone)]
pub struct Credentials {
    user: String,
    secret: Zeroizing<String>,
    label: Option<String>,
    kind: SecretKind,
    /// `user` or `user#label`.
    username: String,
}

impl Credentials {
    /// A user and a password / API key.
    pub fn new(user: impl Into<String>, key: impl Into<String>) -> Result<Self> {
        Credentials::make(user.into(), key.into(), SecretKind::Password)
    }

    /// A user and an OAuth 2 access token (sent with XOAUTH2).
    pub fn oauth2(user: impl Into<String>, token: impl Into<String>) -> Result<Self> {
        Credentials::make(user.into(), token.into(), SecretKind::OAuth2Token)
    }

    /// Everything a binding receives at once: user, secret, an optional
    /// label, and whether the secret is an OAuth 2 token.
    pub fn from_parts(user: &str, secret: &str, label: Option<&str>, oauth2: bool) -> Result<Self> {
        let credentials = if oauth2 {
            Credentials::oauth2(user, secret)?
        } else {
            Credentials::new(user, secret)?
        };
        match label {
            Some(label) => credentials.with_label(label),
            None => Ok(credentials),
        }
    }

    fn make(user: String, secret: String, kind: SecretKind) -> Result<Self> {
        let credentials = Credentials {
            username: user.clone(),
            user,
            secret: Zeroizing::new(secret),
            label: None,
            kind,
        };
        credentials.validate()?;
        Ok(credentials)
    }

    /// Tags the mail with a SendCloud label: the user name becomes `user#label`.
    pub fn with_label(mut self, label: impl Into<String>) -> Result<Self> {
        let label = label.into();
        self.username = format!("{}#{label}", self.user);
        self.label = Some(label);
        self.validate()?;
        Ok(self)
    }

    /// The user as given (without the label).
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The label, if any.
    pub fn label(&self) -> Option<&str> {
        self.label.as_deref()
    }

    /// The user name sent to the server: `user` or `user#label`.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// True for an OAuth 2 token (XOAUTH2 only).
    pub fn is_oauth2(&self) -> bool {
        self.kind == SecretKind::OAuth2Token
    }

    pub(crate) fn secret(&self) -> &str {
        &self.secret
    }

    /// Checks that the credentials can be sent: a non-empty user and secret,
    /// no NUL (it separates PLAIN's fields), no CR/LF, a label of 1 to 64
    /// characters without `#`.
    pub fn validate(&self) -> Result<()> {
        let bad = |what: &str| Err(Error::new(ErrorKind::InvalidCredentials, what.to_string()));
        if self.user.is_empty() {
            return bad("the user is empty");
        }
        if self.secret.is_empty() {
            return bad("the key is empty");
        }
        let forbidden = |s: &str| s.bytes().any(|b| matches!(b, 0 | b'\r' | b'\n' | 1));
        if forbidden(&self.user) {
            return bad("the user contains NUL, CR, LF or \\x01");
        }
        if forbidden(&self.secret) {
            return bad("the key contains NUL, CR, LF or \\x01");
        }
        if let Some(label) = &self.label
            && (label.is_empty() || label.len() > 64 || label.contains('#') || forbidden(label))
        {
            return bad("the label must be 1 to 64 characters without '#', NUL, CR or LF");
        }
        Ok(())
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .field("label", &self.label)
            .field(
                if self.is_oauth2() { "token" } else { "key" },
                &"<redacted>",
            )
            .finish()
    }
}

impl fmt::Display for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (secret redacted)", self.username)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_redaction() {
        let c = Credentials::new("api_user", "s3cr3t-KEY")
            .unwrap()
            .with_label("12345")
            .unwrap();
        assert_eq!(
            (c.user(), c.label(), c.username()),
            ("api_user", Some("12345"), "api_user#12345")
        );
        for shown in [format!("{c:?}"), c.to_string()] {
            assert!(!shown.contains("s3cr3t"), "{shown}");
        }
        assert!(c.validate().is_ok());
        let kind = |r: Result<Credentials>| r.unwrap_err().kind();
        assert_eq!(
            kind(Credentials::new("u", "")),
            ErrorKind::InvalidCredentials
        );
        assert_eq!(
            kind(Credentials::new("", "k")),
            ErrorKind::InvalidCredentials
        );
        assert_eq!(
            kind(Credentials::new("u\0x", "k")),
            ErrorKind::InvalidCredentials
        );
        assert_eq!(
            kind(Credentials::oauth2("u", "t\r\n")),
            ErrorKind::InvalidCredentials
        );
        assert_eq!(
            kind(Credentials::new("u", "k").unwrap().with_label("a#b")),
            ErrorKind::InvalidCredentials
        );
        assert_eq!(
            kind(Credentials::from_parts("u", "k", Some(""), false)),
            ErrorKind::InvalidCredentials
        );
        let t = Credentials::from_parts("u", "t", Some("7"), true).unwrap();
        assert!(t.is_oauth2());
        assert_eq!(t.username(), "u#7");
        let err = Credentials::new("u", "k\0s3cr3t").unwrap_err();
        assert!(!err.to_string().contains("s3cr3t"));
    }
}

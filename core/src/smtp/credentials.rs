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
/// ```
/// let creds = mailwright::Credentials::new("api_user", "api_key").with_label("12345");
/// assert_eq!(creds.username(), "api_user#12345");
/// assert!(!format!("{creds:?}").contains("api_key"));
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
    pub fn new(user: impl Into<String>, key: impl Into<String>) -> Self {
        let user = user.into();
        Credentials {
            username: user.clone(),
            user,
            secret: Zeroizing::new(key.into()),
            label: None,
            kind: SecretKind::Password,
        }
    }

    /// A user and an OAuth 2 access token (sent with XOAUTH2).
    pub fn oauth2(user: impl Into<String>, token: impl Into<String>) -> Self {
        Credentials {
            kind: SecretKind::OAuth2Token,
            ..Credentials::new(user, token)
        }
    }

    /// Tags the mail with a SendCloud label: the user name becomes `user#label`.
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        let label = label.into();
        self.username = format!("{}#{label}", self.user);
        self.label = Some(label);
        self
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
        let c = Credentials::new("api_user", "s3cr3t-KEY").with_label("12345");
        assert_eq!(
            (c.user(), c.label(), c.username()),
            ("api_user", Some("12345"), "api_user#12345")
        );
        for shown in [format!("{c:?}"), c.to_string()] {
            assert!(!shown.contains("s3cr3t"), "{shown}");
        }
        assert!(c.validate().is_ok());
        assert_eq!(
            Credentials::new("u", "").validate().unwrap_err().kind(),
            ErrorKind::InvalidCredentials
        );
        assert_eq!(
            Credentials::new("u\0x", "k").validate().unwrap_err().kind(),
            ErrorKind::InvalidCredentials
        );
        assert_eq!(
            Credentials::new("u", "k")
                .with_label("a#b")
                .validate()
                .unwrap_err()
                .kind(),
            ErrorKind::InvalidCredentials
        );
        let err = Credentials::new("u", "k\0s3cr3t").validate().unwrap_err();
        assert!(!err.to_string().contains("s3cr3t"));
    }
}

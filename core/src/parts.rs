//! Inline parts and attachments, and the validation of their fields.

use crate::address::check_no_line_break;
use crate::error::{Error, ErrorKind, Result, quote};
use bytes::Bytes;

/// A part shown inside the HTML body (an image, mostly), referred to as `cid:<content id>`.
///
/// The data is a [`Bytes`]: build it from a `Vec<u8>` (moved, not copied),
/// a `&'static [u8]`, or an owner of foreign memory with `Bytes::from_owner`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inline {
    pub(crate) content_id: String,
    pub(crate) content_type: String,
    pub(crate) data: Bytes,
    pub(crate) filename: Option<String>,
}

impl Inline {
    /// An inline part with its content id (`image1`, referred to as `cid:image1`),
    /// content type (`image/png`) and bytes.
    pub fn new(
        content_id: impl Into<String>,
        content_type: impl Into<String>,
        data: impl Into<Bytes>,
    ) -> Self {
        Inline {
            content_id: content_id.into(),
            content_type: content_type.into(),
            data: data.into(),
            filename: None,
        }
    }

    /// Gives the part a filename (shown by clients that list inline parts).
    pub fn filename(mut self, filename: impl Into<String>) -> Self {
        self.filename = Some(filename.into());
        self
    }

    /// The content id, without angle brackets.
    pub fn content_id(&self) -> &str {
        &self.content_id
    }

    /// The bytes of the part.
    pub fn data(&self) -> &Bytes {
        &self.data
    }
}

/// A file attached to the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    pub(crate) filename: String,
    pub(crate) content_type: String,
    pub(crate) data: Bytes,
}

impl Attachment {
    /// An attachment with its filename (any Unicode; leading and trailing
    /// whitespace is dropped), content type and bytes.
    pub fn new(
        filename: impl Into<String>,
        content_type: impl Into<String>,
        data: impl Into<Bytes>,
    ) -> Self {
        Attachment {
            filename: filename.into(),
            content_type: content_type.into(),
            data: data.into(),
        }
    }

    /// The filename as given.
    pub fn filename(&self) -> &str {
        &self.filename
    }

    /// The bytes of the attachment.
    pub fn data(&self) -> &Bytes {
        &self.data
    }
}

/// RFC 2045 token characters.
fn is_token(b: u8) -> bool {
    b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?=".contains(&b)
}

/// Validates `type/subtype` and returns it in lower case.
pub(crate) fn check_content_type(value: &str) -> Result<String> {
    check_no_line_break("content type", value)?;
    let value = value.trim();
    let valid = match value.split_once('/') {
        Some((top, sub)) => {
            !top.is_empty()
                && !sub.is_empty()
                && top.len() + sub.len() <= 127
                && top.bytes().all(is_token)
                && sub.bytes().all(is_token)
        }
        None => false,
    };
    if !valid {
        return Err(Error::new(
            ErrorKind::InvalidContentType,
            format!(
                "{} is not a MIME type of the form type/subtype",
                quote(value)
            ),
        ));
    }
    Ok(value.to_ascii_lowercase())
}

/// The id inside optional angle brackets, if it is 1 to 250 printable ASCII
/// characters without spaces, brackets, quotes or other specials.
fn bare_id(value: &str) -> Option<&str> {
    let inner = value
        .strip_prefix('<')
        .and_then(|v| v.strip_suffix('>'))
        .unwrap_or(value);
    let valid = !inner.is_empty()
        && inner.len() <= 250
        && inner
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b"<>\"\\()[],;:".contains(&b));
    valid.then_some(inner)
}

/// Validates a content id (with or without angle brackets) and returns it without them.
pub(crate) fn check_content_id(value: &str) -> Result<String> {
    check_no_line_break("content id", value)?;
    match bare_id(value) {
        Some(id) => Ok(id.to_string()),
        None => Err(Error::new(
            ErrorKind::InvalidContentId,
            format!(
                "{} is not a valid content id (1 to 250 printable ASCII characters, no spaces, brackets or quotes)",
                quote(value)
            ),
        )),
    }
}

/// Validates a Message-ID (with or without angle brackets, `left@right`)
/// and returns it without the brackets.
pub(crate) fn check_message_id(value: &str) -> Result<String> {
    check_no_line_break("message id", value)?;
    let id = bare_id(value).filter(|id| {
        id.split_once('@')
            .is_some_and(|(left, right)| !left.is_empty() && !right.is_empty())
    });
    match id {
        Some(id) => Ok(id.to_string()),
        None => Err(Error::new(
            ErrorKind::InvalidMessageId,
            format!(
                "{} is not a valid message id (left@right, printable ASCII)",
                quote(value)
            ),
        )),
    }
}

/// Validates a filename (no line break, not empty) and returns it without
/// leading or trailing whitespace, which mail clients drop anyway.
pub(crate) fn check_filename(value: &str) -> Result<String> {
    check_no_line_break("filename", value)?;
    let value = value.trim();
    if value.is_empty() {
        return Err(Error::new(ErrorKind::InvalidHeaderValue, "empty filename"));
    }
    if value.chars().count() > 1000 {
        return Err(Error::new(
            ErrorKind::InvalidHeaderValue,
            "filename longer than 1000 characters",
        ));
    }
    Ok(value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types() {
        assert_eq!(check_content_type("Image/PNG").unwrap(), "image/png");
        assert_eq!(
            check_content_type("application/vnd.ms-excel").unwrap(),
            "application/vnd.ms-excel"
        );
        for bad in [
            "",
            "image",
            "image/",
            "/png",
            "image/png; name=x",
            "text/plain\r\nX: y",
            "ima ge/png",
        ] {
            let kind = check_content_type(bad).unwrap_err().kind();
            assert!(
                matches!(
                    kind,
                    ErrorKind::InvalidContentType | ErrorKind::HeaderInjection
                ),
                "{bad:?}"
            );
        }
        assert_eq!(
            check_content_type("a/b\nc").unwrap_err().kind(),
            ErrorKind::HeaderInjection
        );
    }

    #[test]
    fn content_ids() {
        assert_eq!(check_content_id("image1").unwrap(), "image1");
        assert_eq!(
            check_content_id("<part1.abc@example.com>").unwrap(),
            "part1.abc@example.com"
        );
        for bad in ["", "<>", "a b", "a<b", "中文"] {
            assert_eq!(
                check_content_id(bad).unwrap_err().kind(),
                ErrorKind::InvalidContentId,
                "{bad:?}"
            );
        }
        assert_eq!(
            check_content_id("a\r\nb").unwrap_err().kind(),
            ErrorKind::HeaderInjection
        );
    }

    #[test]
    fn message_ids() {
        assert_eq!(
            check_message_id("<abc@example.com>").unwrap(),
            "abc@example.com"
        );
        for bad in ["abc", "@example.com", "abc@", "a b@c", "<a@b"] {
            assert_eq!(
                check_message_id(bad).unwrap_err().kind(),
                ErrorKind::InvalidMessageId,
                "{bad:?}"
            );
        }
    }
}

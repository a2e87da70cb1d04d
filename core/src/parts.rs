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
    /// content type (`image/png`, parameters allowed as for [`Attachment::new`])
    /// and bytes.
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
    ///
    /// The content type is `type/subtype`, optionally followed by
    /// `; name=value` parameters (a token or a quoted string, which may hold
    /// any Unicode): `text/csv; charset=utf-8`. They are written back in a
    /// canonical form (names in lower case, the charset first, values quoted
    /// only when needed, non-ASCII values RFC 2231-encoded). The `name`
    /// parameter is refused: the builder writes it from the filename.
    ///
    /// ```
    /// use mailwright::{Attachment, ErrorKind, Message};
    /// let build = |content_type: &str| {
    ///     Message::builder()
    ///         .from("support@ifaxin.com")
    ///         .to("ben@ifaxin.com")
    ///         .attachment(Attachment::new("data.csv", content_type, b"a,b\n".to_vec()))
    ///         .build()
    /// };
    /// let bytes = build("Text/CSV; Charset=\"UTF-8\"; header=present")?.to_vec();
    /// let text = String::from_utf8_lossy(&bytes);
    /// assert!(text.contains("text/csv; charset=utf-8; header=present; name=\"data.csv\""));
    /// let err = build("text/csv; charset").unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::InvalidContentType);
    /// let err = build("text/csv; name=other.csv").unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::InvalidContentType);
    /// # Ok::<(), mailwright::Error>(())
    /// ```
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
pub(crate) fn is_token(b: u8) -> bool {
    b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?=".contains(&b)
}

/// Longest content type accepted, parameters included.
const MAX_CONTENT_TYPE_LEN: usize = 1000;
/// Longest parameter name accepted (so that every parameter fits a line).
const MAX_PARAMETER_NAME_LEN: usize = 64;

/// A validated content type: `type/subtype` in lower case and its
/// parameters in order, names in lower case, values unquoted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct MediaType {
    pub(crate) essence: String,
    pub(crate) params: Vec<(String, String)>,
}

impl MediaType {
    pub(crate) fn is_text(&self) -> bool {
        self.essence.starts_with("text/")
    }

    /// The value of a parameter (name in lower case).
    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Validates `type/subtype` with optional `; name=value` parameters (a value
/// is an RFC 2045 token or a quoted string, which may hold non-ASCII text).
/// The `name` parameter is the builder's (it comes from the filename), and
/// RFC 2231 forms (`name*=`) are not taken: give the value itself.
pub(crate) fn check_content_type(value: &str) -> Result<MediaType> {
    check_no_line_break("content type", value)?;
    let value = value.trim();
    let invalid = |why: &str| {
        Error::new(
            ErrorKind::InvalidContentType,
            format!("{} {why}", quote(value)),
        )
    };
    if value.len() > MAX_CONTENT_TYPE_LEN {
        return Err(invalid("is longer than 1000 bytes"));
    }
    let (essence, mut rest) = value.split_at(value.find(';').unwrap_or(value.len()));
    let essence = essence.trim_end();
    let valid = match essence.split_once('/') {
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
        return Err(invalid("is not a MIME type of the form type/subtype"));
    }
    let mut media = MediaType {
        essence: essence.to_ascii_lowercase(),
        params: Vec::new(),
    };
    while !rest.is_empty() {
        let (name, param_value, tail) = parse_parameter(rest).map_err(invalid)?;
        if name.len() > MAX_PARAMETER_NAME_LEN {
            return Err(invalid("has a parameter name longer than 64 characters"));
        }
        if name.contains('*') {
            return Err(invalid(
                "has an RFC 2231 parameter (name with '*'); give the plain value, it is encoded when needed",
            ));
        }
        let name = name.to_ascii_lowercase();
        if name == "name" {
            return Err(invalid(
                "has a name parameter; the builder writes it from the filename",
            ));
        }
        if media.param(&name).is_some() {
            return Err(invalid(&format!("has the parameter {name} twice")));
        }
        media.params.push((name, param_value));
        rest = tail;
    }
    Ok(media)
}

/// Parses `; name=value` (spaces allowed around `;` and `=`) at the start
/// of `input`: the name, the unquoted value and what follows.
fn parse_parameter(input: &str) -> std::result::Result<(&str, String, &str), &'static str> {
    const MALFORMED: &str = "has a malformed parameter (expected ; name=value)";
    let wsp: &[char] = &[' ', '\t'];
    let rest = input.strip_prefix(';').ok_or(MALFORMED)?;
    let rest = rest.trim_start_matches(wsp);
    let name_len = rest.bytes().take_while(|&b| is_token(b)).count();
    let (name, rest) = rest.split_at(name_len);
    let rest = rest.trim_start_matches(wsp);
    let rest = rest.strip_prefix('=').ok_or(MALFORMED)?;
    let rest = rest.trim_start_matches(wsp);
    if name.is_empty() {
        return Err(MALFORMED);
    }
    let (value, rest) = match rest.strip_prefix('"') {
        Some(quoted) => parse_quoted_string(quoted)
            .ok_or("has a parameter value with an unterminated quote or a control character")?,
        None => {
            let len = rest.bytes().take_while(|&b| is_token(b)).count();
            if len == 0 {
                return Err("has a parameter value that is neither a token nor a quoted string");
            }
            (rest[..len].to_string(), &rest[len..])
        }
    };
    let rest = rest.trim_start_matches(wsp);
    if !rest.is_empty() && !rest.starts_with(';') {
        return Err(MALFORMED);
    }
    Ok((name, value, rest))
}

/// The content of a quoted string whose opening quote is already consumed,
/// and what follows the closing quote. Control characters other than tab
/// are refused.
fn parse_quoted_string(input: &str) -> Option<(String, &str)> {
    let mut out = String::new();
    let mut chars = input.char_indices();
    while let Some((i, ch)) = chars.next() {
        match ch {
            '"' => return Some((out, &input[i + 1..])),
            '\\' => out.push(chars.next()?.1),
            '\t' => out.push(ch),
            ch if ch.is_control() => return None,
            ch => out.push(ch),
        }
    }
    None
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

    fn media(essence: &str, params: &[(&str, &str)]) -> MediaType {
        MediaType {
            essence: essence.to_string(),
            params: params
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn content_types() {
        assert_eq!(
            check_content_type("Image/PNG").unwrap(),
            media("image/png", &[])
        );
        assert_eq!(
            check_content_type("application/vnd.ms-excel")
                .unwrap()
                .essence,
            "application/vnd.ms-excel"
        );
        for bad in [
            "",
            "image",
            "image/",
            "/png",
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
    fn content_type_parameters() {
        assert_eq!(
            check_content_type("text/csv; charset=utf-8").unwrap(),
            media("text/csv", &[("charset", "utf-8")])
        );
        assert_eq!(
            check_content_type(" Text/CSV ;Charset = \"UTF-8\" ; Header=present ").unwrap(),
            media("text/csv", &[("charset", "UTF-8"), ("header", "present")])
        );
        assert_eq!(
            check_content_type(r#"application/pdf; title="Relatório \"final\"; v2""#).unwrap(),
            media("application/pdf", &[("title", "Relatório \"final\"; v2")])
        );
        assert_eq!(
            check_content_type("a/b; x=\"\"").unwrap(),
            media("a/b", &[("x", "")])
        );
        for bad in [
            "text/csv;",
            "text/csv; charset",
            "text/csv; charset=",
            "text/csv; =utf-8",
            "text/csv; charset=utf 8",
            "text/csv; charset=\"utf-8",
            "text/csv; a=b c=d",
            "text/csv; title=café",
            "text/csv; x=\"a\u{1}b\"",
            "text/csv; charset=utf-8; CHARSET=utf-8",
            "text/csv; name=data.csv",
            "text/csv; Name=\"x\"",
            "text/csv; title*=utf-8''caf%C3%A9",
            "text/csv; title*0=a",
        ] {
            assert_eq!(
                check_content_type(bad).unwrap_err().kind(),
                ErrorKind::InvalidContentType,
                "{bad:?}"
            );
        }
        assert_eq!(
            check_content_type("text/csv; x=\"a\r\nb\"")
                .unwrap_err()
                .kind(),
            ErrorKind::HeaderInjection
        );
        let long = format!("a/b; x=\"{}\"", "y".repeat(1000));
        assert_eq!(
            check_content_type(&long).unwrap_err().kind(),
            ErrorKind::InvalidContentType
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

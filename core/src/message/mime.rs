//! The MIME tree: leaf parts (inline parts and attachments), the
//! boundaries, and the nesting of `multipart/mixed`, `related` and
//! `alternative` around the body.

use super::calendar::CalendarPart;
use super::headers::{
    looks_like_encoded_word, push_extended_parameter, push_name_parameter, push_parameter,
};
use crate::error::{Error, ErrorKind, Result, quote};
use crate::parts::{
    Attachment, Inline, MediaType, check_content_id, check_content_type, check_filename,
};
use bytes::Bytes;
use mail_builder::headers::HeaderType;
use mail_builder::headers::content_type::ContentType;
use mail_builder::headers::message_id::MessageId;
use mail_builder::headers::raw::Raw;
use mail_builder::mime::{BodyPart, MimePart};
use std::borrow::Cow;

/// Longest boundary seed: the boundary (`=_` + seed + `.x`) stays within RFC 2046's 70.
const MAX_SEED_LEN: usize = 64;

/// Checks a caller's boundary seed: 1 to 64 characters of RFC 2046's `bchars`
/// (without the space).
pub(super) fn check_seed(seed: &str) -> Result<&str> {
    let valid = !seed.is_empty()
        && seed.len() <= MAX_SEED_LEN
        && seed
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"'()+_,-./:=?".contains(&b));
    if !valid {
        return Err(Error::new(
            ErrorKind::InvalidBoundarySeed,
            format!(
                "{} is not a boundary seed (1 to 64 of A-Z a-z 0-9 ' ( ) + _ , - . / : = ?)",
                quote(seed)
            ),
        ));
    }
    Ok(seed)
}

/// The three boundaries, `=_<seed>.m` (mixed), `.r` (related) and `.a`
/// (alternative), kept in one string.
pub(super) struct Boundaries {
    all: String,
    len: usize,
}

impl Boundaries {
    pub(super) fn new(seed: &str) -> Boundaries {
        let len = seed.len() + 4;
        let mut all = String::with_capacity(len * 3 + 2);
        for role in ["m", "r", "a"] {
            all.push_str("=_");
            all.push_str(seed);
            all.push('.');
            all.push_str(role);
        }
        Boundaries { all, len }
    }

    fn get(&self, index: usize) -> &str {
        &self.all[index * self.len..(index + 1) * self.len]
    }

    /// `--=_<seed>.`: the start of every delimiter line.
    fn delimiter(&self) -> String {
        let mut delimiter = String::with_capacity(self.len + 2);
        delimiter.push_str("--");
        delimiter.push_str(&self.all[..self.len - 1]);
        delimiter
    }
}

/// An inline part or an attachment, validated, with its Content-Type value rendered.
#[derive(Clone, Debug)]
pub(super) struct LeafPart {
    content_type: String,
    disposition: &'static str,
    filename: Option<String>,
    /// Content-Disposition rendered here when mail-builder would write the
    /// filename as a quoted string that readers decode (an encoded-word
    /// look-alike): `<disposition>; filename*=UTF-8''...`.
    rendered_disposition: Option<String>,
    pub(super) content_id: Option<String>,
    data: Bytes,
    /// A `text/*` part holding UTF-8: written as text (7bit or quoted-printable when shorter).
    is_text: bool,
}

impl LeafPart {
    pub(super) fn inline(part: Inline) -> Result<LeafPart> {
        let content_id = check_content_id(&part.content_id)?;
        let media_type = check_content_type(&part.content_type)?;
        let filename = part.filename.as_deref().map(check_filename).transpose()?;
        Ok(LeafPart::new(
            media_type,
            "inline",
            filename,
            Some(content_id),
            part.data,
        ))
    }

    pub(super) fn attachment(part: Attachment) -> Result<LeafPart> {
        let filename = check_filename(&part.filename)?;
        let media_type = check_content_type(&part.content_type)?;
        Ok(LeafPart::new(
            media_type,
            "attachment",
            Some(filename),
            None,
            part.data,
        ))
    }

    fn new(
        media_type: MediaType,
        disposition: &'static str,
        filename: Option<String>,
        content_id: Option<String>,
        data: Bytes,
    ) -> LeafPart {
        let is_text = media_type.is_text() && std::str::from_utf8(&data).is_ok();
        let content_type = render_content_type(media_type, is_text, filename.as_deref());
        let rendered_disposition = filename
            .as_deref()
            .filter(|name| looks_like_encoded_word(name))
            .map(|name| {
                let mut value = format!("{disposition}; ");
                push_extended_parameter(&mut value, "filename", name);
                value
            });
        LeafPart {
            content_type,
            disposition,
            filename,
            rendered_disposition,
            content_id,
            data,
            is_text,
        }
    }

    fn mime_part(&self) -> MimePart<'_> {
        let mut headers: Vec<(Cow<'_, str>, HeaderType<'_>)> = Vec::with_capacity(3);
        headers.push((
            "Content-Type".into(),
            Raw::new(self.content_type.as_str()).into(),
        ));
        let disposition = match (&self.rendered_disposition, &self.filename) {
            (Some(rendered), _) => Raw::new(rendered.as_str()).into(),
            (None, Some(name)) => ContentType::new(self.disposition)
                .attribute("filename", name.as_str())
                .into(),
            (None, None) => ContentType::new(self.disposition).into(),
        };
        headers.push(("Content-Disposition".into(), disposition));
        if let Some(id) = &self.content_id {
            headers.push(("Content-ID".into(), MessageId::new(id.as_str()).into()));
        }
        if self.is_text && memchr::memchr(0, &self.data).is_some() {
            return nul_safe(
                MimePart {
                    headers,
                    contents: BodyPart::Text(Cow::Borrowed("")),
                },
                &self.data,
            );
        }
        let contents = match (self.is_text, std::str::from_utf8(&self.data)) {
            (true, Ok(text)) => BodyPart::Text(Cow::Borrowed(text)),
            _ => BodyPart::Binary(Cow::Borrowed(&self.data[..])),
        };
        MimePart { headers, contents }
    }

    fn estimated_len(&self) -> usize {
        base64_len(self.data.len()) + self.content_type.len() + 256
    }
}

/// A text part holding NUL, which may not appear in 7bit or 8bit data (RFC
/// 2045 sections 2.7 and 2.8) and which mail-builder's text encoder would
/// write as it is: written as base64 instead, encoded here (76-character
/// lines, as for every other base64 part).
fn nul_safe<'x>(part: MimePart<'x>, data: &[u8]) -> MimePart<'x> {
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(data);
    let mut body = String::with_capacity(encoded.len() + encoded.len() / 38 + 2);
    for line in encoded.as_bytes().chunks(76) {
        body.push_str(std::str::from_utf8(line).unwrap_or_default());
        body.push_str("\r\n");
    }
    MimePart {
        contents: BodyPart::Text(Cow::Owned(body)),
        ..part
    }
    .transfer_encoding("base64")
}

/// The Content-Type value in canonical form: `type/subtype`, the charset
/// (the caller's, in lower case, or `utf-8` for UTF-8 text), the caller's
/// other parameters in order, then `name=` from the filename.
fn render_content_type(media_type: MediaType, is_text: bool, filename: Option<&str>) -> String {
    let MediaType { essence, params } = media_type;
    let mut out = essence;
    let charset = params.iter().find(|(name, _)| name == "charset");
    match charset {
        Some((_, value)) => {
            out.push_str("; ");
            push_parameter(&mut out, "charset", &value.to_ascii_lowercase());
        }
        None if is_text => out.push_str("; charset=utf-8"),
        None => {}
    }
    for (name, value) in params.iter().filter(|(name, _)| name != "charset") {
        out.push_str("; ");
        push_parameter(&mut out, name, value);
    }
    if let Some(name) = filename {
        out.push_str("; ");
        push_name_parameter(&mut out, name);
    }
    out
}

/// Refuses two inline parts with the same content id.
pub(super) fn check_unique_content_ids(inline: &[LeafPart]) -> Result<()> {
    for (i, part) in inline.iter().enumerate() {
        if inline[..i]
            .iter()
            .any(|other| other.content_id == part.content_id)
        {
            return Err(Error::new(
                ErrorKind::DuplicateContentId,
                format!(
                    "content id {} is used twice",
                    quote(part.content_id.as_deref().unwrap_or(""))
                ),
            ));
        }
    }
    Ok(())
}

/// Turns lone CRs into CRLF (a bare CR may not travel in SMTP DATA); bare LFs
/// are turned into CRLF by the encoder.
fn normalize_line_breaks(text: String) -> String {
    let bytes = text.as_bytes();
    let lone_cr = memchr::memchr_iter(b'\r', bytes).any(|i| bytes.get(i + 1) != Some(&b'\n'));
    if !lone_cr {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut chars = text.chars().peekable();
    while let Some(ch) = chars.next() {
        out.push(ch);
        if ch == '\r' && chars.peek() != Some(&'\n') {
            out.push('\n');
        }
    }
    out
}

/// Length of MIME base64 (76-character lines with CRLF) for `len` bytes.
fn base64_len(len: usize) -> usize {
    let encoded = len.div_ceil(3) * 4;
    encoded + encoded.div_ceil(76) * 2
}

/// Everything below the top-level headers: the bodies, the leaf parts and
/// the boundaries that nest them.
pub(super) struct Body {
    text: Option<String>,
    html: Option<String>,
    calendar: Option<CalendarPart>,
    pub(super) inline: Vec<LeafPart>,
    pub(super) attachments: Vec<LeafPart>,
    boundaries: Boundaries,
}

impl Body {
    /// The bodies (line breaks normalized) and the parts, in order.
    pub(super) fn new(
        text: Option<String>,
        html: Option<String>,
        calendar: Option<CalendarPart>,
        inline: Vec<LeafPart>,
        attachments: Vec<LeafPart>,
        boundaries: Boundaries,
    ) -> Body {
        Body {
            text: text.map(normalize_line_breaks),
            html: html.map(normalize_line_breaks),
            calendar,
            inline,
            attachments,
            boundaries,
        }
    }

    /// Refuses a body or a part that may go out as 7bit and contains the
    /// boundary delimiter. A boundary is "=_<seed>.<m|r|a>": "=_" never occurs
    /// in quoted-printable or base64 output, so only those parts are checked.
    pub(super) fn check_boundary_collision(&self) -> Result<()> {
        let delimiter = self.boundaries.delimiter();
        let finder = memchr::memmem::Finder::new(delimiter.as_bytes());
        let collides = self
            .text
            .iter()
            .chain(&self.html)
            .map(String::as_str)
            .chain(self.calendar.as_ref().map(CalendarPart::text))
            .any(|body| finder.find(body.as_bytes()).is_some())
            || self
                .inline
                .iter()
                .chain(&self.attachments)
                .any(|p| p.is_text && finder.find(&p.data).is_some());
        if collides {
            return Err(Error::new(
                ErrorKind::BoundaryCollision,
                format!(
                    "a body part contains the boundary delimiter {}; choose another boundary seed",
                    quote(&delimiter)
                ),
            ));
        }
        Ok(())
    }

    /// An upper bound in the common cases (the encoder never picks
    /// quoted-printable when base64 is shorter).
    pub(super) fn estimated_len(&self) -> usize {
        let text = self.text.as_ref().map_or(0, |t| base64_len(t.len()) + 160);
        let html = self.html.as_ref().map_or(0, |t| base64_len(t.len()) + 160);
        let calendar = self
            .calendar
            .as_ref()
            .map_or(0, |c| base64_len(c.text.len()) + 160);
        let parts: usize = self
            .inline
            .iter()
            .chain(&self.attachments)
            .map(LeafPart::estimated_len)
            .sum();
        text + html + calendar + parts
    }

    /// The tree: the body (a text part, or `multipart/alternative`), inside
    /// `multipart/related` when there are inline parts, inside
    /// `multipart/mixed` when there are attachments.
    pub(super) fn tree(&self) -> MimePart<'_> {
        let (body, body_type) = self.alternatives();
        let body = if self.inline.is_empty() {
            body
        } else {
            let mut children = Vec::with_capacity(self.inline.len() + 1);
            children.push(body);
            children.extend(self.inline.iter().map(LeafPart::mime_part));
            MimePart::new(
                ContentType::new("multipart/related")
                    .attribute("type", body_type)
                    .attribute("boundary", self.boundaries.get(1)),
                BodyPart::Multipart(children),
            )
        };
        if self.attachments.is_empty() {
            body
        } else {
            let mut children = Vec::with_capacity(self.attachments.len() + 1);
            children.push(body);
            children.extend(self.attachments.iter().map(LeafPart::mime_part));
            MimePart::new(
                ContentType::new("multipart/mixed").attribute("boundary", self.boundaries.get(0)),
                BodyPart::Multipart(children),
            )
        }
    }

    /// The text and HTML bodies and the calendar invitation, in that order
    /// (an empty text part when there is none; `multipart/alternative` when
    /// there are several), and the media type of what was built.
    fn alternatives(&self) -> (MimePart<'_>, &'static str) {
        fn text_part<'x>(media: &'static str, body: &'x str) -> MimePart<'x> {
            let part = MimePart::new(
                ContentType::new(media).attribute("charset", "utf-8"),
                BodyPart::Text(Cow::Borrowed(body)),
            );
            if body.contains('\0') {
                nul_safe(part, body.as_bytes())
            } else {
                part
            }
        }
        let mut parts: Vec<(MimePart<'_>, &'static str)> = Vec::with_capacity(3);
        if let Some(text) = &self.text {
            parts.push((text_part("text/plain", text), "text/plain"));
        }
        if let Some(html) = &self.html {
            parts.push((text_part("text/html", html), "text/html"));
        }
        if let Some(calendar) = &self.calendar {
            let part = MimePart {
                headers: vec![(
                    "Content-Type".into(),
                    Raw::new(calendar.content_type.as_str()).into(),
                )],
                contents: BodyPart::Text(Cow::Borrowed(calendar.text())),
            };
            parts.push((part, "text/calendar"));
        }
        match parts.len() {
            0 => (text_part("text/plain", ""), "text/plain"),
            1 => parts
                .pop()
                .unwrap_or_else(|| (text_part("text/plain", ""), "text/plain")),
            _ => (
                MimePart::new(
                    ContentType::new("multipart/alternative")
                        .attribute("boundary", self.boundaries.get(2)),
                    BodyPart::Multipart(parts.into_iter().map(|(part, _)| part).collect()),
                ),
                "multipart/alternative",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lone_carriage_returns_become_crlf() {
        assert_eq!(
            normalize_line_breaks("a\rb\r\nc\r".into()),
            "a\r\nb\r\nc\r\n"
        );
        assert_eq!(normalize_line_breaks("plain\n".into()), "plain\n");
    }

    fn content_type(value: &str, data: &[u8], filename: Option<&str>) -> String {
        let media = check_content_type(value).unwrap();
        let is_text = media.is_text() && std::str::from_utf8(data).is_ok();
        render_content_type(media, is_text, filename)
    }

    #[test]
    fn content_type_is_canonical() {
        assert_eq!(
            content_type("text/csv", b"a", Some("a.csv")),
            r#"text/csv; charset=utf-8; name="a.csv""#
        );
        assert_eq!(
            content_type(
                "text/csv; header=present; charset=UTF-8",
                b"a",
                Some("a.csv")
            ),
            r#"text/csv; charset=utf-8; header=present; name="a.csv""#
        );
        // The caller's charset wins, UTF-8 or not.
        assert_eq!(
            content_type("text/plain; charset=iso-8859-1", &[0xe9], None),
            "text/plain; charset=iso-8859-1"
        );
        assert_eq!(
            content_type(r#"image/svg+xml; Title="Logo, v2""#, b"<svg/>", None),
            r#"image/svg+xml; title="Logo, v2""#
        );
        assert_eq!(
            content_type(r#"application/pdf; title="Relatório""#, b"%PDF", None),
            "application/pdf; title*=UTF-8''Relat%C3%B3rio"
        );
    }

    #[test]
    fn encoded_word_lookalike_filenames_use_rfc_2231() {
        let media = check_content_type("application/pdf").unwrap();
        let name = Some("=?utf-8?q?invoice?=.pdf".to_string());
        let part = LeafPart::new(media, "attachment", name, None, Bytes::new());
        assert_eq!(
            part.rendered_disposition.as_deref(),
            Some("attachment; filename*=UTF-8''%3D%3Futf-8%3Fq%3Finvoice%3F%3D.pdf")
        );
        assert_eq!(
            part.content_type,
            r#"application/pdf; name="=?utf-8?B?PT91dGYtOD9xP2ludm9pY2U/PS5wZGY=?=""#
        );
    }

    #[test]
    fn boundaries_share_one_string() {
        let b = Boundaries::new("seed");
        assert_eq!(
            [b.get(0), b.get(1), b.get(2)],
            ["=_seed.m", "=_seed.r", "=_seed.a"]
        );
        assert_eq!(b.delimiter(), "--=_seed.");
    }

    #[test]
    fn seeds_are_checked() {
        assert_eq!(check_seed("a'()+_,-./:=?Z9").unwrap(), "a'()+_,-./:=?Z9");
        for bad in ["", "has space", "ü", &"x".repeat(65)] {
            assert_eq!(
                check_seed(bad).unwrap_err().kind(),
                ErrorKind::InvalidBoundarySeed,
                "{bad:?}"
            );
        }
    }
}

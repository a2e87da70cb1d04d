//! The top-level header block, RFC 2047 encoded words, the `name=`
//! parameter, and the checks on custom header names.

use crate::address::Mailbox;
use crate::error::{Error, ErrorKind, Result, quote};
use crate::writer::Sink;
use mail_builder::headers::Header;
use mail_builder::headers::address::Address;
use mail_builder::headers::date::Date;
use mail_builder::headers::message_id::MessageId;
use mail_builder::headers::raw::Raw;
use mail_builder::headers::text::Text;

/// Headers the builder writes itself; a custom header may not use these names.
const RESERVED_HEADERS: &[&str] = &[
    "date",
    "from",
    "sender",
    "reply-to",
    "to",
    "cc",
    "bcc",
    "subject",
    "message-id",
    "in-reply-to",
    "references",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
    "content-disposition",
    "content-id",
    "x-smtpapi",
    "dkim-signature",
];

/// Everything that goes in the header block before the MIME headers, validated.
pub(super) struct TopHeaders<'a> {
    pub date: i64,
    pub from: &'a Mailbox,
    pub sender: Option<&'a Mailbox>,
    pub reply_to: &'a [Mailbox],
    pub to: &'a [Mailbox],
    pub cc: &'a [Mailbox],
    pub subject: Option<&'a str>,
    pub message_id: &'a str,
    pub in_reply_to: &'a [String],
    pub references: &'a [String],
    pub custom: &'a [(String, String)],
    /// The List-Id, List-Unsubscribe and List-Unsubscribe-Post lines, rendered.
    pub list: &'a [u8],
}

impl TopHeaders<'_> {
    /// The header block up to and including `MIME-Version: 1.0`, in a fixed order.
    pub(super) fn write(&self) -> Vec<u8> {
        let mut head = Vec::with_capacity(1024);
        write_header(&mut head, "Date", &Date::new(self.date));
        write_address_header(&mut head, "From", std::slice::from_ref(self.from));
        if let Some(sender) = self.sender {
            write_address_header(&mut head, "Sender", std::slice::from_ref(sender));
        }
        for (name, list) in [
            ("Reply-To", self.reply_to),
            ("To", self.to),
            ("Cc", self.cc),
        ] {
            if !list.is_empty() {
                write_address_header(&mut head, name, list);
            }
        }
        if let Some(subject) = self.subject {
            write_text_header(&mut head, "Subject", subject);
        }
        write_header(&mut head, "Message-ID", &MessageId::new(self.message_id));
        if !self.in_reply_to.is_empty() {
            write_header(
                &mut head,
                "In-Reply-To",
                &MessageId::new_list(self.in_reply_to.iter().map(String::as_str)),
            );
        }
        if !self.references.is_empty() {
            write_header(
                &mut head,
                "References",
                &MessageId::new_list(self.references.iter().map(String::as_str)),
            );
        }
        head.extend_from_slice(self.list);
        for (name, value) in self.custom {
            write_text_header(&mut head, name, value);
        }
        head.extend_from_slice(b"MIME-Version: 1.0\r\n");
        head
    }
}

/// Checks a custom header's name: an RFC 5322 field name of at most 76
/// characters that the builder does not write itself.
pub(super) fn check_header_name(name: &str) -> Result<()> {
    let valid = !name.is_empty()
        && name.len() <= 76
        && name.bytes().all(|b| b.is_ascii_graphic() && b != b':');
    if !valid {
        let kind = if name.bytes().any(|b| b == b'\r' || b == b'\n') {
            ErrorKind::HeaderInjection
        } else {
            ErrorKind::InvalidHeaderName
        };
        return Err(Error::new(
            kind,
            format!(
                "{} is not a header name (1 to 76 printable ASCII characters, no ':' or space)",
                quote(name)
            ),
        ));
    }
    if RESERVED_HEADERS
        .iter()
        .any(|reserved| reserved.eq_ignore_ascii_case(name))
    {
        return Err(Error::new(
            ErrorKind::InvalidHeaderName,
            format!("{name} is written by the builder; use its own setter"),
        ));
    }
    Ok(())
}

/// Writes an address header with mail-builder, unless a display name looks
/// like an encoded word: mail-builder would write it as a quoted string,
/// which readers decode anyway, so those headers are written here.
fn write_address_header(out: &mut Vec<u8>, name: &str, list: &[Mailbox]) {
    if list
        .iter()
        .any(|m| m.name().is_some_and(looks_like_encoded_word))
    {
        write_mailboxes_with_lookalikes(out, name, list);
    } else {
        write_header(out, name, &address_header(list));
    }
}

fn address_header(list: &[Mailbox]) -> Address<'_> {
    let mut items: Vec<Address<'_>> = list
        .iter()
        .map(|m| Address::new_address(m.name(), m.address()))
        .collect();
    if items.len() == 1 {
        items.pop().unwrap_or_else(|| Address::new_list(Vec::new()))
    } else {
        Address::new_list(items)
    }
}

/// Bytes of a display name per encoded word: 52 base64 characters, 64 with
/// the delimiters, so that `Reply-To: ` and a word stay within RFC 2047's
/// 76 columns.
const NAME_WORD_BYTES: usize = 39;
/// RFC 2047's limit for a line holding an encoded word.
const ENCODED_LINE_LEN: usize = 76;

/// The mailboxes one per line: a look-alike display name as "B" encoded
/// words (folded so that no line passes 76 columns), every other mailbox as
/// mail-builder writes it alone on its line.
fn write_mailboxes_with_lookalikes(out: &mut Vec<u8>, name: &str, list: &[Mailbox]) {
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b": ");
    let mut column = name.len() + 2;
    for (i, mailbox) in list.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(b",\r\n ");
            column = 1;
        }
        match mailbox.name() {
            Some(display) if looks_like_encoded_word(display) => {
                let mut words = String::new();
                push_encoded_words(&mut words, display, NAME_WORD_BYTES);
                let address = format!("<{}>", mailbox.address());
                let mut first = true;
                for atom in words.split(' ').chain([address.as_str()]) {
                    if first {
                        first = false;
                    } else if column + 1 + atom.len() > ENCODED_LINE_LEN {
                        out.extend_from_slice(b"\r\n ");
                        column = 1;
                    } else {
                        out.push(b' ');
                        column += 1;
                    }
                    out.extend_from_slice(atom.as_bytes());
                    column += atom.len();
                }
            }
            _ => {
                let mut rendered = Vec::new();
                Address::new_address(mailbox.name(), mailbox.address())
                    .write_header(&mut Sink::bytes(&mut rendered), column);
                rendered.truncate(rendered.len().saturating_sub(2));
                out.extend_from_slice(&rendered);
            }
        }
    }
    out.extend_from_slice(b"\r\n");
}

fn write_header(out: &mut Vec<u8>, name: &str, value: &impl Header) {
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b": ");
    value.write_header(&mut Sink::bytes(out), name.len() + 2);
}

/// Plain printable ASCII is folded at its spaces; anything else (non-ASCII,
/// control characters, words too long to fold, edge whitespace) goes out as
/// RFC 2047 encoded words.
fn write_text_header(out: &mut Vec<u8>, name: &str, value: &str) {
    let plain = value.bytes().all(|b| (0x20..0x7f).contains(&b))
        && !value.starts_with(' ')
        && !value.ends_with(' ')
        && !value.contains("  ")
        && !value.contains("=?")
        && value
            .split(" ")
            .all(|word| word.len() + name.len() + 2 <= 78);
    if plain {
        write_header(out, name, &Raw::new(value));
    } else if value.contains("=?") {
        // Text written as it is would be decoded by readers as an encoded
        // word: encode the whole value, so it reads back exactly.
        let mut words = String::with_capacity(value.len() * 2);
        push_encoded_words(&mut words, value, TEXT_WORD_BYTES);
        write_header(out, name, &Raw::new(words));
    } else {
        write_header(out, name, &Text::new(value));
    }
}

/// `X-SMTPAPI: <base64>` folded into lines of at most 76 characters.
pub(super) fn smtpapi_header(encoded: &str) -> Vec<u8> {
    const FIRST: usize = 76 - "X-SMTPAPI: ".len();
    const NEXT: usize = 75;
    let mut line = Vec::with_capacity(encoded.len() + encoded.len() / NEXT * 3 + 16);
    line.extend_from_slice(b"X-SMTPAPI: ");
    let (first, mut rest) = encoded.as_bytes().split_at(FIRST.min(encoded.len()));
    line.extend_from_slice(first);
    while !rest.is_empty() {
        let (chunk, tail) = rest.split_at(NEXT.min(rest.len()));
        line.extend_from_slice(b"\r\n ");
        line.extend_from_slice(chunk);
        rest = tail;
    }
    line.extend_from_slice(b"\r\n");
    line
}

/// The `name=` parameter of Content-Type: a quoted string for short plain
/// ASCII names, otherwise RFC 2047 "B" encoded words inside the quotes (the
/// form Outlook reads; RFC 2231 `filename*` goes on Content-Disposition).
pub(super) fn push_name_parameter(out: &mut String, name: &str) {
    let plain = name.len() <= 60
        && name.bytes().all(|b| (0x20..0x7f).contains(&b))
        && !looks_like_encoded_word(name)
        && !name.starts_with(' ')
        && !name.ends_with(' ');
    out.push_str("name=\"");
    if plain {
        for ch in name.chars() {
            if ch == '"' || ch == '\\' {
                out.push('\\');
            }
            out.push(ch);
        }
    } else {
        push_encoded_words(out, name, TEXT_WORD_BYTES);
    }
    out.push('"');
}

/// Bytes per encoded word in text headers and `name=`: 56 base64
/// characters, 68 with the delimiters, so a folded line (space, `name="`,
/// word, `"`) stays under 78.
const TEXT_WORD_BYTES: usize = 42;

/// True for text that readers would decode as RFC 2047 encoded words if it
/// were written as it is (even inside a quoted string): it must be encoded
/// itself so that it reads back literally.
pub(super) fn looks_like_encoded_word(text: &str) -> bool {
    text.contains("=?")
}

/// Longest parameter, `name=value` or one RFC 2231 section, so that it fits a
/// folded line (a space before it, a `;` after).
const MAX_PARAMETER_LEN: usize = 75;

/// Appends a Content-Type parameter in canonical form: `name=token`, or
/// `name="quoted string"` for other printable ASCII, or, for non-ASCII
/// values, encoded-word look-alikes and values too long for one line, the
/// RFC 2231 extended form (see [`push_extended_parameter`]).
pub(super) fn push_parameter(out: &mut String, name: &str, value: &str) {
    let is_token = !value.is_empty() && value.bytes().all(crate::parts::is_token);
    let quoted_len = value.len() + 2 + value.bytes().filter(|b| b"\"\\".contains(b)).count();
    let plain = value.bytes().all(|b| (0x20..0x7f).contains(&b))
        && !looks_like_encoded_word(value)
        && name.len() + 1 + quoted_len <= MAX_PARAMETER_LEN;
    if is_token && plain {
        out.push_str(name);
        out.push('=');
        out.push_str(value);
    } else if plain {
        out.push_str(name);
        out.push_str("=\"");
        for ch in value.chars() {
            if ch == '"' || ch == '\\' {
                out.push('\\');
            }
            out.push(ch);
        }
        out.push('"');
    } else {
        push_extended_parameter(out, name, value);
    }
}

/// RFC 2231 `attribute-char`: a token character other than `*`, `'` and `%`.
fn is_attribute_char(b: u8) -> bool {
    crate::parts::is_token(b) && !b"*'%".contains(&b)
}

/// The RFC 2231 extended form, `name*=UTF-8''<percent-encoded>` (the form
/// mail-builder writes for non-ASCII filenames), split into sections
/// `name*0*=UTF-8''...; name*1*=...` separated by `"; "` (where the header
/// folds) when it is longer than a line. Sections end on character
/// boundaries.
pub(super) fn push_extended_parameter(out: &mut String, name: &str, value: &str) {
    const CHARSET: &str = "UTF-8''";
    let encoded_len = |text: &str| {
        text.bytes()
            .map(|b| if is_attribute_char(b) { 1 } else { 3 })
            .sum::<usize>()
    };
    let push_encoded = |out: &mut String, text: &str| {
        for b in text.bytes() {
            if is_attribute_char(b) {
                out.push(char::from(b));
            } else {
                out.push('%');
                out.push(char::from(b"0123456789ABCDEF"[usize::from(b >> 4)]));
                out.push(char::from(b"0123456789ABCDEF"[usize::from(b & 15)]));
            }
        }
    };
    if name.len() + 2 + CHARSET.len() + encoded_len(value) <= MAX_PARAMETER_LEN {
        out.push_str(name);
        out.push_str("*=");
        out.push_str(CHARSET);
        push_encoded(out, value);
        return;
    }
    let mut rest = value;
    let mut section = 0usize;
    while !rest.is_empty() {
        let mut prefix = format!("{name}*{section}*=");
        if section == 0 {
            prefix.push_str(CHARSET);
        }
        let budget = MAX_PARAMETER_LEN.saturating_sub(prefix.len()).max(12);
        let mut taken = 0;
        let mut len = 0;
        for (at, ch) in rest.char_indices() {
            let ch_len = encoded_len(&rest[at..at + ch.len_utf8()]);
            if len + ch_len > budget && taken > 0 {
                break;
            }
            len += ch_len;
            taken = at + ch.len_utf8();
        }
        let (chunk, tail) = rest.split_at(taken);
        if section > 0 {
            out.push_str("; ");
        }
        out.push_str(&prefix);
        push_encoded(out, chunk);
        rest = tail;
        section += 1;
    }
}

/// [`push_encoded_words`] with the words of text headers.
pub(super) fn push_encoded_words_public(out: &mut String, text: &str) {
    push_encoded_words(out, text, TEXT_WORD_BYTES);
}

/// RFC 2047 "B" encoded words of at most `max_bytes` bytes each, separated
/// by spaces (where a header folds), never splitting a character. Text and
/// `name=` use [`TEXT_WORD_BYTES`].
fn push_encoded_words(out: &mut String, text: &str, max_bytes: usize) {
    use base64::Engine as _;
    let mut rest = text;
    let mut first = true;
    while !rest.is_empty() {
        let mut cut = rest.len().min(max_bytes);
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        let (word, tail) = rest.split_at(cut);
        if !first {
            out.push(' ');
        }
        first = false;
        out.push_str("=?utf-8?B?");
        base64::engine::general_purpose::STANDARD.encode_string(word.as_bytes(), out);
        out.push_str("?=");
        rest = tail;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_and_malformed_header_names_are_refused() {
        for name in [
            "From",
            "bcc",
            "X-SMTPAPI",
            "content-type",
            "",
            "X Bad",
            "X:Bad",
            "X-Ü",
        ] {
            let err = check_header_name(name).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidHeaderName, "{name:?}");
        }
        let err = check_header_name("X-A\r\nBcc").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::HeaderInjection);
        assert!(check_header_name("X-Campaign").is_ok());
        assert!(check_header_name("SC-Custom-k").is_ok());
    }

    fn parameter(name: &str, value: &str) -> String {
        let mut out = String::new();
        push_parameter(&mut out, name, value);
        out
    }

    /// What mail-parser reads back from `Content-Type: a/b; <params>`.
    fn parsed_parameter(params: &str, name: &str) -> Option<String> {
        let raw = format!("Content-Type: a/b; {params}\r\n\r\n");
        let message = mail_parser::MessageParser::new().parse(raw.as_bytes())?;
        let value = mail_parser::MimeHeaders::content_type(&message)?.attribute(name)?;
        Some(value.to_string())
    }

    #[test]
    fn parameters_are_canonical() {
        assert_eq!(parameter("charset", "utf-8"), "charset=utf-8");
        assert_eq!(parameter("title", "Q1 report"), r#"title="Q1 report""#);
        assert_eq!(parameter("x", ""), r#"x="""#);
        assert_eq!(parameter("x", r#"a "b" \c"#), r#"x="a \"b\" \\c""#);
        assert_eq!(parameter("x", "a/b"), r#"x="a/b""#);
        assert_eq!(parameter("title", "café"), "title*=UTF-8''caf%C3%A9");
        assert_eq!(
            parameter("title", "=?utf-8?q?x?="),
            "title*=UTF-8''%3D%3Futf-8%3Fq%3Fx%3F%3D"
        );
        for value in [
            "utf-8",
            "Q1 report",
            r#"a "b" \c"#,
            "café",
            "=?utf-8?q?x?=",
            &"long ".repeat(30),
            &"报告".repeat(40),
            &"x".repeat(200),
        ] {
            let rendered = parameter("title", value);
            for section in rendered.split("; ") {
                assert!(section.len() <= MAX_PARAMETER_LEN, "{section:?}");
            }
            assert_eq!(
                parsed_parameter(&rendered, "title").as_deref(),
                Some(value),
                "{rendered}"
            );
        }
    }

    #[test]
    fn long_extended_values_are_split_on_character_boundaries() {
        let mut out = String::new();
        push_extended_parameter(&mut out, "filename", &"é".repeat(30));
        let sections: Vec<&str> = out.split("; ").collect();
        assert_eq!(sections.len(), 4, "{out}");
        assert!(sections[0].starts_with("filename*0*=UTF-8''%C3%A9"));
        assert!(sections[1].starts_with("filename*1*=%C3%A9"));
        assert!(sections.iter().all(|s| s.len() <= MAX_PARAMETER_LEN));
    }

    fn address_lines(name: &str, list: &[Mailbox]) -> String {
        let mut out = Vec::new();
        write_address_header(&mut out, name, list);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn lookalike_display_names_are_encoded() {
        let boss = Mailbox::new(Some("=?utf-8?q?Boss?="), "boss@ifaxin.com").unwrap();
        assert_eq!(
            address_lines("From", std::slice::from_ref(&boss)),
            "From: =?utf-8?B?PT91dGYtOD9xP0Jvc3M/PQ==?= <boss@ifaxin.com>\r\n"
        );
        let list = [
            Mailbox::parse("\"Smith, Ann\" <ann@ifaxin.com>").unwrap(),
            Mailbox::new(Some(&"=?x?q?".repeat(20)), "long@ifaxin.com").unwrap(),
            Mailbox::parse("joe@ifaxin.com").unwrap(),
            Mailbox::new(Some("Zoë Ünal"), "zoe@ifaxin.com").unwrap(),
        ];
        let header = address_lines("Reply-To", &list);
        for line in header.trim_end().split("\r\n") {
            assert!(line.len() <= ENCODED_LINE_LEN, "{line:?}");
        }
        let raw = format!("{header}\r\n");
        let parsed = mail_parser::MessageParser::new()
            .parse(raw.as_bytes())
            .unwrap();
        let got: Vec<(Option<&str>, Option<&str>)> = parsed
            .reply_to()
            .unwrap()
            .iter()
            .map(|a| (a.name(), a.address()))
            .collect();
        let expected: Vec<(Option<&str>, Option<&str>)> =
            list.iter().map(|m| (m.name(), Some(m.address()))).collect();
        assert_eq!(got, expected, "{header}");
        // Without a look-alike, mail-builder writes the header as before.
        let plain = address_lines("To", &list[..1]);
        assert_eq!(plain, "To: \"Smith, Ann\" <ann@ifaxin.com>\r\n");
    }

    #[test]
    fn smtpapi_lines_stay_within_76() {
        let line = smtpapi_header(&"A".repeat(300));
        let text = String::from_utf8(line).unwrap();
        assert!(text.ends_with("\r\n"));
        for l in text.trim_end().split("\r\n") {
            assert!(l.len() <= 76, "{l:?}");
        }
    }
}

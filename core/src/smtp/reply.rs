//! SMTP replies: parsing (single and multi-line), enhanced status codes
//! (RFC 3463), classification, and the queue id of a DATA reply.

use crate::error::{Error, ErrorKind, Result, quote};
use std::fmt;

/// Longest reply line accepted (RFC 5321 says 512; servers exceed it).
pub const MAX_LINE: usize = 2048;
/// Most lines accepted in one reply.
pub const MAX_LINES: usize = 256;

/// An RFC 3463 enhanced status code, e.g. `5.7.8`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EnhancedStatus {
    /// 2 (success), 4 (persistent transient failure) or 5 (permanent failure).
    pub class: u8,
    /// The subject (0 to 999).
    pub subject: u16,
    /// The detail (0 to 999).
    pub detail: u16,
}

impl EnhancedStatus {
    /// Parses `X.Y.Z` at the start of `text`.
    pub fn parse(text: &str) -> Option<EnhancedStatus> {
        let word = text.split(' ').next()?;
        let mut parts = word.split('.');
        let (class, subject, detail) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || !matches!(class, "2" | "4" | "5") {
            return None;
        }
        let number = |s: &str| -> Option<u16> {
            (!s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse().ok())?
        };
        Some(EnhancedStatus {
            class: class.as_bytes()[0] - b'0',
            subject: number(subject)?,
            detail: number(detail)?,
        })
    }
}

impl fmt::Display for EnhancedStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.class, self.subject, self.detail)
    }
}

/// What a reply means for the client.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReplyClass {
    /// 2xx: done.
    Positive,
    /// 3xx: go on (354 after DATA, 334 during AUTH).
    Intermediate,
    /// 4xx: failed for now, retry later.
    Transient,
    /// 5xx: failed; do not retry as is.
    Permanent,
    /// SendCloud's `536 Frequency limited` (or any reply saying "frequency
    /// limited"): slow down and retry later.
    RateLimited,
}

impl ReplyClass {
    /// Every class.
    pub const ALL: &'static [ReplyClass] = &[
        ReplyClass::Positive,
        ReplyClass::Intermediate,
        ReplyClass::Transient,
        ReplyClass::Permanent,
        ReplyClass::RateLimited,
    ];

    /// The class's name, the same in every binding: `Positive`,
    /// `Intermediate`, `Transient`, `Permanent` or `RateLimited`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ReplyClass::Positive => "Positive",
            ReplyClass::Intermediate => "Intermediate",
            ReplyClass::Transient => "Transient",
            ReplyClass::Permanent => "Permanent",
            ReplyClass::RateLimited => "RateLimited",
        }
    }

    /// Looks a class up by name.
    pub fn from_name(name: &str) -> Option<ReplyClass> {
        ReplyClass::ALL.iter().copied().find(|c| c.as_str() == name)
    }

    /// True when the same command may succeed later (4xx, 536).
    pub const fn is_transient(self) -> bool {
        matches!(self, ReplyClass::Transient | ReplyClass::RateLimited)
    }
}

impl std::fmt::Display for ReplyClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One complete server reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    code: u16,
    enhanced: Option<EnhancedStatus>,
    lines: Vec<String>,
}

impl Reply {
    /// Builds a reply; `lines` are the texts after the code. Control
    /// characters in them (NUL, ESC, BEL, ...; not tab) are escaped as
    /// `\xNN` / `\u{NN}`: reply texts and queue ids come from the server and
    /// are shown to users, in terminals and logs.
    pub fn new(code: u16, lines: Vec<String>) -> Reply {
        let lines: Vec<String> = lines.into_iter().map(escape_controls).collect();
        let enhanced = lines.first().and_then(|l| EnhancedStatus::parse(l));
        Reply {
            code,
            enhanced,
            lines,
        }
    }

    /// Parses exactly one complete reply (all its lines, CRLF-terminated).
    pub fn parse(bytes: &[u8]) -> Result<Reply> {
        let mut parser = ReplyParser::new();
        parser.feed(bytes);
        let reply = parser
            .next_reply()
            .ok_or_else(|| protocol("an incomplete reply"))??;
        if parser.has_buffered() {
            return Err(protocol("bytes after the reply"));
        }
        Ok(reply)
    }

    /// The three-digit code.
    pub fn code(&self) -> u16 {
        self.code
    }

    /// The enhanced status code at the start of the first line, if any.
    pub fn enhanced(&self) -> Option<EnhancedStatus> {
        self.enhanced
    }

    /// The text of each line, after the code and separator.
    pub fn lines(&self) -> &[String] {
        &self.lines
    }

    /// All lines joined with `\n`.
    pub fn text(&self) -> String {
        self.lines.join("\n")
    }

    /// The class: positive, intermediate, transient, permanent or rate limited.
    pub fn class(&self) -> ReplyClass {
        let limited = self.code == 536
            || (self.code >= 400
                && self
                    .lines
                    .iter()
                    .any(|l| l.to_ascii_lowercase().contains("frequency limited")));
        match self.code {
            _ if limited => ReplyClass::RateLimited,
            200..=299 => ReplyClass::Positive,
            300..=399 => ReplyClass::Intermediate,
            400..=499 => ReplyClass::Transient,
            _ => ReplyClass::Permanent,
        }
    }

    /// True for 2xx.
    pub fn is_positive(&self) -> bool {
        (200..300).contains(&self.code)
    }

    /// The queue id in a reply to the end of DATA, in the forms of
    /// [`QUEUE_ID_FORMS`]: SendCloud's `250 #<id>#Queued`, Postfix's `250
    /// 2.0.0 Ok: queued as <id>`, Haraka's `Queued as <id>` / `Message Queued
    /// (<id>)`, Exim's `OK id=<id>`, OpenSMTPD's and Sendmail's `<id> Message
    /// accepted for delivery`, Exchange's `[InternalId=<id>, ...]`, Gmail's
    /// and Amazon SES's.
    pub fn queue_id(&self) -> Option<&str> {
        let line = self.lines.first()?;
        let text = match self.enhanced {
            Some(_) => line.split_once(' ').map_or("", |(_, rest)| rest),
            None => line.as_str(),
        };
        QUEUE_ID_FORMS
            .iter()
            .find_map(|(_, find)| find(text).and_then(non_empty))
    }

    /// `250 2.0.0 text` on one line (for error messages); text shortened.
    pub fn summary(&self) -> String {
        let text = self.lines.first().map(String::as_str).unwrap_or("");
        let mut out = format!("{} ", self.code);
        let quoted = quote(text);
        out.push_str(quoted.trim_matches('"'));
        out
    }
}

impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, line) in self.lines.iter().enumerate() {
            let sep = if i + 1 == self.lines.len() { ' ' } else { '-' };
            if i > 0 {
                f.write_str("\r\n")?;
            }
            write!(f, "{}{sep}{line}", self.code)?;
        }
        Ok(())
    }
}

/// Finds the queue id in a reply's text, if it is in this form.
pub type QueueIdForm = fn(&str) -> Option<&str>;

/// How the servers people send through name the queue id in their `250` to
/// the end of DATA (the text after the code and any enhanced status), tried
/// in order; each was checked against the server's real reply (the cases
/// in `testdata/smtp/replies.json`). Servers whose reply carries no id
/// (aiosmtpd's `250 OK`, Mailgun's `250 Great success`) give none.
pub const QUEUE_ID_FORMS: &[(&str, QueueIdForm)] = &[
    // `250 #<id>#Queued`
    ("SendCloud", |text| {
        let rest = text.strip_prefix('#')?;
        non_empty(&rest[..rest.find('#')?])
    }),
    // `250 2.0.0 Ok: queued as 4Zx1Kq3xY2z9` (SendGrid and others too)
    ("Postfix", |text| {
        after(text, "queued as ").map(|rest| token(rest.trim_start_matches('<')))
    }),
    // `250 Message Queued (B5E0E7A1-...-0E1A2B3C4D5E.1)`
    ("Haraka", |text| {
        after(text, "queued (").map(|rest| rest.split(')').next().unwrap_or(""))
    }),
    // `250 2.6.0 <message-id> [InternalId=12345678901234, Hostname=...] Queued mail for delivery`
    ("Exchange", |text| after(text, "[internalid=").map(token)),
    // `250 OK id=1tQ2Xa-000AbC-3D`
    ("Exim", |text| after(text, "id=").map(token)),
    // OpenSMTPD `250 2.0.0 5bf155e4 Message accepted for delivery` (older:
    // `250 2.0.0: 5bf155e4 ...`), Sendmail `250 2.0.0 4B7JpQx0012345 Message accepted for delivery`
    ("OpenSMTPD, Sendmail", |text| {
        // (`2.0.0:` is not read as an enhanced status: skip it here.)
        let text = match text.split_once(": ") {
            Some((status, rest)) if status.bytes().all(|b| b.is_ascii_digit() || b == b'.') => rest,
            _ => text,
        };
        let (id, rest) = text.split_once(' ')?;
        rest.to_ascii_lowercase()
            .starts_with("message accepted for delivery")
            .then_some(id)
            .filter(|id| id.bytes().all(|b| b.is_ascii_alphanumeric()))
    }),
    // `250 2.0.0 OK  1733598273 41be03b00d2f7-7fd1dc2f3e8si1.4 - gsmtp`
    ("Gmail", |text| {
        let rest = text.strip_prefix("OK ")?.trim_start();
        let (stamp, rest) = rest.split_once(' ')?;
        stamp.bytes().all(|b| b.is_ascii_digit()).then_some(())?;
        let rest = rest.trim_start();
        rest.ends_with("gsmtp").then(|| token(rest))
    }),
    // Amazon SES: `250 Ok 0100018c6e1b2f3a-1d2e3f4a-...-000000`
    ("Amazon SES", |text| {
        let id = text.strip_prefix("Ok ")?.trim();
        (id.len() >= 16 && id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')).then_some(id)
    }),
];

/// What follows `marker` (ASCII, lower case) in `text`, ignoring case.
fn after<'a>(text: &'a str, marker: &str) -> Option<&'a str> {
    let at = text.to_ascii_lowercase().find(marker)?;
    Some(&text[at + marker.len()..])
}

fn non_empty(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

fn token(s: &str) -> &str {
    s.split(|c: char| c.is_whitespace() || matches!(c, '>' | ')' | ',' | ';'))
        .next()
        .unwrap_or("")
}

/// Escapes control characters (but tab) so server text is safe to show.
fn escape_controls(text: String) -> String {
    if !text.chars().any(|c| c.is_control() && c != '\t') {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\t' => out.push(c),
            c if (c as u32) < 0x80 && c.is_control() => {
                out.push_str(&format!("\\x{:02X}", c as u32));
            }
            c if c.is_control() => out.push_str(&format!("\\u{{{:X}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

fn protocol(what: &str) -> Error {
    Error::new(ErrorKind::Protocol, format!("the server sent {what}"))
}

/// Turns the server's byte stream into replies; never panics, bounded memory.
#[derive(Debug, Default)]
pub struct ReplyParser {
    buffer: Vec<u8>,
    start: usize,
    code: Option<u16>,
    lines: Vec<String>,
    failed: bool,
}

impl ReplyParser {
    /// An empty parser.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds bytes received from the server.
    pub fn feed(&mut self, data: &[u8]) {
        if self.failed {
            return;
        }
        if self.start > 0 && self.start == self.buffer.len() {
            self.buffer.clear();
            self.start = 0;
        }
        self.buffer.extend_from_slice(data);
    }

    /// True when bytes of an unfinished reply are waiting.
    pub fn has_buffered(&self) -> bool {
        self.start < self.buffer.len() || self.code.is_some()
    }

    /// Drops whatever is buffered (after a protocol error, or at a TLS upgrade).
    pub fn clear(&mut self) {
        self.buffer.clear();
        self.start = 0;
        self.code = None;
        self.lines.clear();
    }

    /// The next complete reply, an error for bytes that are not SMTP, or
    /// `None` when more bytes are needed. After an error it stays failed.
    pub fn next_reply(&mut self) -> Option<Result<Reply>> {
        if self.failed {
            return None;
        }
        let result = self.parse_next();
        if matches!(result, Some(Err(_))) {
            self.failed = true;
            self.clear();
        }
        result
    }

    fn parse_next(&mut self) -> Option<Result<Reply>> {
        loop {
            let pending = &self.buffer[self.start..];
            let Some(end) = memchr::memchr(b'\n', pending) else {
                if pending.len() > MAX_LINE {
                    return Some(Err(protocol(&format!(
                        "a reply line longer than {MAX_LINE} bytes"
                    ))));
                }
                if self.start > 0 && self.start > self.buffer.len() / 2 {
                    self.buffer.drain(..self.start);
                    self.start = 0;
                }
                return None;
            };
            if end > MAX_LINE {
                return Some(Err(protocol(&format!(
                    "a reply line longer than {MAX_LINE} bytes"
                ))));
            }
            let mut line = &pending[..end];
            if let Some(stripped) = line.strip_suffix(b"\r") {
                line = stripped;
            }
            let parsed = parse_line(line);
            self.start += end + 1;
            let (code, last, text) = match parsed {
                Ok(parts) => parts,
                Err(err) => return Some(Err(err)),
            };
            match self.code {
                Some(previous) if previous != code => {
                    return Some(Err(protocol(&format!(
                        "a multi-line reply whose codes differ ({previous} then {code})"
                    ))));
                }
                _ => self.code = Some(code),
            }
            if self.lines.len() >= MAX_LINES {
                return Some(Err(protocol(&format!(
                    "a reply of more than {MAX_LINES} lines"
                ))));
            }
            self.lines.push(text);
            if last {
                self.code = None;
                let lines = std::mem::take(&mut self.lines);
                return Some(Ok(Reply::new(code, lines)));
            }
        }
    }
}

/// `250-text`, `250 text` or `250`: the code, whether it is the last line, and the text.
fn parse_line(line: &[u8]) -> Result<(u16, bool, String)> {
    let digits = line.get(..3).filter(|d| d.iter().all(u8::is_ascii_digit));
    let Some(digits) = digits else {
        return Err(protocol(&format!(
            "a line that is not an SMTP reply: {}",
            quote(&String::from_utf8_lossy(line))
        )));
    };
    let code = u16::from(digits[0] - b'0') * 100
        + u16::from(digits[1] - b'0') * 10
        + u16::from(digits[2] - b'0');
    if !(200..=599).contains(&code) {
        return Err(protocol(&format!("the reply code {code}")));
    }
    let (last, text) = match line.get(3) {
        None => (true, &[][..]),
        Some(b' ') => (true, &line[4..]),
        Some(b'-') => (false, &line[4..]),
        Some(_) => {
            return Err(protocol(&format!(
                "a malformed reply line: {}",
                quote(&String::from_utf8_lossy(line))
            )));
        }
    };
    Ok((code, last, String::from_utf8_lossy(text).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Reply {
        Reply::parse(text.as_bytes()).unwrap()
    }

    #[test]
    fn control_characters_are_escaped() {
        let r = one("250 #q\u{0}id\u{1b}[31m#Queued\tok\u{7}\r\n");
        assert_eq!(r.lines(), ["#q\\x00id\\x1B[31m#Queued\tok\\x07"]);
        assert_eq!(r.queue_id(), Some("q\\x00id\\x1B[31m"));
        assert!(!r.to_string().contains('\u{1b}'));
        let r = one("550 bad\u{85}next\r\n");
        assert_eq!(r.lines(), ["bad\\u{85}next"]);
    }

    #[test]
    fn single_and_multi_line() {
        let r = one("250 sender <support@ifaxin.com> OK\r\n");
        assert_eq!((r.code(), r.lines().len()), (250, 1));
        let r = one(
            "250-SendCloud Inbound Server Hello\r\n250-PIPELINING\r\n250-SIZE 16000000\r\n250 AUTH LOGIN\r\n",
        );
        assert_eq!(
            r.lines(),
            [
                "SendCloud Inbound Server Hello",
                "PIPELINING",
                "SIZE 16000000",
                "AUTH LOGIN"
            ]
        );
        assert_eq!(
            r.to_string(),
            "250-SendCloud Inbound Server Hello\r\n250-PIPELINING\r\n250-SIZE 16000000\r\n250 AUTH LOGIN"
        );
        let r = one("354\r\n");
        assert_eq!((r.code(), r.class()), (354, ReplyClass::Intermediate));
        let r = one("221 bye\n");
        assert_eq!(r.code(), 221);
    }

    #[test]
    fn enhanced_codes_and_classes() {
        let r = one("535 5.7.8 Authentication failed\r\n");
        assert_eq!(
            r.enhanced(),
            Some(EnhancedStatus {
                class: 5,
                subject: 7,
                detail: 8
            })
        );
        assert_eq!(r.enhanced().unwrap().to_string(), "5.7.8");
        assert_eq!(r.class(), ReplyClass::Permanent);
        assert_eq!(
            one("451 4.3.0 try later\r\n").class(),
            ReplyClass::Transient
        );
        assert_eq!(
            one("536 Frequency limited\r\n").class(),
            ReplyClass::RateLimited
        );
        assert_eq!(
            one("550 5.7.1 frequency limited, slow down\r\n").class(),
            ReplyClass::RateLimited
        );
        assert_eq!(one("250 ok\r\n").class(), ReplyClass::Positive);
        assert_eq!(one("250 2.0 not enhanced\r\n").enhanced(), None);
        assert_eq!(one("250 6.0.0 not a class\r\n").enhanced(), None);
    }

    #[test]
    fn queue_ids() {
        let cases = [
            (
                "250 #1426390015358_15_6484_8661.sc-10_10_127_51-inbound#Queued\r\n",
                "1426390015358_15_6484_8661.sc-10_10_127_51-inbound",
            ),
            ("250 2.0.0 Ok: queued as 4F1A2\r\n", "4F1A2"),
            (
                "250 Queued as D14CFEAC-E0D3-4DAA-9AE0-6EA65854FD4A.1 (D14CFEAC-E0D3-4DAA-9AE0-6EA65854FD4A.1)\r\n",
                "D14CFEAC-E0D3-4DAA-9AE0-6EA65854FD4A.1",
            ),
            (
                "250 Message Queued (49659800-78D5-4A3C-9269-FBE622F3844E.1)\r\n",
                "49659800-78D5-4A3C-9269-FBE622F3844E.1",
            ),
            ("250 Queued as <abc.123>\r\n", "abc.123"),
            ("250 OK id=1rXyZ1-0003Bc-2E\r\n", "1rXyZ1-0003Bc-2E"),
            (
                "250 2.0.0 5bf155e4 Message accepted for delivery\r\n",
                "5bf155e4",
            ),
            (
                "250 2.0.0: 5bf155e4 Message accepted for delivery\r\n",
                "5bf155e4",
            ),
            (
                "250 2.0.0 4B7JpQx0012345 Message accepted for delivery\r\n",
                "4B7JpQx0012345",
            ),
            (
                "250 2.6.0 <a@b.example> [InternalId=12345678901234, Hostname=EX01.contoso.com] Queued mail for delivery\r\n",
                "12345678901234",
            ),
            (
                "250 2.0.0 OK  1733598273 41be03b00d2f7-7fd1dc2f3e8si1.4 - gsmtp\r\n",
                "41be03b00d2f7-7fd1dc2f3e8si1.4",
            ),
            (
                "250 Ok 0100018c6e1b2f3a-1d2e3f4a-5b6c-7d8e-9f01-23456789abcd-000000\r\n",
                "0100018c6e1b2f3a-1d2e3f4a-5b6c-7d8e-9f01-23456789abcd-000000",
            ),
        ];
        for (reply, id) in cases {
            assert_eq!(one(reply).queue_id(), Some(id), "{reply}");
        }
        assert_eq!(one("250 OK\r\n").queue_id(), None);
        assert_eq!(one("250 Great success\r\n").queue_id(), None);
        assert_eq!(
            one("250 Message accepted for delivery\r\n").queue_id(),
            None
        );
        assert_eq!(one("250 Ok\r\n").queue_id(), None);
        assert_eq!(one("250 ##Queued\r\n").queue_id(), None);
    }

    #[test]
    fn incremental_parsing_across_any_split() {
        let stream = b"220 ready\r\n250-a\r\n250 b\r\n354 go\r\n";
        for split in 0..stream.len() {
            let mut p = ReplyParser::new();
            let mut got = Vec::new();
            for chunk in [&stream[..split], &stream[split..]] {
                p.feed(chunk);
                while let Some(r) = p.next_reply() {
                    got.push(r.unwrap().code());
                }
            }
            assert_eq!(got, [220, 250, 354], "split {split}");
        }
    }

    #[test]
    fn garbage_is_a_protocol_error() {
        for bad in [
            "hello\r\n",
            "25\r\n",
            "2500 x\r\n",
            "250_x\r\n",
            "999 x\r\n",
            "250-a\r\n251 b\r\n",
            "\r\n",
        ] {
            let err = Reply::parse(bad.as_bytes()).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Protocol, "{bad:?}");
        }
        let long = format!("250 {}\r\n", "x".repeat(MAX_LINE + 10));
        assert_eq!(
            Reply::parse(long.as_bytes()).unwrap_err().kind(),
            ErrorKind::Protocol
        );
        let mut p = ReplyParser::new();
        p.feed(&vec![b'x'; MAX_LINE + 1]);
        assert_eq!(
            p.next_reply().unwrap().unwrap_err().kind(),
            ErrorKind::Protocol
        );
        let many: String = (0..MAX_LINES + 1).map(|_| "250-x\r\n").collect();
        assert_eq!(
            Reply::parse(many.as_bytes()).unwrap_err().kind(),
            ErrorKind::Protocol
        );
    }
}

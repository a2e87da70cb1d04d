//! The message builder and the built, immutable [`Message`].

use crate::address::{Mailbox, check_no_line_break};
use crate::clock::{Clock, default_clock, push_hex, random_bytes};
use crate::error::{Error, ErrorKind, Result, quote};
use crate::parts::{
    Attachment, Inline, check_content_id, check_content_type, check_filename, check_message_id,
};
use crate::smtpapi::XSmtpApi;
use crate::writer::{CountingWriter, Injector};
use bytes::Bytes;
use mail_builder::headers::address::Address;
use mail_builder::headers::content_type::ContentType;
use mail_builder::headers::date::Date;
use mail_builder::headers::message_id::MessageId;
use mail_builder::headers::raw::Raw;
use mail_builder::headers::text::Text;
use mail_builder::headers::{Header, HeaderType};
use mail_builder::mime::{BodyPart, MimePart};
use mail_builder::{IoWriter, Writer};
use std::borrow::Cow;
use std::fmt;
use std::sync::{Arc, OnceLock};

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
];

/// Latest date accepted: 9999-12-31T23:59:59Z.
const MAX_DATE: i64 = 253_402_300_799;
/// Longest boundary seed: the boundary (`=_` + seed + `.x`) stays within RFC 2046's 70.
const MAX_SEED_LEN: usize = 64;

/// An address as the caller gives it: a string to parse (`"Name <a@b.c>"`),
/// a (name, address) pair, or an already validated [`Mailbox`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MailboxSpec {
    /// Parsed with [`Mailbox::parse`].
    Text(String),
    /// A display name (optional) and an address.
    Parts(Option<String>, String),
    /// Already validated.
    Mailbox(Mailbox),
}

impl MailboxSpec {
    fn resolve(&self) -> Result<Mailbox> {
        match self {
            MailboxSpec::Text(text) => Mailbox::parse(text),
            MailboxSpec::Parts(name, address) => Mailbox::new(name.as_deref(), address),
            MailboxSpec::Mailbox(mailbox) => Ok(mailbox.clone()),
        }
    }
}

impl From<&str> for MailboxSpec {
    fn from(value: &str) -> Self {
        MailboxSpec::Text(value.to_string())
    }
}
impl From<String> for MailboxSpec {
    fn from(value: String) -> Self {
        MailboxSpec::Text(value)
    }
}
impl From<&String> for MailboxSpec {
    fn from(value: &String) -> Self {
        MailboxSpec::Text(value.clone())
    }
}
impl From<Mailbox> for MailboxSpec {
    fn from(value: Mailbox) -> Self {
        MailboxSpec::Mailbox(value)
    }
}
impl From<(&str, &str)> for MailboxSpec {
    fn from((name, address): (&str, &str)) -> Self {
        MailboxSpec::Parts(Some(name.to_string()), address.to_string())
    }
}
impl From<(String, String)> for MailboxSpec {
    fn from((name, address): (String, String)) -> Self {
        MailboxSpec::Parts(Some(name), address)
    }
}
impl From<(Option<String>, String)> for MailboxSpec {
    fn from((name, address): (Option<String>, String)) -> Self {
        MailboxSpec::Parts(name, address)
    }
}

/// The SMTP envelope: who the server is told the mail is from and to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    sender: String,
    recipients: Vec<String>,
}

impl Envelope {
    /// The `MAIL FROM` address: the explicit envelope sender, or From's address.
    pub fn sender(&self) -> &str {
        &self.sender
    }

    /// The `RCPT TO` addresses: To, Cc and Bcc, deduplicated, in that order.
    pub fn recipients(&self) -> &[String] {
        &self.recipients
    }
}

/// A consuming builder for a [`Message`]; [`MessageBuilder::build`] validates
/// everything once.
///
/// ```
/// use mailwright::{Inline, MessageBuilder};
/// let png = vec![0x89, b'P', b'N', b'G'];
/// let message = MessageBuilder::new()
///     .from("Support <support@ifaxin.com>")
///     .to("ben@ifaxin.com")
///     .subject("测试内嵌图片")
///     .html(r#"<p>hi <img src="cid:image1"></p>"#)
///     .inline(Inline::new("image1", "image/png", png))
///     .build()
///     .unwrap();
/// assert_eq!(message.envelope().recipients(), ["ben@ifaxin.com"]);
/// let bytes = message.to_vec();
/// assert!(bytes.starts_with(b"Date: "));
/// ```
#[derive(Default)]
pub struct MessageBuilder {
    from: Option<MailboxSpec>,
    sender: Option<MailboxSpec>,
    reply_to: Vec<MailboxSpec>,
    to: Vec<MailboxSpec>,
    cc: Vec<MailboxSpec>,
    bcc: Vec<MailboxSpec>,
    envelope_from: Option<MailboxSpec>,
    subject: Option<String>,
    message_id: Option<String>,
    in_reply_to: Vec<String>,
    references: Vec<String>,
    headers: Vec<(String, String)>,
    date: Option<i64>,
    clock: Option<Arc<dyn Clock>>,
    boundary_seed: Option<String>,
    text: Option<String>,
    html: Option<String>,
    inline: Vec<Inline>,
    attachments: Vec<Attachment>,
    x_smtpapi: Option<XSmtpApi>,
}

impl fmt::Debug for MessageBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MessageBuilder")
            .field("from", &self.from)
            .field("to", &self.to)
            .field("subject", &self.subject)
            .field("inline", &self.inline.len())
            .field("attachments", &self.attachments.len())
            .finish_non_exhaustive()
    }
}

impl MessageBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the From mailbox (required).
    pub fn from(mut self, mailbox: impl Into<MailboxSpec>) -> Self {
        self.from = Some(mailbox.into());
        self
    }

    /// Sets the Sender mailbox (who actually sent it, when not the author).
    pub fn sender(mut self, mailbox: impl Into<MailboxSpec>) -> Self {
        self.sender = Some(mailbox.into());
        self
    }

    /// Adds a Reply-To mailbox.
    pub fn reply_to(mut self, mailbox: impl Into<MailboxSpec>) -> Self {
        self.reply_to.push(mailbox.into());
        self
    }

    /// Adds a To recipient.
    pub fn to(mut self, mailbox: impl Into<MailboxSpec>) -> Self {
        self.to.push(mailbox.into());
        self
    }

    /// Adds a Cc recipient.
    pub fn cc(mut self, mailbox: impl Into<MailboxSpec>) -> Self {
        self.cc.push(mailbox.into());
        self
    }

    /// Adds a Bcc recipient: in the envelope only, never in the headers.
    pub fn bcc(mut self, mailbox: impl Into<MailboxSpec>) -> Self {
        self.bcc.push(mailbox.into());
        self
    }

    /// Sets the envelope sender (`MAIL FROM`), when it differs from From.
    pub fn envelope_from(mut self, mailbox: impl Into<MailboxSpec>) -> Self {
        self.envelope_from = Some(mailbox.into());
        self
    }

    /// Sets the Subject (any Unicode; written as RFC 2047 encoded words when needed).
    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    /// Fixes the Message-ID (`id@domain`, with or without angle brackets).
    /// Without it, a random one is drawn at build time.
    pub fn message_id(mut self, id: impl Into<String>) -> Self {
        self.message_id = Some(id.into());
        self
    }

    /// Adds an In-Reply-To message id.
    pub fn in_reply_to(mut self, id: impl Into<String>) -> Self {
        self.in_reply_to.push(id.into());
        self
    }

    /// Adds a References message id.
    pub fn references(mut self, id: impl Into<String>) -> Self {
        self.references.push(id.into());
        self
    }

    /// Adds a custom header. The name must be an RFC 5322 field name and not
    /// one the builder writes itself (From, Subject, Content-Type, X-SMTPAPI, ...).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Adds SendCloud's `SC-Custom-<key>` header (returned by its webhooks).
    pub fn sc_custom(mut self, key: impl AsRef<str>, value: impl Into<String>) -> Self {
        self.headers.push((format!("SC-Custom-{}", key.as_ref()), value.into()));
        self
    }

    /// Sets SendCloud's X-SMTPAPI value, written as the last header.
    pub fn x_smtpapi(mut self, value: XSmtpApi) -> Self {
        self.x_smtpapi = Some(value);
        self
    }

    /// Fixes the Date, in seconds since the Unix epoch (written in UTC).
    pub fn date(mut self, unix_seconds: i64) -> Self {
        self.date = Some(unix_seconds);
        self
    }

    /// Sets the clock used for the Date when none is fixed.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Fixes the seed of the MIME boundaries (1 to 64 characters of
    /// `A-Z a-z 0-9 ' ( ) + _ , - . / : = ?`). Without it, a random one is drawn.
    pub fn boundary_seed(mut self, seed: impl Into<String>) -> Self {
        self.boundary_seed = Some(seed.into());
        self
    }

    /// Sets the plain-text body.
    pub fn text(mut self, text: impl Into<String>) -> Self {
        self.text = Some(text.into());
        self
    }

    /// Sets the HTML body.
    pub fn html(mut self, html: impl Into<String>) -> Self {
        self.html = Some(html.into());
        self
    }

    /// Adds an inline part (placed in `multipart/related` with the body).
    pub fn inline(mut self, part: Inline) -> Self {
        self.inline.push(part);
        self
    }

    /// Adds an attachment (placed in `multipart/mixed`).
    pub fn attachment(mut self, part: Attachment) -> Self {
        self.attachments.push(part);
        self
    }

    /// Validates every field and builds the message. In default mode the
    /// Message-ID and boundaries are drawn here from the CSPRNG and the Date
    /// read from the clock, so the built message writes the same bytes each time.
    pub fn build(self) -> Result<Message> {
        let from = match &self.from {
            Some(spec) => spec.resolve()?,
            None => return Err(Error::new(ErrorKind::MissingFrom, "a From address is required")),
        };
        let sender = self.sender.as_ref().map(MailboxSpec::resolve).transpose()?;
        let reply_to = resolve_all(&self.reply_to)?;
        let to = resolve_all(&self.to)?;
        let cc = resolve_all(&self.cc)?;
        let bcc = resolve_all(&self.bcc)?;
        let envelope_from = self.envelope_from.as_ref().map(MailboxSpec::resolve).transpose()?;

        if let Some(subject) = &self.subject {
            check_no_line_break("subject", subject)?;
        }
        // Random mode: 16 bytes for the Message-ID, 12 for the boundary seed, in one draw.
        let mut random = [0u8; 28];
        if self.message_id.is_none() || self.boundary_seed.is_none() {
            random_bytes(&mut random)?;
        }
        let message_id = match &self.message_id {
            Some(id) => check_message_id(id)?,
            None => {
                let mut id = String::with_capacity(33 + from.domain().len());
                push_hex(&mut id, &random[..16]);
                id.push('@');
                id.push_str(from.domain());
                id
            }
        };
        let in_reply_to = self.in_reply_to.iter().map(|id| check_message_id(id)).collect::<Result<Vec<_>>>()?;
        let references = self.references.iter().map(|id| check_message_id(id)).collect::<Result<Vec<_>>>()?;
        for (name, value) in &self.headers {
            check_header_name(name)?;
            check_no_line_break(&format!("header {name}"), value)?;
        }
        let date = match self.date {
            Some(date) => date,
            None => match self.clock.as_deref().or(default_clock()) {
                Some(clock) => clock.now(),
                None => {
                    return Err(Error::new(
                        ErrorKind::NoClock,
                        "no date given and no clock available on this platform",
                    ));
                }
            },
        };
        if !(0..=MAX_DATE).contains(&date) {
            return Err(Error::new(
                ErrorKind::InvalidHeaderValue,
                format!("date {date} is outside 1970..=9999"),
            ));
        }
        let seed = match &self.boundary_seed {
            Some(seed) => check_seed(seed)?,
            None => {
                let mut seed = String::with_capacity(24);
                push_hex(&mut seed, &random[16..]);
                seed
            }
        };

        let inline = self.inline.into_iter().map(LeafPart::inline).collect::<Result<Vec<_>>>()?;
        for (i, part) in inline.iter().enumerate() {
            if inline[..i].iter().any(|other| other.content_id == part.content_id) {
                return Err(Error::new(
                    ErrorKind::DuplicateContentId,
                    format!("content id {} is used twice", quote(part.content_id.as_deref().unwrap_or(""))),
                ));
            }
        }
        let attachments =
            self.attachments.into_iter().map(LeafPart::attachment).collect::<Result<Vec<_>>>()?;

        let smtpapi_line = match &self.x_smtpapi {
            Some(api) => Some(smtpapi_header(&api.encode()?)),
            None => None,
        };

        let mut recipients: Vec<String> = Vec::with_capacity(to.len() + cc.len() + bcc.len());
        for mailbox in to.iter().chain(&cc).chain(&bcc) {
            if !recipients.iter().any(|r| r == mailbox.address()) {
                recipients.push(mailbox.address().to_string());
            }
        }
        if recipients.is_empty() {
            return Err(Error::new(ErrorKind::NoRecipients, "no To, Cc or Bcc recipient"));
        }
        let envelope = Envelope {
            sender: envelope_from.as_ref().unwrap_or(&from).address().to_string(),
            recipients,
        };

        let text = self.text.map(normalize_line_breaks);
        let html = self.html.map(normalize_line_breaks);

        // A boundary is "=_<seed>.<m|r|a>": "=_" never occurs in quoted-printable
        // or base64 output, so only parts that may go out as 7bit are checked,
        // and only for a caller's seed: a random 96-bit one cannot be guessed.
        let boundaries = Boundaries::new(&seed);
        let delimiter = boundaries.delimiter();
        let collides = self.boundary_seed.is_some() && {
            let finder = memchr::memmem::Finder::new(delimiter.as_bytes());
            text.iter().chain(&html).any(|body| finder.find(body.as_bytes()).is_some())
                || inline.iter().chain(&attachments).any(|p| p.is_text && finder.find(&p.data).is_some())
        };
        if collides {
            return Err(Error::new(
                ErrorKind::BoundaryCollision,
                format!("a body part contains the boundary delimiter {}; choose another boundary seed", quote(&delimiter)),
            ));
        }

        let mut head = Vec::with_capacity(512);
        write_header(&mut head, "Date", &Date::new(date));
        write_header(&mut head, "From", &address_header(std::slice::from_ref(&from)));
        if let Some(sender) = &sender {
            write_header(&mut head, "Sender", &address_header(std::slice::from_ref(sender)));
        }
        for (name, list) in [("Reply-To", &reply_to), ("To", &to), ("Cc", &cc)] {
            if !list.is_empty() {
                write_header(&mut head, name, &address_header(list));
            }
        }
        if let Some(subject) = &self.subject {
            write_text_header(&mut head, "Subject", subject);
        }
        write_header(&mut head, "Message-ID", &MessageId::new(message_id.as_str()));
        if !in_reply_to.is_empty() {
            write_header(&mut head, "In-Reply-To", &MessageId::new_list(in_reply_to.iter().map(String::as_str)));
        }
        if !references.is_empty() {
            write_header(&mut head, "References", &MessageId::new_list(references.iter().map(String::as_str)));
        }
        for (name, value) in &self.headers {
            write_text_header(&mut head, name, value);
        }
        head.extend_from_slice(b"MIME-Version: 1.0\r\n");

        Ok(Message {
            head,
            smtpapi_line,
            text,
            html,
            inline,
            attachments,
            boundaries,
            envelope,
            message_id,
            date,
            size: OnceLock::new(),
        })
    }
}

fn resolve_all(specs: &[MailboxSpec]) -> Result<Vec<Mailbox>> {
    specs.iter().map(MailboxSpec::resolve).collect()
}

fn check_header_name(name: &str) -> Result<()> {
    let valid = !name.is_empty() && name.len() <= 76 && name.bytes().all(|b| b.is_ascii_graphic() && b != b':');
    if !valid {
        let kind = if name.bytes().any(|b| b == b'\r' || b == b'\n') {
            ErrorKind::HeaderInjection
        } else {
            ErrorKind::InvalidHeaderName
        };
        return Err(Error::new(
            kind,
            format!("{} is not a header name (1 to 76 printable ASCII characters, no ':' or space)", quote(name)),
        ));
    }
    if RESERVED_HEADERS.iter().any(|reserved| reserved.eq_ignore_ascii_case(name)) {
        return Err(Error::new(
            ErrorKind::InvalidHeaderName,
            format!("{name} is written by the builder; use its own setter"),
        ));
    }
    Ok(())
}

fn check_seed(seed: &str) -> Result<String> {
    let valid = !seed.is_empty()
        && seed.len() <= MAX_SEED_LEN
        && seed.bytes().all(|b| b.is_ascii_alphanumeric() || b"'()+_,-./:=?".contains(&b));
    if !valid {
        return Err(Error::new(
            ErrorKind::InvalidBoundarySeed,
            format!("{} is not a boundary seed (1 to 64 of A-Z a-z 0-9 ' ( ) + _ , - . / : = ?)", quote(seed)),
        ));
    }
    Ok(seed.to_string())
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

fn write_header(out: &mut Vec<u8>, name: &str, value: &impl Header) {
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b": ");
    value.write_header(out, name.len() + 2);
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
        && value.split(" ").all(|word| word.len() + name.len() + 2 <= 78);
    if plain {
        write_header(out, name, &Raw::new(value));
    } else {
        write_header(out, name, &Text::new(value));
    }
}

/// `X-SMTPAPI: <base64>` folded into lines of at most 76 characters.
fn smtpapi_header(encoded: &str) -> Vec<u8> {
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

/// The three boundaries, `=_<seed>.m` (mixed), `.r` (related) and `.a`
/// (alternative), kept in one string.
struct Boundaries {
    all: String,
    len: usize,
}

impl Boundaries {
    fn new(seed: &str) -> Boundaries {
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
struct LeafPart {
    content_type: String,
    disposition: &'static str,
    filename: Option<String>,
    content_id: Option<String>,
    data: Bytes,
    /// A `text/*` part holding UTF-8: written as text (7bit or quoted-printable when shorter).
    is_text: bool,
}

impl LeafPart {
    fn inline(part: Inline) -> Result<LeafPart> {
        let content_id = check_content_id(&part.content_id)?;
        let media_type = check_content_type(&part.content_type)?;
        if let Some(name) = &part.filename {
            check_filename(name)?;
        }
        Ok(LeafPart::new(media_type, "inline", part.filename, Some(content_id), part.data))
    }

    fn attachment(part: Attachment) -> Result<LeafPart> {
        check_filename(&part.filename)?;
        let media_type = check_content_type(&part.content_type)?;
        Ok(LeafPart::new(media_type, "attachment", Some(part.filename), None, part.data))
    }

    fn new(
        media_type: String,
        disposition: &'static str,
        filename: Option<String>,
        content_id: Option<String>,
        data: Bytes,
    ) -> LeafPart {
        let is_text = media_type.starts_with("text/") && std::str::from_utf8(&data).is_ok();
        let mut content_type = media_type;
        if is_text {
            content_type.push_str("; charset=utf-8");
        }
        if let Some(name) = &filename {
            content_type.push_str("; ");
            push_name_parameter(&mut content_type, name);
        }
        LeafPart { content_type, disposition, filename, content_id, data, is_text }
    }

    fn mime_part(&self) -> MimePart<'_> {
        let mut headers: Vec<(Cow<'_, str>, HeaderType<'_>)> = Vec::with_capacity(3);
        headers.push(("Content-Type".into(), Raw::new(self.content_type.as_str()).into()));
        let mut disposition = ContentType::new(self.disposition);
        if let Some(name) = &self.filename {
            disposition = disposition.attribute("filename", name.as_str());
        }
        headers.push(("Content-Disposition".into(), disposition.into()));
        if let Some(id) = &self.content_id {
            headers.push(("Content-ID".into(), MessageId::new(id.as_str()).into()));
        }
        let contents = match (self.is_text, std::str::from_utf8(&self.data)) {
            (true, Ok(text)) => BodyPart::Text(Cow::Borrowed(text)),
            _ => BodyPart::Binary(Cow::Borrowed(&self.data[..])),
        };
        MimePart { headers, contents }
    }

    fn estimated_len(&self) -> usize {
        self.data.len() / 3 * 4 + self.data.len() / 57 * 2 + self.content_type.len() + 256
    }
}

/// The `name=` parameter of Content-Type: a quoted string for short plain
/// ASCII names, otherwise RFC 2047 "B" encoded words inside the quotes (the
/// form Outlook reads; RFC 2231 `filename*` goes on Content-Disposition).
fn push_name_parameter(out: &mut String, name: &str) {
    use base64::Engine as _;
    let plain = name.len() <= 60
        && name.bytes().all(|b| (0x20..0x7f).contains(&b))
        && !name.contains("=?")
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
        // At most 42 bytes per word: 56 base64 characters, 68 with the delimiters,
        // so a folded line (space, `name="`, word, `"`) stays under 78.
        let mut rest = name;
        let mut first = true;
        while !rest.is_empty() {
            let mut cut = rest.len().min(42);
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
    out.push('"');
}

/// A built message: validated, immutable, and written the same way every time.
///
/// Cheap to write many times (`to_vec`, `write_to`); the attachment bytes are
/// shared, never copied.
pub struct Message {
    head: Vec<u8>,
    smtpapi_line: Option<Vec<u8>>,
    text: Option<String>,
    html: Option<String>,
    inline: Vec<LeafPart>,
    attachments: Vec<LeafPart>,
    boundaries: Boundaries,
    envelope: Envelope,
    message_id: String,
    date: i64,
    size: OnceLock<usize>,
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Message")
            .field("message_id", &self.message_id)
            .field("envelope", &self.envelope)
            .field("inline", &self.inline.len())
            .field("attachments", &self.attachments.len())
            .finish_non_exhaustive()
    }
}

impl Message {
    /// Starts a [`MessageBuilder`].
    pub fn builder() -> MessageBuilder {
        MessageBuilder::new()
    }

    /// The SMTP envelope (sender and deduplicated recipients, Bcc included).
    pub fn envelope(&self) -> &Envelope {
        &self.envelope
    }

    /// The Message-ID, without angle brackets.
    pub fn message_id(&self) -> &str {
        &self.message_id
    }

    /// The Date, in seconds since the Unix epoch.
    pub fn date(&self) -> i64 {
        self.date
    }

    /// Writes the message to any [`std::io::Write`], streaming through a
    /// 64 KiB buffer: the whole message is never held in memory twice.
    pub fn write_to<W: std::io::Write>(&self, output: W) -> Result<()> {
        let mut writer = IoWriter::new(output);
        self.serialize(&mut writer);
        writer.into_result().map_err(Error::from)
    }

    /// The message as bytes (CRLF line ends, lines of at most 78 characters
    /// except where a part is 7bit text with lines up to 77 characters).
    pub fn to_vec(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.estimated_len());
        self.serialize(&mut out);
        out
    }

    /// The exact size in bytes of what [`Message::to_vec`] returns, computed
    /// without keeping the output (and remembered).
    pub fn size(&self) -> usize {
        *self.size.get_or_init(|| {
            let mut counter = CountingWriter::default();
            self.serialize(&mut counter);
            counter.count()
        })
    }

    /// Checks the size against a server's `SIZE` limit (0 means no limit).
    pub fn check_size(&self, limit: u64) -> Result<()> {
        let size = self.size() as u64;
        if limit != 0 && size > limit {
            return Err(Error::new(
                ErrorKind::MessageTooLarge,
                format!("the message is {size} bytes; the server accepts at most {limit}"),
            ));
        }
        Ok(())
    }

    /// The MIME structure, e.g. `multipart/mixed[multipart/related[multipart/alternative[text/plain, text/html], image/png], application/pdf]`.
    pub fn structure(&self) -> String {
        fn walk(part: &MimePart<'_>, out: &mut String) {
            if let Some((_, HeaderType::ContentType(ct))) = part.headers.first() {
                out.push_str(&ct.c_type);
            } else if let Some((_, HeaderType::Raw(raw))) = part.headers.first() {
                out.push_str(raw.raw.split(';').next().unwrap_or_default());
            }
            if let BodyPart::Multipart(children) = &part.contents {
                out.push('[');
                for (i, child) in children.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    walk(child, out);
                }
                out.push(']');
            }
        }
        let mut out = String::new();
        walk(&self.mime_tree(), &mut out);
        out
    }

    fn estimated_len(&self) -> usize {
        let text = self.text.as_ref().map_or(0, |t| t.len() * 11 / 10 + 128);
        let html = self.html.as_ref().map_or(0, |t| t.len() * 11 / 10 + 128);
        let parts: usize = self.inline.iter().chain(&self.attachments).map(LeafPart::estimated_len).sum();
        self.head.len() + self.smtpapi_line.as_ref().map_or(0, Vec::len) + text + html + parts + 512
    }

    fn serialize(&self, output: &mut impl Writer) {
        output.write(&self.head);
        let tree = self.mime_tree();
        match &self.smtpapi_line {
            Some(line) => tree.write_part(&mut Injector::new(output, line)),
            None => tree.write_part(output),
        }
    }

    fn mime_tree(&self) -> MimePart<'_> {
        let (mixed, related, alternative) =
            (self.boundaries.get(0), self.boundaries.get(1), self.boundaries.get(2));
        fn text_part<'x>(media: &'static str, body: &'x str) -> MimePart<'x> {
            MimePart::new(
                ContentType::new(media).attribute("charset", "utf-8"),
                BodyPart::Text(Cow::Borrowed(body)),
            )
        }
        let (body, body_type) = match (&self.text, &self.html) {
            (Some(text), Some(html)) => (
                MimePart::new(
                    ContentType::new("multipart/alternative").attribute("boundary", alternative),
                    BodyPart::Multipart(vec![text_part("text/plain", text), text_part("text/html", html)]),
                ),
                "multipart/alternative",
            ),
            (None, Some(html)) => (text_part("text/html", html), "text/html"),
            (Some(text), None) => (text_part("text/plain", text), "text/plain"),
            (None, None) => (text_part("text/plain", ""), "text/plain"),
        };
        let body = if self.inline.is_empty() {
            body
        } else {
            let mut children = Vec::with_capacity(self.inline.len() + 1);
            children.push(body);
            children.extend(self.inline.iter().map(LeafPart::mime_part));
            MimePart::new(
                ContentType::new("multipart/related")
                    .attribute("type", body_type)
                    .attribute("boundary", related),
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
                ContentType::new("multipart/mixed").attribute("boundary", mixed),
                BodyPart::Multipart(children),
            )
        }
    }
}

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

/// Anything the builder accepts as a mailbox: a string to parse
/// (`"Name <a@b.c>"`, `"a@b.c"`), a `(name, address)` pair, a [`Mailbox`] or a
/// [`MailboxSpec`]. Parsed when given; an error is reported by `build()`.
pub trait IntoMailbox {
    /// Parses and validates.
    fn into_mailbox(self) -> Result<Mailbox>;
}

impl IntoMailbox for &str {
    fn into_mailbox(self) -> Result<Mailbox> {
        Mailbox::parse(self)
    }
}
impl IntoMailbox for String {
    fn into_mailbox(self) -> Result<Mailbox> {
        Mailbox::parse(&self)
    }
}
impl IntoMailbox for &String {
    fn into_mailbox(self) -> Result<Mailbox> {
        Mailbox::parse(self)
    }
}
impl IntoMailbox for Mailbox {
    fn into_mailbox(self) -> Result<Mailbox> {
        Ok(self)
    }
}
impl IntoMailbox for (&str, &str) {
    fn into_mailbox(self) -> Result<Mailbox> {
        Mailbox::new(Some(self.0), self.1)
    }
}
impl IntoMailbox for (String, String) {
    fn into_mailbox(self) -> Result<Mailbox> {
        Mailbox::new(Some(&self.0), &self.1)
    }
}
impl IntoMailbox for (Option<&str>, &str) {
    fn into_mailbox(self) -> Result<Mailbox> {
        Mailbox::new(self.0, self.1)
    }
}
impl IntoMailbox for MailboxSpec {
    fn into_mailbox(self) -> Result<Mailbox> {
        match self {
            MailboxSpec::Text(text) => Mailbox::parse(&text),
            MailboxSpec::Parts(name, address) => Mailbox::new(name.as_deref(), &address),
            MailboxSpec::Mailbox(mailbox) => Ok(mailbox),
        }
    }
}

/// A mailbox as data (what a binding receives from its host language):
/// a string to parse, a (name, address) pair, or an already validated [`Mailbox`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MailboxSpec {
    /// Parsed with [`Mailbox::parse`].
    Text(String),
    /// A display name (optional) and an address.
    Parts(Option<String>, String),
    /// Already validated.
    Mailbox(Mailbox),
}

/// The SMTP envelope: who the server is told the mail is from and to.
#[derive(Clone, Copy, Debug)]
pub struct Envelope<'a> {
    sender: &'a Mailbox,
    recipients: &'a [Mailbox],
}

impl<'a> Envelope<'a> {
    /// The `MAIL FROM` address: the explicit envelope sender, or From's address.
    pub fn sender(&self) -> &'a str {
        self.sender.address()
    }

    /// The `RCPT TO` addresses: To, Cc and Bcc, deduplicated, in that order.
    pub fn recipients(
        &self,
    ) -> impl ExactSizeIterator<Item = &'a str> + DoubleEndedIterator + Clone + 'a {
        self.recipients.iter().map(Mailbox::address)
    }

    /// How many recipients there are.
    pub fn recipient_count(&self) -> usize {
        self.recipients.len()
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
/// assert!(message.envelope().recipients().eq(["ben@ifaxin.com"]));
/// let bytes = message.to_vec();
/// assert!(bytes.starts_with(b"Date: "));
/// ```
#[derive(Default)]
pub struct MessageBuilder(Box<Fields>);

/// The builder's state, boxed so that each consuming call moves a pointer.
#[derive(Default)]
struct Fields {
    from: Option<Result<Mailbox>>,
    sender: Option<Result<Mailbox>>,
    reply_to: Vec<Result<Mailbox>>,
    to: Vec<Result<Mailbox>>,
    cc: Vec<Result<Mailbox>>,
    bcc: Vec<Result<Mailbox>>,
    envelope_from: Option<Result<Mailbox>>,
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
            .field("from", &self.0.from)
            .field("to", &self.0.to)
            .field("subject", &self.0.subject)
            .field("inline", &self.0.inline.len())
            .field("attachments", &self.0.attachments.len())
            .finish_non_exhaustive()
    }
}

impl MessageBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the From mailbox (required).
    pub fn from(mut self, mailbox: impl IntoMailbox) -> Self {
        self.0.from = Some(mailbox.into_mailbox());
        self
    }

    /// Sets the Sender mailbox (who actually sent it, when not the author).
    pub fn sender(mut self, mailbox: impl IntoMailbox) -> Self {
        self.0.sender = Some(mailbox.into_mailbox());
        self
    }

    /// Adds a Reply-To mailbox.
    pub fn reply_to(mut self, mailbox: impl IntoMailbox) -> Self {
        self.0.reply_to.push(mailbox.into_mailbox());
        self
    }

    /// Adds a To recipient.
    pub fn to(mut self, mailbox: impl IntoMailbox) -> Self {
        self.0.to.push(mailbox.into_mailbox());
        self
    }

    /// Adds a Cc recipient.
    pub fn cc(mut self, mailbox: impl IntoMailbox) -> Self {
        self.0.cc.push(mailbox.into_mailbox());
        self
    }

    /// Adds a Bcc recipient: in the envelope only, never in the headers.
    pub fn bcc(mut self, mailbox: impl IntoMailbox) -> Self {
        self.0.bcc.push(mailbox.into_mailbox());
        self
    }

    /// Sets the envelope sender (`MAIL FROM`), when it differs from From.
    pub fn envelope_from(mut self, mailbox: impl IntoMailbox) -> Self {
        self.0.envelope_from = Some(mailbox.into_mailbox());
        self
    }

    /// Sets the Subject (any Unicode; written as RFC 2047 encoded words when needed).
    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.0.subject = Some(subject.into());
        self
    }

    /// Fixes the Message-ID (`id@domain`, with or without angle brackets).
    /// Without it, a random one is drawn at build time.
    pub fn message_id(mut self, id: impl Into<String>) -> Self {
        self.0.message_id = Some(id.into());
        self
    }

    /// Adds an In-Reply-To message id.
    pub fn in_reply_to(mut self, id: impl Into<String>) -> Self {
        self.0.in_reply_to.push(id.into());
        self
    }

    /// Adds a References message id.
    pub fn references(mut self, id: impl Into<String>) -> Self {
        self.0.references.push(id.into());
        self
    }

    /// Adds a custom header. The name must be an RFC 5322 field name and not
    /// one the builder writes itself (From, Subject, Content-Type, X-SMTPAPI, ...).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.0.headers.push((name.into(), value.into()));
        self
    }

    /// Adds SendCloud's `SC-Custom-<key>` header (returned by its webhooks).
    pub fn sc_custom(mut self, key: impl AsRef<str>, value: impl Into<String>) -> Self {
        self.0
            .headers
            .push((format!("SC-Custom-{}", key.as_ref()), value.into()));
        self
    }

    /// Sets SendCloud's X-SMTPAPI value, written as the last header.
    pub fn x_smtpapi(mut self, value: XSmtpApi) -> Self {
        self.0.x_smtpapi = Some(value);
        self
    }

    /// Fixes the Date, in seconds since the Unix epoch (written in UTC).
    pub fn date(mut self, unix_seconds: i64) -> Self {
        self.0.date = Some(unix_seconds);
        self
    }

    /// Sets the clock used for the Date when none is fixed.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.0.clock = Some(clock);
        self
    }

    /// Fixes the seed of the MIME boundaries (1 to 64 characters of
    /// `A-Z a-z 0-9 ' ( ) + _ , - . / : = ?`). Without it, a random one is drawn.
    pub fn boundary_seed(mut self, seed: impl Into<String>) -> Self {
        self.0.boundary_seed = Some(seed.into());
        self
    }

    /// Sets the plain-text body.
    pub fn text(mut self, text: impl Into<String>) -> Self {
        self.0.text = Some(text.into());
        self
    }

    /// Sets the HTML body.
    pub fn html(mut self, html: impl Into<String>) -> Self {
        self.0.html = Some(html.into());
        self
    }

    /// Adds an inline part (placed in `multipart/related` with the body).
    pub fn inline(mut self, part: Inline) -> Self {
        self.0.inline.push(part);
        self
    }

    /// Adds an attachment (placed in `multipart/mixed`).
    pub fn attachment(mut self, part: Attachment) -> Self {
        self.0.attachments.push(part);
        self
    }

    /// Validates every field and builds the message. In default mode the
    /// Message-ID and boundaries are drawn here from the CSPRNG and the Date
    /// read from the clock, so the built message writes the same bytes each time.
    pub fn build(self) -> Result<Message> {
        let this = *self.0;
        let from = match this.from {
            Some(mailbox) => mailbox?,
            None => {
                return Err(Error::new(
                    ErrorKind::MissingFrom,
                    "a From address is required",
                ));
            }
        };
        let sender = this.sender.transpose()?;
        let reply_to = this.reply_to.into_iter().collect::<Result<Vec<_>>>()?;
        let to = this.to.into_iter().collect::<Result<Vec<_>>>()?;
        let cc = this.cc.into_iter().collect::<Result<Vec<_>>>()?;
        let bcc = this.bcc.into_iter().collect::<Result<Vec<_>>>()?;
        let envelope_from = this.envelope_from.transpose()?;

        if let Some(subject) = &this.subject {
            check_no_line_break("subject", subject)?;
        }
        // Random mode: 16 bytes for the Message-ID, 12 for the boundary seed, in one draw.
        let mut random = [0u8; 28];
        if this.message_id.is_none() || this.boundary_seed.is_none() {
            random_bytes(&mut random)?;
        }
        let message_id = match &this.message_id {
            Some(id) => check_message_id(id)?,
            None => {
                let mut id = String::with_capacity(33 + from.domain().len());
                push_hex(&mut id, &random[..16]);
                id.push('@');
                id.push_str(from.domain());
                id
            }
        };
        let in_reply_to = this
            .in_reply_to
            .iter()
            .map(|id| check_message_id(id))
            .collect::<Result<Vec<_>>>()?;
        let references = this
            .references
            .iter()
            .map(|id| check_message_id(id))
            .collect::<Result<Vec<_>>>()?;
        for (name, value) in &this.headers {
            check_header_name(name)?;
            check_no_line_break(&format!("header {name}"), value)?;
        }
        let date = match this.date {
            Some(date) => date,
            None => match this.clock.as_deref().or(default_clock()) {
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
        let mut random_seed = String::new();
        let seed = match &this.boundary_seed {
            Some(seed) => check_seed(seed)?,
            None => {
                push_hex(&mut random_seed, &random[16..]);
                random_seed.as_str()
            }
        };
        let boundaries = Boundaries::new(seed);

        let inline = this
            .inline
            .into_iter()
            .map(LeafPart::inline)
            .collect::<Result<Vec<_>>>()?;
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
        let attachments = this
            .attachments
            .into_iter()
            .map(LeafPart::attachment)
            .collect::<Result<Vec<_>>>()?;

        let smtpapi_line = match &this.x_smtpapi {
            Some(api) => Some(smtpapi_header(&api.encode()?)),
            None => None,
        };

        if to.is_empty() && cc.is_empty() && bcc.is_empty() {
            return Err(Error::new(
                ErrorKind::NoRecipients,
                "no To, Cc or Bcc recipient",
            ));
        }

        let text = this.text.map(normalize_line_breaks);
        let html = this.html.map(normalize_line_breaks);

        // A boundary is "=_<seed>.<m|r|a>": "=_" never occurs in quoted-printable
        // or base64 output, so only parts that may go out as 7bit are checked,
        // and only for a caller's seed: a random 96-bit one cannot be guessed.
        if this.boundary_seed.is_some() {
            let delimiter = boundaries.delimiter();
            let finder = memchr::memmem::Finder::new(delimiter.as_bytes());
            let collides = text
                .iter()
                .chain(&html)
                .any(|body| finder.find(body.as_bytes()).is_some())
                || inline
                    .iter()
                    .chain(&attachments)
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
        }

        let mut head = Vec::with_capacity(1024);
        write_header(&mut head, "Date", &Date::new(date));
        write_header(
            &mut head,
            "From",
            &address_header(std::slice::from_ref(&from)),
        );
        if let Some(sender) = &sender {
            write_header(
                &mut head,
                "Sender",
                &address_header(std::slice::from_ref(sender)),
            );
        }
        for (name, list) in [("Reply-To", &reply_to), ("To", &to), ("Cc", &cc)] {
            if !list.is_empty() {
                write_header(&mut head, name, &address_header(list));
            }
        }
        if let Some(subject) = &this.subject {
            write_text_header(&mut head, "Subject", subject);
        }
        write_header(
            &mut head,
            "Message-ID",
            &MessageId::new(message_id.as_str()),
        );
        if !in_reply_to.is_empty() {
            write_header(
                &mut head,
                "In-Reply-To",
                &MessageId::new_list(in_reply_to.iter().map(String::as_str)),
            );
        }
        if !references.is_empty() {
            write_header(
                &mut head,
                "References",
                &MessageId::new_list(references.iter().map(String::as_str)),
            );
        }
        for (name, value) in &this.headers {
            write_text_header(&mut head, name, value);
        }
        head.extend_from_slice(b"MIME-Version: 1.0\r\n");

        // The envelope takes the mailboxes over: no copies.
        let sender = envelope_from.unwrap_or(from);
        let mut recipients = to;
        recipients.reserve(cc.len() + bcc.len());
        recipients.extend(cc);
        recipients.extend(bcc);
        dedup_by_address(&mut recipients);

        Ok(Message {
            head,
            smtpapi_line,
            text,
            html,
            inline,
            attachments,
            boundaries,
            sender,
            recipients,
            message_id,
            date,
            size: OnceLock::new(),
        })
    }
}

/// Keeps the first mailbox of each address, in order.
fn dedup_by_address(list: &mut Vec<Mailbox>) {
    if list.len() <= 32 {
        let mut i = 1;
        while i < list.len() {
            if list[..i].iter().any(|m| m.address() == list[i].address()) {
                list.remove(i);
            } else {
                i += 1;
            }
        }
    } else {
        let mut seen = std::collections::HashSet::with_capacity(list.len());
        let keep: Vec<bool> = list
            .iter()
            .map(|m| seen.insert(m.address().to_string()))
            .collect();
        let mut flags = keep.into_iter();
        list.retain(|_| flags.next().unwrap_or(false));
    }
}

fn check_header_name(name: &str) -> Result<()> {
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

fn check_seed(seed: &str) -> Result<&str> {
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
        && value
            .split(" ")
            .all(|word| word.len() + name.len() + 2 <= 78);
    if plain {
        write_header(out, name, &Raw::new(value));
    } else if value.contains("=?") {
        // Text written as it is would be decoded by readers as an encoded
        // word: encode the whole value, so it reads back exactly.
        let mut words = String::with_capacity(value.len() * 2);
        push_encoded_words(&mut words, value);
        write_header(out, name, &Raw::new(words));
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
        let filename = part.filename.as_deref().map(check_filename).transpose()?;
        Ok(LeafPart::new(
            media_type,
            "inline",
            filename,
            Some(content_id),
            part.data,
        ))
    }

    fn attachment(part: Attachment) -> Result<LeafPart> {
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
        LeafPart {
            content_type,
            disposition,
            filename,
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
        base64_len(self.data.len()) + self.content_type.len() + 256
    }
}

/// Length of MIME base64 (76-character lines with CRLF) for `len` bytes.
fn base64_len(len: usize) -> usize {
    let encoded = len.div_ceil(3) * 4;
    encoded + encoded.div_ceil(76) * 2
}

/// The `name=` parameter of Content-Type: a quoted string for short plain
/// ASCII names, otherwise RFC 2047 "B" encoded words inside the quotes (the
/// form Outlook reads; RFC 2231 `filename*` goes on Content-Disposition).
fn push_name_parameter(out: &mut String, name: &str) {
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
        push_encoded_words(out, name);
    }
    out.push('"');
}

/// RFC 2047 "B" encoded words separated by spaces (where a header folds),
/// never splitting a character. At most 42 bytes per word: 56 base64
/// characters, 68 with the delimiters, so a folded line (space, `name="`,
/// word, `"`) stays under 78.
fn push_encoded_words(out: &mut String, text: &str) {
    use base64::Engine as _;
    let mut rest = text;
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
    sender: Mailbox,
    recipients: Vec<Mailbox>,
    message_id: String,
    date: i64,
    size: OnceLock<usize>,
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Message")
            .field("message_id", &self.message_id)
            .field("envelope", &self.envelope())
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
    pub fn envelope(&self) -> Envelope<'_> {
        Envelope {
            sender: &self.sender,
            recipients: &self.recipients,
        }
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

    /// An upper bound in the common cases (the encoder never picks
    /// quoted-printable when base64 is shorter), so `to_vec` rarely reallocates.
    fn estimated_len(&self) -> usize {
        if let Some(size) = self.size.get() {
            return *size;
        }
        let text = self.text.as_ref().map_or(0, |t| base64_len(t.len()) + 160);
        let html = self.html.as_ref().map_or(0, |t| base64_len(t.len()) + 160);
        let parts: usize = self
            .inline
            .iter()
            .chain(&self.attachments)
            .map(LeafPart::estimated_len)
            .sum();
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
        let (mixed, related, alternative) = (
            self.boundaries.get(0),
            self.boundaries.get(1),
            self.boundaries.get(2),
        );
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
                    BodyPart::Multipart(vec![
                        text_part("text/plain", text),
                        text_part("text/html", html),
                    ]),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> MessageBuilder {
        Message::builder()
            .from("support@ifaxin.com")
            .text("x")
            .date(0)
            .boundary_seed("t")
            .message_id("i@ifaxin.com")
    }

    #[test]
    fn deduplicates_long_recipient_lists_in_order() {
        let mut b = base();
        for i in 0..100 {
            b = b.to(format!("u{}@ifaxin.com", i % 40));
        }
        for i in 0..10 {
            b = b.bcc(format!("U{i}@IFAXIN.com"));
        }
        let m = b.build().unwrap();
        let rcpts: Vec<&str> = m.envelope().recipients().collect();
        assert_eq!(rcpts.len(), 50);
        assert_eq!(rcpts[0], "u0@ifaxin.com");
        assert_eq!(rcpts[39], "u39@ifaxin.com");
        // Local parts are case-sensitive; domains are not.
        assert_eq!(rcpts[40], "U0@ifaxin.com");
    }

    #[test]
    fn clock_is_injectable_and_date_range_checked() {
        let m = Message::builder()
            .from("a@ifaxin.com")
            .to("b@ifaxin.com")
            .clock(Arc::new(|| 1_426_390_015))
            .build()
            .unwrap();
        assert_eq!(m.date(), 1_426_390_015);
        assert!(
            m.to_vec()
                .starts_with(b"Date: Sun, 15 Mar 2015 03:26:55 +0000\r\n")
        );
        let err = base().to("b@ifaxin.com").date(-1).build().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidHeaderValue);
        let err = base()
            .to("b@ifaxin.com")
            .date(MAX_DATE + 1)
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidHeaderValue);
    }

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
            let err = base()
                .to("b@ifaxin.com")
                .header(name, "v")
                .build()
                .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidHeaderName, "{name:?}");
        }
        let err = base()
            .to("b@ifaxin.com")
            .header("X-A\r\nBcc", "v")
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::HeaderInjection);
        assert!(
            base()
                .to("b@ifaxin.com")
                .header("X-Campaign", "v")
                .sc_custom("k", "v")
                .build()
                .is_ok()
        );
    }

    #[test]
    fn size_limit_check() {
        let m = base().to("b@ifaxin.com").build().unwrap();
        let size = m.size() as u64;
        assert!(m.check_size(size).is_ok());
        assert!(m.check_size(0).is_ok());
        assert_eq!(
            m.check_size(size - 1).unwrap_err().kind(),
            ErrorKind::MessageTooLarge
        );
    }

    #[test]
    fn write_errors_are_typed() {
        struct Broken;
        impl std::io::Write for Broken {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::Error::other("disk full"))
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let m = base().to("b@ifaxin.com").build().unwrap();
        assert_eq!(m.write_to(Broken).unwrap_err().kind(), ErrorKind::Io);
    }

    #[test]
    fn lone_carriage_returns_become_crlf() {
        assert_eq!(
            normalize_line_breaks("a\rb\r\nc\r".into()),
            "a\r\nb\r\nc\r\n"
        );
        assert_eq!(normalize_line_breaks("plain\n".into()), "plain\n");
    }

    #[test]
    fn debug_output_is_short() {
        let m = base()
            .to("b@ifaxin.com")
            .attachment(Attachment::new(
                "a.bin",
                "application/octet-stream",
                vec![0; 1 << 20],
            ))
            .build()
            .unwrap();
        assert!(format!("{m:?}").len() < 400);
    }
}

//! [`MessageBuilder`]: collects the fields, then `build()` validates them
//! once, in named stages, and assembles the [`Message`].

use super::Message;
use super::calendar::{Calendar, check_calendar};
use super::envelope::OwnedEnvelope;
use super::headers::{TopHeaders, check_header_name, smtpapi_header};
use super::list::ListOptions;
use super::mime::{Body, Boundaries, LeafPart, check_seed, check_unique_content_ids};
use crate::address::{IntoMailbox, Mailbox, check_no_line_break};
use crate::clock::{Clock, default_clock, push_hex, random_bytes};
use crate::error::{Error, ErrorKind, Result};
use crate::parts::{Attachment, Inline, check_message_id};
use crate::smtpapi::XSmtpApi;
use std::fmt;
use std::sync::{Arc, OnceLock};

/// Latest date accepted: 9999-12-31T23:59:59Z.
const MAX_DATE: i64 = 253_402_300_799;

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
    list: ListOptions,
    calendar: Option<Calendar>,
    #[cfg(feature = "dkim-external")]
    dkim: Vec<crate::dkim::DkimSigner>,
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

    /// Adds a `List-Unsubscribe` URI (RFC 2369): `https://...` or
    /// `mailto:...`, without angle brackets (the builder writes them). Call
    /// it once per URI; they go into one header, comma-joined, in order.
    pub fn list_unsubscribe(mut self, uri: impl Into<String>) -> Self {
        self.0.list.unsubscribe.push(uri.into());
        self
    }

    /// Asks for one-click unsubscribe (RFC 8058): writes
    /// `List-Unsubscribe-Post: List-Unsubscribe=One-Click`, which needs an
    /// `https:` List-Unsubscribe URI (else `OneClickRequiresHttps`). Gmail
    /// and Yahoo require it of bulk senders, covered by a DKIM signature.
    pub fn one_click_unsubscribe(mut self, on: bool) -> Self {
        self.0.list.one_click = on;
        self
    }

    /// Sets the `List-Id` (RFC 2919): `label.namespace`, optionally after a
    /// description, as in `Spring news <spring.news.ifaxin.com>`.
    pub fn list_id(mut self, value: impl Into<String>) -> Self {
        self.0.list.list_id = Some(value.into());
        self
    }

    /// Adds a calendar invitation (see [`Calendar`]): a `text/calendar`
    /// alternative after the text and HTML bodies, and optionally an `.ics`
    /// attachment after the other attachments.
    pub fn calendar(mut self, calendar: Calendar) -> Self {
        self.0.calendar = Some(calendar);
        self
    }

    /// Signs the message with DKIM when it is built (see
    /// [`DkimSigner`](crate::DkimSigner)). Call it twice to sign with two
    /// keys (e.g. RSA and Ed25519, as RFC 8463 suggests); the signatures are
    /// written first, in call order.
    #[cfg(feature = "dkim-external")]
    pub fn dkim(mut self, signer: crate::dkim::DkimSigner) -> Self {
        self.0.dkim.push(signer);
        self
    }

    /// Validates every field and builds the message. In default mode the
    /// Message-ID and boundaries are drawn here from the CSPRNG and the Date
    /// read from the clock, so the built message writes the same bytes each time.
    pub fn build(self) -> Result<Message> {
        let mut fields = *self.0;
        let people = Mailboxes::take(&mut fields)?;
        if let Some(subject) = &fields.subject {
            check_no_line_break("subject", subject)?;
        }
        let random = draw_random(fields.message_id.is_none() || fields.boundary_seed.is_none())?;
        let ids = Ids::resolve(&fields, &random[..16], people.from.domain())?;
        check_custom_headers(&fields.headers)?;
        let list = fields.list.render(&fields.headers)?;
        let date = resolve_date(fields.date, fields.clock.as_deref())?;
        let boundaries = resolve_boundaries(fields.boundary_seed.as_deref(), &random[16..])?;
        let inline = inline_parts(fields.inline)?;
        let mut attachments = attachment_parts(fields.attachments)?;
        let calendar = match fields.calendar {
            Some(calendar) => {
                let (part, attach) = check_calendar(calendar)?;
                if let Some(filename) = attach {
                    attachments.push(LeafPart::attachment(Attachment::new(
                        filename,
                        "application/ics",
                        part.text.clone(),
                    ))?);
                }
                Some(part)
            }
            None => None,
        };
        let smtpapi_line = smtpapi_line(fields.x_smtpapi)?;
        #[cfg(feature = "dkim-external")]
        let signers = fields
            .dkim
            .into_iter()
            .map(|s| crate::dkim::ReadySigner::check(s, fields.clock.as_deref()))
            .collect::<Result<Vec<_>>>()?;
        people.check_recipients()?;
        let body = Body::new(
            fields.text,
            fields.html,
            calendar,
            inline,
            attachments,
            boundaries,
        );
        // Only a caller's seed can collide: a random 96-bit one cannot be guessed.
        if fields.boundary_seed.is_some() {
            body.check_boundary_collision()?;
        }
        let head = people
            .top_headers(
                date,
                &ids,
                fields.subject.as_deref(),
                &fields.headers,
                &list,
            )
            .write();
        #[allow(unused_mut)]
        let mut message = Message {
            dkim: Vec::new(),
            head,
            smtpapi_line,
            body,
            envelope: people.into_envelope(),
            message_id: ids.message_id,
            date,
            size: OnceLock::new(),
        };
        #[cfg(feature = "dkim-external")]
        if !signers.is_empty() {
            // One pass through a hashing sink: the body is hashed as it is
            // written, never kept.
            let mut sink = crate::dkim::HashingSink::new(&signers);
            message.write_to(&mut sink)?;
            message.dkim = sink.finish(&signers)?;
        }
        Ok(message)
    }
}

/// Every mailbox of the message, parsed and validated.
struct Mailboxes {
    from: Mailbox,
    sender: Option<Mailbox>,
    reply_to: Vec<Mailbox>,
    to: Vec<Mailbox>,
    cc: Vec<Mailbox>,
    bcc: Vec<Mailbox>,
    envelope_from: Option<Mailbox>,
}

impl Mailboxes {
    /// Takes the mailboxes out of the fields, reporting the first error in
    /// field order; From is required.
    fn take(fields: &mut Fields) -> Result<Mailboxes> {
        let Some(from) = fields.from.take() else {
            return Err(Error::new(
                ErrorKind::MissingFrom,
                "a From address is required",
            ));
        };
        let all = |list: &mut Vec<Result<Mailbox>>| -> Result<Vec<Mailbox>> {
            std::mem::take(list).into_iter().collect()
        };
        Ok(Mailboxes {
            from: from?,
            sender: fields.sender.take().transpose()?,
            reply_to: all(&mut fields.reply_to)?,
            to: all(&mut fields.to)?,
            cc: all(&mut fields.cc)?,
            bcc: all(&mut fields.bcc)?,
            envelope_from: fields.envelope_from.take().transpose()?,
        })
    }

    fn check_recipients(&self) -> Result<()> {
        if self.to.is_empty() && self.cc.is_empty() && self.bcc.is_empty() {
            return Err(Error::new(
                ErrorKind::NoRecipients,
                "no To, Cc or Bcc recipient",
            ));
        }
        Ok(())
    }

    /// The header block's view of the message.
    fn top_headers<'a>(
        &'a self,
        date: i64,
        ids: &'a Ids,
        subject: Option<&'a str>,
        custom: &'a [(String, String)],
        list: &'a [u8],
    ) -> TopHeaders<'a> {
        TopHeaders {
            date,
            from: &self.from,
            sender: self.sender.as_ref(),
            reply_to: &self.reply_to,
            to: &self.to,
            cc: &self.cc,
            subject,
            message_id: &ids.message_id,
            in_reply_to: &ids.in_reply_to,
            references: &ids.references,
            custom,
            list,
        }
    }

    /// The envelope takes the mailboxes over: no copies.
    fn into_envelope(self) -> OwnedEnvelope {
        let sender = self.envelope_from.unwrap_or(self.from);
        OwnedEnvelope::new(sender, self.to, self.cc, self.bcc)
    }
}

/// Random mode: 16 bytes for the Message-ID, 12 for the boundary seed, in
/// one draw (none when both are fixed).
fn draw_random(needed: bool) -> Result<[u8; 28]> {
    let mut random = [0u8; 28];
    if needed {
        random_bytes(&mut random)?;
    }
    Ok(random)
}

/// The Message-ID, In-Reply-To and References ids, without angle brackets.
struct Ids {
    message_id: String,
    in_reply_to: Vec<String>,
    references: Vec<String>,
}

impl Ids {
    /// Checks the given ids; without a fixed Message-ID one is made of
    /// `random` in hex at From's domain.
    fn resolve(fields: &Fields, random: &[u8], domain: &str) -> Result<Ids> {
        let message_id = match &fields.message_id {
            Some(id) => check_message_id(id)?,
            None => {
                let mut id = String::with_capacity(2 * random.len() + 1 + domain.len());
                push_hex(&mut id, random);
                id.push('@');
                id.push_str(domain);
                id
            }
        };
        let check_all = |ids: &[String]| {
            ids.iter()
                .map(|id| check_message_id(id))
                .collect::<Result<Vec<_>>>()
        };
        Ok(Ids {
            message_id,
            in_reply_to: check_all(&fields.in_reply_to)?,
            references: check_all(&fields.references)?,
        })
    }
}

fn check_custom_headers(headers: &[(String, String)]) -> Result<()> {
    for (name, value) in headers {
        check_header_name(name)?;
        check_no_line_break(&format!("header {name}"), value)?;
    }
    Ok(())
}

/// The fixed date, or the clock's (the builder's, else the platform's).
fn resolve_date(fixed: Option<i64>, clock: Option<&dyn Clock>) -> Result<i64> {
    let date = match fixed {
        Some(date) => date,
        None => match clock.or(default_clock()) {
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
    Ok(date)
}

/// The caller's seed, checked, or `random` in hex.
fn resolve_boundaries(seed: Option<&str>, random: &[u8]) -> Result<Boundaries> {
    match seed {
        Some(seed) => Ok(Boundaries::new(check_seed(seed)?)),
        None => {
            let mut seed = String::with_capacity(2 * random.len());
            push_hex(&mut seed, random);
            Ok(Boundaries::new(&seed))
        }
    }
}

fn inline_parts(parts: Vec<Inline>) -> Result<Vec<LeafPart>> {
    let inline = parts
        .into_iter()
        .map(LeafPart::inline)
        .collect::<Result<Vec<_>>>()?;
    check_unique_content_ids(&inline)?;
    Ok(inline)
}

fn attachment_parts(parts: Vec<Attachment>) -> Result<Vec<LeafPart>> {
    parts.into_iter().map(LeafPart::attachment).collect()
}

/// The complete `X-SMTPAPI` header line, if one was set.
fn smtpapi_line(api: Option<XSmtpApi>) -> Result<Option<Vec<u8>>> {
    api.map(|api| api.encode().map(|encoded| smtpapi_header(&encoded)))
        .transpose()
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
    fn deduplicates_recipients_across_to_cc_and_bcc() {
        let m = base()
            .to("u0@ifaxin.com")
            .cc("Again <u0@ifaxin.com>")
            .bcc("U0@IFAXIN.com")
            .bcc("u1@ifaxin.com")
            .build()
            .unwrap();
        assert!(
            m.envelope()
                .recipients()
                .eq(["u0@ifaxin.com", "U0@ifaxin.com", "u1@ifaxin.com"])
        );
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
    fn custom_headers_are_checked_at_build() {
        let err = base()
            .to("b@ifaxin.com")
            .header("Bcc", "v")
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidHeaderName);
        let err = base()
            .to("b@ifaxin.com")
            .header("X-A", "v\r\nBcc: x@y.z")
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
    fn random_mode_draws_ids_and_boundaries() {
        let build = || {
            Message::builder()
                .from("a@ifaxin.com")
                .to("b@ifaxin.com")
                .date(0)
                .attachment(Attachment::new(
                    "a.bin",
                    "application/octet-stream",
                    vec![1],
                ))
                .build()
                .unwrap()
        };
        let (a, b) = (build(), build());
        assert_ne!(a.message_id(), b.message_id());
        assert!(a.message_id().ends_with("@ifaxin.com"));
        assert_eq!(a.message_id().len(), 32 + "@ifaxin.com".len());
        assert_ne!(a.to_vec(), b.to_vec());
    }
}

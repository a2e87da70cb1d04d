//! The built, immutable [`Message`] and how it is written.
//!
//! - `builder`: [`MessageBuilder`], whose `build()` validates in stages;
//! - `headers`: the top-level header block and encoded words;
//! - `mime`: the MIME tree (leaf parts, boundaries, multipart nesting);
//! - `envelope`: the SMTP [`Envelope`].

mod builder;
mod calendar;
mod envelope;
mod headers;
mod list;
mod mime;

pub use builder::MessageBuilder;
pub use calendar::Calendar;
pub use envelope::Envelope;

use crate::error::{Error, ErrorKind, Result};
use crate::writer::{CountingWriter, Sink};
use envelope::OwnedEnvelope;
use mail_builder::Writer;
use mail_builder::headers::HeaderType;
use mail_builder::mime::{BodyPart, MimePart};
use mime::Body;
use std::fmt;
use std::sync::OnceLock;

/// A built message: validated, immutable, and written the same way every time.
///
/// Cheap to write many times (`to_vec`, `write_to`); the attachment bytes are
/// shared, never copied.
pub struct Message {
    /// The DKIM-Signature lines (empty when not signed), written first.
    dkim: Vec<u8>,
    head: Vec<u8>,
    smtpapi_line: Option<Vec<u8>>,
    body: Body,
    envelope: OwnedEnvelope,
    message_id: String,
    date: i64,
    size: OnceLock<usize>,
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Message")
            .field("message_id", &self.message_id)
            .field("envelope", &self.envelope())
            .field("inline", &self.body.inline.len())
            .field("attachments", &self.body.attachments.len())
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
        self.envelope.view()
    }

    /// The Message-ID, without angle brackets.
    pub fn message_id(&self) -> &str {
        &self.message_id
    }

    /// True when the message carries at least one DKIM signature.
    pub fn is_signed(&self) -> bool {
        !self.dkim.is_empty()
    }

    /// The Date, in seconds since the Unix epoch.
    pub fn date(&self) -> i64 {
        self.date
    }

    /// Writes the message to any [`std::io::Write`], streaming through a
    /// 64 KiB buffer: the whole message is never held in memory twice.
    pub fn write_to<W: std::io::Write>(&self, mut output: W) -> Result<()> {
        let mut sink = Sink::io(&mut output);
        self.serialize(&mut sink);
        sink.finish().map_err(Error::from)
    }

    /// The message as bytes (CRLF line ends, lines of at most 78 characters
    /// except where a part is 7bit text with lines up to 77 characters).
    pub fn to_vec(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.estimated_len());
        self.serialize(&mut Sink::bytes(&mut out));
        out
    }

    /// The exact size in bytes of what [`Message::to_vec`] returns, computed
    /// without keeping the output (and remembered).
    pub fn size(&self) -> usize {
        *self.size.get_or_init(|| {
            let mut counter = CountingWriter::default();
            self.serialize(&mut Sink::count(&mut counter));
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
        walk(&self.body.tree(), &mut out);
        out
    }

    /// An upper bound in the common cases, so `to_vec` rarely reallocates.
    fn estimated_len(&self) -> usize {
        if let Some(size) = self.size.get() {
            return *size;
        }
        self.dkim.len()
            + self.head.len()
            + self.smtpapi_line.as_ref().map_or(0, Vec::len)
            + self.body.estimated_len()
            + 512
    }

    /// The DKIM signatures (if any), the top-level headers, then the MIME
    /// tree, with X-SMTPAPI (if any) injected as the last header of the root
    /// part.
    fn serialize<'a>(&'a self, output: &mut Sink<'a>) {
        output.write(&self.dkim);
        output.write(&self.head);
        output.inject(self.smtpapi_line.as_deref());
        self.body.tree().write_part(output);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Attachment;

    fn base() -> MessageBuilder {
        Message::builder()
            .from("support@ifaxin.com")
            .to("b@ifaxin.com")
            .text("x")
            .date(0)
            .boundary_seed("t")
            .message_id("i@ifaxin.com")
    }

    #[test]
    fn size_limit_check() {
        let m = base().build().unwrap();
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
        let m = base().build().unwrap();
        assert_eq!(m.write_to(Broken).unwrap_err().kind(), ErrorKind::Io);
    }

    #[test]
    fn debug_output_is_short() {
        let m = base()
            .attachment(Attachment::new(
                "a.bin",
                "application/octet-stream",
                vec![0; 1 << 20],
            ))
            .build()
            .unwrap();
        assert!(format!("{m:?}").len() < 400);
    }

    #[test]
    fn structure_names_every_part() {
        let m = base()
            .html("<p>x</p>")
            .attachment(Attachment::new("a.pdf", "application/pdf", vec![1]))
            .build()
            .unwrap();
        assert_eq!(
            m.structure(),
            "multipart/mixed[multipart/alternative[text/plain, text/html], application/pdf]"
        );
    }
}

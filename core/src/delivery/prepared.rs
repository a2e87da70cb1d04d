//! A message ready for DATA: dot-stuffed once, shared by every attempt.

use crate::address::Mailbox;
use crate::error::{Error, ErrorKind, Result};
use crate::message::Message;
use crate::smtp::DotStuffer;
use bytes::Bytes;
use std::io::Write as _;

/// What a dispatcher sends: the dot-stuffed bytes with their final `.`
/// line (kept once, shared by every attempt), the size announced with
/// `SIZE=`, the envelope, and the Message-ID when known.
#[derive(Clone, Debug)]
pub struct Prepared {
    pub(crate) data: Bytes,
    pub(crate) size: usize,
    pub(crate) sender: String,
    pub(crate) recipients: Vec<String>,
    pub(crate) message_id: Option<String>,
    pub(crate) key: Option<String>,
}

impl Prepared {
    /// A built message, with its own envelope.
    pub fn message(message: &Message) -> Result<Prepared> {
        let size = message.size();
        let mut data = Vec::with_capacity(size + size / 64 + 8);
        message.write_to(DotStuffer::new(&mut data))?;
        finish(&mut data);
        let envelope = message.envelope();
        Ok(Prepared {
            data: data.into(),
            size,
            sender: envelope.sender().to_string(),
            recipients: envelope.recipients().map(str::to_string).collect(),
            message_id: Some(message.message_id().to_string()),
            key: None,
        })
    }

    /// Raw RFC 5322 bytes (a message built elsewhere: Django, an `.eml`)
    /// with an explicit envelope. Bare LF and CR line ends become CRLF (SMTP
    /// needs it); the addresses are checked as the builder checks them (an
    /// empty sender is the null reverse-path `<>`, for bounces).
    pub fn raw(bytes: &[u8], sender: &str, recipients: &[&str]) -> Result<Prepared> {
        let sender = checked_sender(sender)?;
        if recipients.is_empty() {
            return Err(Error::new(
                ErrorKind::NoRecipients,
                "a raw message needs at least one recipient",
            ));
        }
        let mut seen = std::collections::HashSet::new();
        let mut list = Vec::with_capacity(recipients.len());
        for rcpt in recipients {
            let address = Mailbox::new(None, rcpt)?.address().to_string();
            if seen.insert(address.to_ascii_lowercase()) {
                list.push(address);
            }
        }
        let mut data = Vec::with_capacity(bytes.len() + bytes.len() / 64 + 8);
        let mut size = 0usize;
        {
            let mut out = DotStuffer::new(&mut data);
            let mut start = 0;
            let mut i = 0;
            // CRLF line ends: a lone CR or LF becomes CRLF.
            while i < bytes.len() {
                match bytes[i] {
                    b'\r' if bytes.get(i + 1) == Some(&b'\n') => i += 2,
                    b'\r' | b'\n' => {
                        out.write_all(&bytes[start..i])?;
                        out.write_all(b"\r\n")?;
                        size += i - start + 2;
                        i += 1;
                        start = i;
                    }
                    _ => i += 1,
                }
            }
            out.write_all(&bytes[start..])?;
            size += bytes.len() - start;
        }
        finish(&mut data);
        let message_id = find_message_id(bytes);
        Ok(Prepared {
            data: data.into(),
            size,
            sender,
            recipients: list,
            message_id,
            key: None,
        })
    }

    /// The envelope sender (MAIL FROM).
    pub fn sender(&self) -> &str {
        &self.sender
    }

    /// The envelope recipients (RCPT TO), in order, without duplicates.
    pub fn recipients(&self) -> &[String] {
        &self.recipients
    }

    /// The message's size as announced with `SIZE=`.
    pub fn size(&self) -> usize {
        self.size
    }

    /// The Message-ID (without angle brackets), when the message has one.
    pub fn message_id(&self) -> Option<&str> {
        self.message_id.as_deref()
    }

    /// The same message under a key (an order id, a CSV row) that its
    /// outcome carries back; checked as a ledger checks keys (kind
    /// `InvalidKey`). Under a ledger the key it is submitted with takes its
    /// place.
    pub fn with_key(mut self, key: &str) -> Result<Prepared> {
        crate::ledger::check_key(key)?;
        self.key = Some(key.to_string());
        Ok(self)
    }

    /// The key its outcome carries, when it has one.
    pub fn key(&self) -> Option<&str> {
        self.key.as_deref()
    }

    /// The bytes held for this message (what memory it costs while queued).
    pub fn held_bytes(&self) -> usize {
        self.data.len()
    }

    /// The bytes sent after DATA: dot-stuffed, ending with the final `.`
    /// line (what a ledger keeps to send the message after a restart).
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// A message taken back from a durable record: its [`Prepared::data`],
    /// its [`Prepared::size`], envelope and Message-ID as they were. The
    /// data must end with the final `.` line and the envelope is checked
    /// again, so a damaged record is refused rather than sent.
    pub fn from_parts(
        data: Vec<u8>,
        size: usize,
        sender: &str,
        recipients: &[String],
        message_id: Option<String>,
    ) -> Result<Prepared> {
        if !data.ends_with(b"\r\n.\r\n") || size > data.len() {
            return Err(Error::new(
                ErrorKind::InvalidState,
                "the stored message is damaged (no final dot, or a size larger than its data)",
            ));
        }
        let sender = checked_sender(sender)?;
        if recipients.is_empty() {
            return Err(Error::new(
                ErrorKind::NoRecipients,
                "the stored message has no recipient",
            ));
        }
        let recipients = recipients
            .iter()
            .map(|r| Ok(Mailbox::new(None, r)?.address().to_string()))
            .collect::<Result<Vec<String>>>()?;
        Ok(Prepared {
            data: data.into(),
            size,
            sender,
            recipients,
            message_id,
            key: None,
        })
    }
}

/// The envelope sender as the builder checks it (empty: the null
/// reverse-path `<>`, for bounces).
fn checked_sender(sender: &str) -> Result<String> {
    if sender.is_empty() {
        return Ok(String::new());
    }
    Ok(Mailbox::new(None, sender)?.address().to_string())
}

/// Ends DATA: CRLF if the message does not end with one, then `.` CRLF.
fn finish(data: &mut Vec<u8>) {
    if !data.ends_with(b"\r\n") {
        data.extend_from_slice(b"\r\n");
    }
    data.extend_from_slice(b".\r\n");
}

/// The Message-ID header of raw bytes (in the header block), if any.
fn find_message_id(bytes: &[u8]) -> Option<String> {
    let head_end = memchr::memmem::find(bytes, b"\r\n\r\n")
        .or_else(|| memchr::memmem::find(bytes, b"\n\n"))
        .unwrap_or(bytes.len());
    let head = std::str::from_utf8(&bytes[..head_end]).ok()?;
    let mut lines = head.lines().peekable();
    while let Some(line) = lines.next() {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        if !name.trim().eq_ignore_ascii_case("message-id") {
            continue;
        }
        let mut value = value.trim().to_string();
        while let Some(next) = lines.peek().filter(|l| l.starts_with([' ', '\t'])) {
            value.push_str(next.trim());
            lines.next();
        }
        let id = value.trim_start_matches('<').trim_end_matches('>').trim();
        return (!id.is_empty()).then(|| id.to_string());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_messages_get_crlf_dot_stuffing_and_a_checked_envelope() {
        let p = Prepared::raw(
            b"Message-ID: <a@b.c>\nSubject: x\n\n.line\nend",
            "from@example.com",
            &["to@bücher.de", "TO@bücher.de", "x@example.com"],
        )
        .unwrap();
        assert_eq!(
            &p.data[..],
            b"Message-ID: <a@b.c>\r\nSubject: x\r\n\r\n..line\r\nend\r\n.\r\n"
        );
        assert_eq!(
            p.size,
            "Message-ID: <a@b.c>\r\nSubject: x\r\n\r\n.line\r\nend".len()
        );
        assert_eq!(p.recipients, ["to@xn--bcher-kva.de", "x@example.com"]);
        assert_eq!(p.message_id(), Some("a@b.c"));
        assert_eq!(
            Prepared::raw(b"x", "a@b.c", &[]).unwrap_err().kind(),
            ErrorKind::NoRecipients
        );
        assert_eq!(
            Prepared::raw(b"x", "a@b.c", &["x\r\nRCPT TO:<e@vil>"])
                .unwrap_err()
                .kind(),
            ErrorKind::HeaderInjection
        );
        assert_eq!(Prepared::raw(b"x", "", &["a@b.c"]).unwrap().sender(), "");
    }

    #[test]
    fn built_messages_match_the_session_bytes() {
        let m = Message::builder()
            .from("a@b.c")
            .to("d@e.f")
            .text(".dot")
            .date(0)
            .message_id("id@b.c")
            .boundary_seed("s")
            .build()
            .unwrap();
        let p = Prepared::message(&m).unwrap();
        assert_eq!(p.size, m.size());
        assert!(p.data.ends_with(b"\r\n..dot\r\n.\r\n"));
        assert_eq!(p.message_id(), Some("id@b.c"));
    }
}

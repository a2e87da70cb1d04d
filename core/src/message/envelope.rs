//! The SMTP envelope: `MAIL FROM` and the deduplicated `RCPT TO` list.

use crate::address::Mailbox;

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

/// The envelope a [`super::Message`] owns; [`Envelope`] borrows it.
pub(super) struct OwnedEnvelope {
    sender: Mailbox,
    recipients: Vec<Mailbox>,
}

impl OwnedEnvelope {
    /// Takes the mailboxes over (no copies): the sender, and To, Cc and Bcc
    /// deduplicated by address, first occurrence kept.
    pub(super) fn new(
        sender: Mailbox,
        to: Vec<Mailbox>,
        cc: Vec<Mailbox>,
        bcc: Vec<Mailbox>,
    ) -> OwnedEnvelope {
        let mut recipients = to;
        recipients.reserve(cc.len() + bcc.len());
        recipients.extend(cc);
        recipients.extend(bcc);
        dedup_by_address(&mut recipients);
        OwnedEnvelope { sender, recipients }
    }

    pub(super) fn view(&self) -> Envelope<'_> {
        Envelope {
            sender: &self.sender,
            recipients: &self.recipients,
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deduplicates_long_recipient_lists_in_order() {
        let to: Vec<Mailbox> = (0..100)
            .map(|i| Mailbox::parse(&format!("u{}@ifaxin.com", i % 40)).unwrap())
            .collect();
        let bcc: Vec<Mailbox> = (0..10)
            .map(|i| Mailbox::parse(&format!("U{i}@IFAXIN.com")).unwrap())
            .collect();
        let sender = Mailbox::parse("support@ifaxin.com").unwrap();
        let envelope = OwnedEnvelope::new(sender, to, Vec::new(), bcc);
        let rcpts: Vec<&str> = envelope.view().recipients().collect();
        assert_eq!(rcpts.len(), 50);
        assert_eq!(rcpts[0], "u0@ifaxin.com");
        assert_eq!(rcpts[39], "u39@ifaxin.com");
        // Local parts are case-sensitive; domains are not.
        assert_eq!(rcpts[40], "U0@ifaxin.com");
    }
}

//! A message's transaction: MAIL FROM, each RCPT TO, DATA and the end of
//! the data, pipelined when the server allows it, and the reply to each.

use super::commands;
use super::{
    Direction, Event, Expect, Outgoing, Phase, SendFailure, SendReport, Session, Transaction,
};
use crate::error::{Error, ErrorKind};
use crate::smtp::reply::{Reply, ReplyClass};

impl Session {
    pub(super) fn open(&mut self) {
        self.phase = Phase::Open;
        self.events.push_back(Event::Ready);
        self.pump();
    }

    /// Starts the next transaction or QUIT when the session is free.
    pub(super) fn pump(&mut self) {
        if self.phase != Phase::Open || self.current.is_some() || !self.expect.is_empty() {
            return;
        }
        self.begin_next();
    }

    /// With `pipeline_after_data`, under PIPELINING, the next message's MAIL /
    /// RCPT / DATA go out right behind the previous message's data (RFC 2920
    /// section 3.1 allows it), so a message costs about one round trip.
    pub(super) fn pump_behind_data(&mut self) {
        if self.phase == Phase::Open
            && self.current.is_none()
            && self.pipelined()
            && self.config.pipeline_after_data
        {
            self.begin_next();
        }
    }

    pub(super) fn begin_next(&mut self) {
        while let Some(message) = self.queue.pop_front() {
            if let Err(error) = self.check_size(message.size) {
                self.events.push_back(Event::Failed(SendFailure {
                    handle: message.handle,
                    error,
                    refused: Vec::new(),
                    uncertain: false,
                }));
                continue;
            }
            return self.begin(message);
        }
        if self.quit_requested && self.finishing.is_none() && self.expect.is_empty() {
            self.phase = Phase::Quitting;
            self.command(commands::QUIT.into(), Expect::Quit);
        }
    }

    pub(super) fn pipelined(&self) -> bool {
        self.config.pipelining && self.capabilities.pipelining
    }

    pub(super) fn begin(&mut self, message: Outgoing) {
        let mail = commands::mail_from(
            &message.sender,
            message.size,
            message.eight_bit,
            &self.capabilities,
        );
        let recipients = message.recipients.clone();
        self.current = Some(Transaction {
            message,
            mail_ok: false,
            accepted: Vec::new(),
            refused: Vec::new(),
            error: None,
            next_rcpt: 0,
            started: self.now,
        });
        self.command(mail, Expect::Mail);
        if self.pipelined() {
            for (i, rcpt) in recipients.iter().enumerate() {
                self.command(commands::rcpt_to(rcpt), Expect::Rcpt(i));
            }
            self.command(commands::DATA.into(), Expect::Data);
            if let Some(txn) = self.current.as_mut() {
                txn.next_rcpt = recipients.len();
            }
        }
    }

    pub(super) fn send_next_rcpt(&mut self) {
        let Some(txn) = self.current.as_mut() else {
            return;
        };
        let i = txn.next_rcpt;
        if let Some(rcpt) = txn.message.recipients.get(i).cloned() {
            txn.next_rcpt += 1;
            self.command(commands::rcpt_to(&rcpt), Expect::Rcpt(i));
        } else if txn.accepted.is_empty() {
            let error = txn
                .error
                .take()
                .unwrap_or_else(|| all_refused(&txn.refused));
            self.finish_failed(error);
            self.command(commands::RSET.into(), Expect::Rset);
        } else {
            self.command(commands::DATA.into(), Expect::Data);
        }
    }

    pub(super) fn on_mail(&mut self, reply: Reply) {
        let pipelined = self.pipelined();
        let Some(txn) = self.current.as_mut() else {
            return self.unexpected(reply);
        };
        if reply.is_positive() {
            txn.mail_ok = true;
            if !pipelined {
                self.send_next_rcpt();
            }
            return;
        }
        let error = Error::from_reply("MAIL FROM was refused", reply);
        if pipelined {
            // RCPT and DATA replies are still on their way; DATA ends it.
            txn.error = Some(error);
        } else {
            self.finish_failed(error);
            self.command(commands::RSET.into(), Expect::Rset);
        }
    }

    pub(super) fn on_rcpt(&mut self, index: usize, reply: Reply) {
        let Some(txn) = self.current.as_mut() else {
            return self.unexpected(reply);
        };
        let rcpt = txn
            .message
            .recipients
            .get(index)
            .cloned()
            .unwrap_or_default();
        if reply.is_positive() {
            txn.accepted.push(rcpt);
        } else if txn.mail_ok {
            txn.refused.push((rcpt, reply));
        }
        // After a refused MAIL the pipelined RCPT replies (503 "need MAIL")
        // say nothing about the recipients: not reported as their refusal.
        if !self.pipelined() {
            self.send_next_rcpt();
        }
    }

    pub(super) fn on_data(&mut self, reply: Reply) {
        let Some(txn) = self.current.as_mut() else {
            return self.unexpected(reply);
        };
        if reply.code() == 354 {
            if txn.mail_ok && !txn.accepted.is_empty() {
                let data = std::mem::take(&mut txn.message.data);
                let handle = txn.message.handle;
                let size = data.len();
                self.log(
                    Direction::Client,
                    format!("<message, {size} bytes, dot-stuffed>"),
                );
                self.log(Direction::Client, ".".into());
                if let Some(ends) = self.data_ends.as_mut() {
                    ends.push_back(handle);
                }
                self.push_shared(data, Expect::DataEnd);
            } else {
                // Pipelining: DATA was accepted although nothing else was.
                // Send an empty message and discard it (RFC 2920 section 3.1).
                if txn.error.is_none() {
                    txn.error = Some(all_refused(&txn.refused));
                }
                self.log(Direction::Client, ".".into());
                self.push(b".\r\n".to_vec(), false, Expect::DataEnd);
            }
            self.finishing = self.current.take();
            self.pump_behind_data();
            return;
        }
        let error = match txn.error.take() {
            Some(error) => error,
            None if txn.accepted.is_empty() && !txn.refused.is_empty() => all_refused(&txn.refused),
            None => Error::from_reply("DATA was refused", reply),
        };
        self.finish_failed(error);
        self.command(commands::RSET.into(), Expect::Rset);
    }

    /// The reply to the end of DATA ends the transaction, accepted or not
    /// (RFC 5321 section 4.1.1.4): no RSET is needed, and none is sent (the
    /// next message may already be pipelined behind it).
    pub(super) fn on_data_end(&mut self, reply: Reply) {
        let Some(txn) = self.finishing.take() else {
            return self.unexpected(reply);
        };
        if let Some(error) = txn.error {
            self.events.push_back(Event::Failed(SendFailure {
                handle: txn.message.handle,
                error,
                refused: txn.refused,
                uncertain: false,
            }));
            return self.pump();
        }
        if reply.is_positive() {
            self.events.push_back(Event::Sent(SendReport {
                handle: txn.message.handle,
                queue_id: reply.queue_id().map(str::to_string),
                accepted: txn.accepted,
                refused: txn.refused,
                reply,
            }));
            return self.pump();
        }
        let error = Error::from_reply("the message was refused after DATA", reply);
        self.events.push_back(Event::Failed(SendFailure {
            handle: txn.message.handle,
            error,
            refused: txn.refused,
            uncertain: false,
        }));
        self.pump();
    }

    pub(super) fn finish_failed(&mut self, error: Error) {
        if let Some(txn) = self.current.take() {
            self.events.push_back(Event::Failed(SendFailure {
                handle: txn.message.handle,
                error,
                refused: txn.refused,
                uncertain: false,
            }));
        }
    }

    pub(super) fn unexpected(&mut self, reply: Reply) {
        self.fail_session(Error::with_reply(
            ErrorKind::Protocol,
            "a reply outside a transaction",
            reply,
        ));
    }
}

/// The error of a message whose every recipient was refused: rate limited
/// if any refusal was, else the first refusal.
fn all_refused(refused: &[(String, Reply)]) -> Error {
    let pick = refused
        .iter()
        .find(|(_, r)| r.class() == ReplyClass::RateLimited)
        .or_else(|| refused.first());
    match pick {
        Some((_, reply)) => Error::from_reply("every recipient was refused", reply.clone()),
        None => Error::new(ErrorKind::SmtpPermanent, "the message has no recipient"),
    }
}

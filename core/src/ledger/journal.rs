//! A ledger kept as an append-only journal, sans-IO, for runtimes without
//! SQLite (Node, Deno and Bun through the WebAssembly binding): the driver
//! appends the bytes [`Journal::take`] gives it to one file, makes them
//! durable (an fsync) and says so ([`Journal::written`]); the journal decides
//! everything else by the rules every ledger follows: a key is sent once,
//! the end-of-data mark of a message is durable before its final `.` goes
//! out (marks of every connection in one write), an outcome is recorded
//! before anyone is told of it, and opening a journal takes up what a dead
//! process left (unsent messages sent, those past their end of data
//! uncertain).
//!
//! The file: the 8 bytes `MWJRNL1\n`, then entries, each a snapshot of one
//! record (with the message's bytes while it is unfinished): a 4-byte
//! little-endian length, the first 8 bytes of the payload's SHA-256, the
//! payload. The last snapshot of a key is its record. A torn last entry (a
//! crash while it was written) is ignored and cut off; any other damage is
//! a typed error. One process at a time per journal (the driver locks it).
//! Every record stays in memory, so one journal suits runs of up to some
//! hundreds of thousands of messages; [`Journal::compacted`] rewrites it
//! without the superseded snapshots.

use super::{Record, Refusal, State, check_key, default_key, records_outcome};
use crate::delivery::{Dispatcher, Outcome, Prepared, Ticket};
use crate::error::{Error, ErrorKind, Result};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, VecDeque};
use std::time::Duration;

const MAGIC: &[u8; 8] = b"MWJRNL1\n";
const WITH_BODY: u8 = 1;
const WITHOUT_BODY: u8 = 2;
/// The longest entry read back (a message is at most a few tens of MB).
const MAX_ENTRY: usize = 256 << 20;

/// What submitting a key did.
#[derive(Clone, Debug, PartialEq)]
pub enum JournalClaim {
    /// Recorded and queued under this ticket.
    New(Ticket),
    /// The key is on its way under this ticket (its outcome answers both).
    Pending(Ticket),
    /// The key has its outcome: nothing is sent (the outcome's ticket is 0).
    Done(Box<Outcome>),
}

/// What opening a journal found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Opened {
    /// The bytes of the file that hold whole entries: a longer file ends
    /// with a torn entry, to be cut off before anything is appended.
    pub valid_len: usize,
    /// Messages left unsent by an earlier process, queued again.
    pub queued: u64,
    /// Messages an earlier process may have sent before it died: recorded
    /// uncertain now, not resent.
    pub uncertain: Vec<Record>,
    /// True when most of the file is superseded snapshots: rewrite it with
    /// [`Journal::compacted`].
    pub compact: bool,
}

#[derive(Clone, Debug)]
struct Body {
    data: Vec<u8>,
    size: usize,
}

/// The journal's state and the protocol around a [`Dispatcher`].
#[derive(Debug, Default)]
pub struct Journal {
    records: HashMap<String, (Record, Option<Body>)>,
    /// Keys in the order they were first recorded (for compaction).
    order: Vec<String>,
    /// Tickets on their way, and their keys.
    tickets: HashMap<Ticket, String>,
    by_key: HashMap<String, Ticket>,
    /// Unsent messages taken up at opening, waiting for room.
    backlog: VecDeque<(Prepared, u32, Duration)>,
    /// Bytes to append, and what they hold.
    out: Vec<u8>,
    out_mark: Option<u64>,
    out_told: Vec<Outcome>,
    /// Handed to the driver, not yet written.
    writing: Option<(Option<u64>, Vec<Outcome>)>,
    ready: VecDeque<Outcome>,
    at_least_once: bool,
    /// Shut down: outcomes that only say so are not recorded.
    aborted: bool,
    /// Closing: the dispatcher drains once the backlog is in it.
    draining: bool,
}

impl Journal {
    /// Reads `bytes` (the whole file; empty for a new one), takes up its
    /// unfinished messages into `dispatcher` (which holds its final dots
    /// for the marks from now on) and records as uncertain those past
    /// their end of data. `now_ms`: the wall clock (ms since the epoch).
    pub fn open(
        dispatcher: &mut Dispatcher,
        bytes: &[u8],
        now_ms: i64,
        at_least_once: bool,
    ) -> Result<(Journal, Opened)> {
        let mut journal = Journal {
            at_least_once,
            ..Journal::default()
        };
        let valid_len = journal.replay(bytes)?;
        if valid_len == 0 {
            journal.out.extend_from_slice(MAGIC);
        }
        dispatcher.journal_data_ends(true);
        let mut opened = Opened {
            valid_len,
            ..Opened::default()
        };
        let keys: Vec<String> = journal.order.clone();
        for key in keys {
            let Some((record, body)) = journal.records.get(&key).cloned() else {
                continue;
            };
            match record.state.on_resume(at_least_once) {
                super::Resume::Done => {}
                super::Resume::Uncertain => {
                    let lost = record.uncertain_after_restart(now_ms);
                    journal.put(&lost, None);
                    opened.uncertain.push(lost);
                }
                super::Resume::Send => {
                    let Some(body) = body else {
                        return Err(damaged("an unfinished record has no message"));
                    };
                    let message = Prepared::from_parts(
                        body.data,
                        body.size,
                        &record.sender,
                        &record.recipients,
                        record.message_id.clone(),
                    )?
                    .with_key(&record.key)?;
                    let age = Duration::from_millis(
                        u64::try_from(now_ms - record.submitted_ms).unwrap_or(0),
                    );
                    journal.backlog.push_back((message, record.attempts, age));
                    opened.queued += 1;
                }
            }
        }
        journal.feed(dispatcher);
        let live: usize = journal
            .records
            .values()
            .map(|(r, b)| 64 + r.key.len() + b.as_ref().map_or(0, |b| b.data.len()))
            .sum();
        opened.compact = valid_len > (8 << 20) && valid_len > 3 * live;
        Ok((journal, opened))
    }

    /// Submits `message` under `key` (by default its Message-ID). A key
    /// already recorded is not sent again; with at-least-once an uncertain
    /// one is. Call it only while the dispatcher has room (`has_room`).
    pub fn submit(
        &mut self,
        dispatcher: &mut Dispatcher,
        key: Option<&str>,
        message: Prepared,
        now_ms: i64,
    ) -> Result<JournalClaim> {
        let key = match key {
            Some(key) => {
                check_key(key)?;
                key.to_string()
            }
            None => default_key(&message)?,
        };
        if let Some(&ticket) = self.by_key.get(&key) {
            return Ok(JournalClaim::Pending(ticket));
        }
        let waiting = self
            .backlog
            .iter()
            .position(|(m, _, _)| m.key() == Some(key.as_str()));
        if let Some((at, (message, attempts, age))) =
            waiting.and_then(|at| Some((at, self.backlog.remove(at)?)))
        {
            // Taken up at opening and still waiting for room: it goes now.
            let ticket = match dispatcher.resubmit(message, attempts, age) {
                Ok(ticket) => ticket,
                Err(refused) => {
                    self.backlog.insert(at, (refused.message, attempts, age));
                    return Err(refused.error);
                }
            };
            self.tickets.insert(ticket, key.clone());
            self.by_key.insert(key, ticket);
            return Ok(JournalClaim::Pending(ticket));
        }
        let mut record = Record::pending(&key, &message, now_ms);
        let mut age = Duration::ZERO;
        if let Some((known, _)) = self.records.get(&key) {
            if !known.state.resend_on_submit(self.at_least_once) {
                return match known.outcome(0) {
                    Some(outcome) => Ok(JournalClaim::Done(Box::new(outcome))),
                    // (Unfinished keys were all taken up at opening.)
                    None => Err(damaged("an unfinished record was not taken up")),
                };
            }
            record.submitted_ms = known.submitted_ms;
            record.attempts = known.attempts;
            age = Duration::from_millis(u64::try_from(now_ms - known.submitted_ms).unwrap_or(0));
        }
        let message = message.with_key(&key)?;
        let body = Body {
            data: message.data().to_vec(),
            size: message.size(),
        };
        let ticket = dispatcher
            .resubmit(message, record.attempts, age)
            .map_err(|refused| refused.error)?;
        self.put(&record, Some(body));
        self.tickets.insert(ticket, key.clone());
        self.by_key.insert(key, ticket);
        Ok(JournalClaim::New(ticket))
    }

    /// The bytes to append now (then [`Journal::written`]), if any: the
    /// marks of every message whose end of data is going out and the
    /// outcomes decided since the last write. None while a write is under
    /// way or nothing changed.
    pub fn take(&mut self, dispatcher: &mut Dispatcher, now_ms: i64) -> Option<Vec<u8>> {
        self.feed(dispatcher);
        while let Some(mark) = dispatcher.poll_data_end() {
            if let Some(key) = self.tickets.get(&mark.ticket).cloned()
                && let Some((record, _)) = self.records.get(&key)
            {
                let mut marked = record.clone();
                marked.state = State::DataSent;
                marked.attempts = marked.attempts.max(mark.attempt);
                marked.updated_ms = now_ms;
                self.put(&marked, None);
            }
            self.out_mark = Some(mark.seq);
        }
        let stopping = self.aborted;
        while let Some(outcome) = dispatcher.poll_outcome() {
            let ticket = outcome.ticket();
            if let Some(key) = self.tickets.remove(&ticket) {
                self.by_key.remove(&key);
                if records_outcome(&outcome, stopping)
                    && let Some((record, _)) = self.records.get(&key)
                {
                    let done = record.finished(&outcome, now_ms);
                    self.put(&done, None);
                }
            }
            self.out_told.push(outcome);
        }
        if self.writing.is_some() || self.out.is_empty() && self.out_told.is_empty() {
            return None;
        }
        self.writing = Some((self.out_mark.take(), std::mem::take(&mut self.out_told)));
        let bytes = std::mem::take(&mut self.out);
        Some(bytes)
    }

    /// The bytes [`Journal::take`] gave are durable: the final dots they
    /// cover go out, the outcomes they record are told.
    pub fn written(&mut self, dispatcher: &mut Dispatcher) {
        if let Some((mark, told)) = self.writing.take() {
            if let Some(seq) = mark {
                dispatcher.marks_durable(seq);
            }
            self.ready.extend(told);
        }
        self.feed(dispatcher);
    }

    /// Closes after sending (in place of the dispatcher's `drain`): the
    /// messages taken up at opening go into the dispatcher first.
    pub fn drain(&mut self, dispatcher: &mut Dispatcher) {
        self.draining = true;
        self.feed(dispatcher);
    }

    /// Stops at once (in place of the dispatcher's `shutdown`): what was
    /// not sent stays unfinished in the journal, for the next run.
    pub fn shutdown(&mut self, dispatcher: &mut Dispatcher) {
        self.aborted = true;
        self.backlog.clear();
        dispatcher.shutdown();
    }

    /// The next outcome, once recorded (in place of the dispatcher's).
    pub fn poll_outcome(&mut self) -> Option<Outcome> {
        self.ready.pop_front()
    }

    /// Messages taken up at opening still waiting for room.
    pub fn backlog(&self) -> usize {
        self.backlog.len()
    }

    /// What the journal holds for `key`.
    pub fn get(&self, key: &str) -> Option<&Record> {
        self.records.get(key).map(|(r, _)| r)
    }

    /// Every record, in the order first recorded.
    pub fn records(&self) -> impl Iterator<Item = &Record> {
        self.order
            .iter()
            .filter_map(|k| self.records.get(k).map(|(r, _)| r))
    }

    /// The whole journal without superseded snapshots (a new file's bytes:
    /// write them beside the file, make them durable, rename over it); it
    /// holds the changes not yet taken too. Refused while a write is under
    /// way or a mark or an outcome waits for one.
    pub fn compacted(&mut self) -> Result<Vec<u8>> {
        if self.writing.is_some() || self.out_mark.is_some() || !self.out_told.is_empty() {
            return Err(Error::new(
                ErrorKind::InvalidState,
                "the journal is compacted between writes",
            ));
        }
        self.out.clear();
        let mut bytes = MAGIC.to_vec();
        for key in &self.order {
            if let Some((record, body)) = self.records.get(key) {
                let body = if record.state.is_final() {
                    None
                } else {
                    body.as_ref()
                };
                entry(&mut bytes, record, body);
            }
        }
        Ok(bytes)
    }

    fn feed(&mut self, dispatcher: &mut Dispatcher) {
        while dispatcher.has_room() && !self.aborted {
            let Some((message, attempts, age)) = self.backlog.pop_front() else {
                break;
            };
            let key = message.key().unwrap_or_default().to_string();
            match dispatcher.resubmit(message, attempts, age) {
                Ok(ticket) => {
                    self.tickets.insert(ticket, key.clone());
                    self.by_key.insert(key, ticket);
                }
                Err(refused) => {
                    self.backlog.push_front((refused.message, attempts, age));
                    return;
                }
            }
        }
        if self.draining && self.backlog.is_empty() && !self.aborted {
            dispatcher.drain();
        }
    }

    /// Records a snapshot: in memory, and in the bytes to append.
    fn put(&mut self, record: &Record, body: Option<Body>) {
        entry(&mut self.out, record, body.as_ref());
        self.apply(record.clone(), body);
    }

    fn apply(&mut self, record: Record, body: Option<Body>) {
        let key = record.key.clone();
        match self.records.get_mut(&key) {
            Some(slot) => {
                let body = if record.state.is_final() {
                    None
                } else {
                    body.or_else(|| slot.1.take())
                };
                *slot = (record, body);
            }
            None => {
                self.order.push(key.clone());
                self.records.insert(key, (record, body));
            }
        }
    }

    /// Reads the file; the length of its whole entries.
    fn replay(&mut self, bytes: &[u8]) -> Result<usize> {
        if bytes.is_empty() {
            return Ok(0);
        }
        if bytes.len() < MAGIC.len() {
            // A new file torn while its first bytes were written.
            return if MAGIC.starts_with(bytes) {
                Ok(0)
            } else {
                Err(damaged("it does not start as a mailwright journal"))
            };
        }
        if &bytes[..MAGIC.len()] != MAGIC {
            return Err(Error::new(
                ErrorKind::Ledger,
                "the file is not a mailwright journal",
            ));
        }
        let mut at = MAGIC.len();
        while at < bytes.len() {
            let rest = &bytes[at..];
            if rest.len() < 12 {
                break; // torn
            }
            let len = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
            if len > MAX_ENTRY {
                return Err(damaged("an entry is longer than any message"));
            }
            if rest.len() < 12 + len {
                break; // torn
            }
            let payload = &rest[12..12 + len];
            if Sha256::digest(payload)[..8] != rest[4..12] {
                if at + 12 + len == bytes.len() {
                    break; // the last entry, torn
                }
                return Err(damaged("an entry's checksum does not match"));
            }
            let (record, body) = decode(payload)?;
            self.apply(record, body);
            at += 12 + len;
        }
        Ok(at)
    }
}

fn damaged(why: &str) -> Error {
    Error::new(ErrorKind::Ledger, format!("the journal is damaged: {why}"))
}

fn entry(out: &mut Vec<u8>, record: &Record, body: Option<&Body>) {
    let mut p = Vec::with_capacity(256 + body.map_or(0, |b| b.data.len()));
    p.push(if body.is_some() {
        WITH_BODY
    } else {
        WITHOUT_BODY
    });
    put_str(&mut p, &record.key);
    put_opt(&mut p, record.message_id.as_deref());
    put_str(&mut p, record.state.as_str());
    p.extend_from_slice(&record.attempts.to_le_bytes());
    put_str(&mut p, &record.sender);
    put_list(&mut p, &record.recipients);
    put_opt(&mut p, record.queue_id.as_deref());
    put_list(&mut p, &record.accepted);
    p.extend_from_slice(&(record.refused.len() as u32).to_le_bytes());
    for r in &record.refused {
        put_str(&mut p, &r.recipient);
        p.extend_from_slice(&r.code.to_le_bytes());
        put_str(&mut p, &r.text);
    }
    put_opt(&mut p, record.error_kind.map(|k| k.as_str()));
    put_opt(&mut p, record.error.as_deref());
    p.extend_from_slice(&record.submitted_ms.to_le_bytes());
    p.extend_from_slice(&record.updated_ms.to_le_bytes());
    if let Some(body) = body {
        p.extend_from_slice(&(body.size as u64).to_le_bytes());
        p.extend_from_slice(&(body.data.len() as u64).to_le_bytes());
        p.extend_from_slice(&body.data);
    }
    out.extend_from_slice(&(p.len() as u32).to_le_bytes());
    out.extend_from_slice(&Sha256::digest(&p)[..8]);
    out.extend_from_slice(&p);
}

fn put_str(p: &mut Vec<u8>, s: &str) {
    p.extend_from_slice(&(s.len() as u32).to_le_bytes());
    p.extend_from_slice(s.as_bytes());
}

fn put_opt(p: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => {
            p.push(1);
            put_str(p, s);
        }
        None => p.push(0),
    }
}

fn put_list(p: &mut Vec<u8>, items: &[String]) {
    p.extend_from_slice(&(items.len() as u32).to_le_bytes());
    for item in items {
        put_str(p, item);
    }
}

/// Reads one payload (checked: a damaged one is an error, never a panic).
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.bytes.len() < n {
            return Err(damaged("an entry ends early"));
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }
    fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }
    fn u32(&mut self) -> Result<u32> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(&mut self) -> Result<u64> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }
    fn i64(&mut self) -> Result<i64> {
        Ok(self.u64()? as i64)
    }
    fn len(&mut self) -> Result<usize> {
        let n = self.u32()? as usize;
        if n > self.bytes.len() {
            return Err(damaged("an entry ends early"));
        }
        Ok(n)
    }
    fn str(&mut self) -> Result<String> {
        let n = self.len()?;
        String::from_utf8(self.take(n)?.to_vec()).map_err(|_| damaged("a text is not UTF-8"))
    }
    fn opt(&mut self) -> Result<Option<String>> {
        match self.u8()? {
            0 => Ok(None),
            1 => Ok(Some(self.str()?)),
            _ => Err(damaged("a flag is neither 0 nor 1")),
        }
    }
    fn list(&mut self) -> Result<Vec<String>> {
        let n = self.len()?;
        (0..n).map(|_| self.str()).collect()
    }
}

fn decode(payload: &[u8]) -> Result<(Record, Option<Body>)> {
    let mut r = Reader { bytes: payload };
    let tag = r.u8()?;
    if tag != WITH_BODY && tag != WITHOUT_BODY {
        return Err(damaged("an entry of an unknown kind"));
    }
    let key = r.str()?;
    let message_id = r.opt()?;
    let state = State::from_name(&r.str()?).ok_or_else(|| damaged("an unknown state"))?;
    let attempts = r.u32()?;
    let sender = r.str()?;
    let recipients = r.list()?;
    let queue_id = r.opt()?;
    let accepted = r.list()?;
    let refusals = r.len()?;
    let mut refused = Vec::with_capacity(refusals.min(64));
    for _ in 0..refusals {
        refused.push(Refusal {
            recipient: r.str()?,
            code: r.u16()?,
            text: r.str()?,
        });
    }
    let error_kind = match r.opt()? {
        Some(name) => {
            Some(ErrorKind::from_name(&name).ok_or_else(|| damaged("an unknown error kind"))?)
        }
        None => None,
    };
    let error = r.opt()?;
    let submitted_ms = r.i64()?;
    let updated_ms = r.i64()?;
    let body = if tag == WITH_BODY {
        let size = usize::try_from(r.u64()?).map_err(|_| damaged("a size too large"))?;
        let n = usize::try_from(r.u64()?).map_err(|_| damaged("a size too large"))?;
        Some(Body {
            data: r.take(n)?.to_vec(),
            size,
        })
    } else {
        None
    };
    if !r.bytes.is_empty() {
        return Err(damaged("an entry has bytes left over"));
    }
    check_key(&key)?;
    let record = Record {
        key,
        message_id,
        state,
        attempts,
        sender,
        recipients,
        queue_id,
        accepted,
        refused,
        error_kind,
        error,
        submitted_ms,
        updated_ms,
    };
    Ok((record, body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delivery::{Action, DeliveryConfig};
    use crate::smtp::TlsMode;

    fn dispatcher() -> Dispatcher {
        let mut config = DeliveryConfig::default();
        config.session.tls = TlsMode::None;
        Dispatcher::new(config).unwrap()
    }

    fn message(n: u32) -> Prepared {
        let raw = format!("Message-ID: <m{n}@x.test>\r\nSubject: {n}\r\n\r\nbody {n}\r\n");
        Prepared::raw(raw.as_bytes(), "a@x.test", &["b@x.test"]).unwrap()
    }

    /// Greets the connection the dispatcher opens and answers up to 354.
    fn to_data(d: &mut Dispatcher) -> u64 {
        let Some(Action::Open(k)) = d.poll_action() else {
            panic!("no Open");
        };
        d.connection_opened(k);
        for reply in [
            &b"220 hi\r\n"[..],
            b"250-x\r\n250 PIPELINING\r\n",
            b"250 ok\r\n250 ok\r\n354 go\r\n",
        ] {
            d.take_output(k);
            d.receive(k, reply);
        }
        k
    }

    #[test]
    fn a_key_is_journaled_its_dot_waits_for_the_write_and_its_outcome_for_the_record() {
        let mut file = Vec::new();
        let mut d = dispatcher();
        let (mut j, opened) = Journal::open(&mut d, &file, 1_000, false).unwrap();
        assert_eq!((opened.valid_len, opened.queued), (0, 0));
        let JournalClaim::New(ticket) = j
            .submit(&mut d, Some("order-1"), message(1), 1_000)
            .unwrap()
        else {
            panic!("not new");
        };
        assert_eq!(
            j.submit(&mut d, Some("order-1"), message(1), 1_000)
                .unwrap(),
            JournalClaim::Pending(ticket)
        );
        file.extend(j.take(&mut d, 1_001).unwrap());
        j.written(&mut d);
        let k = to_data(&mut d);
        // The mark is journaled; until it is written the final dot is held.
        let bytes = j.take(&mut d, 1_002).expect("the mark");
        assert!(d.take_output(k).is_empty());
        assert_eq!(j.take(&mut d, 1_002), None, "one write at a time");
        file.extend(bytes);
        j.written(&mut d);
        assert!(d.take_output(k).ends_with(b"\r\n.\r\n"));
        d.receive(k, b"250 queued as Q1\r\n");
        // The outcome is told once its record is written.
        let bytes = j.take(&mut d, 1_003).expect("the outcome");
        assert_eq!(j.poll_outcome(), None);
        file.extend(bytes);
        j.written(&mut d);
        let outcome = j.poll_outcome().expect("told");
        assert_eq!(outcome.key(), Some("order-1"));
        assert!(matches!(outcome, Outcome::Delivered { .. }));
        // A new process: the key is done; nothing is sent again.
        let mut d = dispatcher();
        let (mut j, opened) = Journal::open(&mut d, &file, 2_000, false).unwrap();
        assert_eq!((opened.valid_len, opened.queued), (file.len(), 0));
        let Ok(JournalClaim::Done(done)) = j.submit(&mut d, Some("order-1"), message(1), 2_000)
        else {
            panic!("not done");
        };
        assert!(matches!(*done, Outcome::Delivered { queue_id: Some(ref q), .. } if q == "Q1"));
        assert_eq!(d.poll_action(), None, "nothing to open");
        assert_eq!(j.get("order-1").unwrap().state, State::Delivered);
        // The default key is the Message-ID; a bad key is refused.
        assert!(matches!(
            j.submit(&mut d, None, message(2), 2_000),
            Ok(JournalClaim::New(_))
        ));
        assert_eq!(j.get("m2@x.test").unwrap().state, State::Pending);
        assert_eq!(
            j.submit(&mut d, Some("a\r\nb"), message(3), 2_000)
                .unwrap_err()
                .kind(),
            ErrorKind::InvalidKey
        );
    }

    #[test]
    fn opening_takes_up_the_unsent_reports_uncertain_the_marked_and_cuts_a_torn_tail() {
        let mut file = Vec::new();
        let mut d = dispatcher();
        let (mut j, _) = Journal::open(&mut d, &file, 1_000, false).unwrap();
        j.submit(&mut d, Some("sent"), message(1), 1_000).unwrap();
        j.submit(&mut d, Some("unsent"), message(2), 1_000).unwrap();
        file.extend(j.take(&mut d, 1_000).unwrap());
        j.written(&mut d);
        to_data(&mut d);
        file.extend(j.take(&mut d, 1_001).expect("the mark of the first"));
        // The process dies here, while a further entry is half written.
        let whole = file.len();
        let mut torn = Vec::new();
        entry(&mut torn, j.get("sent").unwrap(), None);
        file.extend(&torn[..torn.len() / 2]);
        let mut d = dispatcher();
        let (mut j, opened) = Journal::open(&mut d, &file, 5_000, false).unwrap();
        assert_eq!(opened.valid_len, whole, "the torn entry is cut off");
        assert_eq!(opened.queued, 1);
        assert_eq!(opened.uncertain.len(), 1);
        assert_eq!(opened.uncertain[0].key, "sent");
        assert_eq!(j.get("sent").unwrap().state, State::Uncertain);
        // The unsent one goes out again, under its key.
        assert!(matches!(d.poll_action(), Some(Action::Open(_))));
        assert!(j.take(&mut d, 5_000).is_some(), "the uncertain record");
        // Compacted: the same records, fewer bytes, read back the same.
        j.written(&mut d);
        // (Right after opening too, with the uncertain records not yet written.)
        let mut again = dispatcher();
        let (mut fresh, _) = Journal::open(&mut again, &file[..whole], 5_000, false).unwrap();
        let snapshot = fresh.compacted().unwrap();
        let (reread, _) = Journal::open(&mut dispatcher(), &snapshot, 5_001, false).unwrap();
        assert_eq!(reread.get("sent").unwrap().state, State::Uncertain);
        let small = j.compacted().unwrap();
        let mut d = dispatcher();
        let (j2, _) = Journal::open(&mut d, &small, 6_000, false).unwrap();
        assert_eq!(j2.get("sent").unwrap().state, State::Uncertain);
        assert_eq!(j2.records().count(), 2);
    }

    #[test]
    fn a_key_taken_up_but_waiting_for_room_is_answered_when_submitted_again() {
        let mut file = Vec::new();
        let mut d = dispatcher();
        let (mut j, _) = Journal::open(&mut d, &file, 1_000, false).unwrap();
        for n in 0..3 {
            j.submit(&mut d, Some(&format!("k{n}")), message(n), 1_000)
                .unwrap();
        }
        file.extend(j.take(&mut d, 1_000).unwrap());
        // The next process has room for one message at a time.
        let mut config = DeliveryConfig::default();
        config.session.tls = TlsMode::None;
        config.queue_capacity = 1;
        let mut d = Dispatcher::new(config).unwrap();
        let (mut j, opened) = Journal::open(&mut d, &file, 2_000, false).unwrap();
        assert_eq!((opened.queued, j.backlog()), (3, 2));
        // The first one goes onto a connection: room for one more.
        let Some(Action::Open(k)) = d.poll_action() else {
            panic!("no Open");
        };
        d.connection_opened(k);
        for reply in [&b"220 hi\r\n"[..], b"250-x\r\n250 PIPELINING\r\n"] {
            d.take_output(k);
            d.receive(k, reply);
        }
        assert!(d.has_room());
        // Submitted again while it waits: queued now and answered, not an
        // error and not a second copy.
        let claim = j.submit(&mut d, Some("k2"), message(2), 2_000).unwrap();
        assert!(matches!(claim, JournalClaim::Pending(_)), "{claim:?}");
        assert_eq!(j.backlog(), 1);
        assert_eq!(j.get("k2").unwrap().state, State::Pending);
    }

    #[test]
    fn damage_and_other_files_are_typed_errors() {
        let mut d = dispatcher();
        let e = Journal::open(&mut d, b"SQLite format 3\0....", 0, false).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Ledger);
        // A flipped byte in an entry that is not the last.
        let mut file = MAGIC.to_vec();
        let record = Record::pending("k1", &message(1), 1);
        entry(&mut file, &record, None);
        let first = file.len();
        entry(&mut file, &Record::pending("k2", &message(2), 1), None);
        file[first - 3] ^= 0xff;
        let e = Journal::open(&mut dispatcher(), &file, 0, false).unwrap_err();
        assert!(e.message().contains("damaged"), "{e}");
        // Truncated payload fields never panic.
        for cut in 0..60 {
            let mut p = Vec::new();
            entry(&mut p, &record, None);
            let _ = decode(&p[12..12 + cut.min(p.len() - 12)]);
        }
    }
}

//! The text forms of a record's lists in a store's columns, and the checks
//! that turn a row read back into a [`Record`] (shared by the SQLite and
//! PostgreSQL stores: the same schema, the same rules).

use super::{Record, Refusal, State, Unfinished};
use crate::delivery::Prepared;
use crate::error::{Error, ErrorKind, Result};

pub(crate) fn lines(list: &[String]) -> String {
    list.join("\n")
}

pub(crate) fn split_lines(text: &str) -> Vec<String> {
    if text.is_empty() {
        Vec::new()
    } else {
        text.split('\n').map(str::to_string).collect()
    }
}

/// Refusals as lines `recipient TAB code TAB text`, the text's `\`, TAB
/// and LF escaped.
pub(crate) fn refusals(list: &[Refusal]) -> String {
    let escape = |t: &str| {
        t.replace('\\', "\\\\")
            .replace('\t', "\\t")
            .replace('\n', "\\n")
    };
    list.iter()
        .map(|r| format!("{}\t{}\t{}", r.recipient, r.code, escape(&r.text)))
        .collect::<Vec<_>>()
        .join("\n")
}

pub(crate) fn parse_refusals(text: &str) -> Option<Vec<Refusal>> {
    let unescape = |t: &str| {
        let mut out = String::with_capacity(t.len());
        let mut chars = t.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('t') => out.push('\t'),
                    Some('n') => out.push('\n'),
                    Some(other) => out.push(other),
                    None => out.push('\\'),
                }
            } else {
                out.push(c);
            }
        }
        out
    };
    split_lines(text)
        .iter()
        .map(|line| {
            let mut parts = line.splitn(3, '\t');
            let recipient = parts.next()?.to_string();
            let code = parts.next()?.parse().ok()?;
            let text = unescape(parts.next()?);
            Some(Refusal {
                recipient,
                code,
                text,
            })
        })
        .collect()
}

/// A damaged row (a value this version cannot read) of the store `name`.
pub(crate) fn corrupt(name: &str, id: i64, what: &str) -> Error {
    Error::new(
        ErrorKind::Ledger,
        format!("the ledger {name} is damaged: record {id} has {what}"),
    )
}

/// A record's columns as a store reads them, before they are checked.
pub(crate) struct RawRow {
    pub id: i64,
    pub key: String,
    pub message_id: Option<String>,
    pub state: String,
    pub attempts: i64,
    pub sender: String,
    pub recipients: String,
    pub queue_id: Option<String>,
    pub accepted: String,
    pub refused: String,
    pub error_kind: Option<String>,
    pub error: Option<String>,
    pub submitted_ms: i64,
    pub updated_ms: i64,
}

impl RawRow {
    /// The record, every value checked (a damaged row is an error naming
    /// the store `name`, never skipped).
    pub(crate) fn into_record(self, name: &str) -> Result<(i64, Record)> {
        let id = self.id;
        let Some(state) = State::from_name(&self.state) else {
            return Err(corrupt(
                name,
                id,
                &format!("an unknown state {:?}", self.state),
            ));
        };
        let Some(refused) = parse_refusals(&self.refused) else {
            return Err(corrupt(name, id, "unreadable refusals"));
        };
        let error_kind = match self.error_kind {
            None => None,
            Some(kind) => Some(
                ErrorKind::from_name(&kind)
                    .ok_or_else(|| corrupt(name, id, &format!("an unknown error {kind:?}")))?,
            ),
        };
        let attempts = u32::try_from(self.attempts)
            .map_err(|_| corrupt(name, id, "a negative attempt count"))?;
        Ok((
            id,
            Record {
                key: self.key,
                message_id: self.message_id,
                state,
                attempts,
                sender: self.sender,
                recipients: split_lines(&self.recipients),
                queue_id: self.queue_id,
                accepted: split_lines(&self.accepted),
                refused,
                error_kind,
                error: self.error,
                submitted_ms: self.submitted_ms,
                updated_ms: self.updated_ms,
            },
        ))
    }
}

/// An unfinished record with the message to send (its bytes, when kept).
pub(crate) fn unfinished(
    (position, record): (i64, Record),
    body: Option<Vec<u8>>,
    size: i64,
    name: &str,
) -> Result<Unfinished> {
    let message = match body {
        None => None,
        Some(data) => Some(
            Prepared::from_parts(
                data,
                usize::try_from(size).unwrap_or(usize::MAX),
                &record.sender,
                &record.recipients,
                record.message_id.clone(),
            )
            .map_err(|e| corrupt(name, position, e.message()))?,
        ),
    };
    Ok(Unfinished {
        position,
        record,
        message,
    })
}

/// The other owners a store saw at its last take-over, and when it last
/// looked at every unfinished record.
pub(crate) type Seen = Option<(std::collections::BTreeSet<String>, i64)>;

/// Whether a take-over looks at every unfinished record now: when an owner
/// seen last time is gone (dead, or ended cleanly), the first time, and once
/// a minute. `None`: not now (the time of the last look is kept).
pub(crate) fn sweep_due(
    previous: &Seen,
    alive: &std::collections::BTreeSet<String>,
    now_ms: i64,
) -> Option<i64> {
    match previous {
        Some((seen, at)) if seen.is_subset(alive) && now_ms - at < 60_000 => Some(*at),
        _ => None,
    }
}

/// When the look just made counts as made: a full page means more is left
/// to take, so the next take-over looks again.
pub(crate) fn swept_at(taken: usize, limit: usize, now_ms: i64) -> i64 {
    if taken == limit { i64::MIN / 2 } else { now_ms }
}

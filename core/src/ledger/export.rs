//! Records as CSV and JSON (the same columns in every binding and the
//! CLI), and the keys and Message-IDs of rows sent in bulk.

use super::{Record, State, Store};
use crate::error::{Error, ErrorKind, Result};
use crate::smtpapi::json_string;
use sha2::{Digest, Sha256};

/// The columns of an export, in order.
pub const COLUMNS: &[&str] = &[
    "key",
    "state",
    "message_id",
    "attempts",
    "sender",
    "recipients",
    "queue_id",
    "accepted",
    "refused",
    "error_kind",
    "error",
    "submitted_ms",
    "updated_ms",
];

impl Record {
    /// The values of [`COLUMNS`], as text (lists joined with a space;
    /// refusals as `recipient code text` joined with ` | `).
    pub fn columns(&self) -> Vec<String> {
        let refused: Vec<String> = self
            .refused
            .iter()
            .map(|r| format!("{} {} {}", r.recipient, r.code, r.text.replace('\n', " ")))
            .collect();
        vec![
            self.key.clone(),
            self.state.as_str().to_string(),
            self.message_id.clone().unwrap_or_default(),
            self.attempts.to_string(),
            self.sender.clone(),
            self.recipients.join(" "),
            self.queue_id.clone().unwrap_or_default(),
            self.accepted.join(" "),
            refused.join(" | "),
            self.error_kind
                .map(|k| k.as_str())
                .unwrap_or_default()
                .to_string(),
            self.error.clone().unwrap_or_default(),
            self.submitted_ms.to_string(),
            self.updated_ms.to_string(),
        ]
    }

    /// One CSV line (RFC 4180: a field with a comma, quote, CR or LF is
    /// quoted, quotes doubled), ending with CRLF.
    pub fn to_csv_line(&self) -> String {
        csv_line(&self.columns())
    }

    /// One JSON object: the export's columns, numbers as numbers, lists as
    /// arrays, absent values as `null`.
    pub fn to_json(&self) -> String {
        let opt = |v: &Option<String>| v.as_deref().map_or("null".to_string(), json_string);
        let list = |v: &[String]| {
            let items: Vec<String> = v.iter().map(|s| json_string(s)).collect();
            format!("[{}]", items.join(","))
        };
        let refused: Vec<String> = self
            .refused
            .iter()
            .map(|r| {
                format!(
                    "{{\"recipient\":{},\"code\":{},\"text\":{}}}",
                    json_string(&r.recipient),
                    r.code,
                    json_string(&r.text)
                )
            })
            .collect();
        format!(
            "{{\"key\":{},\"state\":{},\"message_id\":{},\"attempts\":{},\"sender\":{},\
             \"recipients\":{},\"queue_id\":{},\"accepted\":{},\"refused\":[{}],\
             \"error_kind\":{},\"error\":{},\"submitted_ms\":{},\"updated_ms\":{}}}",
            json_string(&self.key),
            json_string(self.state.as_str()),
            opt(&self.message_id),
            self.attempts,
            json_string(&self.sender),
            list(&self.recipients),
            opt(&self.queue_id),
            list(&self.accepted),
            refused.join(","),
            self.error_kind
                .map_or("null".to_string(), |k| json_string(k.as_str())),
            opt(&self.error),
            self.submitted_ms,
            self.updated_ms,
        )
    }
}

/// The CSV header line of an export.
pub fn csv_header() -> String {
    let names: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
    csv_line(&names)
}

fn csv_line(fields: &[String]) -> String {
    let mut out = String::new();
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if field.contains([',', '"', '\r', '\n']) {
            out.push('"');
            out.push_str(&field.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(field);
        }
    }
    out.push_str("\r\n");
    out
}

/// The two formats of an export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// CSV (RFC 4180) with a header line.
    Csv,
    /// JSON lines: one object per record.
    Json,
}

impl Format {
    /// Every format's name.
    pub const NAMES: &'static [&'static str] = &["csv", "json"];

    /// The format of a name (`csv` or `json`): an `InvalidOption` error
    /// otherwise.
    pub fn from_name(name: &str) -> Result<Format> {
        match name {
            "csv" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            other => Err(Error::new(
                ErrorKind::InvalidOption,
                format!("an export format is csv or json, not {other:?}"),
            )),
        }
    }
}

/// Calls `f` with every record (of one `state`, or all), a page at a
/// time, in submission order; stops at `f`'s first error.
pub fn each(
    store: &mut dyn Store,
    state: Option<State>,
    mut f: impl FnMut(&Record) -> Result<()>,
) -> Result<u64> {
    let (mut after, mut n) = (0, 0u64);
    loop {
        let page = store.list(state, after, 1000)?;
        let Some((last, _)) = page.last() else {
            return Ok(n);
        };
        after = *last;
        for (_, record) in &page {
            f(record)?;
            n += 1;
        }
    }
}

/// Writes every record (of one `state`, or all) to `out` in `format`;
/// returns how many. A write error is an `Io` error.
pub fn export(
    store: &mut dyn Store,
    state: Option<State>,
    format: Format,
    out: &mut dyn std::io::Write,
) -> Result<u64> {
    let io = |e: std::io::Error| Error::new(ErrorKind::Io, format!("cannot write the export: {e}"));
    if format == Format::Csv {
        out.write_all(csv_header().as_bytes()).map_err(io)?;
    }
    let n = each(store, state, |r| {
        let line = match format {
            Format::Csv => r.to_csv_line(),
            Format::Json => format!("{}\n", r.to_json()),
        };
        out.write_all(line.as_bytes()).map_err(io)
    })?;
    out.flush().map_err(io)?;
    Ok(n)
}

/// The time before which [`Store::prune`] deletes, for records older than
/// `older_than_seconds` at `now_ms`: an `InvalidOption` error for a
/// negative or non-finite age.
pub fn prune_cutoff(older_than_seconds: f64, now_ms: i64) -> Result<i64> {
    if !older_than_seconds.is_finite() || older_than_seconds < 0.0 {
        return Err(Error::new(
            ErrorKind::InvalidOption,
            format!("a pruning age is 0 or more seconds, not {older_than_seconds}"),
        ));
    }
    let age = (older_than_seconds * 1000.0).min(i64::MAX as f64) as i64;
    Ok(now_ms.saturating_sub(age))
}

/// The key of a row sent in bulk (a CSV row): `row-` and the SHA-256 of
/// its column names and values (32 hex digits). The same row gives the
/// same key in every run, wherever it sits in the file; two identical rows
/// are one message.
pub fn row_key(fields: &[(&str, &str)]) -> String {
    let mut hash = Sha256::new();
    for (name, value) in fields {
        for part in [name, value] {
            hash.update((part.len() as u64).to_be_bytes());
            hash.update(part.as_bytes());
        }
    }
    format!("row-{}", hex(&hash.finalize()[..16]))
}

/// The Message-ID of the message sent under `key` from `from` (an
/// address): the SHA-256 of the key (32 hex digits) at the sender's domain,
/// so that a message resent under the same key (at-least-once) carries the
/// same Message-ID and the receiver can tell the copies apart.
pub fn message_id_for_key(key: &str, from: &str) -> Result<String> {
    let mailbox = crate::Mailbox::parse(from)?;
    let digest = Sha256::digest(key.as_bytes());
    Ok(format!("{}@{}", hex(&digest[..16]), mailbox.domain()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::{Refusal, State};

    #[test]
    fn row_keys_are_stable_and_tell_rows_apart() {
        let a = row_key(&[("email", "a@x.test"), ("name", "Ann")]);
        assert_eq!(a, row_key(&[("email", "a@x.test"), ("name", "Ann")]));
        assert!(a.starts_with("row-") && a.len() == 36, "{a}");
        assert_ne!(a, row_key(&[("email", "a@x.test"), ("name", "Anne")]));
        // Lengths are part of the hash: no two splits of one text collide.
        assert_ne!(row_key(&[("ab", "c")]), row_key(&[("a", "bc")]));
        let id = message_id_for_key(&a, "Support <support@ifaxin.com>").unwrap();
        assert!(id.ends_with("@ifaxin.com"), "{id}");
        assert_eq!(id, message_id_for_key(&a, "support@ifaxin.com").unwrap());
        assert!(message_id_for_key(&a, "not an address").is_err());
    }

    #[test]
    fn exports_quote_what_needs_quoting() {
        let r = Record {
            key: "k,1".into(),
            message_id: Some("m@x".into()),
            state: State::Failed,
            attempts: 2,
            sender: "a@x".into(),
            recipients: vec!["b@x".into(), "c@x".into()],
            queue_id: None,
            accepted: Vec::new(),
            refused: vec![Refusal {
                recipient: "c@x".into(),
                code: 550,
                text: "no \"such\"\nuser".into(),
            }],
            error_kind: Some(crate::ErrorKind::SmtpPermanent),
            error: Some("refused".into()),
            submitted_ms: 1,
            updated_ms: 2,
        };
        assert_eq!(csv_header().split(',').count(), COLUMNS.len());
        assert_eq!(
            r.to_csv_line(),
            "\"k,1\",failed,m@x,2,a@x,b@x c@x,,,\"c@x 550 no \"\"such\"\" user\",SmtpPermanent,refused,1,2\r\n"
        );
        let json = r.to_json();
        assert!(
            json.contains(
                r#""refused":[{"recipient":"c@x","code":550,"text":"no \"such\"\nuser"}]"#
            ),
            "{json}"
        );
        assert!(json.contains(r#""queue_id":null"#));
    }
}

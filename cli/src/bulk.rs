//! `mailwright bulk`: one message per CSV row through the pool and throttle.

use crate::args::{BulkArgs, io};
use indicatif::{ProgressBar, ProgressStyle};
use mailwright::delivery::blocking::{Keyed, Mailer};
use mailwright::delivery::{DeliveryConfig, Outcome, Prepared, Rate};
use mailwright::ledger::{self, Claim, Durability, State};
use mailwright::{Error, ErrorKind};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// `MESSAGES/SECONDS` or `sendcloud`.
fn rate(spec: &str) -> Result<Rate, Error> {
    if !spec.contains('/') {
        return Rate::from_name(&spec.to_ascii_lowercase());
    }
    let bad = || {
        Error::new(
            ErrorKind::InvalidOption,
            format!("--rate wants MESSAGES/SECONDS, not {spec:?}"),
        )
    };
    let (n, secs) = spec.split_once('/').ok_or_else(bad)?;
    let messages: u32 = n.trim().parse().map_err(|_| bad())?;
    let per = mailwright::smtp::settings::timeout_from_secs(
        secs.trim()
            .trim_end_matches('s')
            .parse()
            .map_err(|_| bad())?,
    )?;
    Rate::new(messages, per)
}

/// Replaces `{column}` with the row's value; an unknown column is an error.
fn substitute(template: &str, row: &HashMap<String, String>) -> Result<String, Error> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close)
                if after[..close]
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
                    && close > 0 =>
            {
                let name = &after[..close];
                let value = row.get(name).ok_or_else(|| {
                    Error::new(
                        ErrorKind::InvalidOption,
                        format!("no column {name:?} in the CSV for {{{name}}}"),
                    )
                })?;
                out.push_str(value);
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// The CSV, read row by row.
fn open_csv(args: &BulkArgs) -> Result<(csv::Reader<std::fs::File>, Vec<String>), Error> {
    let mut reader = csv::Reader::from_path(&args.csv).map_err(|e| {
        Error::new(
            ErrorKind::Io,
            format!("cannot read {}: {e}", args.csv.display()),
        )
    })?;
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| Error::new(ErrorKind::Io, format!("{}: {e}", args.csv.display())))?
        .iter()
        .map(str::to_string)
        .collect();
    for (column, flag) in [
        (Some(&args.to_column), "--to-column"),
        (args.key_column.as_ref(), "--key-column"),
    ] {
        if let Some(column) = column
            && !headers.contains(column)
        {
            return Err(Error::new(
                ErrorKind::InvalidOption,
                format!("the CSV has no {column:?} column ({flag})"),
            ));
        }
    }
    Ok((reader, headers))
}

/// One row's message: its key (the key column's value, or the row's hash),
/// its recipient and the message (its Message-ID derived from the key
/// unless --message-id says otherwise).
struct Row {
    number: usize,
    key: String,
    to: String,
    message: Prepared,
}

fn build_row(
    args: &BulkArgs,
    headers: &[String],
    number: usize,
    record: csv::Result<csv::StringRecord>,
) -> Result<Row, Error> {
    let at = |e: Error| Error::new(e.kind(), format!("row {number}: {}", e.message()));
    let record = record.map_err(|e| Error::new(ErrorKind::Io, format!("row {number}: {e}")))?;
    let fields: Vec<(&str, &str)> = headers
        .iter()
        .map(String::as_str)
        .zip(record.iter())
        .collect();
    let row: HashMap<String, String> = fields
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let key = match &args.key_column {
        Some(column) => {
            let key = row[column].clone();
            ledger::check_key(&key).map_err(at)?;
            key
        }
        None => ledger::row_key(&fields),
    };
    let to = row[&args.to_column].clone();
    let fill = |s: &str| substitute(s, &row);
    let mut builder = args.message.builder(&fill).map_err(at)?.to(to.as_str());
    if args.message.message_id.is_none() {
        let from = fill(&args.message.from).map_err(at)?;
        builder = builder.message_id(ledger::message_id_for_key(&key, &from).map_err(at)?);
    }
    let message = builder.build().map_err(at)?;
    Ok(Row {
        number,
        key,
        to,
        message: Prepared::message(&message).map_err(at)?,
    })
}

/// Rows are read and submitted this many at a time (one ledger commit).
const BATCH: usize = 256;

pub fn run(args: BulkArgs) -> Result<ExitCode, Error> {
    // Every row is built once first, and dropped: a bad row is reported
    // before anything is sent, and the file is never held in memory.
    let (mut reader, headers) = open_csv(&args)?;
    let mut rows = 0usize;
    for (i, record) in reader.records().enumerate() {
        build_row(&args, &headers, i + 1, record)?;
        rows += 1;
    }
    let deadline = match args.deadline {
        Some(secs) => Some(mailwright::smtp::settings::timeout_from_secs(secs)?),
        None => args.ledger.as_ref().map(|_| Duration::from_secs(24 * 3600)),
    };
    let mut delivery = DeliveryConfig {
        connections: args.connections,
        rate: args.rate.as_deref().map(rate).transpose()?,
        at_least_once: args.at_least_once,
        queue_capacity: rows.clamp(1, 10_000),
        ..DeliveryConfig::default()
    };
    if let Some(deadline) = deadline {
        delivery.retry.deadline = deadline;
    }
    let bar = ProgressBar::new(rows as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} {per_sec} {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    match &args.ledger {
        Some(path) => run_with_ledger(&args, &headers, rows, delivery, path, bar),
        None => run_plain(&args, &headers, rows, delivery, bar),
    }
}

fn show_progress(bar: &ProgressBar, mailer: &Mailer, done: &AtomicUsize, rows: usize) {
    loop {
        let c = mailer.counters();
        bar.set_message(format!(
            "{} delivered, {} failed, {} uncertain, {} retries, {} 536s",
            c.delivered, c.failed, c.uncertain, c.retries, c.rate_limited
        ));
        if done.load(Ordering::SeqCst) >= rows {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn run_plain(
    args: &BulkArgs,
    headers: &[String],
    rows: usize,
    delivery: DeliveryConfig,
    bar: ProgressBar,
) -> Result<ExitCode, Error> {
    let mailer = Mailer::new(args.conn.options()?, delivery)?;
    let started = Instant::now();
    let results: Arc<Mutex<Vec<Option<Outcome>>>> = Arc::new(Mutex::new(vec![None; rows]));
    let done = Arc::new(AtomicUsize::new(0));
    let mut listed = Vec::with_capacity(rows);
    let (mut reader, _) = open_csv(args)?;
    for (index, record) in reader.records().enumerate() {
        let row = build_row(args, headers, index + 1, record)?;
        let sink = results.clone();
        let bar = bar.clone();
        let done = done.clone();
        mailer.submit_with(row.message, move |outcome| {
            bar.inc(1);
            if let Ok(mut all) = sink.lock() {
                all[index] = Some(outcome);
            }
            done.fetch_add(1, Ordering::SeqCst);
        })?;
        listed.push((row.number, row.to));
    }
    show_progress(&bar, &mailer, &done, listed.len());
    let counters = mailer.counters();
    mailer.close();
    bar.finish();
    let elapsed = started.elapsed();
    let results = results.lock().map(|r| r.clone()).unwrap_or_default();
    let report: Vec<Value> = listed
        .iter()
        .zip(results)
        .map(|((row, to), outcome)| outcome_json(*row, to, outcome))
        .collect();
    let summary = json!({
        "messages": listed.len(),
        "delivered": counters.delivered,
        "failed": counters.failed,
        "uncertain": counters.uncertain,
        "retries": counters.retries,
        "rate_limited": counters.rate_limited,
        "seconds": (elapsed.as_secs_f64() * 1000.0).round() / 1000.0,
    });
    println!("{summary}");
    if let Some(path) = &args.report {
        let doc = json!({"summary": summary, "outcomes": report});
        let text = serde_json::to_string_pretty(&doc).unwrap_or_default();
        std::fs::write(path, text + "\n")
            .map_err(|e| io("write", &path.display().to_string(), e))?;
    }
    Ok(if counters.failed + counters.uncertain == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn run_with_ledger(
    args: &BulkArgs,
    headers: &[String],
    rows: usize,
    delivery: DeliveryConfig,
    path: &Path,
    bar: ProgressBar,
) -> Result<ExitCode, Error> {
    let durability = Durability::from_name(&args.durability)?;
    let store = ledger::open_store(&path.to_string_lossy(), durability, false)?;
    let started = Instant::now();
    let mailer = Mailer::with_ledger(args.conn.options()?, delivery, store)?;
    let resumed = mailer.resumed();
    if resumed.queued > 0 || !resumed.uncertain.is_empty() {
        bar.suspend(|| {
            eprintln!(
                "mailwright: resuming {}: {} unsent messages queued again, {} found uncertain (not resent)",
                path.display(),
                resumed.queued,
                resumed.uncertain.len()
            )
        });
    }
    let done = Arc::new(AtomicUsize::new(0));
    let skipped = AtomicUsize::new(0);
    let (mut reader, _) = open_csv(args)?;
    let mut records = reader.records().enumerate();
    let mut submitted = 0usize;
    loop {
        let mut batch = Vec::with_capacity(BATCH);
        for (index, record) in records.by_ref().take(BATCH) {
            let row = build_row(args, headers, index + 1, record)?;
            let bar = bar.clone();
            let done = done.clone();
            batch.push(Keyed {
                key: row.key,
                message: row.message,
                callback: Some(Box::new(move |_| {
                    bar.inc(1);
                    done.fetch_add(1, Ordering::SeqCst);
                })),
            });
        }
        if batch.is_empty() {
            break;
        }
        submitted += batch.len();
        for s in mailer.submit_keyed_batch(batch)? {
            if matches!(s.claim, Claim::Done(_)) {
                skipped.fetch_add(1, Ordering::SeqCst);
            }
        }
    }
    show_progress(&bar, &mailer, &done, submitted);
    let counters = mailer.counters();
    mailer.close();
    bar.finish();
    let elapsed = started.elapsed();
    let summary = mailer.with_store(|s| s.summary())?;
    let report = json!({
        "messages": rows,
        "skipped": skipped.load(Ordering::SeqCst),
        "resumed": resumed.queued,
        "delivered": summary.delivered,
        "failed": summary.failed,
        "uncertain": summary.uncertain,
        "unfinished": summary.pending + summary.data_sent,
        "retries": counters.retries,
        "rate_limited": counters.rate_limited,
        "seconds": (elapsed.as_secs_f64() * 1000.0).round() / 1000.0,
    });
    println!("{report}");
    list_uncertain(&mailer, summary.uncertain)?;
    if let Some(out) = &args.report {
        write_ledger_report(&mailer, &report, out)?;
    }
    let unfinished = summary.failed + summary.uncertain + summary.pending + summary.data_sent;
    Ok(if unfinished == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The uncertain records on standard error (the first 20).
fn list_uncertain(mailer: &Mailer, count: u64) -> Result<(), Error> {
    if count == 0 {
        return Ok(());
    }
    eprintln!(
        "mailwright: {count} uncertain (the relay may hold them; not resent without --at-least-once):"
    );
    let shown = mailer.with_store(|s| s.list(Some(State::Uncertain), 0, 20))?;
    for (_, r) in &shown {
        eprintln!(
            "  {}  <{}>  {}",
            r.key,
            r.message_id.as_deref().unwrap_or(""),
            r.recipients.join(" ")
        );
    }
    if count > shown.len() as u64 {
        eprintln!(
            "  ... and {} more: mailwright ledger list FILE --state uncertain",
            count - shown.len() as u64
        );
    }
    Ok(())
}

/// The report of a ledger run: the summary and every record, streamed
/// from the ledger.
fn write_ledger_report(mailer: &Mailer, summary: &Value, out: &Path) -> Result<(), Error> {
    let fail = |e: std::io::Error| io("write", &out.display().to_string(), e);
    let file = std::fs::File::create(out).map_err(fail)?;
    let mut w = std::io::BufWriter::new(file);
    write!(w, "{{\"summary\": {summary},\n\"records\": [").map_err(fail)?;
    let mut after = 0;
    let mut first = true;
    loop {
        let page = mailer.with_store(|s| s.list(None, after, 1000))?;
        let Some((last, _)) = page.last() else {
            break;
        };
        after = *last;
        for (_, record) in &page {
            let sep = if first { "\n" } else { ",\n" };
            first = false;
            write!(w, "{sep}{}", record.to_json()).map_err(fail)?;
        }
    }
    writeln!(w, "\n]}}").map_err(fail)?;
    w.flush().map_err(fail)
}

fn refused(list: &[(String, mailwright::smtp::Reply)]) -> Value {
    list.iter()
        .map(|(rcpt, reply)| json!({"recipient": rcpt, "code": reply.code(), "text": reply.text()}))
        .collect()
}

fn outcome_json(row: usize, to: &str, outcome: Option<Outcome>) -> Value {
    match outcome {
        Some(Outcome::Delivered {
            queue_id,
            accepted,
            refused: r,
            attempts,
            uncertain_attempts,
            ..
        }) => json!({
            "row": row, "to": to, "outcome": "delivered", "queue_id": queue_id,
            "accepted": accepted, "refused": refused(&r), "attempts": attempts,
            "uncertain_attempts": uncertain_attempts,
        }),
        Some(Outcome::Failed {
            error,
            attempts,
            gave_up,
            refused: r,
            ..
        }) => json!({
            "row": row, "to": to, "outcome": "failed", "error": error.kind().as_str(),
            "category": error.category().as_str(), "message": error.message(),
            "attempts": attempts, "gave_up": gave_up, "refused": refused(&r),
        }),
        Some(Outcome::Uncertain {
            error, attempts, ..
        }) => json!({
            "row": row, "to": to, "outcome": "uncertain", "error": error.kind().as_str(),
            "message": error.message(), "attempts": attempts,
        }),
        None => json!({"row": row, "to": to, "outcome": "unknown"}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_and_rates() {
        let row: HashMap<String, String> = [("name".to_string(), "Ben".to_string())]
            .into_iter()
            .collect();
        assert_eq!(
            substitute("Hi {name}, {x y} {}", &row).unwrap(),
            "Hi Ben, {x y} {}"
        );
        assert_eq!(
            substitute("{missing}", &row).unwrap_err().kind(),
            ErrorKind::InvalidOption
        );
        assert_eq!(rate("sendcloud").unwrap(), Rate::sendcloud());
        assert_eq!(rate("600/60s").unwrap().messages, 600);
        assert!(rate("x").is_err());
        assert!(rate("0/60").is_err());
    }
}

//! `mailwright bulk`: one message per CSV row through the pool and throttle.

use crate::args::{BulkArgs, io};
use indicatif::{ProgressBar, ProgressStyle};
use mailwright::delivery::blocking::Mailer;
use mailwright::delivery::{DeliveryConfig, Outcome, Prepared, Rate};
use mailwright::{Error, ErrorKind};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::process::ExitCode;
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

pub fn run(args: BulkArgs) -> Result<ExitCode, Error> {
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
    if !headers.contains(&args.to_column) {
        return Err(Error::new(
            ErrorKind::InvalidOption,
            format!("the CSV has no {:?} column (--to-column)", args.to_column),
        ));
    }
    // Build every message first: bad rows are reported before anything is sent.
    let mut messages = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record =
            record.map_err(|e| Error::new(ErrorKind::Io, format!("row {}: {e}", i + 1)))?;
        let row: HashMap<String, String> = headers
            .iter()
            .cloned()
            .zip(record.iter().map(str::to_string))
            .collect();
        let built = args
            .message
            .builder(&|s| substitute(s, &row))
            .map(|b| b.to(row[&args.to_column].as_str()))
            .and_then(|b| b.build());
        match built {
            Ok(m) => messages.push((i + 1, row[&args.to_column].clone(), Prepared::message(&m)?)),
            Err(e) => {
                return Err(Error::new(
                    e.kind(),
                    format!("row {}: {}", i + 1, e.message()),
                ));
            }
        }
    }
    let delivery = DeliveryConfig {
        connections: args.connections,
        rate: args.rate.as_deref().map(rate).transpose()?,
        at_least_once: args.at_least_once,
        queue_capacity: messages.len().clamp(1, 100_000),
        ..DeliveryConfig::default()
    };
    let mailer = Mailer::new(args.conn.options()?, delivery)?;
    let bar = ProgressBar::new(messages.len() as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} {per_sec} {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let started = Instant::now();
    let results: Arc<Mutex<Vec<Option<Outcome>>>> =
        Arc::new(Mutex::new(vec![None; messages.len()]));
    let mut rows = Vec::with_capacity(messages.len());
    for (index, (row, to, prepared)) in messages.into_iter().enumerate() {
        let sink = results.clone();
        let bar = bar.clone();
        mailer.submit_with(prepared, move |outcome| {
            bar.inc(1);
            if let Ok(mut all) = sink.lock() {
                all[index] = Some(outcome);
            }
        })?;
        rows.push((row, to));
    }
    loop {
        let done = results
            .lock()
            .map_or(0, |r| r.iter().filter(|o| o.is_some()).count());
        let c = mailer.counters();
        bar.set_message(format!(
            "{} delivered, {} failed, {} uncertain, {} retries, {} 536s",
            c.delivered, c.failed, c.uncertain, c.retries, c.rate_limited
        ));
        if done == rows.len() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let counters = mailer.counters();
    mailer.close();
    bar.finish();
    let elapsed = started.elapsed();
    let results = results.lock().map(|r| r.clone()).unwrap_or_default();
    let report: Vec<Value> = rows
        .iter()
        .zip(results)
        .map(|((row, to), outcome)| outcome_json(*row, to, outcome))
        .collect();
    let summary = json!({
        "messages": rows.len(),
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

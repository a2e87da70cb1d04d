//! `mailwright ledger`: reads a ledger written by `bulk --ledger`.

use crate::args::{LedgerArgs, LedgerCommand};
use mailwright::ledger::{SqliteStore, State, Store, csv_header};
use mailwright::{Error, ErrorKind};
use serde_json::json;
use std::io::Write as _;
use std::process::ExitCode;

fn state(name: Option<&String>) -> Result<Option<State>, Error> {
    name.map(|n| {
        State::from_name(n).ok_or_else(|| {
            let names: Vec<&str> = State::ALL.iter().map(|s| s.as_str()).collect();
            Error::new(
                ErrorKind::InvalidOption,
                format!("--state must be one of {}, not {n:?}", names.join(", ")),
            )
        })
    })
    .transpose()
}

/// Every record (of one state), a page at a time.
fn each(
    store: &mut SqliteStore,
    state: Option<State>,
    mut f: impl FnMut(&mailwright::ledger::Record) -> std::io::Result<()>,
) -> Result<(), Error> {
    let mut after = 0;
    loop {
        let page = store.list(state, after, 1000)?;
        let Some((last, _)) = page.last() else {
            return Ok(());
        };
        after = *last;
        for (_, record) in &page {
            if let Err(e) = f(record) {
                if e.kind() == std::io::ErrorKind::BrokenPipe {
                    return Ok(());
                }
                return Err(Error::new(ErrorKind::Io, format!("cannot write: {e}")));
            }
        }
    }
}

pub fn run(args: LedgerArgs) -> Result<ExitCode, Error> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let io = |e: std::io::Error| Error::new(ErrorKind::Io, format!("cannot write: {e}"));
    match args.command {
        LedgerCommand::Summary { file } => {
            let s = SqliteStore::open_existing(&file)?.summary()?;
            let doc = json!({
                "total": s.total(), "pending": s.pending, "data_sent": s.data_sent,
                "delivered": s.delivered, "failed": s.failed, "uncertain": s.uncertain,
            });
            writeln!(out, "{doc}").map_err(io)?;
        }
        LedgerCommand::List { file, state: name } => {
            let mut store = SqliteStore::open_existing(&file)?;
            each(&mut store, state(name.as_ref())?, |r| {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}",
                    r.key,
                    r.state,
                    r.message_id.as_deref().unwrap_or("-"),
                    r.queue_id.as_deref().unwrap_or("-"),
                    r.error.as_deref().unwrap_or("")
                )
            })?;
        }
        LedgerCommand::Export {
            file,
            format,
            state: name,
        } => {
            let state = state(name.as_ref())?;
            let mut store = SqliteStore::open_existing(&file)?;
            match format.as_str() {
                "csv" => {
                    write!(out, "{}", csv_header()).map_err(io)?;
                    each(&mut store, state, |r| write!(out, "{}", r.to_csv_line()))?;
                }
                "json" => each(&mut store, state, |r| writeln!(out, "{}", r.to_json()))?,
                other => {
                    return Err(Error::new(
                        ErrorKind::InvalidOption,
                        format!("--format must be csv or json, not {other:?}"),
                    ));
                }
            }
        }
        LedgerCommand::Prune {
            file,
            older_than_days,
        } => {
            if !older_than_days.is_finite() || older_than_days < 0.0 {
                return Err(Error::new(
                    ErrorKind::InvalidOption,
                    format!("--older-than-days must be 0 or more, not {older_than_days}"),
                ));
            }
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default()
                .as_millis() as i64;
            let before = now - (older_than_days * 86_400_000.0) as i64;
            let n = SqliteStore::open_existing(&file)?.prune(before)?;
            writeln!(out, "{}", json!({"pruned": n})).map_err(io)?;
        }
    }
    out.flush().map_err(io)?;
    Ok(ExitCode::SUCCESS)
}

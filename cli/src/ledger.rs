//! `mailwright ledger`: reads a ledger written by `bulk --ledger`.

use crate::args::{LedgerArgs, LedgerCommand};
use mailwright::ledger::{self, Format, State};
use mailwright::{Error, ErrorKind};
use serde_json::json;
use std::io::Write as _;
use std::process::ExitCode;

fn state(name: Option<&String>) -> Result<Option<State>, Error> {
    name.map(|n| State::parse(n)).transpose()
}

/// Standard output, where a closed pipe (`| head`) ends the listing quietly.
struct Quiet<W>(W);

impl<W: std::io::Write> std::io::Write for Quiet<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self.0.write(buf) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(buf.len()),
            other => other,
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self.0.flush() {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            other => other,
        }
    }
}

pub fn run(args: LedgerArgs) -> Result<ExitCode, Error> {
    let stdout = std::io::stdout();
    let mut out = Quiet(std::io::BufWriter::new(stdout.lock()));
    let io = |e: std::io::Error| Error::new(ErrorKind::Io, format!("cannot write: {e}"));
    match args.command {
        LedgerCommand::Summary { file } => {
            let s = ledger::open_existing_store(&file.to_string_lossy())?.summary()?;
            let doc = json!({
                "total": s.total(), "pending": s.pending, "data_sent": s.data_sent,
                "delivered": s.delivered, "failed": s.failed, "uncertain": s.uncertain,
            });
            writeln!(out, "{doc}").map_err(io)?;
        }
        LedgerCommand::List { file, state: name } => {
            let mut store = ledger::open_existing_store(&file.to_string_lossy())?;
            ledger::each(store.as_mut(), state(name.as_ref())?, |r| {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}",
                    r.key,
                    r.state,
                    r.message_id.as_deref().unwrap_or("-"),
                    r.queue_id.as_deref().unwrap_or("-"),
                    r.error.as_deref().unwrap_or("")
                )
                .map_err(io)
            })?;
        }
        LedgerCommand::Export {
            file,
            format,
            state: name,
        } => {
            let state = state(name.as_ref())?;
            let format = Format::from_name(&format)?;
            let mut store = ledger::open_existing_store(&file.to_string_lossy())?;
            ledger::export(store.as_mut(), state, format, &mut out)?;
        }
        LedgerCommand::Prune {
            file,
            older_than_days,
        } => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default()
                .as_millis() as i64;
            let before = ledger::prune_cutoff(older_than_days * 86_400.0, now)?;
            let n = ledger::open_existing_store(&file.to_string_lossy())?.prune(before)?;
            writeln!(out, "{}", json!({"pruned": n})).map_err(io)?;
        }
    }
    out.flush().map_err(io)?;
    Ok(ExitCode::SUCCESS)
}

//! `mailwright`: build and send a message from the command line (`send`), or
//! one message per row of a CSV through a pool of connections with one
//! throttle (`bulk`, durable with `--ledger`), and read a ledger (`ledger`). Every rule is the core's; this file parses flags.

mod args;
mod bulk;
mod ledger;
mod send;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    let result = match cli.command {
        args::Command::Send(send) => send::run(send),
        args::Command::Bulk(bulk) => bulk::run(bulk),
        args::Command::Ledger(ledger) => ledger::run(ledger),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("mailwright: {error}");
            ExitCode::from(2)
        }
    }
}

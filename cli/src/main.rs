//! `mailwright`: build and send a message from the command line (`send`), or
//! one message per row of a CSV through a pool of connections with one
//! throttle (`bulk`). Every rule is the core's; this file parses flags.

mod args;
mod bulk;
mod send;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    let result = match cli.command {
        args::Command::Send(send) => send::run(send),
        args::Command::Bulk(bulk) => bulk::run(bulk),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("mailwright: {error}");
            ExitCode::from(2)
        }
    }
}

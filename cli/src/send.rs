//! `mailwright send`: one message, the conversation printed (secrets masked).

use crate::args::{SendArgs, io};
use mailwright::Error;
use mailwright::smtp::SmtpClient;
use std::io::Write as _;
use std::process::ExitCode;

pub fn run(args: SendArgs) -> Result<ExitCode, Error> {
    let message = args.message.builder(&|s| Ok(s.to_string()))?.build()?;
    if let Some(path) = &args.dry_run {
        let bytes = message.to_vec();
        if path.as_os_str() == "-" {
            std::io::stdout().write_all(&bytes).map_err(Error::from)?;
        } else {
            std::fs::write(path, &bytes)
                .map_err(|e| io("write", &path.display().to_string(), e))?;
            println!(
                "wrote {} ({} bytes, {})",
                path.display(),
                bytes.len(),
                message.structure()
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut options = args.conn.options()?;
    options.transcript = true;
    println!(
        "sending to {}:{} ({}), {} bytes, {}",
        options.host,
        options.effective_port(),
        options.tls,
        message.size(),
        message.structure()
    );
    let connected = SmtpClient::connect(options);
    let mut client = match connected {
        Ok(client) => client,
        Err(error) => {
            print_error(&error);
            return Ok(ExitCode::FAILURE);
        }
    };
    let sent = client.send(&message);
    let quit = client.quit();
    for line in client.take_transcript() {
        println!("{line}");
    }
    match sent {
        Ok(report) => {
            for (rcpt, reply) in &report.refused {
                println!("refused   {rcpt}: {}", reply.summary());
            }
            println!(
                "queue id  {}",
                report.queue_id.as_deref().unwrap_or("(none given)")
            );
            if let Err(error) = quit {
                eprintln!("note: QUIT failed: {error}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            print_error(&error);
            Ok(ExitCode::FAILURE)
        }
    }
}

fn print_error(error: &Error) {
    eprintln!(
        "failed    {} ({}, {}): {}",
        error.kind(),
        error.category(),
        if error.is_transient() {
            "transient: try again later"
        } else {
            "permanent"
        },
        error.message()
    );
}

//! Messages per second over one loopback connection (no TLS), with and
//! without PIPELINING. Writes the message to `--eml FILE` so Python's smtplib
//! can send the same bytes (the root's benches/smtp.sh runs both against one server).
//!
//! `cargo run --release -p mailwright --example smtp_bench -- PORT COUNT [--no-pipelining] [--eml FILE]`

#[path = "../benches/workloads.rs"]
mod workloads;

use mailwright::smtp::{ClientOptions, SmtpClient, TlsMode};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let port: u16 = args.get(1).and_then(|p| p.parse().ok()).expect("PORT");
    let count: usize = args.get(2).and_then(|p| p.parse().ok()).expect("COUNT");
    let pipelining = !args.iter().any(|a| a == "--no-pipelining");
    let message = workloads::build_mailwright(&workloads::w1());
    if let Some(i) = args.iter().position(|a| a == "--eml") {
        std::fs::write(&args[i + 1], message.to_vec()).unwrap();
    }
    let mut options = ClientOptions::new("127.0.0.1", port).tls(TlsMode::None);
    options.pipelining = pipelining;
    let mut client = SmtpClient::connect(options).unwrap();
    let started = Instant::now();
    for _ in 0..count {
        client.send(&message).unwrap();
    }
    let elapsed = started.elapsed();
    client.quit().unwrap();
    println!(
        "mailwright ({}): {count} messages in {:.3} s = {:.0} msg/s",
        if pipelining {
            "PIPELINING"
        } else {
            "no pipelining"
        },
        elapsed.as_secs_f64(),
        count as f64 / elapsed.as_secs_f64()
    );
}

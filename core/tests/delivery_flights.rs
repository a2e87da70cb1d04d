//! The drivers send a pipelined flight in one write: MAIL, every RCPT and
//! DATA reach the server together (a message costs two round trips, not
//! one per command).
#![cfg(feature = "net")]

use mailwright::delivery::blocking::Mailer;
use mailwright::delivery::{DeliveryConfig, Outcome, Prepared};
use mailwright::smtp::{ClientOptions, TlsMode};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

/// A server that answers each complete line at once and records every read.
fn recording_server() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let reads: Arc<Mutex<Vec<String>>> = Arc::default();
    let log = reads.clone();
    std::thread::spawn(move || {
        let Ok((mut tcp, _)) = listener.accept() else {
            return;
        };
        tcp.write_all(b"220 rec ESMTP\r\n").unwrap();
        let mut pending = Vec::new();
        let mut in_data = false;
        let mut buf = [0u8; 65536];
        loop {
            let n = match tcp.read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            log.lock()
                .unwrap()
                .push(String::from_utf8_lossy(&buf[..n]).into_owned());
            pending.extend_from_slice(&buf[..n]);
            let mut out = Vec::new();
            loop {
                if in_data {
                    let Some(end) = pending.windows(5).position(|w| w == b"\r\n.\r\n") else {
                        break;
                    };
                    pending.drain(..end + 5);
                    in_data = false;
                    out.extend_from_slice(b"250 queued\r\n");
                    continue;
                }
                let Some(end) = pending.windows(2).position(|w| w == b"\r\n") else {
                    break;
                };
                let line: Vec<u8> = pending.drain(..end + 2).collect();
                let reply: &[u8] = match &line[..4.min(line.len())] {
                    b"EHLO" => b"250-rec\r\n250 PIPELINING\r\n",
                    b"DATA" => {
                        in_data = true;
                        b"354 go\r\n"
                    }
                    b"QUIT" => b"221 bye\r\n",
                    _ => b"250 ok\r\n",
                };
                out.extend_from_slice(reply);
            }
            if !out.is_empty() {
                tcp.write_all(&out).unwrap();
            }
        }
    });
    (port, reads)
}

#[test]
fn mail_rcpt_and_data_go_in_one_write() {
    let (port, reads) = recording_server();
    let options = ClientOptions::new("127.0.0.1", port).tls(TlsMode::None);
    let mailer = Mailer::new(
        options,
        DeliveryConfig {
            connections: 1,
            ..DeliveryConfig::default()
        },
    )
    .unwrap();
    let raw = b"From: a@example.com\r\nTo: b@example.com\r\n\r\nhi\r\n";
    let prepared =
        Prepared::raw(raw, "a@example.com", &["b@example.com", "c@example.com"]).unwrap();
    assert!(matches!(
        mailer.send(prepared).unwrap(),
        Outcome::Delivered { .. }
    ));
    mailer.close();
    let reads = reads.lock().unwrap();
    assert!(
        reads
            .iter()
            .any(|r| r.starts_with("MAIL FROM:<a@example.com>")
                && r.contains("RCPT TO:<b@example.com>\r\nRCPT TO:<c@example.com>\r\nDATA\r\n")),
        "{reads:?}"
    );
}

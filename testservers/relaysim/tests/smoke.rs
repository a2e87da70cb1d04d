//! A quick check of the relay simulator: the round trip per reply flight,
//! the shared quota with its 536, and the event log.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Reads until `finals` final reply lines (`ddd ` form) have come; returns their codes.
fn replies(reader: &mut BufReader<TcpStream>, finals: usize) -> Vec<u16> {
    let mut codes = Vec::new();
    let mut line = String::new();
    while codes.len() < finals {
        line.clear();
        assert!(
            reader.read_line(&mut line).unwrap() > 0,
            "the simulator hung up"
        );
        if line.as_bytes().get(3) == Some(&b' ') {
            codes.push(line[..3].parse().unwrap());
        }
    }
    codes
}

#[test]
fn round_trips_quota_and_log() {
    let dir = tempdir();
    let log = dir.join("events.log");
    let mut child = Command::new(env!("CARGO_BIN_EXE_mailwright-relaysim"))
        .args([
            "--rtt-ms",
            "40",
            "--quota",
            "2",
            "--window-s",
            "60",
            "--log",
        ])
        .arg(&log)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut port = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut port)
        .unwrap();
    let port: u16 = port.trim().parse().unwrap();

    let started = Instant::now();
    let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut out = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    assert_eq!(replies(&mut reader, 1), [220]);
    let rtt = Duration::from_millis(40);
    assert!(
        started.elapsed() >= rtt,
        "the greeting waits one round trip"
    );

    out.write_all(b"EHLO bench\r\n").unwrap();
    let mut ehlo = String::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        ehlo.push_str(&line);
        if line.as_bytes().get(3) == Some(&b' ') {
            break;
        }
    }
    for ext in ["PIPELINING", "8BITMIME", "SIZE"] {
        assert!(ehlo.contains(ext), "{ehlo}");
    }
    let flight = b"MAIL FROM:<a@b.c>\r\nRCPT TO:<d@e.f>\r\nRCPT TO:<g@e.f>\r\nDATA\r\n";
    for i in 0..2 {
        let sent = Instant::now();
        out.write_all(flight).unwrap();
        assert_eq!(replies(&mut reader, 4), [250, 250, 250, 354]);
        let took = sent.elapsed();
        assert!(
            took >= rtt && took < rtt * 3,
            "one flight, one round trip: {took:?}"
        );
        // The second carries a Message-ID (the log records it); a header
        // line in the body is not one.
        let data: &[u8] = if i == 0 {
            b"Subject: x\r\n\r\nMessage-ID: <body@x>\r\n..dot\r\n.\r\n"
        } else {
            b"Subject: y\r\nmessage-id:  <m2@x>\r\n\r\n..dot\r\n.\r\n"
        };
        out.write_all(data).unwrap();
        assert_eq!(replies(&mut reader, 1), [250]);
    }
    // The quota (2 a minute, shared) is spent: MAIL gets 536, the rest 503.
    out.write_all(flight).unwrap();
    assert_eq!(replies(&mut reader, 4), [536, 503, 503, 503]);
    // Another connection shares the same quota.
    let mut second = TcpStream::connect(("127.0.0.1", port)).unwrap();
    second
        .write_all(b"EHLO x\r\nMAIL FROM:<a@b.c>\r\nQUIT\r\n")
        .unwrap();
    let mut text = String::new();
    second.read_to_string(&mut text).unwrap();
    assert!(text.contains("\r\n536 Frequency limited\r\n221"), "{text}");
    out.write_all(b"QUIT\r\n").unwrap();
    assert_eq!(replies(&mut reader, 1), [221]);

    drop(child.stdin.take());
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    let summary = String::from_utf8_lossy(&output.stderr);
    assert!(
        summary.contains("2 accepted, 2 refused with 536, 2 connections"),
        "{summary}"
    );
    let text = std::fs::read_to_string(&log).unwrap();
    let events: Vec<char> = text.lines().map(|l| l.chars().next().unwrap()).collect();
    assert_eq!(events, ['C', 'D', 'D', 'R', 'C', 'R']);
    let ids: Vec<Option<&str>> = text
        .lines()
        .filter(|l| l.starts_with('D'))
        .map(|l| l.split(' ').nth(2))
        .collect();
    assert_eq!(ids, [None, Some("<m2@x>")]);
    std::fs::remove_dir_all(&dir).ok();
}

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("relaysim-smoke-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

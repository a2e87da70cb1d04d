//! mailwright's contender in the delivery benchmarks (docs/BENCHMARKS.md,
//! B1 to B3; `make -C benches bench-delivery` runs them all against
//! `testservers/relaysim`).
//!
//! ```text
//! delivery_bench PORT COUNT CONNECTIONS [--sendcloud | --rate N --window S [--burst B]]
//!                [--build-each] [--deadline-s S] [--eml FILE] [--label NAME]
//!                [--ledger FILE [--durability full|process]]
//! delivery_bench memory COUNT
//! delivery_bench eml FILE
//! ```
//!
//! The first form sends COUNT W1 messages (core/benches/workloads.rs, two
//! recipients) to 127.0.0.1:PORT through `delivery::blocking::Mailer` with
//! CONNECTIONS connections and, if asked, a shared rate (`--sendcloud` is
//! `Rate::sendcloud()`, 20,000 a minute). The message is prepared once and
//! its bytes shared by every submission, as the peers send one file's bytes;
//! `--build-each` builds and prepares a new message (own Message-ID and
//! boundary) for every submission instead. It prints one JSON line: elapsed
//! seconds (first submission to last outcome), delivered, failed, uncertain,
//! the 536 replies seen, retries, and the process's CPU seconds. With
//! `--deadline-s` it stops there and reports what it had. `--eml FILE` writes
//! the message for the peers. `--ledger FILE` records every message in a
//! ledger (`ledger::SqliteStore`, 256 submissions a commit, each under its
//! own key), marks each end of data before its final dot and records each
//! outcome (issue 23's B1 and B3 with a ledger).
//!
//! `memory COUNT` queues COUNT W1 messages, each built and prepared on its
//! own, in a `Dispatcher` that is never driven (no connection opens), and
//! prints the resident memory before and after next to the bytes the
//! messages hold. `eml FILE` only writes the W1 message the peers send.

#[path = "../benches/workloads.rs"]
mod workloads;

use mailwright::delivery::blocking::{Keyed, Mailer};
use mailwright::delivery::{DeliveryConfig, Dispatcher, Outcome, Prepared, Rate};
use mailwright::ledger::{Durability, SqliteStore};
use mailwright::smtp::{ClientOptions, TlsMode};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

fn usage() -> ! {
    eprintln!(
        "usage: delivery_bench PORT COUNT CONNECTIONS [--sendcloud | --rate N --window S [--burst B]] \
         [--build-each] [--pipeline-after-data] [--deadline-s S] [--eml FILE] [--label NAME]\n       delivery_bench memory COUNT\n       delivery_bench eml FILE"
    );
    std::process::exit(2);
}

fn arg<T: std::str::FromStr>(args: &[String], name: &str) -> Option<T> {
    let i = args.iter().position(|a| a == name)?;
    Some(
        args.get(i + 1)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| usage()),
    )
}

/// CPU seconds (user + system) of this process so far.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name (which ends with the last ')').
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the line (11 and 12 here), in
    // clock ticks of 1/100 s on Linux.
    (ticks(11) + ticks(12)) / 100.0
}

/// Resident memory of this process, in bytes.
fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kib| kib * 1024)
}

fn w1() -> mailwright::Message {
    workloads::build_mailwright(&workloads::w1())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("memory") {
        let count = args
            .get(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or_else(|| usage());
        return memory(count);
    }
    if args.first().map(String::as_str) == Some("eml") {
        let path = args.get(1).unwrap_or_else(|| usage());
        std::fs::write(path, w1().to_vec()).expect("writing the .eml");
        return;
    }
    let (Some(port), Some(count), Some(connections)) = (
        args.first().and_then(|v| v.parse::<u16>().ok()),
        args.get(1).and_then(|v| v.parse::<u64>().ok()),
        args.get(2).and_then(|v| v.parse::<usize>().ok()),
    ) else {
        usage()
    };
    let rate = if args.iter().any(|a| a == "--sendcloud") {
        Some(Rate::sendcloud())
    } else {
        arg::<u32>(&args, "--rate").map(|messages| Rate {
            messages,
            per: Duration::from_secs_f64(arg(&args, "--window").unwrap_or(60.0)),
            burst: arg(&args, "--burst").unwrap_or((messages / 40).max(1)),
        })
    };
    let build_each = args.iter().any(|a| a == "--build-each");
    let deadline = arg::<f64>(&args, "--deadline-s").map(Duration::from_secs_f64);
    let label: String = arg(&args, "--label").unwrap_or_else(|| "mailwright".into());

    let message = w1();
    if let Some(path) = arg::<String>(&args, "--eml") {
        std::fs::write(&path, message.to_vec()).expect("writing the .eml");
    }
    let prepared = Prepared::message(&message).expect("W1 prepares");

    let mut options = ClientOptions::new("127.0.0.1", port).tls(TlsMode::None);
    // RFC 2920 pipelining behind the data (the relay simulator takes it;
    // Haraka, which SendCloud runs, does not).
    options.pipeline_after_data = args.iter().any(|a| a == "--pipeline-after-data");
    let delivery = DeliveryConfig {
        connections,
        rate,
        ..DeliveryConfig::default()
    };
    let ledger = arg::<String>(&args, "--ledger");
    let mailer = Arc::new(match &ledger {
        Some(path) => {
            let durability = Durability::from_name(
                &arg::<String>(&args, "--durability").unwrap_or_else(|| "full".into()),
            )
            .expect("a durability");
            let store = SqliteStore::open_with(path, durability).expect("a ledger");
            Mailer::with_ledger(options, delivery, Box::new(store)).expect("a mailer")
        }
        None => Mailer::new(options, delivery).expect("a mailer"),
    });

    // Outcomes are counted as they come; the last one stops the clock.
    let done = Arc::new((Mutex::new(None::<Duration>), Condvar::new()));
    let finished = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    {
        let done = done.clone();
        let finished = finished.clone();
        mailer.on_outcome(move |_: &Outcome| {
            if finished.fetch_add(1, Ordering::AcqRel) + 1 == count {
                *done.0.lock().unwrap() = Some(started.elapsed());
                done.1.notify_all();
            }
        });
    }
    let cpu_before = cpu_seconds();
    {
        let mailer = mailer.clone();
        let keyed = ledger.is_some();
        std::thread::spawn(move || {
            let mut batch = Vec::new();
            for i in 0..count {
                let next = if build_each {
                    Prepared::message(&w1()).expect("W1 prepares")
                } else {
                    prepared.clone()
                };
                if keyed {
                    // Recorded 256 at a time (one commit), as the CLI does.
                    batch.push(Keyed {
                        key: format!("m{i}"),
                        message: next,
                        callback: None,
                    });
                    if (batch.len() == 256 || i + 1 == count)
                        && mailer
                            .submit_keyed_batch(std::mem::take(&mut batch))
                            .is_err()
                    {
                        return;
                    }
                } else if mailer.submit_with(next, |_| {}).is_err() {
                    return;
                }
            }
        });
    }
    let elapsed = {
        let mut at = done.0.lock().unwrap();
        loop {
            if let Some(elapsed) = *at {
                break elapsed;
            }
            let waited = started.elapsed();
            if deadline.is_some_and(|d| waited >= d) {
                break waited;
            }
            let wait = deadline.map_or(Duration::from_secs(1), |d| d - waited);
            at = done.1.wait_timeout(at, wait).unwrap().0;
        }
    };
    let cpu = cpu_seconds() - cpu_before;
    let c = mailer.counters();
    let stopped = (c.delivered + c.failed + c.uncertain) < count;
    println!(
        "{{\"contender\":\"{label}\",\"connections\":{connections},\"count\":{count},\
         \"elapsed_s\":{:.3},\"delivered\":{},\"failed\":{},\"uncertain\":{},\
         \"rate_limited_seen\":{},\"retries\":{},\"cpu_s\":{cpu:.2},\"stopped_at_deadline\":{stopped}}}",
        elapsed.as_secs_f64(),
        c.delivered,
        c.failed,
        c.uncertain,
        c.rate_limited,
        c.retries,
    );
    if stopped {
        // What is still queued or in flight is abandoned with the process.
        std::process::exit(0);
    }
    mailer.close();
}

/// Memory of COUNT queued W1 messages, each its own bytes.
fn memory(count: usize) {
    let config = DeliveryConfig {
        session: mailwright::smtp::SessionConfig {
            tls: TlsMode::None,
            ..Default::default()
        },
        queue_capacity: count + 1,
        ..DeliveryConfig::default()
    };
    let mut dispatcher = Dispatcher::new(config).expect("a dispatcher");
    // Warm up the allocator and the message code once, outside the measure.
    let size = w1().size();
    let before = rss_bytes();
    let mut held = 0usize;
    for _ in 0..count {
        let prepared = Prepared::message(&w1()).expect("W1 prepares");
        held += prepared.held_bytes();
        if dispatcher.submit(prepared).is_err() {
            panic!("the queue refused a message");
        }
    }
    let after = rss_bytes();
    let counters = dispatcher.counters();
    assert_eq!(counters.queued, count);
    let grown = after.saturating_sub(before);
    let per_message = (grown as f64 - held as f64) / count as f64;
    println!(
        "{{\"queued\":{count},\"message_size\":{size},\"held_bytes\":{held},\
         \"rss_before\":{before},\"rss_after\":{after},\"rss_growth\":{grown},\
         \"overhead_per_message\":{per_message:.0}}}"
    );
}

//! The dispatcher against a hostile simulated relay, on a virtual clock:
//! 100,000 messages while the relay drops connections at every stage,
//! answers 421, 451, 452, 536 and 554, and enforces a quota.
//!
//! A random seed per run (printed on failure); `MAILWRIGHT_SIM_SEED=<n>`
//! replays one, `MAILWRIGHT_SIM_MESSAGES=<n>` changes the count.

use mailwright::delivery::{Action, DeliveryConfig, Dispatcher, Outcome, Prepared, Rate};
use mailwright::smtp::{ConnectionLoss, SessionConfig, TlsMode};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::time::Duration;

/// A small, seedable random source (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// True with probability `p`.
    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
}

const HALF_RTT: Duration = Duration::from_millis(25);

#[derive(Debug)]
enum Ev {
    Wake,
    Opened(u64),
    ClientRecv(u64, Vec<u8>),
    ClientLost(u64, ConnectionLoss),
    ServerRecv(u64, Vec<u8>),
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Stage {
    Command,
    Data,
    Gone,
}

struct ServerConn {
    buffer: Vec<u8>,
    stage: Stage,
    rcpts: Vec<String>,
    mail_ok: bool,
    data: Vec<u8>,
}

/// The relay: an SMTP server with a quota and bad habits.
struct Relay {
    rng: Rng,
    quota: Rate,
    /// When each MAIL was received (for the quota and the final check).
    mails: VecDeque<Duration>,
    all_mails: Vec<Duration>,
    conns: HashMap<u64, ServerConn>,
    /// Stored messages, by recipient (one unique recipient per message).
    stored: HashMap<String, u32>,
    /// RCPT commands seen per recipient (attempts as the relay counts them).
    rcpt_seen: HashMap<String, u32>,
    /// Messages this relay always refuses (554 at the end of data).
    poison: fn(&str) -> bool,
    quota_536: u64,
    /// Permanent refusals (5xx) sent per recipient.
    refused_5xx: HashMap<String, u32>,
}

impl Relay {
    fn over_quota(&mut self, now: Duration) -> bool {
        while self
            .mails
            .front()
            .is_some_and(|&t| t + self.quota.per <= now)
        {
            self.mails.pop_front();
        }
        self.mails.len() >= self.quota.messages as usize
    }

    /// Handles bytes from the client; returns replies to send, and whether
    /// the relay drops the connection after them.
    fn receive(&mut self, now: Duration, id: u64, bytes: &[u8]) -> (Vec<u8>, bool) {
        let mut out = Vec::new();
        let Some(mut conn) = self.conns.remove(&id) else {
            return (out, false);
        };
        conn.buffer.extend_from_slice(bytes);
        let mut drop_now = false;
        loop {
            if conn.stage == Stage::Gone {
                break;
            }
            if conn.stage == Stage::Data {
                let Some(end) = find(&conn.buffer, b"\r\n.\r\n") else {
                    break;
                };
                conn.data = conn.buffer.drain(..end + 5).collect();
                conn.stage = Stage::Command;
                // A drop after the end of the data: stored or not, the
                // client cannot know (its outcome must be Uncertain).
                if self.rng.chance(0.002) {
                    if self.rng.chance(0.5) {
                        self.store(&conn.rcpts);
                    }
                    drop_now = true;
                    break;
                }
                let reply: &[u8] = if conn.rcpts.iter().any(|r| (self.poison)(r)) {
                    for r in &conn.rcpts {
                        *self.refused_5xx.entry(r.clone()).or_default() += 1;
                    }
                    b"554 5.7.1 refused as spam\r\n"
                } else if self.rng.chance(0.002) {
                    b"451 4.3.0 try again later\r\n"
                } else {
                    self.store(&conn.rcpts);
                    b"250 2.0.0 Ok: queued as X\r\n"
                };
                out.extend_from_slice(reply);
                conn.rcpts.clear();
                conn.mail_ok = false;
                continue;
            }
            let Some(end) = find(&conn.buffer, b"\r\n") else {
                break;
            };
            let line: Vec<u8> = conn.buffer.drain(..end + 2).collect();
            let line = String::from_utf8_lossy(&line[..end]).to_string();
            // Drops and 421 at any command.
            if self.rng.chance(0.001) {
                drop_now = true;
                break;
            }
            if self.rng.chance(0.0005) {
                out.extend_from_slice(b"421 4.3.2 shutting down\r\n");
                drop_now = true;
                break;
            }
            let upper = line.to_ascii_uppercase();
            if upper.starts_with("EHLO") {
                out.extend_from_slice(b"250-relay.sim\r\n250-PIPELINING\r\n250 SIZE 10000000\r\n");
            } else if upper.starts_with("MAIL") {
                self.all_mails.push(now);
                if self.over_quota(now) {
                    self.quota_536 += 1;
                    out.extend_from_slice(b"536 Frequency limited\r\n");
                    conn.mail_ok = false;
                } else if self.rng.chance(0.0005) {
                    // A 536 the quota did not cause (the relay's own view).
                    self.mails.push_back(now);
                    out.extend_from_slice(b"536 Frequency limited\r\n");
                    conn.mail_ok = false;
                } else if self.rng.chance(0.003) {
                    self.mails.push_back(now);
                    out.extend_from_slice(b"451 4.3.0 busy\r\n");
                    conn.mail_ok = false;
                } else {
                    self.mails.push_back(now);
                    out.extend_from_slice(b"250 ok\r\n");
                    conn.mail_ok = true;
                }
            } else if upper.starts_with("RCPT") {
                let rcpt = line[9..].trim_end_matches('>').to_string();
                *self.rcpt_seen.entry(rcpt.clone()).or_default() += 1;
                if !conn.mail_ok {
                    out.extend_from_slice(b"503 5.5.1 need MAIL\r\n");
                } else if (self.poison)(&rcpt) && rcpt.ends_with("7@example.com") {
                    *self.refused_5xx.entry(rcpt.clone()).or_default() += 1;
                    out.extend_from_slice(b"550 5.1.1 no such user\r\n");
                } else if self.rng.chance(0.003) {
                    out.extend_from_slice(b"452 4.2.2 mailbox full\r\n");
                } else {
                    conn.rcpts.push(rcpt);
                    out.extend_from_slice(b"250 ok\r\n");
                }
            } else if upper == "DATA" {
                if conn.mail_ok && !conn.rcpts.is_empty() {
                    out.extend_from_slice(b"354 go ahead\r\n");
                    conn.stage = Stage::Data;
                } else {
                    out.extend_from_slice(b"554 5.5.1 no valid recipients\r\n");
                }
            } else if upper == "RSET" {
                conn.rcpts.clear();
                conn.mail_ok = false;
                out.extend_from_slice(b"250 reset\r\n");
            } else if upper == "QUIT" {
                out.extend_from_slice(b"221 bye\r\n");
                conn.stage = Stage::Gone;
                drop_now = true;
            } else if upper == "." {
                // The empty message sent after DATA was accepted although
                // every recipient was refused (never happens here).
                out.extend_from_slice(b"554 no\r\n");
            } else {
                out.extend_from_slice(b"500 what\r\n");
            }
        }
        if drop_now {
            conn.stage = Stage::Gone;
        }
        self.conns.insert(id, conn);
        (out, drop_now)
    }

    fn store(&mut self, rcpts: &[String]) {
        for r in rcpts {
            *self.stored.entry(r.clone()).or_default() += 1;
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn poison(rcpt: &str) -> bool {
    // About one message in a hundred is refused for good.
    rcpt.strip_prefix("user")
        .and_then(|r| r.split('@').next())
        .and_then(|n| n.parse::<u64>().ok())
        .is_some_and(|n| n % 97 == 13 || n % 97 == 17)
}

struct Sim {
    now: Duration,
    seq: u64,
    events: BinaryHeap<Reverse<(Duration, u64, usize)>>,
    payloads: HashMap<usize, Ev>,
    next_payload: usize,
    next_wake: Option<Duration>,
}

impl Sim {
    fn at(&mut self, t: Duration, ev: Ev) {
        let key = self.next_payload;
        self.next_payload += 1;
        self.payloads.insert(key, ev);
        self.seq += 1;
        self.events.push(Reverse((t, self.seq, key)));
    }
}

fn run(seed: u64, total: u64) {
    let quota = Rate {
        messages: 2_000,
        per: Duration::from_secs(10),
        burst: 200,
    };
    let mut config = DeliveryConfig {
        session: SessionConfig {
            tls: TlsMode::None,
            ..SessionConfig::default()
        },
        connections: 12,
        messages_per_connection: Some(500),
        queue_capacity: 2_000,
        rate: Some(quota),
        seed: Some(seed),
        ..DeliveryConfig::default()
    };
    config.retry.max_attempts = 6;
    config.retry.initial_backoff = Duration::from_millis(500);
    config.retry.max_backoff = Duration::from_secs(20);
    config.retry.deadline = Duration::from_secs(300);
    let deadline_slack = config.session.message_timeout + config.session.reply_timeout;
    let retry_deadline = config.retry.deadline;
    let max_attempts = config.retry.max_attempts;
    let mut d = Dispatcher::new(config).unwrap();
    let mut relay = Relay {
        rng: Rng(seed ^ 0x9e37_79b9_7f4a_7c15),
        quota,
        mails: VecDeque::new(),
        all_mails: Vec::new(),
        conns: HashMap::new(),
        stored: HashMap::new(),
        rcpt_seen: HashMap::new(),
        poison,
        quota_536: 0,
        refused_5xx: HashMap::new(),
    };
    let mut net = Rng(seed.rotate_left(17) | 1);
    let mut sim = Sim {
        now: Duration::ZERO,
        seq: 0,
        events: BinaryHeap::new(),
        payloads: HashMap::new(),
        next_payload: 0,
        next_wake: None,
    };
    let mut submitted_at: HashMap<u64, (Duration, String)> = HashMap::new();
    let mut outcomes: HashMap<u64, (Outcome, Duration)> = HashMap::new();
    let mut next_message = 0u64;
    let mut open: HashMap<u64, bool> = HashMap::new();
    let (mut last_time, mut same_time) = (Duration::MAX, 0u64);

    loop {
        // Keep the queue fed, as a producer would.
        while next_message < total && d.has_room() {
            let rcpt = format!("user{next_message}@example.com");
            let raw = format!(
                "From: sender@example.com\r\nTo: {rcpt}\r\nMessage-ID: <m{next_message}@sim>\r\nSubject: {next_message}\r\n\r\n.body {next_message}\r\n"
            );
            let prepared = Prepared::raw(raw.as_bytes(), "sender@example.com", &[&rcpt]).unwrap();
            let ticket = d.submit(prepared).map_err(|e| e.error).unwrap();
            submitted_at.insert(ticket, (sim.now, rcpt));
            next_message += 1;
            if next_message == total {
                // Close after sending: everything submitted still goes.
                d.drain();
                let late =
                    Prepared::raw(b"Subject: late\r\n\r\n.\r\n", "a@b.c", &["c@d.e"]).unwrap();
                let refused = d.submit(late).unwrap_err();
                assert_eq!(refused.error.kind(), mailwright::ErrorKind::InvalidState);
                assert!(!d.has_room());
            }
        }
        // Execute the dispatcher's actions.
        while let Some(action) = d.poll_action() {
            match action {
                Action::Open(k) => {
                    open.insert(k, true);
                    if net.chance(0.002) {
                        sim.at(
                            sim.now + HALF_RTT,
                            Ev::ClientLost(k, ConnectionLoss::Connect),
                        );
                    } else {
                        sim.at(sim.now + HALF_RTT * 2, Ev::Opened(k));
                    }
                }
                Action::Send(k) => {
                    let bytes = d.pending_output(k).to_vec();
                    d.consume_output(k, bytes.len());
                    if !bytes.is_empty() {
                        sim.at(sim.now + HALF_RTT, Ev::ServerRecv(k, bytes));
                    }
                }
                Action::StartTls(_) => panic!("no TLS in the simulation"),
                Action::Close(k) => {
                    open.insert(k, false);
                    relay.conns.remove(&k);
                }
            }
        }
        while let Some(outcome) = d.poll_outcome() {
            let ticket = outcome.ticket();
            assert!(
                outcomes.insert(ticket, (outcome, sim.now)).is_none(),
                "seed {seed}: two outcomes for ticket {ticket}"
            );
        }
        if outcomes.len() as u64 == total && d.is_finished() {
            break;
        }
        if let Some(t) = d.poll_timeout()
            && sim.next_wake.is_none_or(|w| t < w)
        {
            sim.next_wake = Some(t);
            sim.at(t.max(sim.now), Ev::Wake);
        }
        let Some(Reverse((t, _, key))) = sim.events.pop() else {
            panic!(
                "seed {seed}: nothing left to happen with {} outcomes of {total}: {:?}",
                outcomes.len(),
                d.counters()
            );
        };
        sim.now = t;
        assert!(
            sim.now < Duration::from_secs(20_000),
            "seed {seed}: the run does not end"
        );
        if t == last_time {
            same_time += 1;
            assert!(same_time < 100_000, "seed {seed}: a busy loop at {t:?}");
        } else {
            last_time = t;
            same_time = 0;
        }
        let ev = sim.payloads.remove(&key).unwrap();
        match ev {
            Ev::Wake => {
                if sim.next_wake.is_some_and(|w| w <= sim.now) {
                    sim.next_wake = None;
                }
                d.advance(sim.now);
            }
            Ev::Opened(k) => {
                if open.get(&k) != Some(&true) {
                    continue;
                }
                d.advance(sim.now);
                d.connection_opened(k);
                relay.conns.insert(
                    k,
                    ServerConn {
                        buffer: Vec::new(),
                        stage: Stage::Command,
                        rcpts: Vec::new(),
                        mail_ok: false,
                        data: Vec::new(),
                    },
                );
                if relay.rng.chance(0.001) {
                    sim.at(
                        sim.now + HALF_RTT,
                        Ev::ClientLost(k, ConnectionLoss::Closed),
                    );
                    relay.conns.remove(&k);
                } else {
                    sim.at(
                        sim.now + HALF_RTT,
                        Ev::ClientRecv(k, b"220 relay.sim ESMTP\r\n".to_vec()),
                    );
                }
            }
            Ev::ServerRecv(k, bytes) => {
                let (reply, drop) = relay.receive(sim.now, k, &bytes);
                if !reply.is_empty() {
                    sim.at(sim.now + HALF_RTT, Ev::ClientRecv(k, reply));
                }
                if drop {
                    relay.conns.remove(&k);
                    sim.at(
                        sim.now + HALF_RTT,
                        Ev::ClientLost(k, ConnectionLoss::Closed),
                    );
                }
            }
            Ev::ClientRecv(k, bytes) => {
                if open.get(&k) == Some(&true) {
                    d.advance(sim.now);
                    d.receive(k, &bytes);
                }
            }
            Ev::ClientLost(k, cause) => {
                if open.get(&k) == Some(&true) {
                    d.advance(sim.now);
                    d.connection_lost(k, cause, "simulated");
                }
            }
        }
    }

    // Every message has exactly one outcome (checked on insert), and:
    let (mut delivered, mut failed, mut uncertain, mut permanent) = (0, 0, 0, 0);
    for (ticket, (outcome, at)) in &outcomes {
        let (submitted, rcpt) = &submitted_at[ticket];
        let stored = relay.stored.get(rcpt).copied().unwrap_or(0);
        let seen = relay.rcpt_seen.get(rcpt).copied().unwrap_or(0);
        let refused = relay.refused_5xx.get(rcpt).copied().unwrap_or(0);
        // 5xx is never retried: at most one permanent refusal per message.
        assert!(
            refused <= 1,
            "seed {seed}: {rcpt} refused {refused} times (5xx retried)"
        );
        // Deadlines kept.
        assert!(
            *at <= *submitted + retry_deadline + deadline_slack,
            "seed {seed}: ticket {ticket} ended at {at:?}, submitted {submitted:?}"
        );
        match outcome {
            Outcome::Delivered {
                attempts, accepted, ..
            } => {
                delivered += 1;
                assert_eq!(
                    stored, 1,
                    "seed {seed}: delivered {rcpt} stored {stored} times"
                );
                assert_eq!(accepted, std::slice::from_ref(rcpt));
                assert!(*attempts >= 1 && *attempts <= max_attempts);
            }
            Outcome::Uncertain { .. } => {
                uncertain += 1;
                assert!(
                    stored <= 1,
                    "seed {seed}: uncertain {rcpt} stored {stored} times"
                );
            }
            Outcome::Failed {
                attempts,
                gave_up,
                error,
                ..
            } => {
                failed += 1;
                assert_eq!(stored, 0, "seed {seed}: failed {rcpt} was stored ({error})");
                if poison(rcpt) && !gave_up {
                    permanent += 1;
                    // The 5xx ended it: the last attempt was the refused one.
                    // (Every attempt that reaches RCPT gets the 5xx, so one
                    // after it would have been refused again.)
                    assert_eq!(refused, 1, "seed {seed}: {rcpt}: {error}");
                    assert!(*attempts >= seen, "seed {seed}: {rcpt}");
                    assert!(!error.is_transient(), "seed {seed}: {error}");
                }
            }
        }
    }
    // Duplicates at the relay only ever come from Uncertain outcomes.
    for (rcpt, &count) in &relay.stored {
        assert!(count <= 1, "seed {seed}: {rcpt} stored {count} times");
    }
    // The configured rate is never exceeded in any window (at the relay).
    let mails = &relay.all_mails;
    let mut start = 0;
    for end in 0..mails.len() {
        while mails[start] + quota.per <= mails[end] {
            start += 1;
        }
        assert!(
            end - start < quota.messages as usize,
            "seed {seed}: {} MAIL commands within {:?} at {:?}",
            end - start + 1,
            quota.per,
            mails[end]
        );
    }
    assert_eq!(relay.quota_536, 0, "seed {seed}: the relay's quota was hit");
    let c = d.counters();
    assert!(
        c.rate_limited > 0,
        "seed {seed}: the random 536s were never seen"
    );
    assert!(c.retries > 0);
    assert!(
        delivered as f64 > total as f64 * 0.9,
        "seed {seed}: only {delivered} of {total} delivered ({failed} failed, {uncertain} uncertain)"
    );
    assert!(
        permanent > 0,
        "seed {seed}: no permanent refusal was exercised"
    );
    eprintln!(
        "seed {seed}: {total} messages in {:.0} s virtual: {delivered} delivered, {failed} failed \
         ({permanent} permanent), {uncertain} uncertain, {} retries, {} 536s",
        sim.now.as_secs_f64(),
        c.retries,
        c.rate_limited
    );
}

#[test]
fn a_hostile_relay_with_a_quota() {
    let seed = std::env::var("MAILWRIGHT_SIM_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        });
    let total = std::env::var("MAILWRIGHT_SIM_MESSAGES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    eprintln!("delivery simulation seed {seed} (MAILWRIGHT_SIM_SEED={seed} replays it)");
    run(seed, total);
}

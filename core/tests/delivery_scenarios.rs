//! The shared delivery scenarios (`testdata/delivery/scenarios.json`)
//! through the blocking Mailer against the misbehaving server: each
//! misbehaviour ends in the outcome the rules say (retried and given up,
//! failed at once, delivered with refusals, or uncertain), and nothing is
//! reported delivered that was not. Every binding runs the same file.
#![cfg(feature = "net")]

mod servers;

use mailwright::delivery::blocking::Mailer;
use mailwright::delivery::{Counters, DeliveryConfig, Outcome, Prepared};
use mailwright::smtp::settings::timeout_from_millis;
use mailwright::smtp::{ClientOptions, TlsMode};
use mailwright::{ErrorKind, Message};
use serde_json::{Map, Value};
use servers::{BadServer, repo};

fn scenarios() -> Value {
    let path = repo().join("testdata/delivery/scenarios.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn millis(options: &Map<String, Value>, name: &str) -> Option<std::time::Duration> {
    options
        .get(name)
        .map(|v| timeout_from_millis(v.as_f64().unwrap()).unwrap())
}

fn mailer(port: u16, options: &Map<String, Value>) -> Mailer {
    let tls = TlsMode::from_name(options["tls"].as_str().unwrap()).unwrap();
    let mut client = ClientOptions::new("127.0.0.1", port).tls(tls);
    if let Some(t) = millis(options, "timeout_ms") {
        client = client.timeout(t);
    }
    let mut delivery = DeliveryConfig::default();
    if let Some(n) = options.get("connections") {
        delivery.connections = n.as_u64().unwrap() as usize;
    }
    if let Some(n) = options.get("max_attempts") {
        delivery.retry.max_attempts = n.as_u64().unwrap() as u32;
    }
    let retry = &mut delivery.retry;
    for (name, field) in [
        ("initial_backoff_ms", &mut retry.initial_backoff),
        ("max_backoff_ms", &mut retry.max_backoff),
        ("deadline_ms", &mut retry.deadline),
    ] {
        if let Some(t) = millis(options, name) {
            *field = t;
        }
    }
    if let Some(t) = millis(options, "rate_limited_pause_ms") {
        delivery.rate_limited_pause = t;
    }
    Mailer::new(client, delivery).unwrap()
}

fn message(spec: &Value) -> Prepared {
    let strings = |name: &str| -> Vec<&str> {
        spec[name]
            .as_array()
            .map(|a| a.iter().map(|v| v.as_str().unwrap()).collect())
            .unwrap_or_default()
    };
    let mut b = Message::builder()
        .from(spec["from"].as_str().unwrap())
        .subject(spec["subject"].as_str().unwrap())
        .text(spec["text"].as_str().unwrap());
    for to in strings("to") {
        b = b.to(to);
    }
    for cc in strings("cc") {
        b = b.cc(cc);
    }
    let m = b.build().unwrap();
    Prepared::message(&m).unwrap()
}

/// Checks every member of `expect` against one outcome; returns the
/// mismatches.
fn check(expect: &Map<String, Value>, o: &Outcome) -> Vec<String> {
    let mut wrong = Vec::new();
    let mut same = |name: &str, got: Value| {
        if let Some(want) = expect.get(name)
            && *want != got
        {
            wrong.push(format!("{name}: expected {want}, got {got}"));
        }
    };
    same("outcome", o.kind().into());
    let (error, attempts, gave_up, queue_id, accepted, refused) = match o {
        Outcome::Delivered {
            queue_id,
            accepted,
            refused,
            attempts,
            ..
        } => (
            None,
            *attempts,
            None,
            queue_id.clone(),
            accepted.clone(),
            refused,
        ),
        Outcome::Failed {
            error,
            attempts,
            gave_up,
            refused,
            ..
        } => (
            Some(error.kind()),
            *attempts,
            Some(*gave_up),
            None,
            Vec::new(),
            refused,
        ),
        Outcome::Uncertain {
            error, attempts, ..
        } => (
            Some(error.kind()),
            *attempts,
            None,
            None,
            Vec::new(),
            &Vec::new(),
        ),
    };
    same("error", error.map(ErrorKind::as_str).into());
    same("attempts", attempts.into());
    same("gave_up", gave_up.into());
    same("queue_id", queue_id.into());
    same("accepted", accepted.into());
    let refused: Vec<&str> = refused.iter().map(|(a, _)| a.as_str()).collect();
    same("refused", refused.into());
    wrong
}

fn check_counters(expect: &Map<String, Value>, c: &Counters) -> Vec<String> {
    let Some(want) = expect.get("counters").and_then(Value::as_object) else {
        return Vec::new();
    };
    let mut wrong = Vec::new();
    for (name, want) in want {
        let want = want.as_u64().unwrap();
        let (got, at_least) = match name.as_str() {
            "delivered" => (c.delivered, false),
            "failed" => (c.failed, false),
            "uncertain" => (c.uncertain, false),
            "retries" => (c.retries, false),
            "rate_limited_at_least" => (c.rate_limited, true),
            other => panic!("unknown counter {other}"),
        };
        if (at_least && got < want) || (!at_least && got != want) {
            wrong.push(format!("counters.{name}: expected {want}, got {got}"));
        }
    }
    wrong
}

#[test]
fn every_scenario_ends_in_its_outcome() {
    let all = scenarios();
    let defaults = all["mailer"].as_object().unwrap();
    let cases = all["cases"].as_array().unwrap();
    assert!(cases.len() >= 15, "the scenario set is incomplete");
    let mut ran = 0;
    let mut failures = Vec::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let mut options = defaults.clone();
        if let Some(over) = case.get("mailer").and_then(Value::as_object) {
            options.extend(over.clone());
        }
        let server = BadServer::start(case["server"].as_str().unwrap());
        let mailer = mailer(server.port, &options);
        let count = case["messages"].as_u64().unwrap();
        let tickets: Vec<_> = (0..count)
            .map(|_| mailer.submit(message(&all["message"])).unwrap())
            .collect();
        let expect = case["expect"].as_object().unwrap();
        for ticket in tickets {
            let outcome = mailer.wait(ticket);
            for wrong in check(expect, &outcome) {
                failures.push(format!("{name}: {wrong} ({outcome:?})"));
            }
        }
        for wrong in check_counters(expect, &mailer.counters()) {
            failures.push(format!("{name}: {wrong}"));
        }
        mailer.close();
        ran += 1;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(ran, cases.len());
}

#[test]
fn close_sends_everything_submitted_and_abort_stops_at_once() {
    let all = scenarios();
    let mut options = all["mailer"].as_object().unwrap().clone();
    options.insert("connections".into(), 1.into());
    let server = BadServer::start("ok");
    // close(): every message submitted before it is sent.
    let m = mailer(server.port, &options);
    let tickets: Vec<_> = (0..30)
        .map(|_| m.submit(message(&all["message"])).unwrap())
        .collect();
    m.close();
    let late = m.submit(message(&all["message"])).unwrap_err();
    assert_eq!(late.kind(), ErrorKind::InvalidState);
    for t in tickets {
        assert!(
            matches!(m.wait(t), Outcome::Delivered { .. }),
            "close sends"
        );
    }
    assert_eq!(m.counters().delivered, 30);
    // abort(): what is not on the connection yet is not sent.
    let m = mailer(server.port, &options);
    let tickets: Vec<_> = (0..30)
        .map(|_| m.submit(message(&all["message"])).unwrap())
        .collect();
    m.abort();
    let (mut delivered, mut not_sent) = (0, 0);
    for t in tickets {
        match m.wait(t) {
            Outcome::Delivered { .. } => delivered += 1,
            Outcome::Failed {
                error, attempts: 0, ..
            } if error.kind() == ErrorKind::InvalidState => not_sent += 1,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(delivered + not_sent, 30);
    assert!(not_sent > 0, "abort sent everything");
    m.close(); // after abort: only waits
    // Two closes at once: each returns only when everything is done.
    let m = std::sync::Arc::new(mailer(server.port, &options));
    for _ in 0..10 {
        m.submit(message(&all["message"])).unwrap();
    }
    let other = {
        let m = m.clone();
        std::thread::spawn(move || {
            m.close();
            m.counters()
        })
    };
    m.close();
    let c = m.counters();
    assert_eq!(
        (c.delivered, c.connections, c.in_flight),
        (10, 0, 0),
        "{c:?}"
    );
    let c = other.join().unwrap();
    assert_eq!(
        (c.delivered, c.connections, c.in_flight),
        (10, 0, 0),
        "{c:?}"
    );
}

//! The blocking Mailer against a real Haraka on 127.0.0.1: 4 connections,
//! STARTTLS, AUTH with a label, 5,000 messages, each stored exactly once;
//! and Haraka stopped and started again mid-run: nothing lost, every
//! message accounted for.
#![cfg(feature = "net")]

mod servers;

use mailwright::delivery::blocking::Mailer;
use mailwright::delivery::{DeliveryConfig, Outcome, Prepared, Ticket};
use mailwright::smtp::ClientOptions;
use mailwright::{Credentials, Message};
use servers::Haraka;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn message(run: &str, n: usize) -> Prepared {
    let m = Message::builder()
        .from("Support <support@ifaxin.com>")
        .to(format!("user{n}@ifaxin.com"))
        .subject(format!("{run} {n}"))
        .text(format!("message {n}\n.a line with a leading dot"))
        .message_id(format!("{run}.{n}@ifaxin.com"))
        .build()
        .unwrap();
    Prepared::message(&m).unwrap()
}

fn options(h: &Haraka) -> ClientOptions {
    ClientOptions::new("127.0.0.1", h.port)
        .credentials(
            Credentials::new("api_user", "api_key")
                .unwrap()
                .with_label("12345")
                .unwrap(),
        )
        .ca_file(&h.ca_file)
        .unwrap()
        .timeout(Duration::from_secs(20))
}

#[test]
fn five_thousand_messages_over_four_connections_each_stored_once() {
    let haraka = Haraka::start("LOGIN");
    let delivery = DeliveryConfig {
        connections: 4,
        ..DeliveryConfig::default()
    };
    let mailer = Mailer::new(options(&haraka), delivery).unwrap();
    let outcomes = mailer.send_many((0..5000).map(|n| message("bulk", n)));
    let counters = mailer.counters();
    mailer.close();
    let mut delivered = 0;
    for outcome in outcomes {
        match outcome.unwrap() {
            Outcome::Delivered { queue_id, .. } => {
                assert!(queue_id.is_some());
                delivered += 1;
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(delivered, 5000);
    let mut ids = haraka.stored_message_ids();
    assert_eq!(ids.len(), 5000, "stored messages");
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 5000, "distinct Message-IDs");
    assert!(counters.connections <= 4);
}

#[test]
fn haraka_stopped_and_started_mid_run_loses_nothing() {
    let first = Haraka::start("LOGIN");
    let port = first.port;
    let mut delivery = DeliveryConfig {
        connections: 4,
        ..DeliveryConfig::default()
    };
    delivery.retry.max_attempts = 30;
    delivery.retry.initial_backoff = Duration::from_millis(200);
    delivery.retry.max_backoff = Duration::from_secs(2);
    delivery.retry.deadline = Duration::from_secs(120);
    let mailer = Mailer::new(options(&first), delivery).unwrap();
    let done = Arc::new(AtomicUsize::new(0));
    let seen = done.clone();
    mailer.on_outcome(move |_| {
        seen.fetch_add(1, Ordering::SeqCst);
    });
    let total = 1500;
    let outcomes: Arc<Mutex<HashMap<Ticket, Outcome>>> = Arc::default();
    let mut tickets = Vec::new();
    let mut haraka = Some(first);
    for n in 0..total {
        let sink = outcomes.clone();
        tickets.push(
            mailer
                .submit_with(message("restart", n), move |o| {
                    sink.lock().unwrap().insert(o.ticket(), o);
                })
                .unwrap(),
        );
        if n == 400 {
            // Let some go through, then take the relay away and bring it back.
            while done.load(Ordering::SeqCst) < 200 {
                std::thread::sleep(Duration::from_millis(20));
            }
            let dir = haraka.take().unwrap().stop();
            std::thread::sleep(Duration::from_millis(500));
            haraka = Some(Haraka::start_in(dir, port, "LOGIN"));
        }
    }
    while done.load(Ordering::SeqCst) < total {
        std::thread::sleep(Duration::from_millis(50));
    }
    mailer.close();
    let haraka = haraka.unwrap();
    let outcomes = outcomes.lock().unwrap();
    assert_eq!(outcomes.len(), total, "every message has an outcome");
    let stored = haraka.stored_message_ids();
    let mut count: HashMap<&str, usize> = HashMap::new();
    for id in &stored {
        *count.entry(id.trim_matches(['<', '>'])).or_default() += 1;
    }
    let (mut delivered, mut uncertain) = (0, 0);
    for (n, ticket) in tickets.iter().enumerate() {
        let id = format!("restart.{n}@ifaxin.com");
        let times = count.get(id.as_str()).copied().unwrap_or(0);
        match &outcomes[ticket] {
            Outcome::Delivered { .. } => {
                delivered += 1;
                assert_eq!(times, 1, "{id} delivered, stored {times} times");
            }
            Outcome::Uncertain { .. } => {
                uncertain += 1;
                assert!(times <= 1, "{id} uncertain, stored {times} times");
            }
            Outcome::Failed { error, .. } => {
                panic!("{id} failed ({error}): the relay came back in time")
            }
        }
    }
    assert_eq!(delivered + uncertain, total);
    eprintln!(
        "restart: {delivered} delivered, {uncertain} uncertain, {} stored",
        stored.len()
    );
}

//! The async driver against a real Haraka on 127.0.0.1: STARTTLS, AUTH with
//! a label, 1,000 concurrent sends over 4 connections, each stored once; and
//! a relay that refuses the credentials fails every message at once.
#![cfg(feature = "tokio")]

mod servers;

use mailwright::delivery::tokio::Mailer;
use mailwright::delivery::{DeliveryConfig, Outcome, Prepared};
use mailwright::smtp::ClientOptions;
use mailwright::{Credentials, ErrorKind, Message};
use servers::Haraka;
use std::time::Duration;

fn options(h: &Haraka, key: &str) -> ClientOptions {
    ClientOptions::new("127.0.0.1", h.port)
        .credentials(
            Credentials::new("api_user", key)
                .unwrap()
                .with_label("12345")
                .unwrap(),
        )
        .ca_file(&h.ca_file)
        .unwrap()
        .timeout(Duration::from_secs(20))
}

fn message(n: usize) -> Prepared {
    let m = Message::builder()
        .from("support@ifaxin.com")
        .to(format!("user{n}@ifaxin.com"))
        .subject(format!("async {n}"))
        .text("hello")
        .message_id(format!("async.{n}@ifaxin.com"))
        .build()
        .unwrap();
    Prepared::message(&m).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_sends_each_stored_once() {
    let haraka = Haraka::start("LOGIN");
    let delivery = DeliveryConfig {
        connections: 4,
        ..DeliveryConfig::default()
    };
    let mailer = std::sync::Arc::new(Mailer::new(options(&haraka, "api_key"), delivery).unwrap());
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..1000 {
        let mailer = mailer.clone();
        tasks.spawn(async move { mailer.send(message(n)).await });
    }
    let mut delivered = 0;
    while let Some(result) = tasks.join_next().await {
        match result.unwrap().unwrap() {
            Outcome::Delivered { .. } => delivered += 1,
            other => panic!("{other:?}"),
        }
    }
    let counters = mailer.counters().await.unwrap();
    mailer.close().await;
    assert_eq!(delivered, 1000);
    assert_eq!(counters.delivered, 1000);
    let mut ids = haraka.stored_message_ids();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 1000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_credentials_fail_every_message_at_once() {
    let haraka = Haraka::start("LOGIN");
    let mailer = Mailer::new(options(&haraka, "wrong-key"), DeliveryConfig::default()).unwrap();
    let outcome = mailer.send(message(0)).await.unwrap();
    match outcome {
        Outcome::Failed {
            error,
            gave_up,
            attempts,
            ..
        } => {
            assert_eq!(error.kind(), ErrorKind::AuthenticationFailed, "{error}");
            assert!(!gave_up);
            assert_eq!(attempts, 0, "never handed to a connection");
        }
        other => panic!("{other:?}"),
    }
    mailer.close().await;
    assert_eq!(haraka.stored_count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_ledger_each_key_is_sent_once_across_a_restart() {
    use mailwright::ledger::{SqliteStore, State, Store};
    let haraka = Haraka::start("LOGIN");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.db");
    let delivery = || DeliveryConfig {
        connections: 3,
        ..DeliveryConfig::default()
    };
    let store = SqliteStore::open(&path).unwrap();
    let mailer = std::sync::Arc::new(
        Mailer::with_ledger(options(&haraka, "api_key"), delivery(), Box::new(store)).unwrap(),
    );
    assert_eq!(mailer.resumed().queued, 0);
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..200 {
        let mailer = mailer.clone();
        tasks.spawn(async move { mailer.send_keyed(&format!("row-{n}"), message(n)).await });
    }
    // The same key again while it is on its way, and a message keyed by its Message-ID.
    let again = mailer.send_keyed("row-0", message(0)).await.unwrap();
    let by_id = mailer.send(message(500)).await.unwrap();
    while let Some(result) = tasks.join_next().await {
        let outcome = result.unwrap().unwrap();
        assert!(matches!(outcome, Outcome::Delivered { .. }), "{outcome:?}");
        assert!(outcome.key().is_some_and(|k| k.starts_with("row-")));
    }
    assert!(matches!(again, Outcome::Delivered { .. }));
    assert_eq!(again.key(), Some("row-0"));
    assert_eq!(by_id.key(), Some("async.500@ifaxin.com"));
    assert_eq!(mailer.counters().await.unwrap().delivered, 201);
    mailer.close().await;
    drop(mailer);
    // A new process: recorded, answered from the ledger, nothing sent.
    let store = SqliteStore::open(&path).unwrap();
    let mailer =
        Mailer::with_ledger(options(&haraka, "api_key"), delivery(), Box::new(store)).unwrap();
    let recorded = mailer.send_keyed("row-7", message(7)).await.unwrap();
    assert!(matches!(
        recorded,
        Outcome::Delivered {
            queue_id: Some(_),
            ..
        }
    ));
    assert_eq!(mailer.counters().await.unwrap().delivered, 0);
    mailer.close().await;
    let mut ids = haraka.stored_message_ids();
    let all = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!((all, ids.len()), (201, 201), "each key stored once");
    let record = SqliteStore::open(&path)
        .unwrap()
        .get("row-7")
        .unwrap()
        .unwrap();
    assert_eq!(record.state, State::Delivered);
    // Without a ledger a key is refused.
    let plain = Mailer::new(options(&haraka, "api_key"), DeliveryConfig::default()).unwrap();
    let refused = plain.send_keyed("k", message(1)).await.unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::InvalidState);
    plain.close().await;
}

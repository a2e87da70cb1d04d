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

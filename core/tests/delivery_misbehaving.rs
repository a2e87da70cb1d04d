//! The blocking Mailer against the misbehaving server: each misbehaviour
//! ends in the outcome the rules say (retried and given up, failed at once,
//! delivered with refusals, or uncertain), and nothing is reported delivered
//! that was not.
#![cfg(feature = "net")]

mod servers;

use mailwright::delivery::blocking::Mailer;
use mailwright::delivery::{DeliveryConfig, Outcome, Prepared};
use mailwright::smtp::{ClientOptions, TlsMode};
use mailwright::{ErrorKind, Message};
use servers::BadServer;
use std::time::Duration;

fn message() -> Prepared {
    let m = Message::builder()
        .from("support@ifaxin.com")
        .to("ben@ifaxin.com")
        .cc("joe@ifaxin.com")
        .text("hello")
        .build()
        .unwrap();
    Prepared::message(&m).unwrap()
}

fn outcome(scenario: &str, deadline: Duration) -> (Outcome, mailwright::delivery::Counters) {
    let server = BadServer::start(scenario);
    let options = ClientOptions::new("127.0.0.1", server.port)
        .tls(TlsMode::None)
        .timeout(Duration::from_secs(2));
    let mut delivery = DeliveryConfig {
        connections: 2,
        rate_limited_pause: Duration::from_millis(100),
        ..DeliveryConfig::default()
    };
    delivery.retry.max_attempts = 3;
    delivery.retry.initial_backoff = Duration::from_millis(50);
    delivery.retry.max_backoff = Duration::from_millis(200);
    delivery.retry.deadline = deadline;
    let mailer = Mailer::new(options, delivery).unwrap();
    let outcome = mailer.send(message()).unwrap();
    let counters = mailer.counters();
    mailer.close();
    (outcome, counters)
}

#[track_caller]
fn failed(o: &Outcome) -> (ErrorKind, u32, bool) {
    match o {
        Outcome::Failed {
            error,
            attempts,
            gave_up,
            ..
        } => (error.kind(), *attempts, *gave_up),
        other => panic!("expected a failure: {other:?}"),
    }
}

#[test]
fn each_misbehaviour_ends_in_its_outcome() {
    let long = Duration::from_secs(20);
    // Transient: retried up to the attempts allowed, then given up.
    for (scenario, kind) in [
        ("transient_rcpt", ErrorKind::SmtpTransient),
        ("transient_final", ErrorKind::SmtpTransient),
        ("rate_limit_mail", ErrorKind::RateLimited),
        ("rate_limit_final", ErrorKind::RateLimited),
    ] {
        let (o, c) = outcome(scenario, long);
        assert_eq!(failed(&o), (kind, 3, true), "{scenario}: {o:?}");
        assert_eq!(c.retries, 2, "{scenario}");
        if kind == ErrorKind::RateLimited {
            assert!(c.rate_limited >= 3, "{scenario}: {c:?}");
        }
    }
    // Permanent: one attempt.
    for scenario in ["permanent_rcpt", "permanent_data"] {
        let (o, c) = outcome(scenario, long);
        assert_eq!(
            failed(&o),
            (ErrorKind::SmtpPermanent, 1, false),
            "{scenario}"
        );
        assert_eq!(c.retries, 0);
    }
    // The session never gets going: every waiting message fails at once.
    for (scenario, kind) in [
        ("refuse_greeting", ErrorKind::SmtpPermanent),
        ("garbage", ErrorKind::Protocol),
        ("early_talker", ErrorKind::Protocol),
    ] {
        let (o, _) = outcome(scenario, long);
        assert_eq!(failed(&o), (kind, 0, false), "{scenario}: {o:?}");
    }
    // No greeting at all: connections time out until the deadline.
    let (o, _) = outcome("no_greeting", Duration::from_secs(3));
    let (kind, attempts, gave_up) = failed(&o);
    assert_eq!(
        (kind, attempts, gave_up),
        (ErrorKind::Timeout, 0, true),
        "{o:?}"
    );
    // The end of the data went out and no answer came (the server stalls,
    // or closes after reading part of what the kernel had already sent):
    // uncertain, never resent.
    for scenario in ["stall_final", "drop_in_data"] {
        let (o, c) = outcome(scenario, long);
        assert!(
            matches!(o, Outcome::Uncertain { attempts: 1, .. }),
            "{scenario}: {o:?}"
        );
        assert_eq!((c.uncertain, c.retries), (1, 0), "{scenario}");
    }
    // Partly accepted: delivered, the refusal listed, never sent again.
    let (o, _) = outcome("partial_rcpt", long);
    match o {
        Outcome::Delivered {
            accepted,
            refused,
            attempts,
            queue_id,
            ..
        } => {
            assert_eq!(accepted, ["ben@ifaxin.com"]);
            assert_eq!(refused[0].0, "joe@ifaxin.com");
            assert_eq!(attempts, 1);
            assert_eq!(queue_id.as_deref(), Some("BAD123"));
        }
        other => panic!("{other:?}"),
    }
    // Control characters in the queue id come back escaped.
    let (o, _) = outcome("control_chars", long);
    assert!(
        matches!(&o, Outcome::Delivered { queue_id: Some(id), .. } if id == "q\\x00id\\x1B[2J"),
        "{o:?}"
    );
}

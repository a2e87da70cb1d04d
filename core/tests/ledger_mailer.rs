//! The blocking Mailer with a ledger, against a real Haraka on 127.0.0.1:
//! each key sent once (in one process and across a restart), what a dead
//! process left taken up (pending sent, data_sent reported uncertain and
//! never resent), and a store that fails: nothing more goes out, nothing
//! is reported delivered that the ledger did not record.
#![cfg(all(feature = "net", feature = "sqlite"))]

mod servers;

use mailwright::delivery::blocking::{Keyed, Mailer};
use mailwright::delivery::{DeliveryConfig, Outcome, Prepared};
use mailwright::ledger::{Change, Claim, SqliteStore, State, Store};
use mailwright::smtp::ClientOptions;
use mailwright::{Credentials, Error, ErrorKind, Message};
use servers::Haraka;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

fn haraka() -> &'static Haraka {
    static H: OnceLock<Haraka> = OnceLock::new();
    H.get_or_init(|| Haraka::start("LOGIN"))
}

fn message(run: &str, n: usize) -> Prepared {
    let m = Message::builder()
        .from("support@ifaxin.com")
        .to(format!("user{n}@ifaxin.com"))
        .subject(format!("{run} {n}"))
        .text(format!("message {n}"))
        .message_id(format!("{run}.{n}@ifaxin.com"))
        .build()
        .unwrap();
    Prepared::message(&m).unwrap()
}

fn options() -> ClientOptions {
    let h = haraka();
    ClientOptions::new("127.0.0.1", h.port)
        .credentials(
            Credentials::new("api_user", "api_key")
                .unwrap()
                .with_label("12345")
                .unwrap(),
        )
        .ca_file(&h.ca_file)
        .unwrap()
}

fn stored(run: &str) -> Vec<String> {
    let prefix = format!("<{run}.");
    let mut ids: Vec<String> = haraka()
        .stored_message_ids()
        .into_iter()
        .filter(|id| id.starts_with(&prefix))
        .collect();
    ids.sort();
    ids
}

fn delivery() -> DeliveryConfig {
    DeliveryConfig {
        connections: 3,
        ..DeliveryConfig::default()
    }
}

#[test]
fn each_key_is_sent_once_in_one_process_and_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.db");
    let run = "once";
    {
        let store = SqliteStore::open(&path).unwrap();
        let mailer = Mailer::with_ledger(options(), delivery(), Box::new(store)).unwrap();
        assert_eq!(mailer.resumed().queued, 0);
        let batch: Vec<Keyed> = (0..30)
            .map(|n| Keyed {
                key: format!("row-{n}"),
                message: message(run, n),
                callback: None,
            })
            .collect();
        let submitted = mailer.submit_keyed_batch(batch).unwrap();
        assert!(submitted.iter().all(|s| s.claim == Claim::New));
        // The same key again while it is on its way: not sent again, its
        // outcome comes for the second ticket too.
        let again = mailer.submit_keyed("row-0", message(run, 0)).unwrap();
        assert!(matches!(again.claim, Claim::Pending(_) | Claim::Done(_)));
        for (n, s) in submitted.iter().enumerate() {
            let o = mailer.wait(s.ticket);
            assert!(matches!(o, Outcome::Delivered { .. }), "{o:?}");
            // Each outcome names its key and its Message-ID.
            assert_eq!(o.key(), Some(format!("row-{n}").as_str()));
            assert_eq!(
                o.message_id(),
                Some(format!("once.{n}@ifaxin.com").as_str())
            );
        }
        let Outcome::Delivered { queue_id, .. } = mailer.wait(again.ticket) else {
            panic!("the second ticket of row-0 did not get its delivery");
        };
        assert!(queue_id.is_some());
        // Plain submit keys by Message-ID.
        let t = mailer.submit(message(run, 100)).unwrap();
        let o = mailer.wait(t);
        assert!(matches!(o, Outcome::Delivered { .. }));
        assert_eq!(o.key(), Some("once.100@ifaxin.com"));
        assert_eq!(o.message_id(), Some("once.100@ifaxin.com"));
        let summary = mailer.with_store(|s| s.summary()).unwrap();
        assert_eq!(summary.delivered, 31);
        assert_eq!(summary.total(), 31);
        let record = mailer.with_store(|s| s.get("row-7")).unwrap().unwrap();
        assert_eq!(record.state, State::Delivered);
        assert!(record.queue_id.is_some());
        assert_eq!(record.message_id.as_deref(), Some("once.7@ifaxin.com"));
        assert_eq!(record.accepted, ["user7@ifaxin.com"]);
        mailer.close();
    }
    assert_eq!(stored(run).len(), 31);
    // A new process: every key is done; nothing is sent, the recorded
    // outcomes come back.
    let store = SqliteStore::open(&path).unwrap();
    let mailer = Mailer::with_ledger(options(), delivery(), Box::new(store)).unwrap();
    let batch: Vec<Keyed> = (0..30)
        .map(|n| Keyed {
            key: format!("row-{n}"),
            message: message(run, n),
            callback: None,
        })
        .collect();
    for (n, s) in mailer
        .submit_keyed_batch(batch)
        .unwrap()
        .into_iter()
        .enumerate()
    {
        assert!(matches!(s.claim, Claim::Done(_)));
        let Outcome::Delivered {
            queue_id,
            attempts,
            key,
            message_id,
            ..
        } = mailer.wait(s.ticket)
        else {
            panic!("not the recorded delivery");
        };
        assert!(queue_id.is_some());
        assert_eq!(attempts, 1);
        assert_eq!(key, Some(format!("row-{n}")));
        assert_eq!(message_id, Some(format!("once.{n}@ifaxin.com")));
    }
    assert!(matches!(
        mailer.send(message(run, 100)).unwrap(),
        Outcome::Delivered { .. }
    ));
    mailer.close();
    assert_eq!(mailer.counters().delivered, 0, "nothing went out again");
    assert_eq!(stored(run).len(), 31);
}

#[test]
fn what_a_dead_process_left_is_taken_up() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.db");
    let run = "resume";
    // The dead process: three submitted, one of them past the end of its
    // data, one delivered.
    let mut store = SqliteStore::open(&path).unwrap();
    let (a, b, c, d) = (
        message(run, 1),
        message(run, 2),
        message(run, 3),
        message(run, 4),
    );
    store
        .submit(&[("a", &a), ("b", &b), ("c", &c), ("d", &d)], 1)
        .unwrap();
    let delivered = store.get("d").unwrap().unwrap().finished(
        &Outcome::Delivered {
            ticket: 1,
            key: Some("d".into()),
            message_id: Some("resume.4@ifaxin.com".into()),
            queue_id: Some("Q".into()),
            accepted: vec!["user4@ifaxin.com".into()],
            refused: Vec::new(),
            attempts: 1,
            uncertain_attempts: 0,
        },
        2,
    );
    store
        .record(&[
            Change::DataSent {
                key: "b".into(),
                attempt: 1,
                at_ms: 2,
            },
            Change::Finished(delivered),
        ])
        .unwrap();
    drop(store);
    let seen = Arc::new(AtomicUsize::new(0));
    let store = SqliteStore::open(&path).unwrap();
    let mailer = Mailer::with_ledger(options(), delivery(), Box::new(store)).unwrap();
    let resumed = mailer.resumed();
    assert_eq!(resumed.uncertain.len(), 1);
    assert_eq!(resumed.uncertain[0].key, "b");
    let counted = seen.clone();
    mailer.on_outcome(move |_| {
        counted.fetch_add(1, Ordering::SeqCst);
    });
    mailer.close();
    let summary = mailer.with_store(|s| s.summary()).unwrap();
    assert_eq!(
        (summary.delivered, summary.uncertain, summary.total()),
        (3, 1, 4)
    );
    let b = mailer.with_store(|s| s.get("b")).unwrap().unwrap();
    assert_eq!(b.state, State::Uncertain);
    assert_eq!(b.error_kind, Some(ErrorKind::ConnectionClosed));
    // a and c went out once; b (uncertain) and d (delivered) did not.
    assert_eq!(
        stored(run),
        ["<resume.1@ifaxin.com>", "<resume.3@ifaxin.com>"]
    );
}

/// A store whose writes fail after `ok` calls of `record`.
struct Failing {
    inner: SqliteStore,
    ok: usize,
}

impl Store for Failing {
    fn submit(
        &mut self,
        entries: &[(&str, &Prepared)],
        now_ms: i64,
    ) -> mailwright::Result<Vec<Claim>> {
        self.inner.submit(entries, now_ms)
    }
    fn record(&mut self, changes: &[Change]) -> mailwright::Result<()> {
        if self.ok == 0 {
            return Err(Error::new(
                ErrorKind::Ledger,
                "the ledger t.db cannot grow: the disk is full",
            ));
        }
        self.ok -= 1;
        self.inner.record(changes)
    }
    fn unfinished(
        &mut self,
        after: i64,
        limit: usize,
    ) -> mailwright::Result<Vec<mailwright::ledger::Unfinished>> {
        self.inner.unfinished(after, limit)
    }
    fn take_over(
        &mut self,
        now_ms: i64,
        limit: usize,
    ) -> mailwright::Result<Vec<mailwright::ledger::Unfinished>> {
        self.inner.take_over(now_ms, limit)
    }
    fn hold(&mut self, now_ms: i64) -> mailwright::Result<()> {
        self.inner.hold(now_ms)
    }
    fn renew(&mut self, now_ms: i64) -> mailwright::Result<()> {
        self.inner.renew(now_ms)
    }
    fn release(&mut self) -> mailwright::Result<()> {
        self.inner.release()
    }
    fn get(&mut self, key: &str) -> mailwright::Result<Option<mailwright::ledger::Record>> {
        self.inner.get(key)
    }
    fn summary(&mut self) -> mailwright::Result<mailwright::ledger::Summary> {
        self.inner.summary()
    }
    fn list(
        &mut self,
        state: Option<State>,
        after: i64,
        limit: usize,
    ) -> mailwright::Result<Vec<(i64, mailwright::ledger::Record)>> {
        self.inner.list(state, after, limit)
    }
    fn prune(&mut self, before_ms: i64) -> mailwright::Result<u64> {
        self.inner.prune(before_ms)
    }
}

#[test]
fn a_store_that_fails_stops_the_mailer_before_any_final_dot() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.db");
    let run = "fails";
    let store = Failing {
        inner: SqliteStore::open(&path).unwrap(),
        ok: 0,
    };
    let mailer = Mailer::with_ledger(options(), delivery(), Box::new(store)).unwrap();
    let t = mailer.submit_keyed("k1", message(run, 1)).unwrap().ticket;
    // Its data-end mark could not be recorded: its final dot never left.
    match mailer.wait(t) {
        Outcome::Failed { .. } => {}
        other => panic!("{other:?}"),
    }
    let e = mailer.submit_keyed("k2", message(run, 2)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Ledger);
    assert!(e.message().contains("disk is full"), "{e}");
    mailer.close();
    std::thread::sleep(Duration::from_millis(200));
    assert!(stored(run).is_empty(), "a message went out unrecorded");
    // The ledger still holds it pending: the next run sends it.
    let store = SqliteStore::open(&path).unwrap();
    let mailer = Mailer::with_ledger(options(), delivery(), Box::new(store)).unwrap();
    assert_eq!(mailer.resumed().uncertain.len(), 0);
    mailer.close();
    assert_eq!(stored(run), ["<fails.1@ifaxin.com>"]);
}

#[test]
fn keyed_submission_needs_a_ledger_and_a_good_key() {
    let mailer = Mailer::new(options(), delivery()).unwrap();
    let e = mailer.submit_keyed("k", message("x", 1)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidState);
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("l.db")).unwrap();
    let mailer = Mailer::with_ledger(options(), delivery(), Box::new(store)).unwrap();
    let e = mailer.submit_keyed("a\nb", message("x", 1)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidKey);
    let raw = Prepared::raw(
        b"Subject: no id\r\n\r\nx",
        "a@ifaxin.com",
        &["b@ifaxin.com"],
    )
    .unwrap();
    assert_eq!(
        mailer.submit(raw).unwrap_err().kind(),
        ErrorKind::InvalidKey
    );
    assert_eq!(mailer.with_store(|s| s.summary()).unwrap().total(), 0);
}

#[test]
fn two_mailers_sharing_a_ledger_send_each_key_once_and_both_get_every_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.db");
    let run = "shared";
    // Two stores on one file: as two processes see it.
    let a = Mailer::with_ledger(
        options(),
        delivery(),
        Box::new(SqliteStore::open(&path).unwrap()),
    )
    .unwrap();
    let b = Mailer::with_ledger(
        options(),
        delivery(),
        Box::new(SqliteStore::open(&path).unwrap()),
    )
    .unwrap();
    let keys: Vec<String> = (0..40).map(|n| format!("row-{n}")).collect();
    let (from_a, from_b) = std::thread::scope(|s| {
        let sa = s.spawn(|| {
            keys.iter()
                .enumerate()
                .map(|(n, k)| a.submit_keyed(k, message(run, n)).unwrap())
                .collect::<Vec<_>>()
        });
        let sb = s.spawn(|| {
            keys.iter()
                .enumerate()
                .rev()
                .map(|(n, k)| b.submit_keyed(k, message(run, n)).unwrap())
                .collect::<Vec<_>>()
        });
        (sa.join().unwrap(), sb.join().unwrap())
    });
    // Every key is new to exactly one of them; the other watches it.
    let new = from_a
        .iter()
        .chain(&from_b)
        .filter(|s| s.claim == Claim::New)
        .count();
    assert_eq!(new, 40);
    for s in &from_a {
        assert!(matches!(a.wait(s.ticket), Outcome::Delivered { .. }));
    }
    for s in &from_b {
        assert!(matches!(b.wait(s.ticket), Outcome::Delivered { .. }));
    }
    assert_eq!(
        a.counters().delivered + b.counters().delivered,
        40,
        "each key went out once, from one of them"
    );
    a.close();
    b.close();
    assert_eq!(stored(run).len(), 40);
    let summary = SqliteStore::open(&path).unwrap().summary().unwrap();
    assert_eq!((summary.delivered, summary.total()), (40, 40));
    assert!(
        !dir.path().join("shared.db-owners").exists(),
        "both gave up their hold"
    );
}

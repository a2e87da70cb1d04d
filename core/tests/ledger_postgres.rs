//! The ledger on a real PostgreSQL (Debian's, installed when missing),
//! started on 127.0.0.1 in a throw-away data directory and stopped at the
//! end: the store's rules (a key once, outcomes read back, two workers
//! taking over only from a gone one, claims never shared) and two mailers
//! on one database sending each key once to a real Haraka.
#![cfg(all(feature = "net", feature = "postgres"))]

mod servers;

use mailwright::delivery::blocking::Mailer;
use mailwright::delivery::{DeliveryConfig, Outcome, Prepared};
use mailwright::ledger::{Change, Claim, PostgresStore, State, Store};
use mailwright::smtp::ClientOptions;
use mailwright::{Credentials, ErrorKind, Message};
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

struct Postgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
}

impl Postgres {
    fn start() -> Postgres {
        let bin = find_bin().unwrap_or_else(|| {
            let ok = Command::new("sh")
                .args(["-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null"])
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
            assert!(ok, "cannot install postgresql");
            find_bin().expect("postgresql installed but initdb not found")
        });
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let d = dir.path().display().to_string();
        let run = |args: &[&str]| {
            let mut cmd = Command::new("runuser");
            cmd.args(["-u", "postgres", "--"]).args(args);
            let out = cmd.output().unwrap();
            assert!(
                out.status.success(),
                "{args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        Command::new("chown")
            .args(["postgres", &d])
            .status()
            .unwrap();
        run(&[
            &format!("{}/initdb", bin.display()),
            "-D",
            &format!("{d}/data"),
            "-A",
            "trust",
            "-U",
            "mw",
        ]);
        run(&[
            &format!("{}/pg_ctl", bin.display()),
            "-D",
            &format!("{d}/data"),
            "-l",
            &format!("{d}/log"),
            "-w",
            "-o",
            &format!("-c listen_addresses=127.0.0.1 -p {port} -k {d}"),
            "start",
        ]);
        Postgres { dir, bin, port }
    }

    fn url(&self, db: &str) -> String {
        format!(
            "postgresql://mw:secret-not-needed@127.0.0.1:{}/{db}",
            self.port
        )
    }

    /// A fresh database for one test.
    fn database(&self, name: &str) -> String {
        let mut admin = postgres::Client::connect(&self.url("postgres"), postgres::NoTls).unwrap();
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        self.url(name)
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let d = self.dir.path().display().to_string();
        Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(format!("{}/pg_ctl", self.bin.display()))
            .args(["-D", &format!("{d}/data"), "-m", "fast", "stop"])
            .output()
            .ok();
    }
}

fn find_bin() -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("initdb").exists())
        .collect();
    found.sort();
    found.pop()
}

fn pg() -> &'static Postgres {
    static P: OnceLock<Postgres> = OnceLock::new();
    P.get_or_init(Postgres::start)
}

fn raw(n: u32) -> Prepared {
    let text = format!("Message-ID: <pg{n}@x.test>\r\nSubject: {n}\r\n\r\nbody {n}\r\n");
    Prepared::raw(text.as_bytes(), "a@x.test", &[&format!("r{n}@x.test")]).unwrap()
}

#[test]
fn the_store_keeps_each_key_once_and_only_the_gone_are_taken_over() {
    let url = pg().database("rules");
    let mut a = PostgresStore::connect(&url).unwrap();
    let mut b = PostgresStore::connect(&url).unwrap();
    assert!(!format!("{a:?}").contains("secret"));
    assert!(!a.name().contains("secret"));
    a.hold(1_000).unwrap();
    b.hold(1_000).unwrap();
    let (m1, m2) = (raw(1), raw(2));
    let claims = a
        .submit(&[("k1", &m1), ("k2", &m2), ("k1", &m1)], 1_000)
        .unwrap();
    assert_eq!(claims[0], Claim::New);
    assert_eq!(claims[1], Claim::New);
    assert!(matches!(&claims[2], Claim::Pending(r) if r.key == "k1"));
    assert!(matches!(
        &b.submit(&[("k2", &m2)], 1_100).unwrap()[0],
        Claim::Pending(_)
    ));
    a.record(&[Change::DataSent {
        key: "k2".into(),
        attempt: 1,
        at_ms: 1_200,
    }])
    .unwrap();
    // A's session is alive: B takes nothing, even past A's lease.
    assert!(b.take_over(10_000_000, 10).unwrap().is_empty());
    drop(a); // its session ends, and its advisory lock with it
    let taken = b.take_over(2_000, 10).unwrap();
    let keys: Vec<&str> = taken.iter().map(|u| u.record.key.as_str()).collect();
    assert_eq!(keys, ["k1", "k2"]);
    assert_eq!(taken[1].record.state, State::DataSent);
    assert_eq!(taken[0].message.as_ref().unwrap().data(), m1.data());
    assert!(b.take_over(2_100, 10).unwrap().is_empty());
    let done = taken[0].record.finished(
        &Outcome::Delivered {
            ticket: 1,
            key: None,
            message_id: None,
            queue_id: Some("Q1".into()),
            accepted: vec!["r1@x.test".into()],
            refused: Vec::new(),
            attempts: 1,
            uncertain_attempts: 0,
        },
        3_000,
    );
    b.record(&[Change::Finished(done.clone())]).unwrap();
    assert_eq!(b.get("k1").unwrap(), Some(done.clone()));
    assert!(matches!(&b.submit(&[("k1", &m1)], 3_100).unwrap()[0], Claim::Done(r) if *r == done));
    let s = b.summary().unwrap();
    assert_eq!((s.delivered, s.data_sent, s.total()), (1, 1, 2));
    assert_eq!(b.list(Some(State::Delivered), 0, 10).unwrap().len(), 1);
    assert_eq!(b.prune(3_001).unwrap(), 1);
    // A clean end gives the rest back at once.
    let mut c = PostgresStore::connect(&url).unwrap();
    c.hold(4_000).unwrap();
    c.submit(&[("k3", &raw(3))], 4_000).unwrap();
    b.take_over(4_050, 10).unwrap();
    c.release().unwrap();
    let taken = b.take_over(4_100, 10).unwrap();
    assert_eq!(taken.len(), 1);
    assert_eq!(taken[0].record.key, "k3");
    // Bad input: typed, and the password never shown.
    let bad = PostgresStore::connect(&format!(
        "postgresql://mw:hunter2@127.0.0.1:{}/nosuchdb",
        pg().port
    ))
    .unwrap_err();
    assert_eq!(bad.kind(), ErrorKind::Ledger);
    assert!(!bad.to_string().contains("hunter2"), "{bad}");
    assert_eq!(
        b.submit(&[("a\r\nb", &m1)], 5_000).unwrap_err().kind(),
        ErrorKind::InvalidKey
    );
}

#[test]
fn two_mailers_on_one_database_send_each_key_once() {
    let url = pg().database("mailers");
    let h = servers::Haraka::start("LOGIN");
    let options = || {
        ClientOptions::new("127.0.0.1", h.port)
            .credentials(
                Credentials::new("api_user", "api_key")
                    .unwrap()
                    .with_label("12345")
                    .unwrap(),
            )
            .ca_file(&h.ca_file)
            .unwrap()
    };
    let delivery = DeliveryConfig {
        connections: 3,
        ..DeliveryConfig::default()
    };
    let a = Mailer::with_ledger(
        options(),
        delivery.clone(),
        Box::new(PostgresStore::connect(&url).unwrap()),
    )
    .unwrap();
    let b = Mailer::with_ledger(
        options(),
        delivery,
        Box::new(PostgresStore::connect(&url).unwrap()),
    )
    .unwrap();
    let message = |n: usize| {
        let m = Message::builder()
            .from("support@ifaxin.com")
            .to(format!("user{n}@ifaxin.com"))
            .subject(format!("pg {n}"))
            .text("hi")
            .message_id(format!("pg.{n}@ifaxin.com"))
            .build()
            .unwrap();
        Prepared::message(&m).unwrap()
    };
    let (from_a, from_b) = std::thread::scope(|s| {
        let sa = s.spawn(|| {
            (0..30)
                .map(|n| a.submit_keyed(&format!("row-{n}"), message(n)).unwrap())
                .collect::<Vec<_>>()
        });
        let sb = s.spawn(|| {
            (0..30)
                .rev()
                .map(|n| b.submit_keyed(&format!("row-{n}"), message(n)).unwrap())
                .collect::<Vec<_>>()
        });
        (sa.join().unwrap(), sb.join().unwrap())
    });
    assert_eq!(
        from_a
            .iter()
            .chain(&from_b)
            .filter(|s| s.claim == Claim::New)
            .count(),
        30
    );
    for s in &from_a {
        assert!(matches!(a.wait(s.ticket), Outcome::Delivered { .. }));
    }
    for s in &from_b {
        assert!(matches!(b.wait(s.ticket), Outcome::Delivered { .. }));
    }
    assert_eq!(a.counters().delivered + b.counters().delivered, 30);
    a.close();
    b.close();
    let stored: Vec<String> = h
        .stored_message_ids()
        .into_iter()
        .filter(|id| id.starts_with("<pg."))
        .collect();
    assert_eq!(stored.len(), 30);
    let s = PostgresStore::connect(&url).unwrap().summary().unwrap();
    assert_eq!((s.delivered, s.total()), (30, 30));
}

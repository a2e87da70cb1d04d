//! The command-line tool against a local Haraka: `send`'s output (golden,
//! the server's variable text normalized), and `bulk` with a 500-row CSV.

#[path = "../../core/tests/servers/mod.rs"]
mod servers;

use servers::{Haraka, repo};
use std::process::Command;
use std::sync::OnceLock;

fn haraka() -> &'static Haraka {
    static SERVER: OnceLock<Haraka> = OnceLock::new();
    SERVER.get_or_init(|| Haraka::start("LOGIN"))
}

fn mailwright() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mailwright"));
    cmd.env("MAILWRIGHT_KEY", "api_key");
    cmd
}

/// Server lines keep their code only (Haraka's text names its host and
/// connection); the queue id becomes <id>.
fn normalize(out: &str) -> String {
    out.lines()
        .map(|line| {
            if let Some(rest) = line.strip_prefix("S: ") {
                format!("S: {}", &rest[..3.min(rest.len())])
            } else if line.starts_with("queue id  ") {
                "queue id  <id>".to_string()
            } else if line.starts_with("sending to 127.0.0.1:") {
                let (_, rest) = line.split_once(" (").unwrap_or_default();
                format!("sending to 127.0.0.1:<port> ({rest}")
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[test]
fn send_prints_the_conversation_with_the_key_masked() {
    let h = haraka();
    let html = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(html.path(), r#"<p>你好 <img src="cid:image1"></p>"#).unwrap();
    let out = mailwright()
        .args(["send", "--server", &format!("127.0.0.1:{}", h.port)])
        .arg("--ca")
        .arg(&h.ca_file)
        .args([
            "--user",
            "api_user",
            "--label",
            "12345",
            "--hello",
            "ifaxin.com",
        ])
        .args([
            "--from",
            "客服 <support@ifaxin.com>",
            "--to",
            "ben@ifaxin.com",
        ])
        .args(["--bcc", "audit@ifaxin.com", "--subject", "测试内嵌图片"])
        .arg("--html-file")
        .arg(html.path())
        .arg("--inline")
        .arg(format!(
            "image1={}",
            repo().join("examples/assets/test.png").display()
        ))
        .args([
            "--x-smtpapi",
            r#"{"to":["ben@ifaxin.com"],"sub":{"%name%":["Ben"]}}"#,
        ])
        .args([
            "--message-id",
            "cli.golden@ifaxin.com",
            "--date",
            "1426390015",
        ])
        .args(["--boundary-seed", "golden"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    for secret in ["api_key", "YXBpX2tleQ=="] {
        assert!(
            !stdout.contains(secret) && !stderr.contains(secret),
            "{secret} shown"
        );
    }
    let golden = repo().join("cli/tests/golden/send.txt");
    let actual = normalize(&stdout);
    if std::env::var_os("MAILWRIGHT_BLESS").is_some() {
        std::fs::write(&golden, &actual).unwrap();
    }
    assert_eq!(actual, std::fs::read_to_string(&golden).unwrap());
    // What Haraka stored is the message, X-SMTPAPI last, Bcc only in the envelope.
    let id = stdout
        .lines()
        .find_map(|l| l.strip_prefix("queue id  "))
        .unwrap()
        .trim()
        .to_string();
    let (eml, meta) = h.stored(&id);
    let text = String::from_utf8_lossy(&eml);
    assert!(text.contains("Content-ID: <image1>"));
    assert!(!text.contains("audit@"));
    assert!(meta.to_string().contains("audit@ifaxin.com"));
}

#[test]
fn bad_flags_get_a_typed_error_and_no_connection() {
    let out = mailwright()
        .args(["send", "--server", "127.0.0.1:1", "--tls", "ssl"])
        .args(["--from", "a@b.c", "--to", "d@e.f", "--text", "x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("InvalidOption"));
    let out = mailwright()
        .args(["send", "--server", "127.0.0.1:1", "--hello", "x\r\nRSET"])
        .args(["--from", "a@b.c", "--to", "d@e.f", "--text", "x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn bulk_sends_one_message_per_row_with_a_report() {
    // A server of its own: its store counts only this test's messages.
    let h = &Haraka::start("LOGIN");
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("rows.csv");
    let mut rows = String::from("email,name,code\n");
    for i in 0..500 {
        rows.push_str(&format!("user{i}@ifaxin.com,\"Name, {i}\",C{i}\n"));
    }
    std::fs::write(&csv, rows).unwrap();
    let report = dir.path().join("report.json");
    let out = mailwright()
        .args(["bulk", "--server", &format!("127.0.0.1:{}", h.port)])
        .arg("--ca")
        .arg(&h.ca_file)
        .args(["--user", "api_user", "--label", "12345"])
        .args(["--from", "support@ifaxin.com", "--subject", "Hello {name}"])
        .args([
            "--text",
            "Your code is {code}.",
            "--connections",
            "4",
            "--rate",
            "2000/1",
        ])
        .arg("--csv")
        .arg(&csv)
        .arg("--report")
        .arg(&report)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(doc["summary"]["delivered"], 500, "{}", doc["summary"]);
    let outcomes = doc["outcomes"].as_array().unwrap();
    assert_eq!(outcomes.len(), 500);
    for (i, o) in outcomes.iter().enumerate() {
        assert_eq!(o["row"], i + 1);
        assert_eq!(o["to"], format!("user{i}@ifaxin.com"));
        assert_eq!(o["outcome"], "delivered", "{o}");
        assert!(o["queue_id"].is_string());
    }
    assert_eq!(h.stored_count(), 500);
    let (eml, _) = h.stored(outcomes[7]["queue_id"].as_str().unwrap());
    let text = String::from_utf8_lossy(&eml);
    assert!(text.contains("Subject: Hello Name, 7"), "{text}");
    assert!(text.contains("Your code is C7."));
}

#[test]
fn bulk_refuses_a_template_naming_a_missing_column() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("rows.csv");
    std::fs::write(&csv, "email\na@b.c\n").unwrap();
    let out = mailwright()
        .args(["bulk", "--server", "127.0.0.1:1", "--from", "s@b.c"])
        .args(["--subject", "Hi {name}", "--text", "x"])
        .arg("--csv")
        .arg(&csv)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no column \"name\""));
}

#[test]
fn the_defaults_shown_are_the_cores() {
    // The CLI keeps no defaults of its own: its help shows the core's.
    let out = mailwright().args(["bulk", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    let tls = mailwright::smtp::TlsMode::default().as_str();
    let connections = mailwright::delivery::DeliveryConfig::default().connections;
    assert!(help.contains(&format!("[default: {tls}]")), "{help}");
    assert!(
        help.contains(&format!("[default: {connections}]")),
        "{help}"
    );
}

#[test]
fn the_ledger_commands_read_what_bulk_recorded_and_refuse_other_files() {
    // A server of its own: its store counts only this test's messages.
    let h = &Haraka::start("LOGIN");
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("rows.csv");
    std::fs::write(
        &csv,
        "order,email,name\nA-1,ann@ifaxin.com,Ann\nA-2,ben@ifaxin.com,\"Ben, Jr.\"\n",
    )
    .unwrap();
    let ledger = dir.path().join("run.db");
    let bulk = || {
        let mut cmd = mailwright();
        cmd.args(["bulk", "--server", &format!("127.0.0.1:{}", h.port)])
            .arg("--ca")
            .arg(&h.ca_file)
            .args(["--user", "api_user", "--label", "12345"])
            .args(["--from", "support@ifaxin.com", "--subject", "Order {order}"])
            .args(["--text", "Hi {name}", "--key-column", "order"])
            .arg("--csv")
            .arg(&csv)
            .arg("--ledger")
            .arg(&ledger);
        cmd.output().unwrap()
    };
    let first = bulk();
    assert!(
        first.status.success(),
        "{} {}",
        String::from_utf8_lossy(&first.stdout),
        String::from_utf8_lossy(&first.stderr)
    );
    let stored = h.stored_count();
    // Again: both skipped, nothing sent.
    let again = bulk();
    assert!(again.status.success());
    let summary: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&again.stdout).trim()).unwrap();
    assert_eq!(summary["skipped"], 2);
    assert_eq!(h.stored_count(), stored);
    let run = |args: &[&str]| {
        let out = mailwright().args(args).arg(&ledger).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let summary: serde_json::Value =
        serde_json::from_str(run(&["ledger", "summary"]).trim()).unwrap();
    assert_eq!(summary["delivered"], 2);
    assert_eq!(summary["total"], 2);
    let list = run(&["ledger", "list", "--state", "delivered"]);
    assert!(list.starts_with("A-1\tdelivered\t"), "{list}");
    let csv_out = run(&["ledger", "export"]);
    let mut lines = csv_out.lines();
    assert!(lines.next().unwrap().starts_with("key,state,message_id,"));
    assert!(lines.next().unwrap().starts_with("A-1,delivered,"));
    let json = run(&[
        "ledger",
        "export",
        "--format",
        "json",
        "--state",
        "delivered",
    ]);
    let records: Vec<serde_json::Value> = json
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 2);
    assert_eq!(records[1]["recipients"][0], "ben@ifaxin.com");
    assert!(records[1]["queue_id"].is_string());
    // Not a ledger, no ledger, a bad state: exit 2 with a clear error.
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "hello ".repeat(1000)).unwrap();
    for (args, file, says) in [
        (&["ledger", "summary"][..], &text, "not a mailwright ledger"),
        (
            &["ledger", "summary"][..],
            &dir.path().join("none.db"),
            "there is no ledger",
        ),
        (
            &["ledger", "list", "--state", "sent"][..],
            &ledger,
            "a state is one of",
        ),
    ] {
        let out = mailwright().args(args).arg(file).output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{err}");
    }
}

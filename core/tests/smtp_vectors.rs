//! The shared SMTP vectors in `testdata/smtp/` (AUTH payloads, reply parsing
//! and classification, scripted sessions), which every binding runs too.
//!
//! `MAILWRIGHT_BLESS=1 cargo test -p mailwright --test smtp_vectors` writes
//! the expectations; review the diff before committing.

mod common;

use mailwright::smtp::{ConnectionLoss, Event, Reply, Session, SessionConfig, TlsMode, auth};
use mailwright::{Credentials, Error, Message};
use serde_json::{Map, Value, json};
use std::path::{Path, PathBuf};

fn smtp_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/smtp")
}

fn bless() -> bool {
    std::env::var_os("MAILWRIGHT_BLESS").is_some()
}

fn load(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn save(path: &Path, value: &Value) {
    let mut text = serde_json::to_string_pretty(value).unwrap();
    text.push('\n');
    std::fs::write(path, text).unwrap();
}

/// Compares (or, blessing, writes) `key` of `case`.
fn expect(case: &mut Map<String, Value>, key: &str, actual: Value, failures: &mut Vec<String>) {
    if bless() {
        if actual.is_null() {
            case.remove(key);
        } else {
            case.insert(key.into(), actual);
        }
        return;
    }
    let expected = case.get(key).cloned().unwrap_or(Value::Null);
    if expected != actual {
        failures.push(format!(
            "{}: {key}\n  expected {expected}\n  actual   {actual}",
            case.get("name").and_then(Value::as_str).unwrap_or("step")
        ));
    }
}

fn credentials(value: &Value) -> Result<Credentials, Error> {
    let s = |k: &str| value.get(k).and_then(Value::as_str);
    let (secret, oauth2) = match s("token") {
        Some(token) => (token, true),
        None => (s("key").unwrap_or_default(), false),
    };
    Credentials::from_parts(s("user").unwrap_or_default(), secret, s("label"), oauth2)
}

fn text(bytes: &[u8]) -> Value {
    Value::String(String::from_utf8(bytes.to_vec()).expect("vectors are UTF-8"))
}

#[test]
fn auth_payloads() {
    let path = smtp_dir().join("auth.json");
    let mut file = load(&path);
    let mut failures = Vec::new();
    let cases = file["cases"].as_array_mut().unwrap();
    assert!(!cases.is_empty(), "no AUTH vector ran");
    for case in cases.iter_mut() {
        let case = case.as_object_mut().unwrap();
        let (expected, error) = match credentials(&case["credentials"]) {
            Err(err) => (Value::Null, json!(err.kind().as_str())),
            Ok(c) if c.is_oauth2() => (
                json!({
                    "username": c.username(),
                    "xoauth2": text(&auth::auth_xoauth2(&c).unwrap()),
                }),
                Value::Null,
            ),
            Ok(c) => (
                json!({
                    "username": c.username(),
                    "login": text(&auth::auth_login(&c).unwrap()),
                    "login_username": text(&auth::login_answer(auth::LoginPrompt::Username, &c).unwrap()),
                    "login_password": text(&auth::login_answer(auth::LoginPrompt::Password, &c).unwrap()),
                    "plain": text(&auth::auth_plain(&c).unwrap()),
                }),
                Value::Null,
            ),
        };
        expect(case, "expected", expected, &mut failures);
        expect(case, "expected_error", error, &mut failures);
    }
    if bless() {
        save(&path, &file);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn reply_json(reply: &Reply) -> Value {
    json!({
        "code": reply.code(),
        "enhanced": reply.enhanced().map(|e| e.to_string()),
        "lines": reply.lines(),
        "class": reply.class().as_str(),
        "transient": reply.class().is_transient(),
        "queue_id": reply.queue_id(),
    })
}

#[test]
fn replies() {
    let path = smtp_dir().join("replies.json");
    let mut file = load(&path);
    let mut failures = Vec::new();
    let cases = file["cases"].as_array_mut().unwrap();
    assert!(!cases.is_empty(), "no reply vector ran");
    for case in cases.iter_mut() {
        let case = case.as_object_mut().unwrap();
        let input = case["input"].as_str().unwrap().to_string();
        let (expected, error) = match Reply::parse(input.as_bytes()) {
            Ok(reply) => (reply_json(&reply), Value::Null),
            Err(err) => (Value::Null, json!(err.kind().as_str())),
        };
        expect(case, "expected", expected, &mut failures);
        expect(case, "expected_error", error, &mut failures);
    }
    if bless() {
        save(&path, &file);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn message(name: &str) -> Message {
    let path = smtp_dir().join("../vectors").join(format!("{name}.json"));
    common::builder_from_json(&load(&path)["input"])
        .build()
        .unwrap()
}

fn refused_json(refused: &[(String, Reply)]) -> Value {
    refused
        .iter()
        .map(|(rcpt, reply)| json!({"recipient": rcpt, "code": reply.code()}))
        .collect()
}

fn event_json(event: &Event) -> Value {
    let mut out = json!({"type": event.as_str()});
    let map = out.as_object_mut().unwrap();
    match event {
        Event::Sent(report) => {
            map.insert("handle".into(), json!(report.handle));
            map.insert("queue_id".into(), json!(report.queue_id));
            map.insert("accepted".into(), json!(report.accepted));
            map.insert("refused".into(), refused_json(&report.refused));
            map.insert("code".into(), json!(report.reply.code()));
        }
        Event::Failed(failure) => {
            map.insert("handle".into(), json!(failure.handle));
            map.insert("error".into(), json!(failure.error.kind().as_str()));
            map.insert("code".into(), json!(failure.error.reply().map(Reply::code)));
            map.insert("refused".into(), refused_json(&failure.refused));
        }
        Event::Error(error) => {
            map.insert("error".into(), json!(error.kind().as_str()));
            map.insert("code".into(), json!(error.reply().map(Reply::code)));
        }
        _ => {}
    }
    out
}

fn config(value: &Value) -> Result<SessionConfig, Error> {
    Ok(SessionConfig {
        hello_name: value["hello_name"].as_str().unwrap().to_string(),
        tls: TlsMode::from_name(value["tls"].as_str().unwrap())?,
        credentials: value.get("credentials").map(credentials).transpose()?,
        pipelining: value["pipelining"].as_bool().unwrap(),
        transcript: false,
        allow_plaintext_auth: value
            .get("allow_plaintext_auth")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        ..SessionConfig::default()
    })
}

fn run_session(case: &mut Map<String, Value>, failures: &mut Vec<String>) {
    let name = case["name"].as_str().unwrap().to_string();
    let session = config(&case["config"]).and_then(Session::new);
    let mut session = match session {
        Ok(session) => {
            expect(case, "expected_error", Value::Null, failures);
            session
        }
        Err(err) => {
            expect(case, "expected_error", json!(err.kind().as_str()), failures);
            return;
        }
    };
    let steps = case.get_mut("steps").unwrap().as_array_mut().unwrap();
    for (i, step) in steps.iter_mut().enumerate() {
        let step = step.as_object_mut().unwrap();
        step.insert("name".into(), json!(format!("{name} step {}", i + 1)));
        let mut handle = Value::Null;
        let mut error = Value::Null;
        if let Some(vector) = step.get("send").and_then(Value::as_str) {
            match session.send(&message(vector)) {
                Ok(h) => handle = json!(h),
                Err(err) => error = json!(err.kind().as_str()),
            }
        } else if let Some(bytes) = step.get("server").and_then(Value::as_str) {
            session.receive(bytes.as_bytes());
        } else if step.contains_key("tls_established") {
            session.tls_established();
        } else if let Some(cause) = step.get("lost").and_then(Value::as_str) {
            session.connection_lost(ConnectionLoss::from_name(cause).unwrap(), "");
        } else if step.contains_key("quit") {
            session.quit();
        } else if let Some(ms) = step.get("advance_ms").and_then(Value::as_u64) {
            session.advance(std::time::Duration::from_millis(ms));
        } else {
            panic!("{name}: unknown step {step:?}");
        }
        let client = text(&session.take_output());
        let events: Vec<Value> = std::iter::from_fn(|| session.poll_event())
            .map(|e| event_json(&e))
            .collect();
        expect(step, "handle", handle, failures);
        expect(step, "expected_error", error, failures);
        expect(step, "client", client, failures);
        expect(step, "events", json!(events), failures);
        step.remove("name");
    }
}

#[test]
fn scripted_sessions() {
    let dir = smtp_dir().join("sessions");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 20, "only {} session vectors", paths.len());
    let mut failures = Vec::new();
    for path in &paths {
        let mut case = load(path);
        run_session(case.as_object_mut().unwrap(), &mut failures);
        if bless() {
            save(path, &case);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

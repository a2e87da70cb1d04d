//! The golden vectors in testdata/vectors: every binding must produce these
//! bytes. testdata/vectors-13 (List-Unsubscribe, DKIM, calendar
//! invitations) is run by the core only until the bindings support its members.
//!
//! `MAILWRIGHT_BLESS=1 cargo test -p mailwright --test golden` writes the
//! `.eml` files and the `expected_envelope` of new or changed cases; review
//! the diff before committing.

mod common;

use mailwright::ErrorKind;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

fn vectors_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata")
        .join(name)
}

/// A readable diff: the first differing line with two lines of context.
fn diff(expected: &[u8], actual: &[u8]) -> String {
    let e: Vec<&[u8]> = expected.split(|&b| b == b'\n').collect();
    let a: Vec<&[u8]> = actual.split(|&b| b == b'\n').collect();
    let at = e
        .iter()
        .zip(&a)
        .position(|(x, y)| x != y)
        .unwrap_or(e.len().min(a.len()));
    let mut out = format!(
        "first difference at line {} (expected {} lines, got {})\n",
        at + 1,
        e.len(),
        a.len()
    );
    for i in at.saturating_sub(2)..(at + 3) {
        if let Some(line) = e.get(i) {
            out += &format!(
                "  expected {:>4}: {:?}\n",
                i + 1,
                String::from_utf8_lossy(line)
            );
        }
        if let Some(line) = a.get(i) {
            out += &format!(
                "  actual   {:>4}: {:?}\n",
                i + 1,
                String::from_utf8_lossy(line)
            );
        }
    }
    out
}

#[test]
fn golden_vectors() {
    run(vectors_dir("vectors"), 20, 5);
}

#[test]
fn golden_vectors_13() {
    run(vectors_dir("vectors-13"), 8, 3);
}

fn run(dir: PathBuf, min_ok: usize, min_error: usize) {
    let bless = std::env::var_os("MAILWRIGHT_BLESS").is_some();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("the vectors folder exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    let mut failures = Vec::new();
    let (mut ok_cases, mut error_cases, mut skipped) = (0, 0, 0);
    for path in &paths {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let input = doc["input"].clone();
        if cfg!(not(feature = "dkim")) && input.get("dkim").is_some() {
            skipped += 1;
            continue;
        }
        let result = common::builder_from_json(&input).build();
        if let Some(expected) = doc.get("expected_error").and_then(Value::as_str) {
            let kind = ErrorKind::from_name(expected)
                .unwrap_or_else(|| panic!("{name}: unknown kind {expected}"));
            match result {
                Err(err) if err.kind() == kind => error_cases += 1,
                Err(err) => failures.push(format!("{name}: expected {expected}, got {err}")),
                Ok(_) => failures.push(format!("{name}: expected {expected}, but it built")),
            }
            continue;
        }
        let message = match result {
            Ok(m) => m,
            Err(err) => {
                failures.push(format!("{name}: failed to build: {err}"));
                continue;
            }
        };
        let bytes = message.to_vec();
        let mut streamed = Vec::new();
        message.write_to(&mut streamed).unwrap();
        assert_eq!(streamed, bytes, "{name}: write_to and to_vec differ");
        assert_eq!(message.size(), bytes.len(), "{name}: size()");
        let envelope = json!({
            "sender": message.envelope().sender(),
            "recipients": message.envelope().recipients().collect::<Vec<_>>(),
        });
        let eml = path.with_extension("eml");
        if bless {
            std::fs::write(&eml, &bytes).unwrap();
            doc["expected_envelope"] = envelope.clone();
            let mut text = serde_json::to_string_pretty(&doc).unwrap();
            text.push('\n');
            std::fs::write(path, text).unwrap();
        }
        match std::fs::read(&eml) {
            Ok(expected) if expected == bytes => {}
            Ok(expected) => {
                failures.push(format!("{name}: bytes differ\n{}", diff(&expected, &bytes)))
            }
            Err(_) => failures.push(format!("{name}: {} is missing", eml.display())),
        }
        if doc.get("expected_envelope") != Some(&envelope) {
            failures.push(format!(
                "{name}: envelope {envelope} != expected {:?}",
                doc.get("expected_envelope")
            ));
        }
        common::verify_with_parser(&input, &message, &bytes);
        // The curated cases also keep RFC 5322's recommended 78.
        common::check_lines(&bytes, 78);
        ok_cases += 1;
    }
    println!(
        "golden vectors in {}: {ok_cases} messages, {error_cases} error cases, {skipped} skipped (DKIM off)",
        dir.display()
    );
    assert!(
        failures.is_empty(),
        "{} failing vectors:\n{}",
        failures.len(),
        failures.join("\n")
    );
    let min_ok = if skipped > 0 { 1 } else { min_ok };
    assert!(ok_cases >= min_ok, "only {ok_cases} message vectors ran");
    assert!(
        error_cases >= min_error,
        "only {error_cases} error vectors ran"
    );
}

//! testdata/idna/cases.json: internationalized domains as the core converts
//! them with the idna crate (UTS 46), for the mailbox and for a DKIM
//! signer's domain and selector. The WebAssembly binding, which takes UTS 46
//! from the host's URL parser (feature `host-idna`), must give the same
//! answers in every runtime (bindings-wasm/tests/idna.test.mjs); the core's
//! own check of its host path is a unit test in src/uts46.rs.
//!
//! `python3 testdata/tools/make_idna_cases.py` writes the domains, then
//! `MAILWRIGHT_BLESS=1 cargo test -p mailwright --test idna` their results;
//! review the diff before committing.

use mailwright::{MailboxSpec, Message};
use serde_json::{Value, json};
use std::path::Path;

/// The ASCII form, or `{ "error": kind }`.
fn outcome(result: mailwright::Result<String>) -> Value {
    match result {
        Ok(ascii) => Value::String(ascii),
        Err(e) => json!({ "error": e.kind().as_str() }),
    }
}

/// The domain of `{ address: "x@" + domain }` in a built message's envelope.
fn address(domain: &str) -> Value {
    outcome(
        Message::builder()
            .from(MailboxSpec::Parts(None, format!("x@{domain}")))
            .to("ben@ifaxin.com")
            .text("t")
            .build()
            .map(|m| {
                m.envelope()
                    .sender()
                    .strip_prefix("x@")
                    .unwrap()
                    .to_string()
            }),
    )
}

/// The `tag=` value of the DKIM-Signature field of a message signed with
/// `domain` and `selector`.
#[cfg(feature = "dkim-external")]
fn dkim(domain: &str, selector: &str, tag: &str) -> Value {
    use mailwright::{DkimAlgorithm, DkimSigner};
    let signer = DkimSigner::external(domain, selector, DkimAlgorithm::Ed25519Sha256, |_| {
        Ok(vec![0; 64])
    })
    .time(1_700_000_000);
    outcome(
        Message::builder()
            .from("support@ifaxin.com")
            .to("ben@ifaxin.com")
            .text("t")
            .dkim(signer)
            .build()
            .map(|m| {
                let bytes = m.to_vec();
                let text = String::from_utf8_lossy(&bytes);
                let field = text.split("\r\n\r\n").next().unwrap().replace("\r\n", "");
                let field = field
                    .split("DKIM-Signature:")
                    .nth(1)
                    .expect("a DKIM-Signature field");
                let value = field
                    .split(';')
                    .map(str::trim)
                    .find_map(|t| t.strip_prefix(tag).and_then(|v| v.strip_prefix('=')))
                    .expect("the tag")
                    .trim();
                value.to_string()
            }),
    )
}

#[test]
fn idna_cases() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/idna/cases.json");
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let bless = std::env::var_os("MAILWRIGHT_BLESS").is_some();
    let cases = doc["cases"].as_array_mut().unwrap();
    assert!(cases.len() >= 400, "only {} cases", cases.len());
    let (mut ok, mut refused, mut failures) = (0, 0, Vec::new());
    for case in cases.iter_mut() {
        let domain = case["domain"].as_str().unwrap().to_string();
        #[allow(unused_mut)]
        let mut actual = vec![("address", address(&domain))];
        #[cfg(feature = "dkim-external")]
        actual.extend([
            ("dkim_domain", dkim(&domain, "s1", "d")),
            ("dkim_selector", dkim("ifaxin.com", &domain, "s")),
        ]);
        for (key, value) in actual {
            if value.is_string() {
                ok += 1;
            } else {
                refused += 1;
            }
            if bless {
                case[key] = value;
            } else if case[key] != value {
                failures.push(format!(
                    "{domain:?} {key}: expected {}, got {value}",
                    case[key]
                ));
            }
        }
    }
    if bless {
        // One case a line.
        let lines: Vec<String> = cases
            .iter()
            .map(|c| serde_json::to_string(c).unwrap())
            .collect();
        let text = format!(
            "{{\n \"description\": {},\n \"cases\": [\n  {}\n ]\n}}\n",
            serde_json::to_string(&doc["description"]).unwrap(),
            lines.join(",\n  ")
        );
        std::fs::write(&path, text).unwrap();
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Both outcomes are well represented.
    assert!(
        ok > 300 && refused > 300,
        "{ok} converted, {refused} refused"
    );
}

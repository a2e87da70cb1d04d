//! Property tests: no input panics; every message that builds is well formed
//! (CRLF only, short lines) and parses back, through an independent parser,
//! to what was put in.

mod common;

use proptest::prelude::*;
use serde_json::{Value, json};

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-zA-Z0-9 ,.!?'-]{0,120}",
        4 => "\\PC{0,80}",
        4 => "[^\r\n]{0,80}",
        4 => "[\u{4e00}-\u{4e80} ，。a-z]{0,100}",
        2 => "[a-z]{200,500}",
        1 => ".{0,40}",
        2 => "[a-z ]{0,8}=\\?(utf-8|us-ascii)\\?[qQbB]\\?[A-Za-z0-9_=?. ]{0,30}\\?=[a-z .]{0,8}",
    ]
}

fn body_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 .\n]{0,300}",
        "(\\.[a-z ]{0,10}\n){0,20}",
        "\\PC{0,300}",
        "[a-z \r\n\t]{0,200}",
        "[a-z]{500,3000}",
        "[\u{4e00}-\u{4e80}\n]{0,200}",
    ]
}

fn address() -> impl Strategy<Value = Value> {
    let plain = prop_oneof![
        12 => "[a-z][a-z0-9_%+-]{0,15}[a-z0-9]@[a-z]([a-z0-9-]{0,8}[a-z0-9])?\\.(com|cn|org)",
        4 => Just("ben@ifaxin.com".to_string()),
        4 => Just("joe@bücher.de".to_string()),
        1 => Just("user@例子.cn".to_string()),
        1 => "\\PC{0,30}",
    ];
    prop_oneof![
        plain.clone().prop_map(Value::String),
        (any_text(), plain.clone()).prop_map(|(n, a)| json!({"name": n, "address": a})),
        ("[^<>\"\\\\\r\n]{0,30}", plain).prop_map(|(n, a)| Value::String(format!("{n} <{a}>"))),
    ]
}

fn data() -> impl Strategy<Value = String> {
    use base64::Engine as _;
    prop::collection::vec(any::<u8>(), 0..2000)
        .prop_map(|bytes| base64::engine::general_purpose::STANDARD.encode(bytes))
}

fn content_type() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just("image/png".to_string()),
        4 => Just("application/pdf".to_string()),
        4 => Just("text/plain".to_string()),
        4 => "[a-z]{1,8}/[a-z0-9.+-]{1,12}",
        3 => "(text|image)/[a-z]{1,8}( ?; ?[a-zA-Z-]{1,10}=([a-z0-9.-]{1,12}|\"[^\"\\\\\r\n]{0,90}\")){1,3}",
        1 => "\\PC{0,20}",
    ]
}

fn message_input() -> impl Strategy<Value = Value> {
    (
        (
            address(),
            prop::collection::vec(address(), 0..4),
            prop::collection::vec(address(), 0..3),
            prop::collection::vec(address(), 0..3),
            prop::option::of(any_text()),
        ),
        (prop::option::of(body_text()), prop::option::of(body_text())),
        prop::collection::vec((prop_oneof![9 => "[a-z0-9.@-]{1,20}", 1 => "[a-z0-9.@<> -]{0,20}"], content_type(), data(), prop::option::of(any_text())), 0..3),
        prop::collection::vec((any_text(), content_type(), data()), 0..3),
        prop::collection::vec(("[A-Za-z-]{1,20}", any_text()), 0..3),
        prop::option::of((prop::collection::vec("[a-z]{1,8}@ifaxin\\.com", 0..4), any_text())),
        (prop::option::of("[a-z]{1,10}@ifaxin\\.com"), prop::option::of("[a-zA-Z0-9._=-]{1,30}")),
    )
        .prop_map(|((from, to, cc, bcc, subject), (text, html), inline, attachments, headers, api, (id, seed))| {
            let mut input = json!({ "from": from, "to": to, "cc": cc, "bcc": bcc, "date": 1_700_000_000 });
            let o = input.as_object_mut().unwrap();
            if let Some(s) = subject { o.insert("subject".into(), json!(s)); }
            if let Some(t) = text { o.insert("text".into(), json!(t)); }
            if let Some(h) = html { o.insert("html".into(), json!(h)); }
            o.insert("inline".into(), inline.into_iter().map(|(cid, ct, d, name)| {
                let mut part = json!({"content_id": cid, "content_type": ct, "data_base64": d});
                if let Some(n) = name { part["filename"] = json!(n); }
                part
            }).collect());
            o.insert("attachments".into(), attachments.into_iter().map(|(n, ct, d)| json!({"filename": n, "content_type": ct, "data_base64": d})).collect());
            o.insert("headers".into(), headers.into_iter().map(|(n, v)| json!([format!("X-{n}"), v])).collect());
            if let Some((to, sec)) = api {
                let names: Vec<String> = to.iter().map(|t| t.to_uppercase()).collect();
                o.insert("x_smtpapi".into(), json!({"to": to, "sub": {"%name%": names}, "section": {"%s%": sec}, "filters": {"open_tracking": true}}));
            }
            if let Some(id) = id { o.insert("message_id".into(), json!(id)); }
            if let Some(seed) = seed { o.insert("boundary_seed".into(), json!(seed)); }
            input
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(600), ..ProptestConfig::default() })]

    #[test]
    fn built_messages_are_well_formed_and_parse_back(input in message_input()) {
        match common::builder_from_json(&input).build() {
            Ok(message) => {
                let bytes = message.to_vec();
                prop_assert_eq!(bytes.len(), message.size());
                common::verify_with_parser(&input, &message, &bytes);
            }
            Err(err) => prop_assert!(err.kind().is_input_error(), "{err}"),
        }
    }

    #[test]
    fn deterministic_mode_is_a_pure_function(input in message_input()) {
        let mut input = input;
        input["boundary_seed"] = json!("seed");
        input["message_id"] = json!("id@ifaxin.com");
        if let (Ok(a), Ok(b)) = (common::builder_from_json(&input).build(), common::builder_from_json(&input).build()) {
            prop_assert_eq!(a.to_vec(), b.to_vec());
        }
    }

    #[test]
    fn line_breaks_in_any_header_field_are_refused(
        field in 0usize..9,
        before in "[a-z]{0,5}",
        brk in prop_oneof![Just("\r"), Just("\n"), Just("\r\n")],
        after in "[a-zA-Z: ]{0,10}",
    ) {
        let evil = format!("{before}{brk}{after}");
        let mut input = json!({
            "from": "support@ifaxin.com", "to": ["ben@ifaxin.com"], "text": "x", "html": "y",
            "inline": [{"content_id": "c1", "content_type": "image/png", "data_base64": "AA=="}],
            "attachments": [{"filename": "a.pdf", "content_type": "application/pdf", "data_base64": "AA=="}],
        });
        match field {
            0 => input["subject"] = json!(evil),
            1 => input["from"] = json!({"name": evil, "address": "support@ifaxin.com"}),
            2 => input["to"] = json!([format!("ben@ifaxin.com{evil}")]),
            3 => input["headers"] = json!([["X-Test", evil]]),
            4 => input["attachments"][0]["filename"] = json!(evil),
            5 => input["attachments"][0]["content_type"] = json!(format!("application/pdf{evil}")),
            6 => input["inline"][0]["content_id"] = json!(evil),
            7 => input["message_id"] = json!(format!("a@b{evil}")),
            _ => input["cc"] = json!([{"name": evil, "address": "c@ifaxin.com"}]),
        }
        let err = common::builder_from_json(&input).build().unwrap_err();
        prop_assert_eq!(err.kind(), mailwright::ErrorKind::HeaderInjection, "{}", err);
    }
}

#[test]
fn random_mode_draws_fresh_ids_and_boundaries() {
    let build = || {
        mailwright::Message::builder()
            .from("support@ifaxin.com")
            .to("ben@ifaxin.com")
            .text("t")
            .html("h")
            .build()
            .unwrap()
    };
    let (a, b) = (build(), build());
    assert_ne!(a.message_id(), b.message_id());
    assert!(a.message_id().ends_with("@ifaxin.com"));
    assert_ne!(a.to_vec(), b.to_vec());
    // A built message is stable: it writes the same bytes every time.
    assert_eq!(a.to_vec(), a.to_vec());
    let input: Value =
        json!({"from": "support@ifaxin.com", "to": ["ben@ifaxin.com"], "text": "t", "html": "h"});
    common::verify_with_parser(&input, &a, &a.to_vec());
}

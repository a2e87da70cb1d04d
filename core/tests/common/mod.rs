//! Shared by the golden and property tests: JSON vector input → builder, and
//! an independent check of the output with the `mail-parser` crate.
#![allow(dead_code)]

use base64::Engine as _;
use mail_parser::{MessageParser, MimeHeaders, PartType};
use mailwright::{Attachment, Calendar, Inline, MailboxSpec, Message, MessageBuilder, XSmtpApi};
use serde_json::Value;

fn b64(value: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(value.as_str().expect("data_base64 is a string"))
        .expect("valid base64")
}

fn mailbox(value: &Value) -> MailboxSpec {
    match value {
        Value::String(s) => MailboxSpec::Text(s.clone()),
        Value::Object(o) => MailboxSpec::Parts(
            o.get("name").and_then(Value::as_str).map(str::to_string),
            o["address"].as_str().expect("address").to_string(),
        ),
        other => panic!("bad mailbox {other}"),
    }
}

fn list<'a>(input: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    input
        .get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

fn str_of<'a>(input: &'a Value, key: &str) -> Option<&'a str> {
    input.get(key).and_then(Value::as_str)
}

/// Maps a vector's `input` object onto the builder, as every binding does in its own language.
pub fn builder_from_json(input: &Value) -> MessageBuilder {
    let mut b = Message::builder();
    if let Some(v) = input.get("from") {
        b = b.from(mailbox(v));
    }
    if let Some(v) = input.get("sender") {
        b = b.sender(mailbox(v));
    }
    if let Some(v) = input.get("envelope_from") {
        b = b.envelope_from(mailbox(v));
    }
    for v in list(input, "reply_to") {
        b = b.reply_to(mailbox(v));
    }
    for v in list(input, "to") {
        b = b.to(mailbox(v));
    }
    for v in list(input, "cc") {
        b = b.cc(mailbox(v));
    }
    for v in list(input, "bcc") {
        b = b.bcc(mailbox(v));
    }
    if let Some(s) = str_of(input, "subject") {
        b = b.subject(s);
    }
    if let Some(s) = str_of(input, "text") {
        b = b.text(s);
    }
    if let Some(s) = str_of(input, "html") {
        b = b.html(s);
    }
    for part in list(input, "inline") {
        let mut inline = Inline::new(
            part["content_id"].as_str().unwrap(),
            part["content_type"].as_str().unwrap(),
            b64(&part["data_base64"]),
        );
        if let Some(name) = str_of(part, "filename") {
            inline = inline.filename(name);
        }
        b = b.inline(inline);
    }
    for part in list(input, "attachments") {
        b = b.attachment(Attachment::new(
            part["filename"].as_str().unwrap(),
            part["content_type"].as_str().unwrap(),
            b64(&part["data_base64"]),
        ));
    }
    for pair in list(input, "headers") {
        b = b.header(pair[0].as_str().unwrap(), pair[1].as_str().unwrap());
    }
    for pair in list(input, "sc_custom") {
        b = b.sc_custom(pair[0].as_str().unwrap(), pair[1].as_str().unwrap());
    }
    if let Some(api) = input.get("x_smtpapi") {
        let mut x = XSmtpApi::new();
        for to in list(api, "to") {
            x = x.to(to.as_str().unwrap());
        }
        for (name, values) in api
            .get("sub")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            x = x.sub(
                name,
                values
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap()),
            );
        }
        for (name, value) in api
            .get("section")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            x = x.section(name, value.as_str().unwrap());
        }
        if let Some(filters) = api.get("filters") {
            if let Some(on) = filters.get("open_tracking").and_then(Value::as_bool) {
                x = x.open_tracking(on);
            }
            if let Some(on) = filters.get("click_tracking").and_then(Value::as_bool) {
                x = x.click_tracking(on);
            }
            if let Some(on) = filters
                .get("subscription_tracking")
                .and_then(Value::as_bool)
            {
                x = x.subscription_tracking(on);
            }
        }
        b = b.x_smtpapi(x);
    }
    if let Some(s) = str_of(input, "message_id") {
        b = b.message_id(s);
    }
    for v in list(input, "in_reply_to") {
        b = b.in_reply_to(v.as_str().unwrap());
    }
    for v in list(input, "references") {
        b = b.references(v.as_str().unwrap());
    }
    if let Some(date) = input.get("date").and_then(Value::as_i64) {
        b = b.date(date);
    }
    if let Some(seed) = str_of(input, "boundary_seed") {
        b = b.boundary_seed(seed);
    }
    for uri in list(input, "list_unsubscribe") {
        b = b.list_unsubscribe(uri.as_str().unwrap());
    }
    if let Some(on) = input.get("one_click_unsubscribe").and_then(Value::as_bool) {
        b = b.one_click_unsubscribe(on);
    }
    if let Some(id) = str_of(input, "list_id") {
        b = b.list_id(id);
    }
    if let Some(c) = input.get("calendar") {
        let mut calendar = Calendar::new(
            c["method"].as_str().unwrap(),
            c["content"].as_str().unwrap(),
        );
        if let Some(name) = str_of(c, "attachment") {
            calendar = calendar.attachment(name);
        }
        b = b.calendar(calendar);
    }
    #[cfg(feature = "dkim")]
    for signer in list(input, "dkim") {
        b = b.dkim(dkim_signer(signer));
    }
    b
}

/// testdata/dkim: the fixed test keys and their DNS records.
pub fn dkim_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/dkim")
}

/// One member of a vector's `dkim` array as a signer.
#[cfg(feature = "dkim")]
pub fn dkim_signer(v: &Value) -> mailwright::DkimSigner {
    use mailwright::{Canonicalization, DkimKey, DkimSigner};
    let key = if let Some(file) = str_of(v, "key_file") {
        let pem = std::fs::read_to_string(dkim_dir().join(file)).expect("key file");
        DkimKey::from_pem(&pem)
    } else {
        DkimKey::ed25519_from_seed(&b64(&v["key_seed_base64"]))
    };
    let key = key.unwrap_or_else(|err| panic!("dkim key: {err}"));
    let mut signer = DkimSigner::new(
        v["domain"].as_str().unwrap(),
        v["selector"].as_str().unwrap(),
        key,
    );
    if let Some(c) = str_of(v, "canonicalization") {
        let (h, b) = Canonicalization::parse_tag(c).unwrap();
        signer = signer.canonicalization(h, b);
    }
    if let Some(t) = v.get("time").and_then(Value::as_i64) {
        signer = signer.time(t);
    }
    if let Some(x) = v.get("expires_after").and_then(Value::as_u64) {
        signer = signer.expires_after(x);
    }
    signer
}

/// The MIME tree shape the input asks for, computed independently of the builder.
pub fn expected_structure(input: &Value) -> String {
    let text = input.get("text").is_some();
    let html = input.get("html").is_some();
    let calendar = input.get("calendar").is_some();
    let alternatives: Vec<&str> = [
        (text, "text/plain"),
        (html, "text/html"),
        (calendar, "text/calendar"),
    ]
    .into_iter()
    .filter_map(|(on, t)| on.then_some(t))
    .collect();
    let body = match alternatives.len() {
        0 => "text/plain".to_string(),
        1 => alternatives[0].to_string(),
        _ => format!("multipart/alternative[{}]", alternatives.join(", ")),
    };
    let lower = |v: &Value| essence(v["content_type"].as_str().unwrap());
    let inline: Vec<String> = list(input, "inline").map(lower).collect();
    let body = if inline.is_empty() {
        body
    } else {
        format!("multipart/related[{body}, {}]", inline.join(", "))
    };
    let mut attachments: Vec<String> = list(input, "attachments").map(lower).collect();
    if input
        .get("calendar")
        .and_then(|c| c.get("attachment"))
        .is_some()
    {
        attachments.push("application/ics".into());
    }
    if attachments.is_empty() {
        body
    } else {
        format!("multipart/mixed[{body}, {}]", attachments.join(", "))
    }
}

/// `type/subtype` of a content type, in lower case, without parameters.
fn essence(content_type: &str) -> String {
    let essence = content_type.split(';').next().unwrap_or_default();
    essence.trim().to_ascii_lowercase()
}

/// The parameters of a content type as mail-parser reads them (names in
/// lower case), for an independent reading of the input.
fn parameters(content_type: &str) -> Vec<(String, String)> {
    let raw = format!("Content-Type: {content_type}\r\n\r\n");
    let parsed = MessageParser::new()
        .parse(raw.as_bytes())
        .expect("a header block parses");
    parsed
        .content_type()
        .and_then(|c| c.attributes())
        .unwrap_or_default()
        .iter()
        .map(|a| (a.name.to_ascii_lowercase(), a.value.to_string()))
        .collect()
}

/// The caller's content type parameters are all written (charset in lower
/// case), and the builder adds none but `charset` and `name`.
fn check_parameters(input: &Value, part: &mail_parser::MessagePart) {
    let given = parameters(input["content_type"].as_str().unwrap());
    let written: Vec<(String, String)> = part
        .content_type()
        .and_then(|c| c.attributes())
        .unwrap_or_default()
        .iter()
        .map(|a| (a.name.to_ascii_lowercase(), a.value.to_string()))
        .collect();
    for (name, value) in &given {
        let found = written.iter().find(|(n, _)| n == name).map(|(_, v)| v);
        match name.as_str() {
            "charset" => assert_eq!(found, Some(&value.to_ascii_lowercase())),
            _ => assert_eq!(found, Some(value), "parameter {name}"),
        }
    }
    for (name, _) in &written {
        assert!(
            name == "charset" || name == "name" || given.iter().any(|(n, _)| n == name),
            "parameter {name} added"
        );
    }
}

/// Each parsed mailbox has the input's address and display name.
fn check_mailboxes<'a>(
    parsed: Option<&mail_parser::Address>,
    input: impl Iterator<Item = &'a Value>,
    header: &str,
) {
    let input: Vec<&Value> = input.collect();
    if input.is_empty() {
        assert!(parsed.is_none(), "{header} written");
        return;
    }
    let parsed: Vec<&mail_parser::Addr> = parsed
        .unwrap_or_else(|| panic!("{header} parses"))
        .iter()
        .collect();
    assert_eq!(parsed.len(), input.len(), "{header}: count");
    for (addr, value) in parsed.iter().zip(input) {
        assert_eq!(
            addr.address().map(str::to_string),
            Some(header_address(value)),
            "{header}"
        );
        assert_eq!(
            addr.name().map(squash),
            header_name(value).as_deref().map(squash),
            "{header}: display name"
        );
    }
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn normalize_newlines(s: &str) -> String {
    s.replace("\r\n", "\n").replace('\r', "\n")
}

/// The hard limit: Haraka breaks longer DATA lines (RFC 5322 allows 998).
pub const MAX_LINE: usize = 992;

/// Checks the bytes line by line: CRLF only, no line over `max` bytes.
pub fn check_lines(bytes: &[u8], max: usize) {
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'\n' => {
                assert!(i > 0 && bytes[i - 1] == b'\r', "bare LF at byte {i}");
                let len = i - 1 - start;
                assert!(
                    len <= max,
                    "line of {len} bytes at byte {start}: {:?}",
                    String::from_utf8_lossy(&bytes[start..i])
                );
                start = i + 1;
            }
            b'\r' => assert!(bytes.get(i + 1) == Some(&b'\n'), "bare CR at byte {i}"),
            _ => {}
        }
    }
    assert!(bytes.len() - start <= max, "last line too long");
}

/// Parses `bytes` with mail-parser and checks them against the input.
pub fn verify_with_parser(input: &Value, message: &Message, bytes: &[u8]) {
    check_lines(bytes, MAX_LINE);
    let parsed = MessageParser::default()
        .parse(bytes)
        .expect("mail-parser parses the message");

    // The header block: no Bcc, X-SMTPAPI last.
    let header_end = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("header block");
    let head = String::from_utf8_lossy(&bytes[..header_end + 2]).to_string();
    assert!(
        !head.to_ascii_lowercase().contains("\r\nbcc:")
            && !head.to_ascii_lowercase().starts_with("bcc:"),
        "Bcc header written"
    );
    if input.get("x_smtpapi").is_some() {
        let at = head
            .find("\r\nX-SMTPAPI: ")
            .expect("X-SMTPAPI header present");
        let after = &head[at + 2..];
        let unfolded: String = after
            .split("\r\n")
            .filter(|l| !l.is_empty())
            .map(|l| l.trim_start())
            .collect::<Vec<_>>()
            .join("");
        assert!(
            !after
                .lines()
                .skip(1)
                .any(|l| !l.is_empty() && !l.starts_with(' ')),
            "X-SMTPAPI is not the last header: {after:?}"
        );
        let value = unfolded.trim_start_matches("X-SMTPAPI: ");
        let json = base64::engine::general_purpose::STANDARD
            .decode(value)
            .expect("X-SMTPAPI is base64");
        let json: Value = serde_json::from_slice(&json).expect("X-SMTPAPI is JSON");
        if let Some(to) = input["x_smtpapi"].get("to") {
            assert_eq!(
                json["to"].as_array().unwrap().len(),
                to.as_array().unwrap().len()
            );
        }
    } else {
        assert!(!head.contains("X-SMTPAPI"));
    }

    // Subject and addresses.
    match input.get("subject").and_then(Value::as_str) {
        // Runs of spaces at a fold are collapsed by mail-parser (RFC 5322
        // unfolding keeps them), so whitespace runs are compared as one space.
        Some(subject) => assert_eq!(squash(parsed.subject().unwrap_or("")), squash(subject)),
        None => assert!(parsed.subject().is_none()),
    }
    // Every mailbox header reads back to the input's addresses and display
    // names (encoded-word look-alikes included: they must read literally).
    check_mailboxes(parsed.from(), input.get("from").into_iter(), "From");
    check_mailboxes(parsed.sender(), input.get("sender").into_iter(), "Sender");
    check_mailboxes(parsed.reply_to(), list(input, "reply_to"), "Reply-To");
    check_mailboxes(parsed.to(), list(input, "to"), "To");
    check_mailboxes(parsed.cc(), list(input, "cc"), "Cc");
    assert_eq!(message.envelope().recipients().len(), {
        let mut all: Vec<String> = list(input, "to")
            .chain(list(input, "cc"))
            .chain(list(input, "bcc"))
            .map(header_address)
            .collect();
        let mut seen = Vec::new();
        all.retain(|a| {
            if seen.contains(a) {
                false
            } else {
                seen.push(a.clone());
                true
            }
        });
        all.len()
    });

    // The tree shape and the leaves.
    let mut shape = String::new();
    describe(&parsed, 0, &mut shape);
    assert_eq!(shape, expected_structure(input), "MIME structure");
    assert_eq!(message.structure(), shape);

    let leaves: Vec<&mail_parser::MessagePart> =
        parsed.parts.iter().filter(|p| !p.is_multipart()).collect();
    let mut leaves = leaves.into_iter();
    let text = input.get("text").and_then(Value::as_str);
    let html = input.get("html").and_then(Value::as_str);
    let mut bodies: Vec<&str> = Vec::new();
    match (text, html) {
        (Some(t), Some(h)) => bodies.extend([t, h]),
        (Some(t), None) => bodies.push(t),
        (None, Some(h)) => bodies.push(h),
        (None, None) if input.get("calendar").is_none() => bodies.push(""),
        (None, None) => {}
    }
    for body in bodies {
        let part = leaves.next().expect("a body part");
        let got = match &part.body {
            PartType::Text(t) | PartType::Html(t) => t.to_string(),
            other => panic!("body is not text: {other:?}"),
        };
        assert_eq!(normalize_newlines(&got), normalize_newlines(body));
    }
    if let Some(calendar) = input.get("calendar") {
        let part = leaves.next().expect("the calendar part");
        let ct = part.content_type().expect("calendar content type");
        assert_eq!(
            (ct.ctype(), ct.subtype()),
            ("text", Some("calendar")),
            "calendar part"
        );
        assert_eq!(
            ct.attribute("method").map(str::to_ascii_uppercase),
            Some(calendar["method"].as_str().unwrap().to_ascii_uppercase())
        );
        assert_eq!(ct.attribute("charset"), Some("utf-8"));
        assert_eq!(
            normalize_newlines(&String::from_utf8_lossy(part.contents())),
            normalize_newlines(calendar["content"].as_str().unwrap())
        );
    }
    for inline in list(input, "inline") {
        let part = leaves.next().expect("an inline part");
        let cid = inline["content_id"]
            .as_str()
            .unwrap()
            .trim_start_matches('<')
            .trim_end_matches('>');
        assert_eq!(part.content_id(), Some(cid));
        assert_eq!(
            part.content_disposition().map(|d| d.ctype()),
            Some("inline")
        );
        check_contents(inline, part.contents());
        // Filenames are trimmed (a documented rule).
        if let Some(name) = inline.get("filename").and_then(Value::as_str) {
            assert_eq!(part.attachment_name(), Some(name.trim()));
        }
        check_parameters(inline, part);
    }
    for attachment in list(input, "attachments") {
        let part = leaves.next().expect("an attachment");
        assert_eq!(
            part.content_disposition().map(|d| d.ctype()),
            Some("attachment")
        );
        let name = attachment["filename"].as_str().unwrap().trim();
        assert_eq!(part.attachment_name(), Some(name));
        assert_eq!(
            part.content_disposition()
                .and_then(|d| d.attribute("filename")),
            Some(name)
        );
        // The RFC 2047 fallback in Content-Type's name= decodes to the same name.
        assert_eq!(
            part.content_type().and_then(|c| c.attribute("name")),
            Some(name)
        );
        check_parameters(attachment, part);
        check_contents(attachment, part.contents());
    }
    if let Some(name) = input
        .get("calendar")
        .and_then(|c| c.get("attachment"))
        .and_then(Value::as_str)
    {
        let part = leaves.next().expect("the .ics attachment");
        assert_eq!(part.attachment_name(), Some(name));
        assert_eq!(
            normalize_newlines(&String::from_utf8_lossy(part.contents())),
            normalize_newlines(input["calendar"]["content"].as_str().unwrap())
        );
    }
    assert!(leaves.next().is_none(), "extra parts");
    check_list_headers(input, &head);
}

/// The raw value of a top-level header, unfolded (None when absent).
fn raw_header(head: &str, name: &str) -> Option<String> {
    let mut lines = head.split("\r\n").peekable();
    while let Some(line) = lines.next() {
        let Some((n, v)) = line.split_once(':') else {
            continue;
        };
        if n.eq_ignore_ascii_case(name) {
            let mut value = v.trim_start().to_string();
            while let Some(next) = lines.peek().filter(|l| l.starts_with([' ', '\t'])) {
                value.push_str(next);
                lines.next();
            }
            return Some(value);
        }
    }
    None
}

/// List-Unsubscribe holds the input's URIs in `<>`, comma-joined; the
/// one-click header is there exactly when asked for; List-Id holds the id.
fn check_list_headers(input: &Value, head: &str) {
    let uris: Vec<String> = list(input, "list_unsubscribe")
        .map(|u| {
            let u = u.as_str().unwrap();
            let u = u
                .strip_prefix('<')
                .and_then(|x| x.strip_suffix('>'))
                .unwrap_or(u);
            match u.split_once(':') {
                Some((scheme, rest)) => format!("{}:{rest}", scheme.to_ascii_lowercase()),
                None => u.to_string(),
            }
        })
        .collect();
    if uris.is_empty() {
        return;
    }
    let value = raw_header(head, "List-Unsubscribe").expect("List-Unsubscribe written");
    let got: Vec<String> = value
        .split(',')
        .map(|u| {
            u.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_string()
        })
        .collect();
    assert_eq!(got, uris, "List-Unsubscribe");
    let one_click = input.get("one_click_unsubscribe").and_then(Value::as_bool) == Some(true);
    assert_eq!(
        raw_header(head, "List-Unsubscribe-Post").as_deref(),
        one_click.then_some("List-Unsubscribe=One-Click")
    );
    if let Some(id) = str_of(input, "list_id") {
        let want = id.rsplit('<').next().unwrap().trim_end_matches('>');
        let value = raw_header(head, "List-Id").expect("List-Id written");
        assert!(value.ends_with(&format!("<{want}>")), "List-Id {value}");
    }
}

/// Compares a decoded part with its input. mail-parser decodes text/* parts
/// to text (line ends normalized, invalid UTF-8 replaced), so for those the
/// text is compared; other parts byte for byte.
fn check_contents(input: &Value, contents: &[u8]) {
    let data = b64(&input["data_base64"]);
    let is_text = input["content_type"]
        .as_str()
        .unwrap()
        .to_ascii_lowercase()
        .starts_with("text/");
    if is_text {
        if let Ok(text) = std::str::from_utf8(&data) {
            assert!(
                normalize_newlines(&String::from_utf8_lossy(contents)) == normalize_newlines(text),
                "text part differs"
            );
        }
    } else {
        assert!(
            contents == data.as_slice(),
            "part bytes differ ({} vs {} bytes)",
            contents.len(),
            data.len()
        );
    }
}

fn header_address(value: &Value) -> String {
    let spec = mailbox(value);
    let mailbox = match spec {
        MailboxSpec::Text(t) => mailwright::Mailbox::parse(&t).unwrap(),
        MailboxSpec::Parts(n, a) => mailwright::Mailbox::new(n.as_deref(), &a).unwrap(),
        MailboxSpec::Mailbox(m) => m,
    };
    mailbox.address().to_string()
}

/// The display name as the input gives it; names are trimmed and an empty
/// one means none (a documented rule of Mailbox).
fn header_name(value: &Value) -> Option<String> {
    let name = match value {
        Value::Object(o) => o.get("name").and_then(Value::as_str).map(str::to_string),
        Value::String(s) => mailwright::Mailbox::parse(s)
            .unwrap()
            .name()
            .map(str::to_string),
        _ => None,
    };
    name.map(|n| n.trim().to_string()).filter(|n| !n.is_empty())
}

fn describe(message: &mail_parser::Message, id: usize, out: &mut String) {
    let part = &message.parts[id];
    let ct = part
        .content_type()
        .map(|c| format!("{}/{}", c.ctype(), c.subtype().unwrap_or("")))
        .unwrap_or_else(|| "text/plain".into());
    out.push_str(&ct.to_ascii_lowercase());
    if let PartType::Multipart(children) = &part.body {
        out.push('[');
        for (i, child) in children.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            describe(message, *child as usize, out);
        }
        out.push(']');
    }
}

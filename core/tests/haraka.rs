//! Against a real Haraka (the server in SendCloud's reference), started on
//! 127.0.0.1 by the test: STARTTLS on a self-signed certificate, AUTH LOGIN
//! with a label, the stored bytes, many messages on one connection.
#![cfg(feature = "net")]

mod servers;

use mailwright::smtp::{ClientOptions, SmtpClient, TlsMode};
use mailwright::{Attachment, Credentials, ErrorKind, Inline, Message, XSmtpApi};
use servers::Haraka;
use std::sync::OnceLock;
use std::time::Duration;

fn haraka() -> &'static Haraka {
    static SERVER: OnceLock<Haraka> = OnceLock::new();
    SERVER.get_or_init(|| Haraka::start("LOGIN"))
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
        .timeout(Duration::from_secs(20))
}

fn example(n: usize) -> Message {
    Message::builder()
        .from("Support <support@ifaxin.com>")
        .to("ben@ifaxin.com")
        .bcc("audit@ifaxin.com")
        .subject(format!("测试内嵌图片 {n}"))
        .text(".a line with a leading dot\nand more")
        .html(r#"<p>hi <img src="cid:image1"></p>"#)
        .inline(Inline::new(
            "image1",
            "image/png",
            std::fs::read(servers::repo().join("examples/assets/test.png")).unwrap(),
        ))
        .attachment(Attachment::new(
            "报告.pdf",
            "application/pdf",
            vec![b'%'; 3000],
        ))
        .x_smtpapi(XSmtpApi::new().to("ben@ifaxin.com").sub("%name%", ["Ben"]))
        .build()
        .unwrap()
}

/// Haraka puts its own headers (Received, Authentication-Results) in front.
fn without_leading_trace_headers(stored: &[u8]) -> &[u8] {
    let at = stored
        .windows(8)
        .position(|w| w == b"\r\nDate: ")
        .expect("our Date header");
    &stored[at + 2..]
}

/// Byte equality, showing the first differing line instead of two dumps.
fn assert_same(stored: &[u8], built: &[u8]) {
    if stored == built {
        return;
    }
    let (a, b): (Vec<&[u8]>, Vec<&[u8]>) = (
        stored.split(|&c| c == b'\n').collect(),
        built.split(|&c| c == b'\n').collect(),
    );
    let at = a
        .iter()
        .zip(&b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    panic!(
        "stored message differs from the built one at line {} (stored {} lines, built {}): {:?} vs {:?}",
        at + 1,
        a.len(),
        b.len(),
        a.get(at).map(|l| String::from_utf8_lossy(l)),
        b.get(at).map(|l| String::from_utf8_lossy(l))
    );
}

#[test]
fn sends_with_a_label_over_starttls_and_the_server_stores_the_same_bytes() {
    let mut client = SmtpClient::connect(options()).unwrap();
    assert!(client.is_tls());
    assert_eq!(client.capabilities().auth_names, ["LOGIN"]);
    assert_eq!(client.capabilities().size, Some(16_000_000));
    let message = example(1);
    let report = client.send(&message).unwrap();
    client.quit().unwrap();
    let id = report.queue_id.clone().expect("Haraka gives a queue id");
    let (stored, meta) = haraka().stored(&id);
    assert_same(without_leading_trace_headers(&stored), &message.to_vec());
    assert_eq!(meta["label"], "12345");
    assert_eq!(meta["user"], "api_user");
    assert_eq!(meta["tls"], true);
    assert_eq!(meta["mail_from"], "support@ifaxin.com");
    assert_eq!(
        meta["rcpt_to"],
        serde_json::json!(["ben@ifaxin.com", "audit@ifaxin.com"])
    );
    assert_eq!(report.accepted, ["ben@ifaxin.com", "audit@ifaxin.com"]);
}

#[test]
fn a_wrong_key_is_an_authentication_error() {
    let mut opts = options();
    opts.credentials = Some(
        Credentials::new("api_user", "wrong-key")
            .unwrap()
            .with_label("12345")
            .unwrap(),
    );
    let err = SmtpClient::connect(opts).err().expect("refused");
    assert_eq!(err.kind(), ErrorKind::AuthenticationFailed);
    assert_eq!(err.reply().unwrap().code(), 535);
    assert!(!err.to_string().contains("wrong-key"));
}

#[test]
fn many_messages_over_one_connection_with_and_without_pipelining() {
    for pipelining in [true, false] {
        let mut opts = options();
        opts.pipelining = pipelining;
        let mut client = SmtpClient::connect(opts).unwrap();
        let messages: Vec<Message> = (0..5).map(example).collect();
        let refs: Vec<&Message> = messages.iter().collect();
        let results = client.send_all(&refs);
        client.quit().unwrap();
        let mut ids = std::collections::HashSet::new();
        for (message, result) in messages.iter().zip(results) {
            let report = result.unwrap();
            let id = report.queue_id.unwrap();
            let (stored, _) = haraka().stored(&id);
            assert_same(without_leading_trace_headers(&stored), &message.to_vec());
            assert!(ids.insert(id));
        }
    }
}

#[test]
fn a_message_over_the_size_limit_is_refused_before_mail_and_the_connection_goes_on() {
    let mut client = SmtpClient::connect(options()).unwrap();
    let big = Message::builder()
        .from("support@ifaxin.com")
        .to("ben@ifaxin.com")
        .attachment(Attachment::new(
            "big.bin",
            "application/octet-stream",
            vec![7u8; 12_500_000],
        ))
        .build()
        .unwrap();
    assert!(big.size() > 16_000_000);
    let err = client.send(&big).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MessageTooLarge);
    assert!(client.send(&example(9)).is_ok());
    client.quit().unwrap();
}

#[test]
fn auth_needs_tls_here_and_the_certificate_is_verified() {
    let mut plain = options();
    plain.tls = TlsMode::None;
    assert_eq!(
        SmtpClient::connect(plain).err().unwrap().kind(),
        ErrorKind::AuthUnavailable
    );
    let mut untrusted = options();
    untrusted.extra_roots_pem.clear();
    assert_eq!(
        SmtpClient::connect(untrusted).err().unwrap().kind(),
        ErrorKind::Tls
    );
    let mut wrong_name = options();
    wrong_name.tls_server_name = Some("mail.example.com".into());
    assert_eq!(
        SmtpClient::connect(wrong_name).err().unwrap().kind(),
        ErrorKind::Tls
    );
}

#[test]
fn the_one_call_send() {
    let report = mailwright::smtp::send(&example(7), options()).unwrap();
    assert!(report.queue_id.is_some());
}

#[test]
fn implicit_tls_on_the_smtps_port() {
    let mut opts = options();
    opts.port = Some(haraka().smtps_port);
    opts.tls = TlsMode::Implicit;
    let mut client = SmtpClient::connect(opts).unwrap();
    assert!(client.is_tls());
    assert!(!client.capabilities().starttls);
    let message = example(3);
    let report = client.send(&message).unwrap();
    client.quit().unwrap();
    let (stored, meta) = haraka().stored(&report.queue_id.unwrap());
    assert_same(without_leading_trace_headers(&stored), &message.to_vec());
    assert_eq!(meta["tls"], true);
    assert_eq!(meta["label"], "12345");
}

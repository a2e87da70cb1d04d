//! Against a misbehaving server: every failure is typed, no message is lost
//! silently, and none is reported sent that was not.
#![cfg(feature = "net")]

mod servers;

use mailwright::smtp::{ClientOptions, SmtpClient, TlsMode};
use mailwright::{Credentials, ErrorKind, Message};
use servers::BadServer;
use std::time::Duration;

fn message() -> Message {
    Message::builder()
        .from("support@ifaxin.com")
        .to("ben@ifaxin.com")
        .cc("joe@ifaxin.com")
        .text("hello")
        .build()
        .unwrap()
}

fn options(port: u16) -> ClientOptions {
    ClientOptions::new("127.0.0.1", port)
        .tls(TlsMode::None)
        .timeout(Duration::from_secs(3))
}

fn send_one(scenario: &str) -> mailwright::Result<mailwright::smtp::SendReport> {
    let server = BadServer::start(scenario);
    let mut client = SmtpClient::connect(options(server.port))?;
    client.send(&message())
}

#[test]
fn each_misbehaviour_gives_a_typed_error() {
    let cases = [
        ("rate_limit_mail", ErrorKind::RateLimited),
        ("transient_rcpt", ErrorKind::SmtpTransient),
        ("permanent_rcpt", ErrorKind::SmtpPermanent),
        ("permanent_data", ErrorKind::SmtpPermanent),
        ("transient_final", ErrorKind::SmtpTransient),
        ("rate_limit_final", ErrorKind::RateLimited),
        ("drop_in_data", ErrorKind::ConnectionClosed),
        ("garbage", ErrorKind::Protocol),
        ("long_line", ErrorKind::Protocol),
        ("refuse_greeting", ErrorKind::SmtpPermanent),
        ("close_after_ehlo", ErrorKind::ConnectionClosed),
        ("no_greeting", ErrorKind::Timeout),
        // Every read gets a byte within the 3 s read time-out; the whole
        // greeting would take 30 s: the reply deadline ends it.
        ("slow_drip", ErrorKind::Timeout),
    ];
    for (scenario, kind) in cases {
        let err = send_one(scenario).expect_err(scenario);
        assert_eq!(err.kind(), kind, "{scenario}: {err}");
    }
}

#[test]
fn a_partly_refused_message_is_sent_with_the_refusals_reported() {
    let report = send_one("partial_rcpt").unwrap();
    assert_eq!(report.queue_id.as_deref(), Some("BAD123"));
    assert_eq!(report.accepted, ["ben@ifaxin.com"]);
    assert_eq!(report.refused[0].0, "joe@ifaxin.com");
}

#[test]
fn after_a_rate_limit_the_connection_keeps_working() {
    let server = BadServer::start("rate_limit_mail");
    let mut client = SmtpClient::connect(options(server.port)).unwrap();
    for _ in 0..3 {
        assert_eq!(
            client.send(&message()).unwrap_err().kind(),
            ErrorKind::RateLimited
        );
    }
    client.quit().unwrap();
}

#[test]
fn nothing_listening_is_a_connect_error() {
    // Port 1 on loopback: privileged and unused, so the connection is refused
    // (a freed ephemeral port could be taken by a server of a parallel test).
    let err = SmtpClient::connect(options(1)).err().unwrap();
    assert_eq!(err.kind(), ErrorKind::Connect, "{err}");
}

#[test]
fn an_early_talker_is_a_protocol_error() {
    let server = BadServer::start("early_talker");
    let options =
        options(server.port).credentials(Credentials::new("api_user", "api_key").unwrap());
    let err = SmtpClient::connect(options).err().unwrap();
    assert_eq!(err.kind(), ErrorKind::Protocol, "{err}");
}

#[test]
fn a_server_echoing_the_secret_and_terminal_escapes_shows_neither() {
    let server = BadServer::start("echo_auth");
    for key in ["s3cret-key", "another-key"] {
        let mut options =
            options(server.port).credentials(Credentials::new("api_user", key).unwrap());
        options.transcript = true;
        let err = SmtpClient::connect(options).err().unwrap();
        assert_eq!(err.kind(), ErrorKind::AuthenticationFailed, "{err}");
        let reply = err.reply().unwrap().text();
        let shown = format!("{err} {reply}");
        assert!(reply.contains("<redacted>"), "{shown}");
        assert!(
            !shown.contains('\u{1b}') && !shown.contains('\u{7}'),
            "{shown:?}"
        );
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD;
        for secret in [
            key.to_string(),
            b64.encode(key),
            b64.encode(format!("\0api_user\0{key}")),
        ] {
            assert!(!shown.contains(&secret), "{secret} in {shown}");
        }
    }
}

#[test]
fn credentials_are_not_sent_in_clear_text_when_plaintext_auth_is_refused() {
    let server = BadServer::start("echo_auth");
    let mut options = options(server.port)
        .tls(TlsMode::Opportunistic)
        .credentials(Credentials::new("api_user", "api_key").unwrap());
    options.allow_plaintext_auth = Some(false);
    let err = SmtpClient::connect(options).err().unwrap();
    assert_eq!(err.kind(), ErrorKind::TlsUnavailable, "{err}");
}

#[test]
fn control_characters_in_a_queue_id_are_escaped() {
    let report = send_one("control_chars").unwrap();
    let id = report.queue_id.unwrap();
    assert_eq!(id, "q\\x00id\\x1B[2J");
    assert!(!id.chars().any(char::is_control));
}

#[test]
fn another_thread_can_interrupt_a_blocked_send() {
    let server = BadServer::start("stall_final");
    let mut client = SmtpClient::connect(options(server.port)).unwrap();
    let interrupter = client.interrupter().unwrap();
    let stopper = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        interrupter.interrupt();
    });
    let err = client.send(&message()).unwrap_err();
    stopper.join().unwrap();
    assert_eq!(err.kind(), ErrorKind::ConnectionClosed, "{err}");
    assert!(err.message().contains("application"), "{err}");
}

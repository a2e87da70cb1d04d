//! Against a misbehaving server: every failure is typed, no message is lost
//! silently, and none is reported sent that was not.
#![cfg(feature = "net")]

mod servers;

use mailwright::smtp::{ClientOptions, SmtpClient, TlsMode};
use mailwright::{ErrorKind, Message};
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

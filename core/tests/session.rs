//! The sans-IO session against scripted servers: every byte the client sends
//! is checked, and every way a server can fail gives a typed error.

use mailwright::smtp::{ConnectionLoss, Event, ReplyClass, Session, SessionConfig, TlsMode};
use mailwright::{Credentials, ErrorKind, Message};

fn message() -> Message {
    Message::builder()
        .from("support@ifaxin.com")
        .to("ben@ifaxin.com")
        .subject("t")
        .text(".leading dot\nline\n..two")
        .date(0)
        .message_id("id@ifaxin.com")
        .boundary_seed("s")
        .build()
        .unwrap()
}

fn two_recipients() -> Message {
    Message::builder()
        .from("support@ifaxin.com")
        .to("ben@ifaxin.com")
        .cc("joe@ifaxin.com")
        .text("x")
        .date(0)
        .message_id("id2@ifaxin.com")
        .boundary_seed("s")
        .build()
        .unwrap()
}

fn config(tls: TlsMode, credentials: Option<Credentials>, pipelining: bool) -> SessionConfig {
    SessionConfig {
        hello_name: "ifaxin.com".into(),
        tls,
        credentials,
        pipelining,
        transcript: true,
        // These scripted servers mostly offer no TLS; the refusal to send
        // credentials in clear text is tested on its own below.
        allow_plaintext_auth: true,
        ..SessionConfig::default()
    }
}

fn events(session: &mut Session) -> Vec<Event> {
    std::iter::from_fn(|| session.poll_event()).collect()
}

fn out(session: &mut Session) -> String {
    String::from_utf8(session.take_output()).unwrap()
}

const EHLO_SENDCLOUD: &str = "250-SendCloud Inbound Server Hello, Haraka is at your service.\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SIZE 16000000\r\n250-STARTTLS\r\n250 AUTH LOGIN\r\n";

#[test]
fn the_reference_session_with_starttls_and_a_label() {
    let creds = Credentials::new("api_user", "api_key")
        .unwrap()
        .with_label("12345")
        .unwrap();
    let mut s = Session::new(config(TlsMode::StartTls, Some(creds), false)).unwrap();
    let handle = s.send(&message()).unwrap();
    assert_eq!(out(&mut s), "");
    s.receive(b"220 SendCloud Inbound Server ESMTP Haraka 2.2.4 ready\r\n");
    assert_eq!(out(&mut s), "EHLO ifaxin.com\r\n");
    s.receive(EHLO_SENDCLOUD.as_bytes());
    assert_eq!(out(&mut s), "STARTTLS\r\n");
    s.receive(b"220 Go ahead\r\n");
    assert_eq!(events(&mut s), [Event::StartTls]);
    assert!(s.wants_tls());
    s.tls_established();
    assert!(s.is_tls());
    assert_eq!(out(&mut s), "EHLO ifaxin.com\r\n");
    s.receive(EHLO_SENDCLOUD.replace("250-STARTTLS\r\n", "").as_bytes());
    assert_eq!(out(&mut s), "AUTH LOGIN YXBpX3VzZXIjMTIzNDU=\r\n");
    s.receive(b"334 UGFzc3dvcmQ6\r\n");
    assert_eq!(out(&mut s), "YXBpX2tleQ==\r\n");
    s.receive(b"235 Authentication successful\r\n");
    assert_eq!(events(&mut s), [Event::Ready]);
    let size = message().size();
    assert_eq!(
        out(&mut s),
        format!("MAIL FROM:<support@ifaxin.com> SIZE={size}\r\n")
    );
    s.receive(b"250 sender <support@ifaxin.com> OK\r\n");
    assert_eq!(out(&mut s), "RCPT TO:<ben@ifaxin.com>\r\n");
    s.receive(b"250 recipient <ben@ifaxin.com> OK\r\n");
    assert_eq!(out(&mut s), "DATA\r\n");
    s.receive(b"354 go ahead, make my day\r\n");
    let data = out(&mut s);
    assert!(
        data.contains("\r\n..leading dot\r\nline\r\n...two\r\n.\r\n")
            || data.ends_with("\r\n.\r\n"),
        "{data}"
    );
    assert!(data.ends_with("...two\r\n.\r\n"), "{data:?}");
    assert!(
        events(&mut s).is_empty(),
        "nothing is reported sent before the final reply"
    );
    s.receive(b"250 #1426390015358_15_6484_8661.sc-10_10_127_51-inbound#Queued\r\n");
    match events(&mut s).as_slice() {
        [Event::Sent(report)] => {
            assert_eq!(report.handle, handle);
            assert_eq!(
                report.queue_id.as_deref(),
                Some("1426390015358_15_6484_8661.sc-10_10_127_51-inbound")
            );
            assert_eq!(report.accepted, ["ben@ifaxin.com"]);
        }
        other => panic!("{other:?}"),
    }
    s.quit();
    assert_eq!(out(&mut s), "QUIT\r\n");
    s.receive(b"221 SendCloud Inbound Server closing connection. Have a jolly good day\r\n");
    assert_eq!(events(&mut s), [Event::Closed]);
    let transcript = s.take_transcript();
    let text: Vec<String> = transcript.iter().map(|l| l.text.clone()).collect();
    assert!(text.contains(&"<password, masked>".to_string()));
    assert!(
        !text.iter().any(|l| l.contains("YXBpX2tleQ")),
        "the key never shows: {text:?}"
    );
}

#[test]
fn pipelining_sends_mail_rcpt_data_in_one_flight_and_reports_refused_recipients() {
    let mut s = Session::new(config(TlsMode::None, None, true)).unwrap();
    s.receive(b"220 hi\r\n");
    out(&mut s);
    s.receive(b"250-mx\r\n250-PIPELINING\r\n250 SIZE 1000000\r\n");
    assert_eq!(events(&mut s), [Event::Ready]);
    s.send(&two_recipients()).unwrap();
    let size = two_recipients().size();
    assert_eq!(
        out(&mut s),
        format!(
            "MAIL FROM:<support@ifaxin.com> SIZE={size}\r\nRCPT TO:<ben@ifaxin.com>\r\nRCPT TO:<joe@ifaxin.com>\r\nDATA\r\n"
        )
    );
    s.receive(b"250 ok\r\n250 ok\r\n550 5.1.1 no such user\r\n354 go\r\n");
    assert!(out(&mut s).ends_with("\r\n.\r\n"));
    s.receive(b"250 2.0.0 Ok: queued as 4F1A2\r\n");
    match events(&mut s).as_slice() {
        [Event::Sent(r)] => {
            assert_eq!(r.queue_id.as_deref(), Some("4F1A2"));
            assert_eq!(r.accepted, ["ben@ifaxin.com"]);
            assert_eq!(r.refused.len(), 1);
            assert_eq!(r.refused[0].0, "joe@ifaxin.com");
            assert_eq!(r.refused[0].1.code(), 550);
        }
        other => panic!("{other:?}"),
    }
}

fn ready(pipelining: bool) -> Session {
    let mut s = Session::new(config(TlsMode::None, None, pipelining)).unwrap();
    s.receive(b"220 hi\r\n");
    out(&mut s);
    let ehlo = if pipelining {
        "250-mx\r\n250 PIPELINING\r\n"
    } else {
        "250 mx\r\n"
    };
    s.receive(ehlo.as_bytes());
    out(&mut s);
    assert_eq!(events(&mut s), [Event::Ready]);
    s
}

#[test]
fn rate_limited_mail_fails_the_message_and_the_next_one_goes_through() {
    for pipelining in [false, true] {
        let mut s = ready(pipelining);
        let first = s.send(&message()).unwrap();
        let second = s.send(&message()).unwrap();
        out(&mut s);
        if pipelining {
            s.receive(b"536 Frequency limited\r\n503 no sender\r\n503 no recipients\r\n");
        } else {
            s.receive(b"536 Frequency limited\r\n");
        }
        let evs = events(&mut s);
        match evs.as_slice() {
            [Event::Failed(f)] => {
                assert_eq!(f.handle, first);
                assert_eq!(f.error.kind(), ErrorKind::RateLimited);
                assert!(f.error.kind().is_transient());
                assert_eq!(f.error.reply().unwrap().class(), ReplyClass::RateLimited);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(out(&mut s), "RSET\r\n");
        s.receive(b"250 reset\r\n");
        assert!(out(&mut s).starts_with("MAIL FROM:"));
        s.receive(b"250 ok\r\n");
        if !pipelining {
            out(&mut s);
        }
        s.receive(b"250 ok\r\n");
        if !pipelining {
            out(&mut s);
        }
        s.receive(b"354 go\r\n");
        out(&mut s);
        s.receive(b"250 Queued as ABC\r\n");
        match events(&mut s).as_slice() {
            [Event::Sent(r)] => {
                assert_eq!((r.handle, r.queue_id.as_deref()), (second, Some("ABC")))
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn failures_at_each_stage_are_typed_and_never_reported_sent() {
    // (replies after MAIL, expected kind) without pipelining.
    let cases: &[(&[&str], ErrorKind)] = &[
        (&["451 4.3.0 try later"], ErrorKind::SmtpTransient),
        (&["550 5.7.1 sender refused"], ErrorKind::SmtpPermanent),
        (&["250 ok", "450 mailbox busy"], ErrorKind::SmtpTransient),
        (&["250 ok", "553 no"], ErrorKind::SmtpPermanent),
        (&["250 ok", "536 Frequency limited"], ErrorKind::RateLimited),
        (
            &["250 ok", "250 ok", "451 local error"],
            ErrorKind::SmtpTransient,
        ),
        (
            &["250 ok", "250 ok", "554 no data"],
            ErrorKind::SmtpPermanent,
        ),
        (
            &[
                "250 ok",
                "250 ok",
                "354 go",
                "452 4.3.1 insufficient storage",
            ],
            ErrorKind::SmtpTransient,
        ),
        (
            &["250 ok", "250 ok", "354 go", "554 5.6.0 spam"],
            ErrorKind::SmtpPermanent,
        ),
        (
            &["250 ok", "250 ok", "354 go", "536 Frequency limited"],
            ErrorKind::RateLimited,
        ),
    ];
    for (replies, kind) in cases {
        let mut s = ready(false);
        s.send(&message()).unwrap();
        for reply in *replies {
            out(&mut s);
            s.receive(format!("{reply}\r\n").as_bytes());
        }
        let evs = events(&mut s);
        assert!(
            !evs.iter().any(|e| matches!(e, Event::Sent(_))),
            "{replies:?}"
        );
        match evs.as_slice() {
            [Event::Failed(f)] => assert_eq!(f.error.kind(), *kind, "{replies:?}"),
            other => panic!("{replies:?}: {other:?}"),
        }
        // RSET after a refusal in the transaction; none after the reply to
        // the end of DATA, which ends the transaction either way.
        let expected = if replies.contains(&"354 go") {
            ""
        } else {
            "RSET\r\n"
        };
        assert_eq!(out(&mut s), expected, "{replies:?}");
    }
}

#[test]
fn a_dropped_connection_in_data_fails_the_message() {
    let mut s = ready(true);
    s.send(&message()).unwrap();
    out(&mut s);
    s.receive(b"250 ok\r\n250 ok\r\n354 go\r\n");
    let data = s.take_output();
    assert!(data.ends_with(b"\r\n.\r\n"));
    s.connection_lost(ConnectionLoss::Timeout, "no reply");
    let evs = events(&mut s);
    assert!(matches!(&evs[0], Event::Failed(f) if f.error.kind() == ErrorKind::Timeout));
    assert!(matches!(evs.last(), Some(Event::Error(_))));
    assert!(s.is_done());
    assert_eq!(
        s.send(&message()).unwrap_err().kind(),
        ErrorKind::InvalidState
    );
}

#[test]
fn garbage_and_over_long_replies_end_the_session_with_a_protocol_error() {
    for bad in [
        &b"HTTP/1.1 400 Bad Request\r\n"[..],
        &[b'2'; 5000][..],
        b"250 ok\r\n250 extra\r\n",
    ] {
        let mut s = ready(true);
        s.send(&message()).unwrap();
        out(&mut s);
        s.receive(bad);
        let evs = events(&mut s);
        let failed = evs.iter().filter(|e| matches!(e, Event::Failed(_))).count();
        if bad.starts_with(b"250 ok") {
            // Two replies to three commands: nothing wrong yet.
            assert!(evs.is_empty(), "{evs:?}");
            continue;
        }
        let last = evs.last().unwrap();
        assert_eq!(failed, 1, "{evs:?}");
        assert!(
            matches!(last, Event::Error(e) if e.kind() == ErrorKind::Protocol),
            "{evs:?}"
        );
    }
}

#[test]
fn an_unexpected_reply_is_a_protocol_error() {
    let mut s = ready(false);
    s.receive(b"250 nobody asked\r\n");
    assert!(
        matches!(events(&mut s).as_slice(), [Event::Error(e)] if e.kind() == ErrorKind::Protocol)
    );
}

#[test]
fn size_limits_refuse_before_mail() {
    let mut s = Session::new(config(TlsMode::None, None, true)).unwrap();
    s.receive(b"220 hi\r\n");
    out(&mut s);
    s.receive(b"250-mx\r\n250 SIZE 100\r\n");
    out(&mut s);
    let err = s.send(&message()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MessageTooLarge);
    assert_eq!(out(&mut s), "", "no MAIL was sent");
    // Queued before the limit is known: refused when its turn comes.
    let mut s = Session::new(config(TlsMode::None, None, true)).unwrap();
    let handle = s.send(&message()).unwrap();
    s.receive(b"220 hi\r\n");
    assert_eq!(out(&mut s), "EHLO ifaxin.com\r\n");
    s.receive(b"250-mx\r\n250 SIZE 100\r\n");
    let evs = events(&mut s);
    assert!(
        matches!(&evs[1], Event::Failed(f) if f.handle == handle && f.error.kind() == ErrorKind::MessageTooLarge),
        "{evs:?}"
    );
    assert_eq!(out(&mut s), "");
}

#[test]
fn helo_fallback_and_tls_policies() {
    let mut s = Session::new(config(TlsMode::Opportunistic, None, true)).unwrap();
    s.receive(b"220 old server\r\n");
    out(&mut s);
    s.receive(b"502 command not implemented\r\n");
    assert_eq!(out(&mut s), "HELO ifaxin.com\r\n");
    s.receive(b"250 hello\r\n");
    assert_eq!(events(&mut s), [Event::Ready]);

    let mut s = Session::new(config(TlsMode::StartTls, None, true)).unwrap();
    s.receive(b"220 hi\r\n");
    out(&mut s);
    s.receive(b"250 mx\r\n");
    assert!(
        matches!(events(&mut s).as_slice(), [Event::Error(e)] if e.kind() == ErrorKind::TlsUnavailable)
    );

    let mut s = Session::new(config(TlsMode::StartTls, None, true)).unwrap();
    s.receive(b"220 hi\r\n");
    out(&mut s);
    s.receive(b"250-mx\r\n250 STARTTLS\r\n");
    out(&mut s);
    s.receive(b"454 TLS not available\r\n");
    assert!(
        matches!(events(&mut s).as_slice(), [Event::Error(e)] if e.kind() == ErrorKind::TlsUnavailable)
    );

    // Bytes after the 220 to STARTTLS would be read as if encrypted: refused.
    let mut s = Session::new(config(TlsMode::StartTls, None, true)).unwrap();
    s.receive(b"220 hi\r\n");
    out(&mut s);
    s.receive(b"250-mx\r\n250 STARTTLS\r\n");
    out(&mut s);
    s.receive(b"220 go\r\n250 injected\r\n");
    assert!(
        events(&mut s)
            .iter()
            .any(|e| matches!(e, Event::Error(e) if e.kind() == ErrorKind::Protocol))
    );

    let mut s = Session::new(config(TlsMode::None, None, true)).unwrap();
    s.receive(b"220 hi\r\n");
    out(&mut s);
    s.receive(b"250-mx\r\n250 STARTTLS\r\n");
    assert_eq!(events(&mut s), [Event::Ready]);
}

#[test]
fn replies_before_their_command_was_sent_are_a_protocol_error() {
    // An early talker: the EHLO reply arrives with the greeting, before EHLO
    // went out; without this rule it would be taken as EHLO's answer and the
    // client would go on to AUTH.
    let creds = Credentials::new("api_user", "api_key").unwrap();
    let mut s = Session::new(config(TlsMode::None, Some(creds), true)).unwrap();
    s.receive(b"220 hi\r\n250-mx\r\n250 AUTH PLAIN\r\n");
    let evs = events(&mut s);
    assert!(
        matches!(evs.as_slice(), [Event::Error(e)] if e.kind() == ErrorKind::Protocol),
        "{evs:?}"
    );
    assert!(!out(&mut s).contains("AUTH"));
    // Pipelined commands half sent: a reply for the unsent part is refused too.
    let mut s = ready(true);
    s.send(&message()).unwrap();
    let pending = s.pending_output().len();
    s.consume_output(pending.min(10)); // only part of MAIL went out
    s.receive(b"250 ok\r\n");
    assert!(
        events(&mut s)
            .iter()
            .any(|e| matches!(e, Event::Error(e) if e.kind() == ErrorKind::Protocol))
    );
    // A reply while nothing is awaited, and an unasked 421.
    let mut s = ready(true);
    s.receive(b"250 nobody asked\r\n");
    assert!(
        matches!(events(&mut s).as_slice(), [Event::Error(e)] if e.kind() == ErrorKind::Protocol)
    );
    let mut s = ready(true);
    s.receive(b"421 4.3.2 going down\r\n");
    assert!(
        matches!(events(&mut s).as_slice(), [Event::Error(e)] if e.kind() == ErrorKind::SmtpTransient)
    );
}

#[test]
fn auth_outcomes() {
    let creds = || Some(Credentials::new("api_user", "api_key").unwrap());
    let start = |ehlo: &str| {
        let mut s = Session::new(config(TlsMode::None, creds(), true)).unwrap();
        s.receive(b"220 hi\r\n");
        out(&mut s);
        s.receive(ehlo.as_bytes());
        s
    };
    let mut s = start("250-mx\r\n250 AUTH LOGIN PLAIN\r\n");
    assert!(out(&mut s).starts_with("AUTH PLAIN AGFwaV91c2VyAGFwaV9rZXk=\r\n"));
    s.receive(b"535 5.7.8 Authentication failed\r\n");
    let evs = events(&mut s);
    let [Event::Error(e)] = evs.as_slice() else {
        panic!("{evs:?}")
    };
    assert_eq!(e.kind(), ErrorKind::AuthenticationFailed);
    assert_eq!(e.reply().unwrap().enhanced().unwrap().to_string(), "5.7.8");
    assert!(!e.to_string().contains("api_key"));

    let mut s = start("250-mx\r\n250 AUTH CRAM-MD5\r\n");
    assert!(
        matches!(events(&mut s).as_slice(), [Event::Error(e)] if e.kind() == ErrorKind::AuthUnavailable)
    );
    let mut s = start("250 mx\r\n");
    assert!(
        matches!(events(&mut s).as_slice(), [Event::Error(e)] if e.kind() == ErrorKind::AuthUnavailable)
    );

    // LOGIN without an initial-response prompt order: "Username:" then "Password:".
    let mut s = start("250-mx\r\n250 AUTH LOGIN\r\n");
    out(&mut s);
    s.receive(b"334 VXNlcm5hbWU6\r\n");
    assert_eq!(out(&mut s), "YXBpX3VzZXI=\r\n");
    s.receive(b"334 UGFzc3dvcmQ6\r\n");
    assert_eq!(out(&mut s), "YXBpX2tleQ==\r\n");
    s.receive(b"235 ok\r\n");
    assert_eq!(events(&mut s), [Event::Ready]);

    let mut s = start("250-mx\r\n250 AUTH LOGIN\r\n");
    out(&mut s);
    s.receive(b"454 4.7.0 temporary authentication failure\r\n");
    assert!(
        matches!(events(&mut s).as_slice(), [Event::Error(e)] if e.kind() == ErrorKind::SmtpTransient)
    );
}

#[test]
fn a_server_echoing_the_auth_secret_never_shows_it() {
    let creds = Credentials::new("api_user", "s3cret-key").unwrap();
    for (ehlo, echo) in [
        // PLAIN's base64 payload echoed back.
        (
            "250-mx\r\n250 AUTH PLAIN\r\n",
            "535 5.7.8 AGFwaV91c2VyAHMzY3JldC1rZXk= rejected\r\n",
        ),
        // LOGIN: the base64 key, then the key itself in clear.
        (
            "250-mx\r\n250 AUTH LOGIN\r\n",
            "535 5.7.8 czNjcmV0LWtleQ== is wrong: s3cret-key\r\n",
        ),
    ] {
        let mut s = Session::new(config(TlsMode::None, Some(creds.clone()), true)).unwrap();
        s.receive(b"220 hi\r\n");
        out(&mut s);
        s.receive(ehlo.as_bytes());
        out(&mut s);
        if ehlo.contains("LOGIN") {
            s.receive(b"334 UGFzc3dvcmQ6\r\n");
            assert_eq!(out(&mut s), "czNjcmV0LWtleQ==\r\n");
        }
        s.receive(echo.as_bytes());
        let evs = events(&mut s);
        let [Event::Error(e)] = evs.as_slice() else {
            panic!("{evs:?}")
        };
        assert_eq!(e.kind(), ErrorKind::AuthenticationFailed);
        let shown = format!(
            "{e} {:?} {:?}",
            e.reply().unwrap().text(),
            s.take_transcript()
        );
        for secret in [
            "AGFwaV91c2VyAHMzY3JldC1rZXk=",
            "czNjcmV0LWtleQ==",
            "s3cret-key",
        ] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(e.reply().unwrap().text().contains("<redacted>"), "{shown}");
    }
}

#[test]
fn greeting_refusal_and_421() {
    let mut s = Session::new(config(TlsMode::None, None, true)).unwrap();
    s.send(&message()).unwrap();
    s.receive(b"554 no service\r\n");
    let evs = events(&mut s);
    assert!(matches!(&evs[0], Event::Failed(f) if f.error.kind() == ErrorKind::SmtpPermanent));
    assert!(matches!(&evs[1], Event::Error(e) if e.kind() == ErrorKind::SmtpPermanent));

    let mut s = ready(true);
    s.send(&message()).unwrap();
    out(&mut s);
    s.receive(b"421 4.3.2 shutting down\r\n");
    let evs = events(&mut s);
    assert!(matches!(&evs[0], Event::Failed(f) if f.error.kind() == ErrorKind::SmtpTransient));
}

#[test]
fn every_recipient_refused_without_pipelining_skips_data() {
    let mut s = ready(false);
    s.send(&two_recipients()).unwrap();
    out(&mut s);
    s.receive(b"250 ok\r\n");
    out(&mut s);
    s.receive(b"550 no\r\n");
    out(&mut s);
    s.receive(b"536 Frequency limited\r\n");
    assert_eq!(out(&mut s), "RSET\r\n");
    match events(&mut s).as_slice() {
        [Event::Failed(f)] => {
            assert_eq!(f.error.kind(), ErrorKind::RateLimited);
            assert_eq!(f.refused.len(), 2);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn pipelined_data_accepted_after_every_rcpt_refused_sends_an_empty_message() {
    let mut s = ready(true);
    s.send(&message()).unwrap();
    out(&mut s);
    s.receive(b"250 ok\r\n550 no\r\n354 go\r\n");
    assert_eq!(out(&mut s), ".\r\n");
    s.receive(b"554 no valid recipients\r\n");
    assert!(
        matches!(events(&mut s).as_slice(), [Event::Failed(f)] if f.error.kind() == ErrorKind::SmtpPermanent)
    );
    assert_eq!(
        out(&mut s),
        "",
        "the reply to the end of DATA ends the transaction"
    );
}

#[test]
fn with_pipeline_after_data_the_next_message_follows_the_data() {
    let mut cfg = config(TlsMode::None, None, true);
    cfg.pipeline_after_data = true;
    let mut s = Session::new(cfg).unwrap();
    s.receive(b"220 hi\r\n");
    out(&mut s);
    s.receive(b"250-mx\r\n250 PIPELINING\r\n");
    events(&mut s);
    let first = s.send(&message()).unwrap();
    let second = s.send(&two_recipients()).unwrap();
    assert_eq!(
        out(&mut s),
        "MAIL FROM:<support@ifaxin.com>\r\nRCPT TO:<ben@ifaxin.com>\r\nDATA\r\n"
    );
    s.receive(b"250 ok\r\n250 ok\r\n354 go\r\n");
    let flight = out(&mut s);
    assert!(
        flight.ends_with("\r\n.\r\nMAIL FROM:<support@ifaxin.com>\r\nRCPT TO:<ben@ifaxin.com>\r\nRCPT TO:<joe@ifaxin.com>\r\nDATA\r\n"),
        "{flight}"
    );
    s.receive(b"250 queued 1\r\n250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n");
    assert!(out(&mut s).ends_with("\r\n.\r\n"));
    s.receive(b"250 queued 2\r\n");
    let evs = events(&mut s);
    assert!(
        matches!(&evs[..], [Event::Sent(a), Event::Sent(b)] if a.handle == first && b.handle == second),
        "{evs:?}"
    );
    // Lost after the second message's data went out: uncertain, not failed.
    let third = s.send(&message()).unwrap();
    out(&mut s);
    s.receive(b"250 ok\r\n250 ok\r\n354 go\r\n");
    out(&mut s);
    s.connection_lost(ConnectionLoss::Closed, "reset");
    let evs = events(&mut s);
    assert!(
        matches!(&evs[0], Event::Failed(f) if f.handle == third && f.uncertain),
        "{evs:?}"
    );
}

mod fuzz {
    //! Arbitrary server bytes: the session never panics, every message ends
    //! with exactly one Sent or Failed, and Sent needs a 2xx after the data.
    use super::*;
    use proptest::prelude::*;

    fn server_bytes() -> impl Strategy<Value = Vec<Vec<u8>>> {
        let reply = prop_oneof![
            Just(b"220 hi\r\n".to_vec()),
            Just(b"250-mx\r\n250-PIPELINING\r\n250-STARTTLS\r\n250-SIZE 5000\r\n250 AUTH LOGIN PLAIN\r\n".to_vec()),
            Just(b"250 ok\r\n".to_vec()),
            Just(b"354 go\r\n".to_vec()),
            Just(b"334 UGFzc3dvcmQ6\r\n".to_vec()),
            Just(b"235 ok\r\n".to_vec()),
            Just(b"220 go\r\n".to_vec()),
            Just(b"221 bye\r\n".to_vec()),
            Just(b"536 Frequency limited\r\n".to_vec()),
            Just(b"421 closing\r\n".to_vec()),
            Just(b"550 no\r\n".to_vec()),
            "[0-9]{3}[ -][ -~]{0,20}\r\n".prop_map(String::into_bytes),
            prop::collection::vec(any::<u8>(), 0..64),
        ];
        prop::collection::vec(reply, 0..40)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(500), ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_server_bytes(chunks in server_bytes(), pipelining: bool, tls in 0u8..3, auth: bool, lose: bool) {
            let tls = [TlsMode::None, TlsMode::Opportunistic, TlsMode::StartTls][usize::from(tls)];
            let creds = auth.then(|| Credentials::new("u", "k").unwrap());
            let mut s = Session::new(config(tls, creds, pipelining)).unwrap();
            let handles = [s.send(&message()).unwrap(), s.send(&two_recipients()).unwrap()];
            let mut outcomes = std::collections::HashMap::new();
            for chunk in &chunks {
                s.receive(chunk);
                let _ = s.take_output();
                while let Some(event) = s.poll_event() {
                    match event {
                        Event::StartTls => s.tls_established(),
                        Event::Sent(r) => { prop_assert!(outcomes.insert(r.handle, "sent").is_none()); }
                        Event::Failed(f) => { prop_assert!(outcomes.insert(f.handle, "failed").is_none()); }
                        _ => {}
                    }
                }
            }
            if lose {
                s.connection_lost(ConnectionLoss::Closed, "gone");
                while let Some(event) = s.poll_event() {
                    match event {
                        Event::Failed(f) => prop_assert!(outcomes.insert(f.handle, "failed").is_none()),
                        Event::Sent(_) => prop_assert!(false, "reported sent after the connection was lost"),
                        _ => {}
                    }
                }
                for h in handles {
                    prop_assert!(outcomes.contains_key(&h), "message {h} has no outcome after the connection was lost");
                }
            }
        }

        #[test]
        fn reply_parser_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..600), split in 0usize..600) {
            let mut p = mailwright::smtp::ReplyParser::new();
            let split = split.min(bytes.len());
            p.feed(&bytes[..split]);
            while let Some(r) = p.next_reply() { let _ = r; }
            p.feed(&bytes[split..]);
            while let Some(r) = p.next_reply() { let _ = r; }
        }
    }
}

#[test]
fn credentials_are_never_sent_in_clear_text_without_consent() {
    let creds = || Some(Credentials::new("api_user", "api_key").unwrap());
    for (tls, ehlo, then) in [
        (
            TlsMode::Opportunistic,
            "250-mx\r\n250 AUTH PLAIN LOGIN\r\n",
            None,
        ),
        (
            TlsMode::Opportunistic,
            "250-mx\r\n250-STARTTLS\r\n250 AUTH PLAIN LOGIN\r\n",
            Some("454 4.7.0 TLS not available\r\n"),
        ),
        (TlsMode::None, "250-mx\r\n250 AUTH PLAIN LOGIN\r\n", None),
    ] {
        let mut cfg = config(tls, creds(), true);
        cfg.allow_plaintext_auth = false;
        let mut s = Session::new(cfg).unwrap();
        let handle = s.send(&message()).unwrap();
        s.receive(b"220 hi\r\n");
        out(&mut s);
        s.receive(ehlo.as_bytes());
        let mut sent = out(&mut s);
        if let Some(reply) = then {
            assert_eq!(sent, "STARTTLS\r\n");
            s.receive(reply.as_bytes());
            sent = out(&mut s);
        }
        assert!(!sent.contains("AUTH"), "{tls:?}: {sent}");
        let evs = events(&mut s);
        assert!(
            matches!(&evs[..], [Event::Failed(f), Event::Error(e)]
                if f.handle == handle && e.kind() == ErrorKind::TlsUnavailable),
            "{tls:?}: {evs:?}"
        );
    }
}

#[test]
fn the_transcript_is_bounded_and_drainable() {
    let mut s = ready(true);
    s.take_transcript();
    let mut sent = 0;
    while sent * 8 < mailwright::smtp::MAX_TRANSCRIPT_LINES + 100 {
        s.send(&message()).unwrap();
        out(&mut s);
        s.receive(b"250 ok\r\n250 ok\r\n354 go\r\n");
        out(&mut s);
        s.receive(b"250 queued\r\n");
        sent += 1;
    }
    assert_eq!(events(&mut s).len(), sent);
    let lines = s.take_transcript();
    assert_eq!(lines.len(), mailwright::smtp::MAX_TRANSCRIPT_LINES);
    assert!(s.transcript_dropped() > 0);
    assert!(s.take_transcript().is_empty(), "drained");
    // Off by default: nothing is kept.
    let mut quiet = Session::new(SessionConfig {
        tls: TlsMode::None,
        ..SessionConfig::default()
    })
    .unwrap();
    quiet.receive(b"220 hi\r\n");
    assert!(quiet.take_transcript().is_empty());
}

#[test]
fn deadlines_per_reply_and_per_message() {
    use std::time::Duration;
    let secs = Duration::from_secs;
    let mut cfg = config(TlsMode::None, None, true);
    cfg.reply_timeout = secs(10);
    cfg.message_timeout = secs(30);
    // A greeting that trickles in: every byte in time, the whole too late.
    let mut s = Session::new(cfg.clone()).unwrap();
    s.advance(secs(100));
    assert_eq!(s.poll_timeout(), Some(secs(110)));
    for (i, byte) in b"220 slow".iter().enumerate() {
        s.advance(secs(100 + i as u64));
        s.receive(&[*byte]);
    }
    assert!(events(&mut s).is_empty());
    s.advance(secs(110));
    let evs = events(&mut s);
    assert!(
        matches!(evs.as_slice(), [Event::Error(e)] if e.kind() == ErrorKind::Timeout),
        "{evs:?}"
    );
    assert_eq!(s.poll_timeout(), None);

    // Each reply gets its own clock, started when its command was sent.
    let mut s = Session::new(cfg.clone()).unwrap();
    s.advance(secs(0));
    s.receive(b"220 hi\r\n");
    s.advance(secs(9));
    out(&mut s); // EHLO sent at 9 s
    assert_eq!(s.poll_timeout(), Some(secs(19)));
    s.advance(secs(18));
    s.receive(b"250-mx\r\n250 PIPELINING\r\n");
    assert_eq!(events(&mut s), [Event::Ready]);
    assert_eq!(s.poll_timeout(), None, "nothing awaited");

    // A message: replies in time, the message as a whole too slow.
    let handle = s.send(&message()).unwrap();
    out(&mut s);
    for (at, reply) in [(27, "250 ok\r\n"), (36, "250 ok\r\n"), (43, "354 go\r\n")] {
        s.advance(secs(at));
        s.receive(reply.as_bytes());
        out(&mut s);
    }
    assert_eq!(
        s.poll_timeout(),
        Some(secs(48)),
        "sent at 18 s, 30 s for the message"
    );
    s.advance(secs(47));
    assert!(events(&mut s).is_empty());
    s.advance(secs(48));
    let evs = events(&mut s);
    assert!(
        matches!(&evs[..], [Event::Failed(f), Event::Error(e)]
            if f.handle == handle && f.error.kind() == ErrorKind::Timeout && e.kind() == ErrorKind::Timeout),
        "{evs:?}"
    );
}

#[test]
fn replies_to_rcpt_after_a_refused_mail_are_not_refusals_of_the_recipients() {
    // Pipelined: MAIL gets 451, the RCPT gets 503 "need MAIL" (a sequence
    // error, not a verdict on the recipient): the recipient is not reported
    // refused, so a retry sends to it again.
    let mut s = ready(true);
    s.send(&message()).unwrap();
    out(&mut s);
    s.receive(b"451 4.3.0 busy\r\n503 5.5.1 need MAIL\r\n554 no valid recipients\r\n");
    let evs = events(&mut s);
    let [Event::Failed(f)] = evs.as_slice() else {
        panic!("{evs:?}")
    };
    assert_eq!(f.error.kind(), ErrorKind::SmtpTransient);
    assert!(f.refused.is_empty(), "{:?}", f.refused);
}

fn labelled() -> Option<Credentials> {
    Some(
        Credentials::new("api_user", "api_key")
            .unwrap()
            .with_label("12345")
            .unwrap(),
    )
}

#[test]
fn a_refused_key_ends_with_quit_and_the_session_waits_briefly_for_its_answer() {
    let mut s = Session::new(config(TlsMode::None, labelled(), true)).unwrap();
    let handle = s.send(&message()).unwrap();
    s.receive(b"220 hi\r\n");
    out(&mut s);
    s.receive(b"250-mx\r\n250 AUTH PLAIN\r\n");
    out(&mut s);
    s.advance(std::time::Duration::from_secs(1));
    s.receive(b"535 5.7.8 authentication failed\r\n");
    let evs = events(&mut s);
    assert!(
        matches!(&evs[..], [Event::Failed(f), Event::Error(e)]
            if f.handle == handle && e.kind() == ErrorKind::AuthenticationFailed),
        "{evs:?}"
    );
    assert_eq!(out(&mut s), "QUIT\r\n");
    assert!(!s.is_done() && s.awaits_reply());
    assert!(
        s.send(&message()).is_err(),
        "a closing session takes nothing"
    );
    // No answer: done after QUIT_TIMEOUT, with Closed and no second error.
    let at = s.poll_timeout().unwrap();
    assert_eq!(
        at,
        std::time::Duration::from_secs(1) + mailwright::smtp::QUIT_TIMEOUT
    );
    s.advance(at);
    assert_eq!(events(&mut s), [Event::Closed]);
    assert!(s.is_done());
}

#[test]
fn a_421_or_a_garbled_stream_ends_without_quit() {
    let mut s = ready(true);
    s.receive(b"421 4.3.2 shutting down\r\n");
    assert!(s.is_done());
    assert_eq!(out(&mut s), "");
    let mut s = ready(true);
    s.send(&message()).unwrap();
    out(&mut s);
    s.receive(b"hello?\r\n");
    assert!(s.is_done());
    assert_eq!(out(&mut s), "");
}

#[test]
fn a_greeting_refused_with_554_says_quit() {
    let mut s = Session::new(config(TlsMode::None, None, true)).unwrap();
    s.receive(b"554 5.7.1 too many connections from your host\r\n");
    assert_eq!(out(&mut s), "QUIT\r\n");
    s.receive(b"221 bye\r\n");
    let evs = events(&mut s);
    assert!(
        matches!(&evs[..], [Event::Error(e), Event::Closed] if e.kind() == ErrorKind::SmtpPermanent),
        "{evs:?}"
    );
    assert!(s.is_done());
}

#[test]
fn time_outs_name_what_was_awaited() {
    let mut s = ready(true);
    s.send(&message()).unwrap();
    out(&mut s);
    s.advance(std::time::Duration::from_secs(0));
    s.advance(std::time::Duration::from_secs(31));
    let evs = events(&mut s);
    let Some(Event::Error(e)) = evs.last() else {
        panic!("{evs:?}")
    };
    assert_eq!(e.kind(), ErrorKind::Timeout);
    assert!(
        e.message()
            .contains("no complete reply to MAIL FROM within 30.000 s"),
        "{e}"
    );
}

#[test]
fn a_clock_at_its_end_gives_a_time_out_never_a_panic() {
    for pipelining in [true, false] {
        let mut s = ready(pipelining);
        s.send(&message()).unwrap();
        out(&mut s);
        s.advance(std::time::Duration::MAX);
        assert!(
            s.poll_timeout()
                .is_none_or(|t| t == std::time::Duration::MAX)
        );
        let evs = events(&mut s);
        assert!(
            matches!(evs.last(), Some(Event::Error(e)) if e.kind() == ErrorKind::Timeout),
            "{evs:?}"
        );
    }
    let mut s = ready(true);
    s.advance(std::time::Duration::MAX - std::time::Duration::from_secs(1));
    s.quit();
    out(&mut s);
    assert_eq!(s.poll_timeout(), Some(std::time::Duration::MAX));
    s.advance(std::time::Duration::MAX);
    assert_eq!(events(&mut s), [Event::Closed]);
}

#[test]
fn body_8bitmime_only_for_a_message_with_8bit_bytes() {
    let mut s = Session::new(config(TlsMode::None, None, false)).unwrap();
    s.receive(b"220 hi\r\n");
    out(&mut s);
    s.receive(b"250-mx\r\n250 8BITMIME\r\n");
    events(&mut s);
    let seven =
        mailwright::delivery::Prepared::raw(b"Subject: a\r\n\r\nplain", "a@b.c", &["d@e.f"])
            .unwrap();
    let eight =
        mailwright::delivery::Prepared::raw("Subject: é\r\n\r\nü".as_bytes(), "a@b.c", &["d@e.f"])
            .unwrap();
    for (p, declared) in [(seven, false), (eight, true)] {
        let data = bytes::Bytes::copy_from_slice(p.data());
        s.send_prepared(data, p.size(), p.sender(), p.recipients())
            .unwrap();
        let mail = out(&mut s);
        assert_eq!(mail.contains("BODY=8BITMIME"), declared, "{mail}");
        s.receive(b"550 no\r\n");
        out(&mut s);
        s.receive(b"250 reset\r\n");
        events(&mut s);
    }
}

#[test]
fn send_prepared_refuses_an_envelope_that_would_smuggle_a_command() {
    let mut s = ready(true);
    let p =
        mailwright::delivery::Prepared::raw(b"Subject: a\r\n\r\nx", "a@b.c", &["d@e.f"]).unwrap();
    let data = || bytes::Bytes::copy_from_slice(p.data());
    for (sender, rcpts) in [
        (
            "a@b.c>\r\nRCPT TO:<evil@example.net",
            vec!["d@e.f".to_string()],
        ),
        ("a@b.c", vec!["d@e.f>\r\nDATA".to_string()]),
        ("a@b.c", vec!["no at sign".to_string()]),
        ("a@b.c", vec![]),
    ] {
        let err = s
            .send_prepared(data(), p.size(), sender, &rcpts)
            .unwrap_err();
        assert!(
            matches!(
                err.kind(),
                ErrorKind::HeaderInjection | ErrorKind::InvalidAddress | ErrorKind::NoRecipients
            ),
            "{err}"
        );
        assert_eq!(out(&mut s), "", "nothing queued");
    }
    s.send_prepared(data(), p.size(), "", &["d@e.f".to_string()])
        .unwrap();
    assert!(out(&mut s).starts_with("MAIL FROM:<>"));
}

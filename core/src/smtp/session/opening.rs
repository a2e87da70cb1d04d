//! Opening a session: the greeting, EHLO (or HELO), STARTTLS and AUTH, up
//! to the point where the session is ready for messages.

use super::commands;
use super::{AuthState, Event, Expect, Phase, Session};
use crate::error::{Error, ErrorKind};
use crate::smtp::auth::{self, Mechanism};
use crate::smtp::capabilities::Capabilities;
use crate::smtp::reply::{Reply, ReplyClass};
use crate::smtp::settings::TlsMode;

impl Session {
    /// A reply to AUTH with any echo of what was sent replaced.
    pub(super) fn redact_auth_echo(&self, reply: Reply) -> Reply {
        let Some(state) = self.auth.as_ref() else {
            return reply;
        };
        let mut secrets: Vec<&str> = state.sent.iter().map(|s| s.as_str()).collect();
        if let Some(credentials) = &self.config.credentials
            && credentials.secret().len() >= 4
        {
            secrets.push(credentials.secret());
        }
        if !reply
            .lines()
            .iter()
            .any(|line| secrets.iter().any(|s| line.contains(s)))
        {
            return reply;
        }
        let lines = reply
            .lines()
            .iter()
            .map(|line| {
                secrets
                    .iter()
                    .fold(line.clone(), |line, s| line.replace(s, "<redacted>"))
            })
            .collect();
        Reply::new(reply.code(), lines)
    }

    pub(super) fn on_greeting(&mut self, reply: Reply) {
        if reply.code() != 220 {
            return self.end_with_quit(Error::from_reply(
                "the server refused the connection",
                reply,
            ));
        }
        self.command(commands::ehlo(&self.config.hello_name), Expect::Ehlo);
    }

    pub(super) fn on_ehlo(&mut self, reply: Reply) {
        if reply.is_positive() {
            self.capabilities = Capabilities::from_ehlo(&reply);
            return self.after_hello();
        }
        if reply.class() == ReplyClass::Permanent {
            // An old server: HELO, without extensions.
            self.command(commands::helo(&self.config.hello_name), Expect::Helo);
            return;
        }
        self.end_with_quit(Error::from_reply("EHLO failed", reply));
    }

    pub(super) fn on_helo(&mut self, reply: Reply) {
        if !reply.is_positive() {
            return self.end_with_quit(Error::from_reply("HELO failed", reply));
        }
        self.capabilities = Capabilities::default();
        self.after_hello();
    }

    pub(super) fn after_hello(&mut self) {
        if !self.tls_active {
            match self.config.tls {
                TlsMode::None | TlsMode::Implicit => {}
                TlsMode::StartTls | TlsMode::Opportunistic if self.capabilities.starttls => {
                    self.command(commands::STARTTLS.into(), Expect::StartTls);
                    return;
                }
                TlsMode::StartTls => {
                    return self.end_with_quit(Error::new(
                        ErrorKind::TlsUnavailable,
                        "TLS is required but the server does not offer STARTTLS",
                    ));
                }
                TlsMode::Opportunistic => {}
            }
        }
        self.start_auth();
    }

    pub(super) fn on_starttls(&mut self, reply: Reply) {
        if reply.code() == 220 {
            self.phase = Phase::TlsHandshake;
            self.events.push_back(Event::StartTls);
            return;
        }
        if self.config.tls == TlsMode::StartTls {
            return self.end_with_quit(Error::with_reply(
                ErrorKind::TlsUnavailable,
                "STARTTLS was refused",
                reply,
            ));
        }
        self.start_auth();
    }

    pub(super) fn start_auth(&mut self) {
        let Some(credentials) = self.config.credentials.clone() else {
            return self.open();
        };
        if !self.tls_active && !self.config.allow_plaintext_auth {
            // Opportunistic TLS that found no STARTTLS (or a 454), or no TLS
            // at all: the key would cross the network in clear text.
            return self.end_with_quit(Error::new(
                ErrorKind::TlsUnavailable,
                "credentials are never sent over an unencrypted connection: the server \
                 offered no STARTTLS (or refused it); use TLS, or allow plaintext AUTH \
                 explicitly (for a local test server)",
            ));
        }
        if self.capabilities.auth_names.is_empty() {
            return self.end_with_quit(Error::new(
                ErrorKind::AuthUnavailable,
                if self.tls_active {
                    "credentials were given but the server offers no AUTH"
                } else {
                    "credentials were given but the server offers no AUTH (many offer it only after STARTTLS)"
                },
            ));
        }
        let Some(mechanism) = Mechanism::select(&self.capabilities.auth, &credentials) else {
            return self.end_with_quit(Error::new(
                ErrorKind::AuthUnavailable,
                format!(
                    "no common AUTH mechanism (offered: {})",
                    self.capabilities.auth_names.join(" ")
                ),
            ));
        };
        let first = match auth::initial(mechanism, &credentials) {
            Ok(line) => line,
            Err(err) => return self.end_with_quit(err),
        };
        self.auth = Some(AuthState {
            mechanism,
            username_sent: mechanism == Mechanism::Login,
            rounds: 0,
            sent: Vec::new(),
        });
        self.secret_command(first, Expect::Auth);
    }

    pub(super) fn on_auth(&mut self, reply: Reply) {
        let Some(credentials) = self.config.credentials.clone() else {
            return self.fail_session(Error::new(
                ErrorKind::Protocol,
                "an AUTH reply without credentials",
            ));
        };
        let Some(state) = self.auth.as_mut() else {
            return self.fail_session(Error::new(ErrorKind::Protocol, "an unexpected AUTH reply"));
        };
        match reply.code() {
            235 => {
                self.auth = None;
                self.open();
            }
            334 => {
                state.rounds += 1;
                if state.rounds > 4 {
                    return self.fail_session(Error::with_reply(
                        ErrorKind::Protocol,
                        "AUTH goes on too long",
                        reply,
                    ));
                }
                let challenge = reply.lines().first().cloned().unwrap_or_default();
                let answer = auth::challenge_answer(
                    state.mechanism,
                    &challenge,
                    state.username_sent,
                    &credentials,
                );
                let (answer, sent_user) = match answer {
                    Ok(answer) => answer,
                    Err(err) => return self.fail_session(err),
                };
                state.username_sent |= sent_user;
                self.secret_command(answer, Expect::Auth);
            }
            _ => {
                self.auth = None;
                let error = match reply.class() {
                    ReplyClass::RateLimited => {
                        Error::with_reply(ErrorKind::RateLimited, "AUTH was rate limited", reply)
                    }
                    ReplyClass::Transient => {
                        Error::with_reply(ErrorKind::SmtpTransient, "AUTH failed for now", reply)
                    }
                    _ => Error::with_reply(
                        ErrorKind::AuthenticationFailed,
                        &format!(
                            "the server refused the credentials of {}",
                            credentials.username()
                        ),
                        reply,
                    ),
                };
                self.end_with_quit(error);
            }
        }
    }
}

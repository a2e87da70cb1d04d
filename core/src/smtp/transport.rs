//! A blocking transport over TCP with STARTTLS or implicit TLS (rustls, TLS
//! 1.2 and 1.3 only, certificates verified against the Mozilla roots plus any
//! the caller adds). It only moves bytes between a socket and the sans-IO
//! [`Session`].

use super::Capabilities;
use super::options::ClientOptions;
use super::pin;
use super::session::{Event, SendReport, Session, TranscriptLine};
use super::settings::{ConnectionLoss, LossStage};
use crate::error::{Error, ErrorKind, Result};
use crate::message::Message;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime, pem::PemObject};
use rustls::{ClientConfig, ClientConnection, DigitallySignedStruct, RootCertStore, StreamOwned};
use std::io::{ErrorKind as IoKind, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

impl ClientOptions {
    /// Trusts the certificates in this PEM file too.
    pub fn ca_file(mut self, path: impl AsRef<std::path::Path>) -> Result<Self> {
        let path = path.as_ref();
        let pem = std::fs::read(path).map_err(|e| {
            Error::new(
                ErrorKind::InvalidOption,
                format!("cannot read CA file {}: {e}", path.display()),
            )
        })?;
        self.extra_roots_pem.push(pem);
        Ok(self)
    }

    pub(crate) fn tls_config(&self) -> Result<Arc<ClientConfig>> {
        let mut roots = RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        for pem in &self.extra_roots_pem {
            let mut found = 0;
            for cert in CertificateDer::pem_slice_iter(pem) {
                let cert = cert
                    .map_err(|e| Error::new(ErrorKind::Tls, format!("bad PEM certificate: {e}")))?;
                roots.add(cert).map_err(|e| {
                    Error::new(ErrorKind::Tls, format!("unusable root certificate: {e}"))
                })?;
                found += 1;
            }
            if found == 0 {
                return Err(Error::new(
                    ErrorKind::Tls,
                    "no certificate in the PEM data given as a root",
                ));
            }
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
            .map_err(|e| Error::new(ErrorKind::Tls, e.to_string()))?;
        let config = if self.pinned_sha256.is_empty() {
            builder.with_root_certificates(roots).with_no_client_auth()
        } else {
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(PinnedVerifier {
                    pins: self.pinned_sha256.clone(),
                    algorithms: provider.signature_verification_algorithms,
                }))
                .with_no_client_auth()
        };
        Ok(Arc::new(config))
    }
}

/// Trusts exactly the pinned certificates (by SHA-256 of their DER); the
/// handshake signatures are still verified, so the server must hold the key.
#[derive(Debug)]
struct PinnedVerifier {
    pins: Vec<[u8; 32]>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for PinnedVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        if pin::matches(end_entity, &self.pins) {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(
                pin::mismatch(end_entity).message().to_string(),
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

pub(crate) enum Stream {
    Plain(TcpStream),
    Tls(Box<StreamOwned<ClientConnection, TcpStream>>),
}

impl Stream {
    /// Runs the TLS handshake on a plain stream.
    pub(crate) fn upgrade(
        self,
        tls: Arc<ClientConfig>,
        server_name: ServerName<'static>,
    ) -> Result<Stream> {
        let Stream::Plain(tcp) = self else {
            return Err(Error::new(ErrorKind::InvalidState, "TLS is already on"));
        };
        let conn = ClientConnection::new(tls, server_name)
            .map_err(|e| Error::new(ErrorKind::Tls, e.to_string()))?;
        let mut stream = StreamOwned::new(conn, tcp);
        while stream.conn.is_handshaking() {
            stream
                .conn
                .complete_io(&mut stream.sock)
                .map_err(|e| io_error(e, LossStage::Tls))?;
        }
        Ok(Stream::Tls(Box::new(stream)))
    }

    /// Ends the connection properly: with TLS, a close_notify alert first
    /// (servers log a connection closed without it as "not properly
    /// terminated"); then the socket's write side is shut. Best effort and
    /// brief: a write that does not go through in 1 s is abandoned.
    pub(crate) fn close(self) {
        let tcp = match self {
            Stream::Plain(tcp) => tcp,
            Stream::Tls(mut tls) => {
                tls.sock
                    .set_write_timeout(Some(Duration::from_secs(1)))
                    .ok();
                tls.conn.send_close_notify();
                while tls.conn.wants_write() {
                    if tls.conn.write_tls(&mut tls.sock).is_err() {
                        break;
                    }
                }
                tls.sock
            }
        };
        tcp.shutdown(std::net::Shutdown::Write).ok();
    }

    /// The socket underneath (to shut it down from another thread).
    pub(crate) fn tcp(&self) -> &TcpStream {
        match self {
            Stream::Plain(s) => s,
            Stream::Tls(s) => &s.sock,
        }
    }

    pub(crate) fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Stream::Plain(s) => s.read(buf),
            Stream::Tls(s) => s.read(buf),
        }
    }

    pub(crate) fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        match self {
            Stream::Plain(s) => s.write_all(buf).and_then(|()| s.flush()),
            Stream::Tls(s) => s.write_all(buf).and_then(|()| s.flush()),
        }
    }

    pub(crate) fn set_read_timeout(&self, timeout: Duration) {
        let tcp = match self {
            Stream::Plain(s) => s,
            Stream::Tls(s) => &s.sock,
        };
        tcp.set_read_timeout(Some(timeout.max(Duration::from_millis(1))))
            .ok();
    }
}

/// What an I/O error means for the session: its cause, and a detail for the message.
pub(crate) fn io_cause(err: &std::io::Error, stage: LossStage) -> (ConnectionLoss, String) {
    match err.kind() {
        IoKind::WouldBlock | IoKind::TimedOut => (ConnectionLoss::Timeout, stage.detail("")),
        IoKind::InvalidData => {
            let tls = err
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<rustls::Error>());
            (ConnectionLoss::Tls, tls_detail(tls, err, stage))
        }
        _ => (ConnectionLoss::Closed, stage.detail(&err.to_string())),
    }
}

fn tls_detail(tls: Option<&rustls::Error>, err: &std::io::Error, stage: LossStage) -> String {
    let doing = stage.words();
    use rustls::{CertificateError, Error as Tls};
    match tls {
        Some(Tls::InvalidCertificate(CertificateError::Other(other)))
            if other.to_string().contains("CaUsedAsEndEntity") =>
        {
            format!(
                "{doing}: the server presents a CA certificate as its own (a self-signed \
                 certificate made with `openssl req -x509`?); adding it as a trusted root does \
                 not work for such a certificate: pin it instead (its PEM, or its SHA-256 \
                 fingerprint)"
            )
        }
        Some(Tls::InvalidCertificate(CertificateError::UnknownIssuer)) => format!(
            "{doing}: the server's certificate is not signed by a trusted root; add \
             its CA (PEM), or pin the certificate"
        ),
        Some(tls) => format!("{doing}: {tls}"),
        None => format!("{doing}: {err}"),
    }
}

fn io_error(err: std::io::Error, stage: LossStage) -> Error {
    let (cause, detail) = io_cause(&err, stage);
    cause.error(&detail)
}

/// A connection to an SMTP server that can send many messages.
///
/// ```no_run
/// use mailwright::smtp::{ClientOptions, SmtpClient};
/// use mailwright::{Credentials, Message};
/// let message = Message::builder().from("support@ifaxin.com").to("ben@ifaxin.com").text("hi").build()?;
/// let options = ClientOptions::new("smtp.example.com", 2525)
///     .credentials(Credentials::new("api_user", "api_key")?.with_label("12345")?);
/// let mut client = SmtpClient::connect(options)?;
/// let report = client.send(&message)?;
/// println!("queued as {:?}", report.queue_id);
/// client.quit()?;
/// # Ok::<(), mailwright::Error>(())
/// ```
pub struct SmtpClient {
    stream: Option<Stream>,
    session: Session,
    tls: Arc<ClientConfig>,
    server_name: ServerName<'static>,
    buffer: Vec<u8>,
    events: Vec<Event>,
    /// The session's clock starts here.
    epoch: Instant,
    /// Set by an [`Interrupter`] from another thread.
    interrupted: Arc<std::sync::atomic::AtomicBool>,
    /// The longest single read (the session also bounds each whole reply).
    read_timeout: Duration,
}

impl SmtpClient {
    /// Connects, reads the greeting, says EHLO, runs STARTTLS and AUTH as
    /// configured, and returns once the server is ready for messages.
    pub fn connect(options: ClientOptions) -> Result<SmtpClient> {
        options.validate()?;
        let session = Session::new(options.session_config())?;
        let tls = options.tls_config()?;
        let name = options.server_name().to_string();
        let server_name = server_name(&name)?;
        let tcp = open(&options)?;
        let mut client = SmtpClient {
            stream: Some(Stream::Plain(tcp)),
            session,
            tls,
            server_name,
            buffer: vec![0; 16 * 1024],
            events: Vec::new(),
            epoch: Instant::now(),
            interrupted: Arc::default(),
            read_timeout: options.timeout,
        };
        if options.tls.is_implicit() {
            client.upgrade()?;
        }
        client.run_until(|e| matches!(e, Event::Ready))?;
        Ok(client)
    }

    /// A handle that another thread can use to end this connection at once
    /// (e.g. a binding's `close()` while a send is blocked in a read): the
    /// call in progress returns `ConnectionClosed`.
    pub fn interrupter(&self) -> Result<Interrupter> {
        let tcp = match &self.stream {
            Some(Stream::Plain(tcp)) => tcp.try_clone(),
            Some(Stream::Tls(tls)) => tls.sock.try_clone(),
            None => {
                return Err(Error::new(
                    ErrorKind::InvalidState,
                    "the connection is closed",
                ));
            }
        }
        .map_err(|e| Error::new(ErrorKind::Io, format!("cannot share the socket: {e}")))?;
        Ok(Interrupter {
            tcp,
            flag: self.interrupted.clone(),
        })
    }

    /// The server's EHLO capabilities.
    pub fn capabilities(&self) -> &Capabilities {
        self.session.capabilities()
    }

    /// True when the connection is encrypted.
    pub fn is_tls(&self) -> bool {
        self.session.is_tls()
    }

    /// Transcript lines dropped, oldest first, because it was full.
    pub fn transcript_dropped(&self) -> u64 {
        self.session.transcript_dropped()
    }

    /// The conversation so far, secrets masked (when `transcript` was set).
    pub fn take_transcript(&mut self) -> Vec<TranscriptLine> {
        self.session.take_transcript()
    }

    /// Sends one message; returns once the server accepted it (final 2xx),
    /// or with the reason it did not.
    pub fn send(&mut self, message: &Message) -> Result<SendReport> {
        let handle = self.session.send(message)?;
        let event = self.run_until(|e| match e {
            Event::Sent(report) => report.handle == handle,
            Event::Failed(failure) => failure.handle == handle,
            _ => false,
        })?;
        match event {
            Event::Sent(report) => Ok(report),
            Event::Failed(failure) => Err(failure.error),
            _ => Err(Error::new(
                ErrorKind::InvalidState,
                "the session ended without an answer",
            )),
        }
    }

    /// Sends several messages over this connection, one result each, in order.
    pub fn send_all(&mut self, messages: &[&Message]) -> Vec<Result<SendReport>> {
        let mut results: Vec<Option<Result<SendReport>>> = Vec::with_capacity(messages.len());
        let mut handles = Vec::with_capacity(messages.len());
        for message in messages {
            match self.session.send(message) {
                Ok(handle) => {
                    handles.push(Some(handle));
                    results.push(None);
                }
                Err(err) => {
                    handles.push(None);
                    results.push(Some(Err(err)));
                }
            }
        }
        while results.iter().any(Option::is_none) {
            let event = self.run_until(|e| matches!(e, Event::Sent(_) | Event::Failed(_)));
            let (handle, result) = match event {
                Ok(Event::Sent(report)) => (report.handle, Ok(report)),
                Ok(Event::Failed(failure)) => (failure.handle, Err(failure.error)),
                Ok(_) => continue,
                Err(err) => {
                    for slot in results.iter_mut().filter(|r| r.is_none()) {
                        *slot = Some(Err(err.clone()));
                    }
                    break;
                }
            };
            if let Some(i) = handles.iter().position(|h| *h == Some(handle)) {
                results[i] = Some(result);
            }
        }
        results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(Error::new(ErrorKind::InvalidState, "no answer"))))
            .collect()
    }

    /// Says QUIT and waits for the server's answer; the connection closes
    /// when the client is dropped. Messages still queued are sent first.
    pub fn quit(&mut self) -> Result<()> {
        if self.session.is_done() {
            return Ok(());
        }
        self.session.quit();
        let closed = self.run_until(|e| matches!(e, Event::Closed)).map(|_| ());
        if let Some(stream) = self.stream.take() {
            stream.close();
        }
        closed
    }

    fn upgrade(&mut self) -> Result<()> {
        let Some(stream) = self.stream.take() else {
            return Err(Error::new(ErrorKind::InvalidState, "no connection"));
        };
        self.stream = Some(stream.upgrade(self.tls.clone(), self.server_name.clone())?);
        Ok(())
    }

    /// Moves bytes until an event matching `done` arrives; returns it. Other
    /// events are kept for later callers.
    fn run_until(&mut self, done: impl Fn(&Event) -> bool) -> Result<Event> {
        loop {
            if let Some(i) = self.events.iter().position(&done) {
                return Ok(self.events.remove(i));
            }
            if let Some(i) = self
                .events
                .iter()
                .position(|e| matches!(e, Event::Error(_)))
                && let Event::Error(err) = self.events.remove(i)
            {
                return Err(err);
            }
            while let Some(event) = self.session.poll_event() {
                match event {
                    Event::StartTls => {
                        self.upgrade()?;
                        self.session.tls_established();
                    }
                    Event::Error(err) => {
                        // Failed messages were queued before it; hand those out first.
                        if let Some(i) = self.events.iter().position(&done) {
                            let found = self.events.remove(i);
                            self.events.push(Event::Error(err));
                            return Ok(found);
                        }
                        return Err(err);
                    }
                    other => self.events.push(other),
                }
            }
            if let Some(i) = self.events.iter().position(&done) {
                return Ok(self.events.remove(i));
            }
            if self.session.is_done() {
                return Err(Error::new(
                    ErrorKind::ConnectionClosed,
                    "the session is over",
                ));
            }
            let Some(stream) = self.stream.as_mut() else {
                return Err(Error::new(ErrorKind::ConnectionClosed, "no connection"));
            };
            while self.session.has_output() {
                let pending = self.session.pending_output();
                let n = pending.len();
                if let Err(err) = stream.write_all(pending) {
                    if self.interrupted.load(std::sync::atomic::Ordering::SeqCst) {
                        self.session.connection_failed(interrupted_error());
                    } else {
                        let (cause, detail) = io_cause(&err, LossStage::Sending);
                        self.session.connection_lost(cause, &detail);
                    }
                    break;
                }
                self.session.consume_output(n);
            }
            if self.session.is_done() || self.session.wants_tls() {
                continue;
            }
            // Wait no longer than the session's deadline for this reply.
            let now = self.epoch.elapsed();
            self.session.advance(now);
            if self.session.is_done() {
                continue;
            }
            let wait = self
                .session
                .poll_timeout()
                .map_or(self.read_timeout, |deadline| {
                    deadline.saturating_sub(now).min(self.read_timeout)
                });
            stream.set_read_timeout(wait);
            let read = stream.read(&mut self.buffer);
            if self.interrupted.load(std::sync::atomic::Ordering::SeqCst) {
                self.session.connection_failed(interrupted_error());
                self.stream = None;
                continue;
            }
            self.session.advance(self.epoch.elapsed());
            if self.session.is_done() {
                continue;
            }
            match read {
                Ok(0) => self
                    .session
                    .connection_lost(ConnectionLoss::Closed, &LossStage::Waiting.detail("")),
                Ok(n) => self.session.receive(&self.buffer[..n]),
                Err(err) if err.kind() == IoKind::Interrupted => {}
                Err(err) => {
                    let (cause, detail) = io_cause(&err, LossStage::Waiting);
                    self.session.connection_lost(cause, &detail);
                }
            }
        }
    }
}

impl Drop for SmtpClient {
    /// A client dropped without `quit` (an error ended its session, or the
    /// caller let it go) still ends the conversation properly: QUIT when
    /// the server can still hear it, waiting at most
    /// [`QUIT_TIMEOUT`](crate::smtp::QUIT_TIMEOUT) for the answer, then
    /// TLS's close_notify.
    fn drop(&mut self) {
        if self.stream.is_none() || self.interrupted.load(std::sync::atomic::Ordering::SeqCst) {
            return;
        }
        if !self.session.is_done() && !self.session.wants_tls() {
            // (What was not handed out is of no use now.)
            self.events.clear();
            self.session.quit();
            let _ = self.run_until(|e| matches!(e, Event::Closed));
        }
        if let Some(stream) = self.stream.take() {
            stream.close();
        }
    }
}

fn interrupted_error() -> Error {
    Error::new(
        ErrorKind::ConnectionClosed,
        "the connection was closed by the application (close() from another thread)",
    )
}

/// Ends an [`SmtpClient`]'s connection from another thread.
#[derive(Debug)]
pub struct Interrupter {
    tcp: TcpStream,
    flag: Arc<std::sync::atomic::AtomicBool>,
}

impl Interrupter {
    /// Shuts the socket down: a read or write in progress returns, and the
    /// client reports `ConnectionClosed`.
    pub fn interrupt(&self) {
        self.flag.store(true, std::sync::atomic::Ordering::SeqCst);
        self.tcp.shutdown(std::net::Shutdown::Both).ok();
    }
}

pub(crate) fn server_name(name: &str) -> Result<ServerName<'static>> {
    ServerName::try_from(name.to_string()).map_err(|_| {
        Error::new(
            ErrorKind::InvalidOption,
            format!("{name:?} is not a valid TLS server name"),
        )
    })
}

pub(crate) fn open(options: &ClientOptions) -> Result<TcpStream> {
    let port = options.effective_port();
    let addresses = (options.host.as_str(), port)
        .to_socket_addrs()
        .map_err(|e| {
            Error::new(
                ErrorKind::Connect,
                format!("cannot resolve {}: {e}", options.host),
            )
        })?;
    let mut last = None;
    for address in addresses {
        match TcpStream::connect_timeout(&address, options.connect_timeout) {
            Ok(tcp) => {
                tcp.set_read_timeout(Some(options.timeout)).ok();
                tcp.set_write_timeout(Some(options.timeout)).ok();
                tcp.set_nodelay(true).ok();
                return Ok(tcp);
            }
            Err(err) => last = Some(err),
        }
    }
    Err(Error::new(
        ErrorKind::Connect,
        match last {
            Some(err) if err.kind() == IoKind::TimedOut => {
                format!("time-out connecting to {}:{port}", options.host)
            }
            Some(err) => format!("cannot connect to {}:{port}: {err}", options.host),
            None => format!("{} has no address", options.host),
        },
    ))
}

/// Connects, sends one message, says QUIT.
pub fn send(message: &Message, options: ClientOptions) -> Result<SendReport> {
    let mut client = SmtpClient::connect(options)?;
    let report = client.send(message)?;
    client.quit().ok();
    Ok(report)
}

//! A relay simulator for the delivery benchmarks (docs/BENCHMARKS.md, B1 to
//! B3): an SMTP server on 127.0.0.1 that answers like a distant relay and
//! enforces a quota shared by every connection, as SendCloud does.
//!
//! ```text
//! mailwright-relaysim [--rtt-ms 50] [--quota 20000 --window-s 60] [--log FILE] [--auth]
//! ```
//!
//! - Prints its port on stdout, serves until its standard input closes, then
//!   prints a summary on stderr (`relaysim: N accepted, M refused with 536, C connections`).
//! - `--rtt-ms`: every reply flight waits one round trip. Replies to what one
//!   read brought (a client's pipelined flight, or the end of the data) are
//!   written together `rtt` after that read, by a writer thread per
//!   connection, so a client that waits for its replies pays exactly one
//!   round trip per flight. The greeting also waits one round trip (the TCP
//!   handshake). With 0, replies go out at once from the reading thread.
//! - `--quota N --window-s S`: at most N accepted MAIL commands in any
//!   window of S seconds, counted over every connection; beyond it MAIL gets
//!   `536 Frequency limited` (and the RCPT and DATA after it `503`).
//! - `--log FILE`: one line per event, milliseconds since the simulator
//!   started: `C <ms>` a connection accepted, `D <ms> [<message-id>]` a
//!   message accepted (its end of data read; with its Message-ID header's
//!   value when it has one, so duplicates can be counted), `R <ms>` a MAIL
//!   refused with 536.
//! - `--auth`: offers AUTH PLAIN LOGIN and accepts any credentials.
//!
//! EHLO offers PIPELINING, 8BITMIME and SIZE; MAIL, RCPT, DATA, RSET, NOOP,
//! QUIT and HELO are understood. Threads only (one reader and, with a round
//! trip, one writer per connection); the message bodies are read and thrown
//! away.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The longest command line or data line kept whole (longer ones end the
/// connection with a 500).
const MAX_LINE: usize = 1 << 20;

struct Config {
    rtt: Duration,
    quota: Option<(usize, Duration)>,
    log: Option<String>,
    auth: bool,
}

struct Shared {
    config: Config,
    start: Instant,
    /// When each MAIL inside the current window was accepted.
    window: Mutex<VecDeque<Instant>>,
    log: Option<Mutex<BufWriter<File>>>,
    accepted: AtomicU64,
    refused: AtomicU64,
    connections: AtomicU64,
}

impl Shared {
    fn log(&self, kind: char, at: Instant) {
        self.log_with(kind, at, None);
    }

    fn log_with(&self, kind: char, at: Instant, detail: Option<&str>) {
        if let Some(log) = &self.log {
            let ms = at.saturating_duration_since(self.start).as_secs_f64() * 1000.0;
            let mut log = log.lock().unwrap_or_else(|e| e.into_inner());
            let _ = match detail {
                Some(detail) => writeln!(log, "{kind} {ms:.1} {detail}"),
                None => writeln!(log, "{kind} {ms:.1}"),
            };
        }
    }

    /// Takes a slot of the quota at `now`, or says no.
    fn admit(&self, now: Instant) -> bool {
        let Some((limit, per)) = self.config.quota else {
            return true;
        };
        let mut window = self.window.lock().unwrap_or_else(|e| e.into_inner());
        while window.front().is_some_and(|&t| t + per <= now) {
            window.pop_front();
        }
        if window.len() >= limit {
            return false;
        }
        window.push_back(now);
        true
    }
}

fn usage(problem: &str) -> ! {
    eprintln!("relaysim: {problem}");
    eprintln!(
        "usage: mailwright-relaysim [--rtt-ms MS] [--quota N --window-s S] [--log FILE] [--auth]"
    );
    std::process::exit(2);
}

fn parse_args() -> Config {
    let mut config = Config {
        rtt: Duration::ZERO,
        quota: None,
        log: None,
        auth: false,
    };
    let mut quota = 0usize;
    let mut window = 60.0f64;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .unwrap_or_else(|| usage(&format!("{name} needs a value")))
        };
        match arg.as_str() {
            "--rtt-ms" => {
                let ms: f64 = value("--rtt-ms")
                    .parse()
                    .unwrap_or_else(|_| usage("--rtt-ms takes milliseconds"));
                if !(0.0..=60_000.0).contains(&ms) {
                    usage("--rtt-ms must be 0 to 60000");
                }
                config.rtt = Duration::from_secs_f64(ms / 1000.0);
            }
            "--quota" => {
                quota = value("--quota")
                    .parse()
                    .unwrap_or_else(|_| usage("--quota takes a count"))
            }
            "--window-s" => {
                window = value("--window-s")
                    .parse()
                    .unwrap_or_else(|_| usage("--window-s takes seconds"));
                if !(window > 0.0 && window < 86_400.0) {
                    usage("--window-s must be above 0 and below a day");
                }
            }
            "--log" => config.log = Some(value("--log")),
            "--auth" => config.auth = true,
            "-h" | "--help" => usage("help"),
            other => usage(&format!("unknown argument {other}")),
        }
    }
    if quota > 0 {
        config.quota = Some((quota, Duration::from_secs_f64(window)));
    }
    config
}

/// Where a connection's replies go: straight to the socket, or to its
/// writer thread with the time they are due.
enum Out {
    Direct(TcpStream),
    Delayed(mpsc::Sender<(Instant, Vec<u8>)>),
}

impl Out {
    fn emit(&mut self, read_at: Instant, rtt: Duration, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            Out::Direct(stream) => stream.write_all(bytes),
            Out::Delayed(tx) => tx
                .send((read_at + rtt, bytes.to_vec()))
                .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "writer ended")),
        }
    }
}

/// Writes each flight when it is due; flights due by then go together.
fn writer(mut stream: TcpStream, rx: mpsc::Receiver<(Instant, Vec<u8>)>) {
    let mut next = rx.recv().ok();
    while let Some((due, mut batch)) = next.take() {
        let now = Instant::now();
        if due > now {
            std::thread::sleep(due - now);
        }
        loop {
            match rx.try_recv() {
                Ok((d, bytes)) if d <= Instant::now() => batch.extend_from_slice(&bytes),
                Ok(later) => {
                    next = Some(later);
                    break;
                }
                Err(_) => break,
            }
        }
        if stream.write_all(&batch).is_err() {
            return;
        }
        if next.is_none() {
            next = rx.recv().ok();
        }
    }
    let _ = stream.shutdown(Shutdown::Write);
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Auth {
    None,
    /// `AUTH PLAIN` without its argument: the next line is it.
    Plain,
    /// `AUTH LOGIN`: user name, then password.
    LoginUser,
    LoginPass,
}

struct Conn {
    shared: Arc<Shared>,
    in_data: bool,
    /// In the data, before the blank line that ends the header.
    in_header: bool,
    /// The Message-ID header of the message being received.
    message_id: Option<String>,
    mail: bool,
    rcpts: usize,
    auth: Auth,
    quit: bool,
}

impl Conn {
    /// Notes the Message-ID (the first one, unfolded lines only).
    fn header_line(&mut self, line: &[u8]) {
        let text = String::from_utf8_lossy(line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            self.in_header = false;
        } else if self.message_id.is_none()
            && text.len() > 11
            && text.is_char_boundary(11)
            && text[..11].eq_ignore_ascii_case("message-id:")
        {
            let id: String = text[11..]
                .trim()
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            if !id.is_empty() {
                self.message_id = Some(id);
            }
        }
    }

    fn reset(&mut self) {
        self.mail = false;
        self.rcpts = 0;
    }

    /// Handles every complete line of `input`; returns how many bytes were used.
    fn process(&mut self, input: &[u8], now: Instant, replies: &mut Vec<u8>) -> usize {
        let mut pos = 0;
        while !self.quit {
            let Some(end) = input[pos..].iter().position(|&b| b == b'\n') else {
                break;
            };
            let line = &input[pos..pos + end + 1];
            pos += end + 1;
            if self.in_data {
                if line == b".\r\n" || line == b".\n" {
                    self.in_data = false;
                    self.reset();
                    let n = self.shared.accepted.fetch_add(1, Ordering::Relaxed) + 1;
                    let id = self.message_id.take();
                    self.shared.log_with('D', now, id.as_deref());
                    replies.extend_from_slice(format!("250 2.0.0 Queued as RS{n}\r\n").as_bytes());
                } else if self.in_header {
                    self.header_line(line);
                }
                continue;
            }
            self.command(line, now, replies);
        }
        pos
    }

    fn command(&mut self, line: &[u8], now: Instant, replies: &mut Vec<u8>) {
        if self.auth != Auth::None {
            self.auth = match self.auth {
                Auth::LoginUser => {
                    replies.extend_from_slice(b"334 UGFzc3dvcmQ6\r\n");
                    Auth::LoginPass
                }
                _ => {
                    replies.extend_from_slice(b"235 2.7.0 Authentication successful\r\n");
                    Auth::None
                }
            };
            return;
        }
        let verb: [u8; 4] = std::array::from_fn(|i| line.get(i).map_or(0, u8::to_ascii_uppercase));
        let reply: &[u8] = match &verb {
            b"EHLO" => {
                self.reset();
                replies.extend_from_slice(b"250-relaysim\r\n250-PIPELINING\r\n250-8BITMIME\r\n");
                if self.shared.config.auth {
                    replies.extend_from_slice(b"250-AUTH PLAIN LOGIN\r\n");
                }
                b"250 SIZE 52428800\r\n"
            }
            b"HELO" => {
                self.reset();
                b"250 relaysim\r\n"
            }
            b"MAIL" if self.mail => b"503 5.5.1 Nested MAIL command\r\n",
            b"MAIL" => {
                if self.shared.admit(now) {
                    self.mail = true;
                    b"250 2.1.0 Sender OK\r\n"
                } else {
                    self.shared.refused.fetch_add(1, Ordering::Relaxed);
                    self.shared.log('R', now);
                    b"536 Frequency limited\r\n"
                }
            }
            b"RCPT" if !self.mail => b"503 5.5.1 MAIL first\r\n",
            b"RCPT" => {
                self.rcpts += 1;
                b"250 2.1.5 Recipient OK\r\n"
            }
            b"DATA" if !self.mail || self.rcpts == 0 => b"503 5.5.1 No valid recipients\r\n",
            b"DATA" => {
                self.in_data = true;
                self.in_header = true;
                self.message_id = None;
                b"354 End data with <CR><LF>.<CR><LF>\r\n"
            }
            b"RSET" => {
                self.reset();
                b"250 2.0.0 OK\r\n"
            }
            b"NOOP" => b"250 2.0.0 OK\r\n",
            b"QUIT" => {
                self.quit = true;
                b"221 2.0.0 Bye\r\n"
            }
            b"AUTH" if self.shared.config.auth => {
                let args: Vec<String> = String::from_utf8_lossy(line)
                    .split_whitespace()
                    .skip(1)
                    .map(str::to_ascii_uppercase)
                    .collect();
                match (args.first().map(String::as_str), args.len()) {
                    (Some("PLAIN"), 1) => {
                        self.auth = Auth::Plain;
                        b"334 \r\n"
                    }
                    (Some("PLAIN"), _) => b"235 2.7.0 Authentication successful\r\n",
                    (Some("LOGIN"), 1) => {
                        self.auth = Auth::LoginUser;
                        b"334 VXNlcm5hbWU6\r\n"
                    }
                    (Some("LOGIN"), _) => {
                        self.auth = Auth::LoginPass;
                        b"334 UGFzc3dvcmQ6\r\n"
                    }
                    _ => b"504 5.5.4 Unrecognized authentication type\r\n",
                }
            }
            _ => b"500 5.5.2 Command not recognized\r\n",
        };
        replies.extend_from_slice(reply);
    }
}

fn serve(shared: Arc<Shared>, mut stream: TcpStream) -> std::io::Result<()> {
    let accepted = Instant::now();
    shared.connections.fetch_add(1, Ordering::Relaxed);
    shared.log('C', accepted);
    stream.set_nodelay(true)?;
    let rtt = shared.config.rtt;
    let (mut out, writer_thread) = if rtt.is_zero() {
        (Out::Direct(stream.try_clone()?), None)
    } else {
        let (tx, rx) = mpsc::channel();
        let socket = stream.try_clone()?;
        let handle = std::thread::Builder::new()
            .name("relaysim-writer".into())
            .spawn(move || writer(socket, rx))?;
        (Out::Delayed(tx), Some(handle))
    };
    out.emit(accepted, rtt, b"220 relaysim ESMTP ready\r\n")?;
    let mut conn = Conn {
        shared: shared.clone(),
        in_data: false,
        in_header: false,
        message_id: None,
        mail: false,
        rcpts: 0,
        auth: Auth::None,
        quit: false,
    };
    let mut buf = vec![0u8; 64 * 1024];
    let mut filled = 0;
    let mut replies = Vec::with_capacity(1024);
    let result = loop {
        if filled == buf.len() {
            if buf.len() >= MAX_LINE {
                let _ = out.emit(Instant::now(), rtt, b"500 5.5.6 Line too long\r\n");
                break Ok(());
            }
            buf.resize(buf.len() * 2, 0);
        }
        let n = match stream.read(&mut buf[filled..]) {
            Ok(0) => break Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => break Err(e),
        };
        let now = Instant::now();
        filled += n;
        let used = conn.process(&buf[..filled], now, &mut replies);
        buf.copy_within(used..filled, 0);
        filled -= used;
        if !replies.is_empty() {
            if let Err(e) = out.emit(now, rtt, &replies) {
                break Err(e);
            }
            replies.clear();
        }
        if conn.quit {
            break Ok(());
        }
    };
    drop(out);
    if let Some(handle) = writer_thread {
        let _ = handle.join();
    }
    let _ = stream.shutdown(Shutdown::Both);
    result
}

fn main() -> std::io::Result<()> {
    let config = parse_args();
    let log = match &config.log {
        Some(path) => Some(Mutex::new(BufWriter::with_capacity(
            1 << 16,
            File::create(path)?,
        ))),
        None => None,
    };
    let shared = Arc::new(Shared {
        config,
        start: Instant::now(),
        window: Mutex::new(VecDeque::new()),
        log,
        accepted: AtomicU64::new(0),
        refused: AtomicU64::new(0),
        connections: AtomicU64::new(0),
    });
    let listener = TcpListener::bind("127.0.0.1:0")?;
    println!("{}", listener.local_addr()?.port());
    std::io::stdout().flush()?;
    {
        let shared = shared.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let shared = shared.clone();
                let _ = std::thread::Builder::new()
                    .name("relaysim-conn".into())
                    .spawn(move || serve(shared, stream));
            }
        });
    }
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
    if let Some(log) = &shared.log {
        log.lock().unwrap_or_else(|e| e.into_inner()).flush()?;
    }
    eprintln!(
        "relaysim: {} accepted, {} refused with 536, {} connections",
        shared.accepted.load(Ordering::Relaxed),
        shared.refused.load(Ordering::Relaxed),
        shared.connections.load(Ordering::Relaxed),
    );
    Ok(())
}

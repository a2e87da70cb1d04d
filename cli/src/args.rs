//! The flags, and their conversion to the core's options and builder.

use clap::{Args, Parser, Subcommand};
use mailwright::delivery::DeliveryConfig;
use mailwright::smtp::{ClientOptions, TlsMode, settings};
use mailwright::{Attachment, Credentials, Error, ErrorKind, Inline, MessageBuilder, XSmtpApi};
use std::path::PathBuf;

/// Build an e-mail and hand it to an SMTP relay (SendCloud is the reference).
#[derive(Parser, Debug)]
#[command(name = "mailwright", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Build one message from flags and files and send it, printing the
    /// conversation (the key masked) and the queue id.
    Send(SendArgs),
    /// Send one message per row of a CSV ({column} placeholders in the
    /// subject, bodies and headers), through a pool with one throttle; a
    /// progress bar, and a JSON report of every outcome.
    Bulk(BulkArgs),
    /// Read a ledger written by `bulk --ledger`: counts by state, the
    /// records (of one state), an export as CSV or JSON, pruning.
    Ledger(LedgerArgs),
}

#[derive(Args, Debug)]
pub struct LedgerArgs {
    #[command(subcommand)]
    pub command: LedgerCommand,
}

#[derive(Subcommand, Debug)]
pub enum LedgerCommand {
    /// Counts by state, as JSON.
    Summary {
        /// The ledger file.
        file: PathBuf,
    },
    /// One line per record: key, state, Message-ID, queue id, error.
    List {
        /// The ledger file.
        file: PathBuf,
        /// Only this state: pending, data_sent, delivered, failed, uncertain.
        #[arg(long)]
        state: Option<String>,
    },
    /// Every record (of one state) as CSV or JSON lines on standard output.
    Export {
        /// The ledger file.
        file: PathBuf,
        /// csv or json (one object per line).
        #[arg(long, default_value = "csv")]
        format: String,
        /// Only this state.
        #[arg(long)]
        state: Option<String>,
    },
    /// Deletes the records with an outcome older than DAYS days.
    Prune {
        /// The ledger file.
        file: PathBuf,
        /// Age in days.
        #[arg(long, value_name = "DAYS")]
        older_than_days: f64,
    },
}

/// Where and how to connect.
#[derive(Args, Debug, Clone)]
pub struct ConnArgs {
    /// The relay, HOST:PORT (the port defaults to the TLS mode's: 25, or 465
    /// for implicit TLS).
    #[arg(long, value_name = "HOST[:PORT]")]
    pub server: String,
    /// The TLS mode: starttls, opportunistic, implicit or none (the default
    /// is the core's).
    #[arg(long, default_value = TlsMode::default().as_str())]
    pub tls: String,
    /// Trust the CA certificates in this PEM file too.
    #[arg(long, value_name = "PEM")]
    pub ca: Option<PathBuf>,
    /// Trust exactly this certificate: a SHA-256 fingerprint, or a PEM file.
    #[arg(long, value_name = "SHA256|PEM")]
    pub pin: Option<String>,
    /// The user (SendCloud: the api_user).
    #[arg(long)]
    pub user: Option<String>,
    /// The key; prefer --key-env or MAILWRIGHT_KEY (a flag shows in `ps`).
    #[arg(long)]
    pub key: Option<String>,
    /// Read the key from this environment variable.
    #[arg(long, value_name = "VAR", default_value = "MAILWRIGHT_KEY")]
    pub key_env: String,
    /// SendCloud's label: the user name becomes api_user#label.
    #[arg(long)]
    pub label: Option<String>,
    /// The EHLO name.
    #[arg(long)]
    pub hello: Option<String>,
    /// Seconds allowed to connect and for each reply.
    #[arg(long)]
    pub timeout: Option<f64>,
    /// Send credentials without TLS (never needed for 127.0.0.1).
    #[arg(long)]
    pub allow_plaintext_auth: bool,
}

impl ConnArgs {
    pub fn options(&self) -> Result<ClientOptions, Error> {
        let tls = TlsMode::from_name(&self.tls)?;
        let (host, port) = match self.server.rsplit_once(':') {
            Some((host, port)) if !host.contains(':') || host.ends_with(']') => {
                let port: i64 = port.parse().map_err(|_| {
                    Error::new(
                        ErrorKind::InvalidOption,
                        format!("bad port in {:?}", self.server),
                    )
                })?;
                (
                    host.trim_matches(['[', ']']),
                    Some(settings::port_from_i64(port)?),
                )
            }
            _ => (self.server.as_str(), None),
        };
        let mut o = ClientOptions::for_host(host).tls(tls);
        o.port = port;
        if let Some(hello) = &self.hello {
            o = o.hello_name(hello.clone());
        }
        if let Some(timeout) = self.timeout {
            o = o.timeout(settings::timeout_from_secs(timeout)?);
        }
        if let Some(ca) = &self.ca {
            o = o.ca_file(ca)?;
        }
        if let Some(pin) = &self.pin {
            o = if std::path::Path::new(pin).is_file() {
                let pem = std::fs::read(pin).map_err(|e| io("read", pin, e))?;
                o.pin_certificate_pem(&pem)?
            } else {
                o.pin_sha256(pin)?
            };
        }
        if self.allow_plaintext_auth {
            o.allow_plaintext_auth = Some(true);
        }
        if let Some(user) = &self.user {
            let key = match &self.key {
                Some(key) => key.clone(),
                None => std::env::var(&self.key_env).map_err(|_| {
                    Error::new(
                        ErrorKind::InvalidCredentials,
                        format!(
                            "--user needs a key: --key, or the {} variable",
                            self.key_env
                        ),
                    )
                })?,
            };
            o = o.credentials(Credentials::from_parts(
                user,
                &key,
                self.label.as_deref(),
                false,
            )?);
        }
        o.validate()?;
        Ok(o)
    }
}

/// What the message holds.
#[derive(Args, Debug, Clone)]
pub struct MessageArgs {
    /// From: "Name <address>" or an address.
    #[arg(long)]
    pub from: String,
    /// To (repeatable).
    #[arg(long)]
    pub to: Vec<String>,
    /// Cc (repeatable).
    #[arg(long)]
    pub cc: Vec<String>,
    /// Bcc (repeatable; envelope only).
    #[arg(long)]
    pub bcc: Vec<String>,
    /// Reply-To (repeatable).
    #[arg(long)]
    pub reply_to: Vec<String>,
    /// The subject.
    #[arg(long)]
    pub subject: Option<String>,
    /// The plain-text body.
    #[arg(long)]
    pub text: Option<String>,
    /// The plain-text body, from a file.
    #[arg(long, value_name = "FILE")]
    pub text_file: Option<PathBuf>,
    /// The HTML body.
    #[arg(long)]
    pub html: Option<String>,
    /// The HTML body, from a file.
    #[arg(long, value_name = "FILE")]
    pub html_file: Option<PathBuf>,
    /// An inline part, CID=FILE (referred to as cid:CID in the HTML; repeatable).
    #[arg(long, value_name = "CID=FILE")]
    pub inline: Vec<String>,
    /// An attachment (repeatable).
    #[arg(long, value_name = "FILE")]
    pub attach: Vec<PathBuf>,
    /// A custom header, "Name: value" (repeatable).
    #[arg(long, value_name = "NAME: VALUE")]
    pub header: Vec<String>,
    /// SendCloud's X-SMTPAPI, as JSON text (written as the last header).
    #[arg(long, value_name = "JSON")]
    pub x_smtpapi: Option<String>,
    /// A fixed Message-ID (for repeatable output).
    #[arg(long)]
    pub message_id: Option<String>,
    /// A fixed Date, seconds since the Unix epoch (for repeatable output).
    #[arg(long)]
    pub date: Option<i64>,
    /// A fixed boundary seed (for repeatable output).
    #[arg(long)]
    pub boundary_seed: Option<String>,
}

impl MessageArgs {
    /// The builder for this message; `fill` substitutes {placeholders}.
    pub fn builder(
        &self,
        fill: &dyn Fn(&str) -> Result<String, Error>,
    ) -> Result<MessageBuilder, Error> {
        let mut b = MessageBuilder::new().from(fill(&self.from)?.as_str());
        for to in &self.to {
            b = b.to(fill(to)?.as_str());
        }
        for cc in &self.cc {
            b = b.cc(fill(cc)?.as_str());
        }
        for bcc in &self.bcc {
            b = b.bcc(fill(bcc)?.as_str());
        }
        for r in &self.reply_to {
            b = b.reply_to(fill(r)?.as_str());
        }
        if let Some(subject) = &self.subject {
            b = b.subject(fill(subject)?);
        }
        if let Some(text) = self
            .text
            .clone()
            .map(Ok)
            .or_else(|| self.text_file.as_ref().map(read_text))
        {
            b = b.text(fill(&text?)?);
        }
        if let Some(html) = self
            .html
            .clone()
            .map(Ok)
            .or_else(|| self.html_file.as_ref().map(read_text))
        {
            b = b.html(fill(&html?)?);
        }
        for spec in &self.inline {
            let (cid, path) = spec.split_once('=').ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidOption,
                    format!("--inline wants CID=FILE, not {spec:?}"),
                )
            })?;
            let data = std::fs::read(path).map_err(|e| io("read", path, e))?;
            b = b.inline(Inline::new(cid, content_type(path), data));
        }
        for path in &self.attach {
            let data =
                std::fs::read(path).map_err(|e| io("read", &path.display().to_string(), e))?;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            b = b.attachment(Attachment::new(&name, content_type(&name), data));
        }
        for header in &self.header {
            let (name, value) = header.split_once(':').ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidOption,
                    format!("--header wants \"Name: value\", not {header:?}"),
                )
            })?;
            b = b.header(name.trim(), fill(value.trim())?);
        }
        if let Some(json) = &self.x_smtpapi {
            b = b.x_smtpapi(x_smtpapi(&fill(json)?)?);
        }
        if let Some(id) = &self.message_id {
            b = b.message_id(fill(id)?);
        }
        if let Some(date) = self.date {
            b = b.date(date);
        }
        if let Some(seed) = &self.boundary_seed {
            b = b.boundary_seed(seed.clone());
        }
        Ok(b)
    }
}

/// SendCloud's X-SMTPAPI from its JSON form: `to` (array), `sub` (variable
/// to array of values), `section` (name to text), `filters` with
/// `open_tracking`, `click_tracking`, `subscription_tracking` booleans (or
/// SendCloud's `{"settings": {"enable": 1}}` objects).
fn x_smtpapi(json: &str) -> Result<XSmtpApi, Error> {
    let bad = |why: &str| Error::new(ErrorKind::XSmtpApiInvalid, format!("--x-smtpapi: {why}"));
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| bad(&format!("not JSON: {e}")))?;
    let mut api = XSmtpApi::new();
    for to in value["to"].as_array().into_iter().flatten() {
        api = api.to(to.as_str().ok_or_else(|| bad("`to` holds a non-string"))?);
    }
    for (name, values) in value["sub"].as_object().into_iter().flatten() {
        let values: Option<Vec<&str>> = values
            .as_array()
            .map(|v| v.iter().map(serde_json::Value::as_str).collect())
            .and_then(|v: Vec<Option<&str>>| v.into_iter().collect());
        api = api.sub(
            name,
            values.ok_or_else(|| bad("`sub` values must be arrays of strings"))?,
        );
    }
    for (name, text) in value["section"].as_object().into_iter().flatten() {
        api = api.section(
            name,
            text.as_str()
                .ok_or_else(|| bad("`section` values must be strings"))?,
        );
    }
    let filter = |name: &str| {
        let f = &value["filters"][name];
        f.as_bool()
            .or_else(|| f["settings"]["enable"].as_i64().map(|n| n != 0))
    };
    if let Some(on) = filter("open_tracking").or_else(|| filter("open")) {
        api = api.open_tracking(on);
    }
    if let Some(on) = filter("click_tracking").or_else(|| filter("click")) {
        api = api.click_tracking(on);
    }
    if let Some(on) = filter("subscription_tracking").or_else(|| filter("subscription")) {
        api = api.subscription_tracking(on);
    }
    Ok(api)
}

/// The media type for a file name (the common ones; else octet-stream).
pub fn content_type(name: &str) -> &'static str {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "webp" => "image/webp",
        "pdf" => "application/pdf",
        "txt" => "text/plain",
        "csv" => "text/csv",
        "html" | "htm" => "text/html",
        "json" => "application/json",
        "zip" => "application/zip",
        "ics" => "text/calendar",
        _ => "application/octet-stream",
    }
}

fn read_text(path: &PathBuf) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|e| io("read", &path.display().to_string(), e))
}

pub fn io(what: &str, path: &str, e: std::io::Error) -> Error {
    Error::new(ErrorKind::Io, format!("cannot {what} {path}: {e}"))
}

#[derive(Args, Debug)]
pub struct SendArgs {
    #[command(flatten)]
    pub conn: ConnArgs,
    #[command(flatten)]
    pub message: MessageArgs,
    /// Write the message to this file (`-`: standard output) and send nothing.
    #[arg(long, value_name = "FILE")]
    pub dry_run: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct BulkArgs {
    #[command(flatten)]
    pub conn: ConnArgs,
    #[command(flatten)]
    pub message: MessageArgs,
    /// The rows: a CSV with a header line; {column} in the message flags is
    /// replaced by the row's value.
    #[arg(long, value_name = "FILE")]
    pub csv: PathBuf,
    /// The column holding each row's recipient (added to --to).
    #[arg(long, default_value = "email")]
    pub to_column: String,
    /// Connections at most (the default is the core's).
    #[arg(long, default_value_t = DeliveryConfig::default().connections)]
    pub connections: usize,
    /// The quota, MESSAGES/SECONDS (e.g. 20000/60); `sendcloud` for
    /// SendCloud's 20,000 a minute. Off by default.
    #[arg(long)]
    pub rate: Option<String>,
    /// Resend messages whose fate is unknown (they may arrive twice).
    #[arg(long)]
    pub at_least_once: bool,
    /// Write a JSON report of every outcome here.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Record every row in this ledger (created when missing) before it is
    /// sent, and its outcome: run the same command again after a crash and
    /// rows already delivered are skipped, uncertain ones listed and not
    /// resent (unless --at-least-once), the rest sent. A file (SQLite), or a
    /// postgresql:// URL (many workers sharing one ledger).
    #[arg(long, value_name = "FILE|URL")]
    pub ledger: Option<PathBuf>,
    /// The column holding each row's key (an order id, say); by default a
    /// hash of the whole row (identical rows are one message).
    #[arg(long, value_name = "COLUMN")]
    pub key_column: Option<String>,
    /// Seconds a row may take from when it is first read (across runs, with
    /// --ledger) to its outcome, retries included; by default a day with a
    /// ledger, the core's default without.
    #[arg(long, value_name = "SECONDS")]
    pub deadline: Option<f64>,
    /// With --ledger: `full` (every commit on the disk: survives a power
    /// loss) or `process` (survives a crash of the process; faster on slow
    /// disks).
    #[arg(long, default_value = "full")]
    pub durability: String,
}

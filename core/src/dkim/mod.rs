//! DKIM signing (RFC 6376) with RSA-SHA256 and Ed25519-SHA256 (RFC 8463).
//!
//! The signature is made once, when the message is built: the message is
//! written through a hashing sink (the header block kept, the body hashed as
//! it streams by, never stored), then the `DKIM-Signature` line is kept and
//! written first each time the message is written. X-SMTPAPI is never
//! signed: SendCloud reads and rewrites it.
//!
//! The crypto is RustCrypto's: `rsa` 0.10 (constant-time, keys zeroized on
//! drop) and `ed25519-dalek` (zeroized on drop). The canonicalization is
//! this module's (`canon`), checked against dkimpy and mail-auth.

mod canon;

pub use canon::Canonicalization;

use crate::clock::{Clock, default_clock};
use crate::error::{Error, ErrorKind, Result, quote};
use base64::Engine as _;
use canon::BodyHasher;
use rsa::sha2::{Digest, Sha256};
use std::fmt;
use std::sync::Arc;
use zeroize::Zeroizing;

/// The signing algorithm of a key (the `a=` tag).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DkimAlgorithm {
    /// `rsa-sha256`: RSA PKCS#1 v1.5 over SHA-256 (RFC 6376; 1024 to 4096 bits).
    RsaSha256,
    /// `ed25519-sha256` (RFC 8463).
    Ed25519Sha256,
}

impl DkimAlgorithm {
    /// Both, in the order of the variants.
    pub const ALL: [DkimAlgorithm; 2] = [DkimAlgorithm::RsaSha256, DkimAlgorithm::Ed25519Sha256];

    /// The algorithm named by `as_str`, if it is one.
    pub fn from_name(name: &str) -> Option<DkimAlgorithm> {
        DkimAlgorithm::ALL.into_iter().find(|a| a.as_str() == name)
    }

    /// The `a=` tag value.
    pub const fn as_str(self) -> &'static str {
        match self {
            DkimAlgorithm::RsaSha256 => "rsa-sha256",
            DkimAlgorithm::Ed25519Sha256 => "ed25519-sha256",
        }
    }
}

enum KeyPair {
    Rsa(Box<rsa::pkcs1v15::SigningKey<Sha256>>),
    Ed25519(Box<ed25519_dalek::SigningKey>),
}

/// A DKIM private key. It is a secret: its memory is zeroized on drop, and
/// it shows in `Debug` and in errors only as its algorithm (and size).
///
/// Share one key between many messages with an [`Arc`] (a [`DkimSigner`]
/// holds one).
pub struct DkimKey {
    pair: KeyPair,
}

impl fmt::Debug for DkimKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("DkimKey");
        d.field("algorithm", &self.algorithm());
        if let KeyPair::Rsa(key) = &self.pair {
            d.field("bits", &rsa_bits(key));
        }
        d.finish_non_exhaustive()
    }
}

fn rsa_bits(key: &rsa::pkcs1v15::SigningKey<Sha256>) -> usize {
    use rsa::traits::PublicKeyParts;
    key.as_ref().size() * 8
}

fn key_error(why: &str) -> Error {
    Error::new(ErrorKind::InvalidDkimKey, why.to_string())
}

impl DkimKey {
    /// Reads a PEM private key: `BEGIN PRIVATE KEY` (PKCS#8, RSA or Ed25519)
    /// or `BEGIN RSA PRIVATE KEY` (PKCS#1). Encrypted keys are refused.
    /// RSA keys must have 1024 to 4096 bits (2048 recommended).
    pub fn from_pem(pem: &str) -> Result<DkimKey> {
        let pem = pem.trim();
        let label = pem
            .lines()
            .next()
            .unwrap_or_default()
            .trim()
            .trim_start_matches("-----BEGIN ")
            .trim_end_matches("-----");
        match label {
            "RSA PRIVATE KEY" => {
                use rsa::pkcs1::DecodeRsaPrivateKey;
                let key = rsa::PrivateKey::from_pkcs1_pem(pem)
                    .map_err(|_| key_error("not a readable PKCS#1 RSA private key"))?;
                DkimKey::rsa(key)
            }
            "PRIVATE KEY" => {
                use rsa::pkcs8::DecodePrivateKey;
                if let Ok(key) = rsa::PrivateKey::from_pkcs8_pem(pem) {
                    return DkimKey::rsa(key);
                }
                let key = ed25519_dalek::SigningKey::from_pkcs8_pem(pem)
                    .map_err(|_| key_error("not a readable PKCS#8 private key (RSA or Ed25519)"))?;
                Ok(DkimKey {
                    pair: KeyPair::Ed25519(Box::new(key)),
                })
            }
            "ENCRYPTED PRIVATE KEY" => Err(key_error(
                "encrypted PKCS#8 keys are not supported; decrypt the key first",
            )),
            _ => Err(key_error(
                "not a PEM private key (BEGIN PRIVATE KEY or BEGIN RSA PRIVATE KEY)",
            )),
        }
    }

    /// An Ed25519 key from its 32-byte seed (the raw private key).
    pub fn ed25519_from_seed(seed: &[u8]) -> Result<DkimKey> {
        let seed: Zeroizing<[u8; 32]> = Zeroizing::new(
            seed.try_into()
                .map_err(|_| key_error("an Ed25519 seed is 32 bytes"))?,
        );
        Ok(DkimKey {
            pair: KeyPair::Ed25519(Box::new(ed25519_dalek::SigningKey::from_bytes(&seed))),
        })
    }

    fn rsa(key: rsa::PrivateKey) -> Result<DkimKey> {
        let key = rsa::pkcs1v15::SigningKey::<Sha256>::new(key);
        let bits = rsa_bits(&key);
        if !(1024..=4096).contains(&bits) {
            return Err(Error::new(
                ErrorKind::InvalidDkimKey,
                format!("an RSA key of {bits} bits; DKIM needs 1024 to 4096 (2048 recommended)"),
            ));
        }
        Ok(DkimKey {
            pair: KeyPair::Rsa(Box::new(key)),
        })
    }

    /// The key's algorithm.
    pub fn algorithm(&self) -> DkimAlgorithm {
        match self.pair {
            KeyPair::Rsa(_) => DkimAlgorithm::RsaSha256,
            KeyPair::Ed25519(_) => DkimAlgorithm::Ed25519Sha256,
        }
    }

    /// The public key's DNS TXT record, published at
    /// `<selector>._domainkey.<domain>`: `v=DKIM1; k=rsa; p=...` (the
    /// SubjectPublicKeyInfo) or `v=DKIM1; k=ed25519; p=...` (the 32 bytes).
    pub fn dns_record(&self) -> String {
        let b64 = &base64::engine::general_purpose::STANDARD;
        match &self.pair {
            KeyPair::Rsa(key) => {
                use rsa::pkcs8::EncodePublicKey;
                let private: &rsa::PrivateKey = (**key).as_ref();
                let public = rsa::PublicKey::from(private);
                let der = public
                    .to_public_key_der()
                    .map(|d| b64.encode(d.as_bytes()))
                    .unwrap_or_default();
                format!("v=DKIM1; k=rsa; p={der}")
            }
            KeyPair::Ed25519(key) => format!(
                "v=DKIM1; k=ed25519; p={}",
                b64.encode(key.verifying_key().as_bytes())
            ),
        }
    }

    /// Signs the SHA-256 hash of the canonical headers.
    fn sign(&self, hash: &[u8; 32]) -> Result<Vec<u8>> {
        match &self.pair {
            KeyPair::Rsa(key) => {
                use rsa::signature::{SignatureEncoding, hazmat::PrehashSigner};
                key.sign_prehash(hash)
                    .map(|s| s.to_vec())
                    .map_err(|_| key_error("RSA signing failed"))
            }
            // RFC 8463: Ed25519 signs the SHA-256 hash, not the data.
            KeyPair::Ed25519(key) => {
                use ed25519_dalek::Signer;
                Ok(key.sign(hash).to_bytes().to_vec())
            }
        }
    }
}

/// How to sign: the key, the signing domain (`d=`) and selector (`s=`),
/// the canonicalization (relaxed/relaxed by default), the signature time
/// (`t=`: fixed, or the builder's clock when the message is built) and an
/// optional expiry (`x=`).
///
/// ```
/// use mailwright::{DkimKey, DkimSigner, Message};
/// let key = DkimKey::ed25519_from_seed(&[7; 32]).unwrap();
/// let signer = DkimSigner::new("ifaxin.com", "mw2025", key).time(1_700_000_000);
/// let message = Message::builder()
///     .from("support@ifaxin.com")
///     .to("ben@ifaxin.com")
///     .text("hello")
///     .dkim(signer)
///     .build()
///     .unwrap();
/// assert!(message.to_vec().starts_with(b"DKIM-Signature: v=1; a=ed25519-sha256;"));
/// ```
///
/// Signed header fields (`h=`), each when present: From, Sender, Reply-To,
/// To, Cc, Subject, Date, Message-ID, In-Reply-To, References,
/// MIME-Version, Content-Type, Content-Transfer-Encoding, List-Id,
/// List-Unsubscribe, List-Unsubscribe-Post. Custom headers, the
/// `SC-Custom-*` headers and X-SMTPAPI are not signed.
#[derive(Clone)]
pub struct DkimSigner {
    key: Arc<DkimKey>,
    domain: String,
    selector: String,
    header: Canonicalization,
    body: Canonicalization,
    time: Option<i64>,
    expires_after: Option<u64>,
}

impl fmt::Debug for DkimSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DkimSigner")
            .field("algorithm", &self.key.algorithm())
            .field("domain", &self.domain)
            .field("selector", &self.selector)
            .field("header", &self.header)
            .field("body", &self.body)
            .field("time", &self.time)
            .field("expires_after", &self.expires_after)
            .finish_non_exhaustive()
    }
}

/// Header fields signed when present, in `h=` order.
const SIGNED: &[&str] = &[
    "From",
    "To",
    "Cc",
    "Subject",
    "Date",
    "Message-ID",
    "MIME-Version",
    "Content-Type",
    "Reply-To",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "List-Id",
    "Sender",
    "In-Reply-To",
    "References",
    "Content-Transfer-Encoding",
];

/// Latest time accepted: 9999-12-31T23:59:59Z.
const MAX_TIME: i64 = 253_402_300_799;

impl DkimSigner {
    /// A signer for `domain` (`d=`; an IDN is written as its A-labels) and
    /// `selector` (`s=`), relaxed/relaxed. Checked when the message is built.
    pub fn new(
        domain: impl Into<String>,
        selector: impl Into<String>,
        key: impl Into<Arc<DkimKey>>,
    ) -> Self {
        DkimSigner {
            key: key.into(),
            domain: domain.into(),
            selector: selector.into(),
            header: Canonicalization::Relaxed,
            body: Canonicalization::Relaxed,
            time: None,
            expires_after: None,
        }
    }

    /// Sets the header and body canonicalization (`c=`).
    pub fn canonicalization(mut self, header: Canonicalization, body: Canonicalization) -> Self {
        self.header = header;
        self.body = body;
        self
    }

    /// Fixes the signature time (`t=`), in seconds since the Unix epoch, so
    /// that the same message gives the same signature. Without it, the
    /// builder's clock (or the platform's) is read when the message is built.
    pub fn time(mut self, unix_seconds: i64) -> Self {
        self.time = Some(unix_seconds);
        self
    }

    /// Adds an expiry (`x=`) this many seconds after the signature time.
    pub fn expires_after(mut self, seconds: u64) -> Self {
        self.expires_after = Some(seconds);
        self
    }

    /// The key's algorithm.
    pub fn algorithm(&self) -> DkimAlgorithm {
        self.key.algorithm()
    }
}

fn option_error(why: String) -> Error {
    Error::new(ErrorKind::InvalidDkimOption, why)
}

/// Checks a domain name of letters, digits and hyphens (after IDNA).
fn check_domain(what: &str, value: &str, allow_underscore: bool) -> Result<String> {
    let ascii = if value.is_ascii() {
        value.to_ascii_lowercase()
    } else {
        idna::domain_to_ascii(value)
            .map_err(|_| option_error(format!("DKIM {what} {} is not a domain", quote(value))))?
    };
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || allow_underscore && b == b'_')
    };
    if ascii.is_empty() || ascii.len() > 253 || !ascii.split('.').all(label_ok) {
        return Err(option_error(format!(
            "DKIM {what} {} is not a domain name (letters, digits, hyphens, dots)",
            quote(value)
        )));
    }
    Ok(ascii)
}

/// A signer checked at build time, its time resolved.
pub(crate) struct ReadySigner {
    key: Arc<DkimKey>,
    domain: String,
    selector: String,
    header: Canonicalization,
    body: Canonicalization,
    time: i64,
    expires: Option<i64>,
}

impl ReadySigner {
    /// Checks the domain and selector, and fixes the time.
    pub(crate) fn check(signer: DkimSigner, clock: Option<&dyn Clock>) -> Result<ReadySigner> {
        let domain = check_domain("domain", &signer.domain, false)?;
        let selector = check_domain("selector", &signer.selector, true)?;
        let time = match signer.time {
            Some(time) => time,
            None => match clock.or(default_clock()) {
                Some(clock) => clock.now(),
                None => {
                    return Err(Error::new(
                        ErrorKind::NoClock,
                        "no DKIM signature time given and no clock available on this platform",
                    ));
                }
            },
        };
        if !(0..=MAX_TIME).contains(&time) {
            return Err(option_error(format!(
                "DKIM signature time {time} is outside 1970..=9999"
            )));
        }
        let expires = match signer.expires_after {
            None => None,
            Some(after) => {
                let at = i64::try_from(after)
                    .ok()
                    .and_then(|a| time.checked_add(a))
                    .filter(|at| *at <= MAX_TIME && after > 0);
                Some(at.ok_or_else(|| {
                    option_error(format!("DKIM expiry {after} s is not in 1..=9999 years"))
                })?)
            }
        };
        Ok(ReadySigner {
            key: signer.key,
            domain,
            selector,
            header: signer.header,
            body: signer.body,
            time,
            expires,
        })
    }
}

/// Receives the unsigned message as it is written: keeps the header block,
/// hashes the body (once per body canonicalization in use).
pub(crate) struct HashingSink {
    head: Vec<u8>,
    /// Where the search for the blank line resumes.
    scanned: usize,
    in_body: bool,
    relaxed: Option<BodyHasher>,
    simple: Option<BodyHasher>,
}

impl HashingSink {
    pub(crate) fn new(signers: &[ReadySigner]) -> Self {
        let uses = |c| signers.iter().any(|s| s.body == c);
        HashingSink {
            head: Vec::with_capacity(2048),
            scanned: 0,
            in_body: false,
            relaxed: uses(Canonicalization::Relaxed)
                .then(|| BodyHasher::new(Canonicalization::Relaxed)),
            simple: uses(Canonicalization::Simple)
                .then(|| BodyHasher::new(Canonicalization::Simple)),
        }
    }

    fn body(&mut self, data: &[u8]) {
        for hasher in [&mut self.relaxed, &mut self.simple].into_iter().flatten() {
            hasher.update(data);
        }
    }

    /// The `DKIM-Signature` lines, in signer order.
    pub(crate) fn finish(mut self, signers: &[ReadySigner]) -> Result<Vec<u8>> {
        let relaxed = self.relaxed.take().map(BodyHasher::finish);
        let simple = self.simple.take().map(BodyHasher::finish);
        let fields = canon::fields(&self.head);
        let mut out = Vec::new();
        for signer in signers {
            let body_hash = match signer.body {
                Canonicalization::Relaxed => relaxed,
                Canonicalization::Simple => simple,
            }
            .unwrap_or_default();
            out.extend_from_slice(&signature_line(signer, &fields, &body_hash)?);
        }
        Ok(out)
    }
}

impl std::io::Write for HashingSink {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if self.in_body {
            self.body(data);
            return Ok(data.len());
        }
        self.head.extend_from_slice(data);
        let from = self.scanned.saturating_sub(3);
        match memchr::memmem::find(&self.head[from..], b"\r\n\r\n") {
            Some(at) => {
                let end = from + at + 2;
                let body = self.head.split_off(end + 2);
                self.head.truncate(end);
                self.in_body = true;
                self.body(&body);
            }
            None => self.scanned = self.head.len(),
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Folding column of the DKIM-Signature header.
const LINE_LEN: usize = 78;

/// Builds `DKIM-Signature: ...` up to `b=`, folded, with the header names
/// actually signed; returns it and the names.
fn signature_line(signer: &ReadySigner, fields: &[&[u8]], body_hash: &[u8; 32]) -> Result<Vec<u8>> {
    let b64 = &base64::engine::general_purpose::STANDARD;
    // The instances signed: for each name, every instance, bottom-up.
    let mut signed: Vec<&[u8]> = Vec::new();
    let mut names: Vec<&str> = Vec::new();
    for name in SIGNED {
        let instances: Vec<&[u8]> = fields
            .iter()
            .rev()
            .filter(|f| canon::field_name(f).eq_ignore_ascii_case(name.as_bytes()))
            .copied()
            .collect();
        for field in instances {
            signed.push(field);
            names.push(name);
        }
    }
    let mut tags: Vec<String> = vec![
        "v=1;".into(),
        format!("a={};", signer.key.algorithm().as_str()),
        format!("c={}/{};", signer.header.as_str(), signer.body.as_str()),
        format!("d={};", signer.domain),
        format!("s={};", signer.selector),
        format!("t={};", signer.time),
    ];
    if let Some(expires) = signer.expires {
        tags.push(format!("x={expires};"));
    }
    let mut line = String::from("DKIM-Signature:");
    let mut column = line.len();
    let mut push = |line: &mut String, atom: &str, space: bool| {
        let width = atom.len() + usize::from(space);
        if column + width > LINE_LEN {
            line.push_str("\r\n ");
            column = 1;
        } else if space {
            line.push(' ');
            column += 1;
        }
        line.push_str(atom);
        column += atom.len();
    };
    for tag in &tags {
        push(&mut line, tag, true);
    }
    for (i, name) in names.iter().enumerate() {
        let atom = match (i, i + 1 == names.len()) {
            (0, true) => format!("h={name};"),
            (0, false) => format!("h={name}:"),
            (_, true) => format!("{name};"),
            (_, false) => format!("{name}:"),
        };
        push(&mut line, &atom, i == 0);
    }
    push(&mut line, &format!("bh={};", b64.encode(body_hash)), true);
    push(&mut line, "b=", true);
    // The header hash: the signed fields, then this header without b='s value and without CRLF.
    let mut data = Vec::with_capacity(1024);
    for field in &signed {
        canon::push_header(&mut data, field, signer.header);
    }
    canon::push_header(&mut data, line.as_bytes(), signer.header);
    let hash: [u8; 32] = Sha256::digest(&data).into();
    let signature = b64.encode(signer.key.sign(&hash)?);
    // b= goes on, folded anywhere (FWS is allowed inside base64).
    let mut rest = signature.as_str();
    let mut room = LINE_LEN.saturating_sub(column);
    while !rest.is_empty() {
        let (chunk, tail) = rest.split_at(room.min(rest.len()));
        line.push_str(chunk);
        rest = tail;
        if !rest.is_empty() {
            line.push_str("\r\n ");
            room = LINE_LEN - 1;
        }
    }
    line.push_str("\r\n");
    Ok(line.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for a in DkimAlgorithm::ALL {
            assert_eq!(DkimAlgorithm::from_name(a.as_str()), Some(a));
        }
        for c in Canonicalization::ALL {
            assert_eq!(Canonicalization::from_name(c.as_str()), Some(c));
        }
        assert_eq!(DkimAlgorithm::from_name("rsa-sha1"), None);
        assert_eq!(Canonicalization::from_name("Relaxed"), None);
        use Canonicalization::{Relaxed, Simple};
        assert_eq!(
            Canonicalization::parse_tag("relaxed/relaxed").unwrap(),
            (Relaxed, Relaxed)
        );
        assert_eq!(
            Canonicalization::parse_tag("relaxed").unwrap(),
            (Relaxed, Simple)
        );
        assert_eq!(
            Canonicalization::parse_tag("simple/relaxed").unwrap(),
            (Simple, Relaxed)
        );
        for bad in ["", "relaxed/", "loose/simple", "relaxed/relaxed/x"] {
            let e = Canonicalization::parse_tag(bad).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::InvalidDkimOption, "{bad}");
        }
    }

    #[test]
    fn keys_are_secret_in_debug_and_errors() {
        let key = DkimKey::ed25519_from_seed(&[42; 32]).unwrap();
        let debug = format!("{key:?}");
        assert_eq!(debug, "DkimKey { algorithm: Ed25519Sha256, .. }");
        let signer = DkimSigner::new("ifaxin.com", "s1", key);
        assert!(!format!("{signer:?}").contains("42"));
        let err = DkimKey::ed25519_from_seed(&[1; 31]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidDkimKey);
        let err =
            DkimKey::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
                .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidDkimKey);
        assert!(!err.message().contains("AAAA"));
        let err = DkimKey::from_pem("secret").unwrap_err();
        assert!(!err.message().contains("secret"));
    }

    #[test]
    fn time_comes_from_the_builder_clock_and_bytes_are_stable() {
        let key = Arc::new(DkimKey::ed25519_from_seed(&[3; 32]).unwrap());
        let m = crate::Message::builder()
            .from("a@ifaxin.com")
            .to("b@ifaxin.com")
            .text("x")
            .clock(Arc::new(|| 1_500_000_000))
            .dkim(DkimSigner::new("ifaxin.com", "s", key.clone()))
            .dkim(
                DkimSigner::new("ifaxin.com", "s2", key)
                    .canonicalization(Canonicalization::Simple, Canonicalization::Simple),
            )
            .build()
            .unwrap();
        assert!(m.is_signed());
        let bytes = m.to_vec();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert_eq!(text.matches("DKIM-Signature: ").count(), 2);
        assert!(text.contains(" t=1500000000;"));
        assert!(text.contains("c=simple/simple;"));
        let mut streamed = Vec::new();
        m.write_to(&mut streamed).unwrap();
        assert_eq!(streamed, bytes);
        assert_eq!(m.size(), bytes.len());
    }

    #[test]
    fn dkim_signature_is_not_a_custom_header() {
        let err = crate::Message::builder()
            .from("a@ifaxin.com")
            .to("b@ifaxin.com")
            .header("DKIM-Signature", "v=1")
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidHeaderName);
    }

    #[test]
    fn ed25519_dns_record_is_the_raw_public_key() {
        // RFC 8463 appendix A: the seed and its public key.
        let seed = base64::engine::general_purpose::STANDARD
            .decode("nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=")
            .unwrap();
        let key = DkimKey::ed25519_from_seed(&seed).unwrap();
        assert_eq!(
            key.dns_record(),
            "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
        );
    }

    #[test]
    fn options_are_checked() {
        let key = Arc::new(DkimKey::ed25519_from_seed(&[1; 32]).unwrap());
        let check = |d: &str, s: &str| {
            ReadySigner::check(DkimSigner::new(d, s, key.clone()).time(0), None)
                .map(|r| (r.domain, r.selector))
        };
        assert_eq!(
            check("IFAXIN.com", "mw_2025.eu").unwrap(),
            ("ifaxin.com".into(), "mw_2025.eu".into())
        );
        assert_eq!(
            check("bücher.example", "s").unwrap().0,
            "xn--bcher-kva.example"
        );
        for (d, s) in [
            ("", "s"),
            ("a b.com", "s"),
            ("ifaxin.com", ""),
            ("ifaxin.com", "a;b"),
            ("-x.com", "s"),
        ] {
            assert_eq!(
                check(d, s).unwrap_err().kind(),
                ErrorKind::InvalidDkimOption,
                "{d} {s}"
            );
        }
        let err = ReadySigner::check(DkimSigner::new("a.com", "s", key.clone()).time(-1), None)
            .err()
            .map(|e| e.kind());
        assert_eq!(err, Some(ErrorKind::InvalidDkimOption));
    }
}

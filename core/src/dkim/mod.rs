//! DKIM signing (RFC 6376) with RSA-SHA256 and Ed25519-SHA256 (RFC 8463).
//!
//! The signature is made once, when the message is built: the message is
//! written through a hashing sink (the header block kept, the body hashed as
//! it streams by, never stored), then the `DKIM-Signature` line is kept and
//! written first each time the message is written. X-SMTPAPI is never
//! signed: SendCloud reads and rewrites it.
//!
//! The crypto, with the `dkim` feature, is RustCrypto's: `rsa` 0.10
//! (constant-time, keys zeroized on drop) and `ed25519-dalek` (zeroized on
//! drop), in `key`. Without it (the `dkim-external` feature alone: the
//! WebAssembly package) the caller signs ([`DkimSigner::external`]): this
//! module canonicalizes, hashes and writes the field around the signature.
//! The canonicalization is this module's (`canon`), checked against dkimpy
//! and mail-auth.

mod canon;
#[cfg(feature = "dkim")]
mod key;

pub use canon::Canonicalization;
#[cfg(feature = "dkim")]
pub use key::DkimKey;

use crate::clock::{Clock, default_clock};
use crate::error::{Error, ErrorKind, Result, quote};
use base64::Engine as _;
use canon::BodyHasher;
use sha2::{Digest, Sha256};
use std::fmt;
use std::sync::Arc;

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

    /// The algorithm of a key that another library read, for an external
    /// signer ([`DkimSigner::external`]): `key_type` as that library names
    /// it (`rsa`, `ed25519`) and, for RSA, the modulus size in bits. The
    /// rules are those of this crate's own keys: RSA of 1024 to 4096 bits or
    /// Ed25519, anything else InvalidDkimKey.
    pub fn for_key(key_type: &str, rsa_bits: Option<u64>) -> Result<DkimAlgorithm> {
        match key_type {
            "rsa" => {
                check_rsa_bits(rsa_bits.unwrap_or(0))?;
                Ok(DkimAlgorithm::RsaSha256)
            }
            "ed25519" => Ok(DkimAlgorithm::Ed25519Sha256),
            other => Err(Error::new(
                ErrorKind::InvalidDkimKey,
                format!(
                    "a {} key; DKIM signs with RSA (rsa-sha256) or Ed25519 (ed25519-sha256)",
                    quote(other)
                ),
            )),
        }
    }
}

/// The smallest and largest RSA keys DKIM signs with, in bits (RFC 8301
/// forbids below 1024; verifiers need not take above 4096).
pub const RSA_BITS: std::ops::RangeInclusive<u64> = 1024..=4096;

/// The rule on an RSA key's size, for this crate's keys and external ones.
pub(crate) fn check_rsa_bits(bits: u64) -> Result<()> {
    if RSA_BITS.contains(&bits) {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::InvalidDkimKey,
        format!(
            "an RSA key of {bits} bits; DKIM needs {} to {} (2048 recommended)",
            RSA_BITS.start(),
            RSA_BITS.end()
        ),
    ))
}

/// What an external signer is: it gets the bytes the algorithm's primitive
/// signs and returns the raw signature, or why it could not.
type ExternalSign = dyn Fn(&[u8]) -> std::result::Result<Vec<u8>, String> + Send + Sync;

/// Who makes the signature: a key of this crate's, or the caller.
#[derive(Clone)]
enum SignWith {
    #[cfg(feature = "dkim")]
    Key(Arc<DkimKey>),
    External {
        algorithm: DkimAlgorithm,
        sign: Arc<ExternalSign>,
    },
}

impl SignWith {
    fn algorithm(&self) -> DkimAlgorithm {
        match self {
            #[cfg(feature = "dkim")]
            SignWith::Key(key) => key.algorithm(),
            SignWith::External { algorithm, .. } => *algorithm,
        }
    }

    /// Signs the canonical header data (RFC 6376 3.7) of `domain`'s signature.
    fn sign(&self, data: &[u8], domain: &str) -> Result<Vec<u8>> {
        let hash: [u8; 32] = Sha256::digest(data).into();
        let (algorithm, sign) = match self {
            #[cfg(feature = "dkim")]
            SignWith::Key(key) => return key.sign(&hash),
            SignWith::External { algorithm, sign } => (*algorithm, sign),
        };
        let signature = match algorithm {
            // RSASSA-PKCS1-v1_5 with SHA-256 hashes the data itself.
            DkimAlgorithm::RsaSha256 => sign(data),
            // RFC 8463: Ed25519 signs the SHA-256 hash, not the data.
            DkimAlgorithm::Ed25519Sha256 => sign(&hash),
        }
        .map_err(|why| {
            Error::new(
                ErrorKind::InvalidDkimKey,
                format!("the external DKIM signer for {domain} failed: {why}"),
            )
        })?;
        let (ok, expected) = match algorithm {
            DkimAlgorithm::RsaSha256 => (
                (128..=512).contains(&signature.len()),
                "128 to 512 (RSA 1024 to 4096 bits)",
            ),
            DkimAlgorithm::Ed25519Sha256 => (signature.len() == 64, "64"),
        };
        if !ok {
            return Err(Error::new(
                ErrorKind::InvalidDkimKey,
                format!(
                    "the external DKIM signer for {domain} returned {} bytes; an {} signature has {expected}",
                    signature.len(),
                    algorithm.as_str()
                ),
            ));
        }
        Ok(signature)
    }
}

/// How to sign: the key (or an external signer), the signing domain (`d=`) and selector (`s=`),
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
    with: SignWith,
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
            .field("algorithm", &self.with.algorithm())
            .field("external", &matches!(self.with, SignWith::External { .. }))
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
    #[cfg(feature = "dkim")]
    pub fn new(
        domain: impl Into<String>,
        selector: impl Into<String>,
        key: impl Into<Arc<DkimKey>>,
    ) -> Self {
        DkimSigner::with(domain, selector, SignWith::Key(key.into()))
    }

    /// A signer whose signature the caller makes, with its own crypto (a
    /// host's `crypto.sign`, an HSM, a KMS): this crate canonicalizes,
    /// hashes and writes the `DKIM-Signature` field, and `sign` gets exactly
    /// the bytes the algorithm's primitive signs:
    ///
    /// - `rsa-sha256`: the canonical header data (RFC 6376, 3.7), to sign
    ///   with RSASSA-PKCS1-v1_5 and SHA-256 (the signer hashes it);
    /// - `ed25519-sha256`: the 32-byte SHA-256 digest of that data, which
    ///   Ed25519 signs as its message (RFC 8463).
    ///
    /// It returns the raw signature (an Ed25519 one must be 64 bytes, an RSA
    /// one 128 to 512), or why it failed: the build then fails with
    /// `InvalidDkimKey` and that text (keep secrets out of it). It is called
    /// once per message, when the message is built. With the same key the
    /// output is byte-identical to the built-in signer's (`DkimSigner::new`,
    /// `dkim` feature). Available with the `dkim-external` feature alone,
    /// which pulls in no crypto crate.
    ///
    /// ```
    /// use mailwright::{DkimAlgorithm, DkimSigner, Message};
    /// let signer = DkimSigner::external("ifaxin.com", "s1", DkimAlgorithm::Ed25519Sha256, |digest| {
    ///     assert_eq!(digest.len(), 32);
    ///     Ok(vec![0; 64]) // a real signer signs `digest` here
    /// })
    /// .time(1_700_000_000);
    /// let message = Message::builder().from("support@ifaxin.com").to("ben@ifaxin.com")
    ///     .text("hello").dkim(signer).build().unwrap();
    /// assert!(message.to_vec().starts_with(b"DKIM-Signature: v=1; a=ed25519-sha256;"));
    /// ```
    pub fn external<F>(
        domain: impl Into<String>,
        selector: impl Into<String>,
        algorithm: DkimAlgorithm,
        sign: F,
    ) -> Self
    where
        F: Fn(&[u8]) -> std::result::Result<Vec<u8>, String> + Send + Sync + 'static,
    {
        let sign: Arc<ExternalSign> = Arc::new(sign);
        DkimSigner::with(domain, selector, SignWith::External { algorithm, sign })
    }

    fn with(domain: impl Into<String>, selector: impl Into<String>, with: SignWith) -> Self {
        DkimSigner {
            with,
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

    /// The algorithm (the key's, or the external signer's).
    pub fn algorithm(&self) -> DkimAlgorithm {
        self.with.algorithm()
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
        crate::uts46::to_ascii_lenient(value)?
            .ok_or_else(|| option_error(format!("DKIM {what} {} is not a domain", quote(value))))?
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
    with: SignWith,
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
            with: signer.with,
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
        format!("a={};", signer.with.algorithm().as_str()),
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
    let signature = b64.encode(signer.with.sign(&data, &signer.domain)?);
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
    fn an_external_keys_algorithm_follows_the_rules_of_ours() {
        assert_eq!(
            DkimAlgorithm::for_key("rsa", Some(2048)).unwrap(),
            DkimAlgorithm::RsaSha256
        );
        assert_eq!(
            DkimAlgorithm::for_key("ed25519", None).unwrap(),
            DkimAlgorithm::Ed25519Sha256
        );
        for bits in [
            None,
            Some(0),
            Some(512),
            Some(1023),
            Some(4097),
            Some(u64::MAX),
        ] {
            let err = DkimAlgorithm::for_key("rsa", bits).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidDkimKey, "{bits:?}");
            assert!(err.message().contains("DKIM needs 1024 to 4096"), "{err}");
        }
        assert!(DkimAlgorithm::for_key("rsa", Some(1024)).is_ok());
        assert!(DkimAlgorithm::for_key("rsa", Some(4096)).is_ok());
        for kind in ["ec", "dsa", "x25519", "", "RSA"] {
            let err = DkimAlgorithm::for_key(kind, Some(2048)).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidDkimKey, "{kind}");
        }
    }

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
    #[cfg(feature = "dkim")]
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
    #[cfg(feature = "dkim")]
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
    #[cfg(feature = "dkim")]
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
    #[cfg(feature = "dkim")]
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

    fn message(signer: DkimSigner) -> Result<crate::Message> {
        crate::Message::builder()
            .from("a@ifaxin.com")
            .to("b@ifaxin.com")
            .text("x")
            .date(1_500_000_000)
            .message_id("x@ifaxin.com")
            .dkim(signer.time(1_500_000_000))
            .build()
    }

    #[test]
    fn external_signer_gets_the_data_or_its_digest() {
        use std::sync::Mutex;
        let seen: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
        for algorithm in DkimAlgorithm::ALL {
            let record = seen.clone();
            let m = message(DkimSigner::external(
                "ifaxin.com",
                "s",
                algorithm,
                move |bytes| {
                    record.lock().unwrap().push(bytes.to_vec());
                    Ok(vec![
                        7;
                        if algorithm == DkimAlgorithm::RsaSha256 {
                            256
                        } else {
                            64
                        }
                    ])
                },
            ))
            .unwrap();
            let text = String::from_utf8(m.to_vec()).unwrap();
            assert!(text.starts_with(&format!("DKIM-Signature: v=1; a={};", algorithm.as_str())));
            assert!(text.contains("b=BwcH"), "{text}");
        }
        let seen = seen.lock().unwrap();
        // rsa-sha256: the canonical header data, ending with the field without b='s value.
        assert!(
            seen[0].starts_with(b"from:"),
            "{:?}",
            String::from_utf8_lossy(&seen[0])
        );
        assert!(seen[0].ends_with(b" b="));
        // ed25519-sha256: the SHA-256 of the same kind of data.
        assert_eq!(seen[1].len(), 32);
    }

    #[test]
    fn external_signer_failures_are_typed() {
        let err = message(DkimSigner::external(
            "ifaxin.com",
            "s",
            DkimAlgorithm::RsaSha256,
            |_| Err("the HSM is offline".into()),
        ))
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidDkimKey);
        assert!(
            err.message().contains("the HSM is offline"),
            "{}",
            err.message()
        );
        for (algorithm, len) in [
            (DkimAlgorithm::Ed25519Sha256, 63),
            (DkimAlgorithm::Ed25519Sha256, 0),
            (DkimAlgorithm::RsaSha256, 64),
            (DkimAlgorithm::RsaSha256, 513),
        ] {
            let err = message(DkimSigner::external(
                "ifaxin.com",
                "s",
                algorithm,
                move |_| Ok(vec![1; len]),
            ))
            .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidDkimKey, "{algorithm:?} {len}");
            assert!(
                err.message().contains(&format!("returned {len} bytes")),
                "{}",
                err.message()
            );
        }
        let signer = DkimSigner::external("ifaxin.com", "s", DkimAlgorithm::Ed25519Sha256, |_| {
            Ok(vec![0; 64])
        });
        assert!(format!("{signer:?}").contains("external: true"));
        assert_eq!(signer.algorithm(), DkimAlgorithm::Ed25519Sha256);
    }

    #[test]
    #[cfg(feature = "dkim")]
    fn external_signer_with_the_same_key_gives_the_same_bytes() {
        for key in [
            DkimKey::ed25519_from_seed(&[9; 32]).unwrap(),
            DkimKey::from_pem(include_str!("../../../testdata/dkim/rsa2048.pem")).unwrap(),
        ] {
            let key = Arc::new(key);
            let inner = key.clone();
            let algorithm = key.algorithm();
            let external = DkimSigner::external("ifaxin.com", "s", algorithm, move |bytes| {
                let hash: [u8; 32] = match algorithm {
                    DkimAlgorithm::RsaSha256 => Sha256::digest(bytes).into(),
                    DkimAlgorithm::Ed25519Sha256 => bytes.try_into().unwrap(),
                };
                inner.sign(&hash).map_err(|e| e.to_string())
            });
            let built_in = message(DkimSigner::new("ifaxin.com", "s", key)).unwrap();
            assert_eq!(message(external).unwrap().to_vec(), built_in.to_vec());
        }
    }
}

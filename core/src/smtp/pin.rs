//! Certificate pinning: trust exactly this certificate, named by its SHA-256
//! fingerprint or given as PEM. The rule lives here so every transport
//! (rustls in Rust, node:tls in JavaScript) decides the same way.

use crate::error::{Error, ErrorKind, Result, quote};
use base64::Engine as _;
use sha2::{Digest, Sha256};

/// Parses a SHA-256 fingerprint: 64 hex digits, upper or lower case, with or
/// without `:` between bytes (as `openssl x509 -noout -fingerprint -sha256`
/// prints it, with or without its `sha256 Fingerprint=` prefix).
pub fn parse_fingerprint(text: &str) -> Result<[u8; 32]> {
    let bad = || {
        Error::new(
            ErrorKind::InvalidOption,
            format!(
                "{} is not a SHA-256 fingerprint (64 hex digits, colons allowed)",
                quote(text)
            ),
        )
    };
    let trimmed = text.trim();
    let value = trimmed.rsplit_once('=').map_or(trimmed, |(prefix, value)| {
        if prefix.to_ascii_lowercase().contains("fingerprint") {
            value
        } else {
            trimmed
        }
    });
    let digits: Vec<u8> = value.bytes().filter(|&b| b != b':').collect();
    if digits.len() != 64 {
        return Err(bad());
    }
    let mut out = [0u8; 32];
    for (i, pair) in digits.chunks(2).enumerate() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (hex(pair[0]), hex(pair[1])) {
            (Some(hi), Some(lo)) => out[i] = (hi * 16 + lo) as u8,
            _ => return Err(bad()),
        }
    }
    Ok(out)
}

/// The SHA-256 fingerprint of a DER certificate.
pub fn fingerprint(der: &[u8]) -> [u8; 32] {
    Sha256::digest(der).into()
}

/// The fingerprint as colon-separated upper-case hex (what openssl prints).
pub fn format_fingerprint(fp: &[u8; 32]) -> String {
    let mut out = String::with_capacity(95);
    for (i, b) in fp.iter().enumerate() {
        if i > 0 {
            out.push(':');
        }
        out.push_str(&format!("{b:02X}"));
    }
    out
}

/// The fingerprints of every certificate in PEM text.
pub fn fingerprints_from_pem(pem: &[u8]) -> Result<Vec<[u8; 32]>> {
    let text = String::from_utf8_lossy(pem);
    let mut found = Vec::new();
    let mut rest = &text[..];
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    while let Some(start) = rest.find(BEGIN) {
        let after = &rest[start + BEGIN.len()..];
        let Some(end) = after.find(END) else {
            return Err(bad_pem("a certificate without its END line"));
        };
        let body: String = after[..end]
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(body)
            .map_err(|_| bad_pem("a certificate that is not valid base64"))?;
        found.push(fingerprint(&der));
        rest = &after[end + END.len()..];
    }
    if found.is_empty() {
        return Err(bad_pem("no certificate in the PEM text"));
    }
    Ok(found)
}

fn bad_pem(why: &str) -> Error {
    Error::new(
        ErrorKind::InvalidOption,
        format!("cannot pin the certificate: {why}"),
    )
}

/// True when the DER certificate is one of the pinned ones.
pub fn matches(der: &[u8], pins: &[[u8; 32]]) -> bool {
    let fp = fingerprint(der);
    pins.contains(&fp)
}

/// The error for a server certificate that is not the pinned one.
pub fn mismatch(der: &[u8]) -> Error {
    Error::new(
        ErrorKind::Tls,
        format!(
            "the server's certificate (SHA-256 {}) is not the pinned one",
            format_fingerprint(&fingerprint(der))
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_parse_in_every_usual_form() {
        let fp = fingerprint(b"not really DER");
        let colons = format_fingerprint(&fp);
        assert_eq!(colons.len(), 95);
        let plain: String = colons.chars().filter(|&c| c != ':').collect();
        for form in [
            colons.clone(),
            colons.to_lowercase(),
            plain.clone(),
            format!("sha256 Fingerprint={colons}"),
            format!("  {plain}\n"),
        ] {
            assert_eq!(parse_fingerprint(&form).unwrap(), fp, "{form}");
        }
        for bad in ["", "abc", &plain[..62], &format!("{}zz", &plain[..62])] {
            assert_eq!(
                parse_fingerprint(bad).unwrap_err().kind(),
                ErrorKind::InvalidOption
            );
        }
        assert!(matches(b"not really DER", &[fp]));
        assert!(!matches(b"other", &[fp]));
        assert_eq!(mismatch(b"other").kind(), ErrorKind::Tls);
    }

    #[test]
    fn pem() {
        let der = b"\x30\x03\x02\x01\x01";
        let b64 = base64::engine::general_purpose::STANDARD.encode(der);
        let pem = format!("-----BEGIN CERTIFICATE-----\n{b64}\n-----END CERTIFICATE-----\n");
        assert_eq!(
            fingerprints_from_pem(pem.as_bytes()).unwrap(),
            vec![fingerprint(der)]
        );
        assert!(fingerprints_from_pem(b"nothing").is_err());
        assert!(
            fingerprints_from_pem(b"-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----")
                .is_err()
        );
    }
}

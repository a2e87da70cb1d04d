//! Mailboxes: an address with an optional display name.
//!
//! Addresses are validated once, when built: the local part must be an
//! RFC 5322 dot-atom (ASCII), the domain a valid domain name (internationalized
//! domains are converted to punycode by UTS 46, as SMTP without SMTPUTF8
//! requires: see `uts46`) or an address literal such as `[192.0.2.1]`.

use crate::error::{Error, ErrorKind, Result, quote};
use std::fmt;

/// RFC 5321 limits.
const MAX_LOCAL_LEN: usize = 64;
const MAX_DOMAIN_LEN: usize = 253;
/// Display names longer than this are refused (they would only be truncated by clients).
const MAX_NAME_LEN: usize = 512;

/// An e-mail address with an optional display name, validated and normalized.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Mailbox {
    /// The display name (if any) followed by `local@domain`, the domain in
    /// ASCII (punycode) and lower case: one allocation per mailbox.
    text: String,
    /// Length of the display name in `text`; 0 means none.
    name_len: usize,
    /// Position of the `@` in `text`.
    at: usize,
}

impl Mailbox {
    /// Builds a mailbox from an optional display name and an address.
    ///
    /// ```
    /// let m = mailwright::Mailbox::new(Some("客服"), "support@例子.cn").unwrap();
    /// assert_eq!(m.address(), "support@xn--fsqu00a.cn");
    /// ```
    pub fn new(name: Option<&str>, address: &str) -> Result<Mailbox> {
        if let Some(name) = name {
            check_no_line_break("display name", name)?;
        }
        check_no_line_break("address", address)?;
        Mailbox::new_checked(name, address)
    }

    /// [`Mailbox::new`] for input already checked for line breaks.
    fn new_checked(name: Option<&str>, address: &str) -> Result<Mailbox> {
        let name = name.map_or("", str::trim);
        if name.len() > MAX_NAME_LEN && name.chars().count() > MAX_NAME_LEN {
            return Err(Error::new(
                ErrorKind::InvalidAddress,
                format!("display name longer than {MAX_NAME_LEN} characters"),
            ));
        }
        let mut text = String::with_capacity(name.len() + address.len() + 8);
        text.push_str(name);
        let at = normalize_address(address.trim(), &mut text)?;
        Ok(Mailbox {
            text,
            name_len: name.len(),
            at,
        })
    }

    /// Parses the forms users write: `addr@example.com`, `<addr@example.com>`,
    /// `Name <addr@example.com>` and `"Name, Inc." <addr@example.com>`.
    pub fn parse(input: &str) -> Result<Mailbox> {
        check_no_line_break("address", input)?;
        let input = input.trim();
        if let Some(open) = input.rfind('<') {
            let Some(inner) = input[open + 1..].strip_suffix('>') else {
                return Err(Error::new(
                    ErrorKind::InvalidAddress,
                    format!("{} has '<' without a closing '>' at the end", quote(input)),
                ));
            };
            let name = input[..open].trim();
            return match name.starts_with('"') {
                true => Mailbox::new_checked(Some(&unquote_name(name)), inner),
                false => Mailbox::new_checked(Some(name), inner),
            };
        }
        Mailbox::new_checked(None, input)
    }

    /// The display name, if any.
    pub fn name(&self) -> Option<&str> {
        (self.name_len > 0).then(|| &self.text[..self.name_len])
    }

    /// The address, `local@domain`, domain in ASCII.
    pub fn address(&self) -> &str {
        &self.text[self.name_len..]
    }

    /// The local part (before the `@`).
    pub fn local_part(&self) -> &str {
        &self.text[self.name_len..self.at]
    }

    /// The domain, in ASCII (punycode) and lower case.
    pub fn domain(&self) -> &str {
        &self.text[self.at + 1..]
    }
}

impl fmt::Debug for Mailbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "Mailbox({name:?} <{}>)", self.address()),
            None => write!(f, "Mailbox(<{}>)", self.address()),
        }
    }
}

impl fmt::Display for Mailbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "{name} <{}>", self.address()),
            None => f.write_str(self.address()),
        }
    }
}

impl std::str::FromStr for Mailbox {
    type Err = Error;
    fn from_str(s: &str) -> Result<Mailbox> {
        Mailbox::parse(s)
    }
}

/// Anything the builder accepts as a mailbox: a string to parse
/// (`"Name <a@b.c>"`, `"a@b.c"`), a `(name, address)` pair, a [`Mailbox`] or a
/// [`MailboxSpec`]. Parsed when given; an error is reported by `build()`.
pub trait IntoMailbox {
    /// Parses and validates.
    fn into_mailbox(self) -> Result<Mailbox>;
}

impl IntoMailbox for &str {
    fn into_mailbox(self) -> Result<Mailbox> {
        Mailbox::parse(self)
    }
}
impl IntoMailbox for String {
    fn into_mailbox(self) -> Result<Mailbox> {
        Mailbox::parse(&self)
    }
}
impl IntoMailbox for &String {
    fn into_mailbox(self) -> Result<Mailbox> {
        Mailbox::parse(self)
    }
}
impl IntoMailbox for Mailbox {
    fn into_mailbox(self) -> Result<Mailbox> {
        Ok(self)
    }
}
impl IntoMailbox for (&str, &str) {
    fn into_mailbox(self) -> Result<Mailbox> {
        Mailbox::new(Some(self.0), self.1)
    }
}
impl IntoMailbox for (String, String) {
    fn into_mailbox(self) -> Result<Mailbox> {
        Mailbox::new(Some(&self.0), &self.1)
    }
}
impl IntoMailbox for (Option<&str>, &str) {
    fn into_mailbox(self) -> Result<Mailbox> {
        Mailbox::new(self.0, self.1)
    }
}
impl IntoMailbox for MailboxSpec {
    fn into_mailbox(self) -> Result<Mailbox> {
        match self {
            MailboxSpec::Text(text) => Mailbox::parse(&text),
            MailboxSpec::Parts(name, address) => Mailbox::new(name.as_deref(), &address),
            MailboxSpec::Mailbox(mailbox) => Ok(mailbox),
        }
    }
}

/// A mailbox as data (what a binding receives from its host language):
/// a string to parse, a (name, address) pair, or an already validated [`Mailbox`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MailboxSpec {
    /// Parsed with [`Mailbox::parse`].
    Text(String),
    /// A display name (optional) and an address.
    Parts(Option<String>, String),
    /// Already validated.
    Mailbox(Mailbox),
}

pub(crate) fn check_no_line_break(what: &str, value: &str) -> Result<()> {
    let bytes = value.as_bytes();
    let found = if bytes.len() < 64 {
        bytes.iter().any(|&b| b == b'\r' || b == b'\n')
    } else {
        memchr::memchr2(b'\r', b'\n', bytes).is_some()
    };
    if found {
        return Err(Error::new(
            ErrorKind::HeaderInjection,
            format!("{what} contains CR or LF: {}", quote(value)),
        ));
    }
    Ok(())
}

fn unquote_name(name: &str) -> String {
    match name.strip_prefix('"').and_then(|n| n.strip_suffix('"')) {
        Some(inner) => {
            let mut out = String::with_capacity(inner.len());
            let mut chars = inner.chars();
            while let Some(ch) = chars.next() {
                if ch == '\\' {
                    if let Some(next) = chars.next() {
                        out.push(next);
                    }
                } else {
                    out.push(ch);
                }
            }
            out
        }
        None => name.to_string(),
    }
}

fn invalid(address: &str, why: &str) -> Error {
    Error::new(
        ErrorKind::InvalidAddress,
        format!("{}: {why}", quote(address)),
    )
}

/// RFC 5322 `atext` (ASCII letters, digits and ``!#$%&'*+-/=?^_`{|}~``) as a table.
const ATEXT: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        table[i] = b.is_ascii_alphanumeric();
        i += 1;
    }
    let specials = b"!#$%&'*+-/=?^_`{|}~";
    let mut j = 0;
    while j < specials.len() {
        table[specials[j] as usize] = true;
        j += 1;
    }
    table
};

fn is_atext(b: u8) -> bool {
    ATEXT[usize::from(b)]
}

/// Validates `local@domain`, appends it normalized to `out` and returns the
/// position of the `@` in `out`.
fn normalize_address(address: &str, out: &mut String) -> Result<usize> {
    let Some(at) = address.rfind('@') else {
        return Err(invalid(address, "no '@'"));
    };
    let (local, domain) = (&address[..at], &address[at + 1..]);
    if local.is_empty() {
        return Err(invalid(address, "empty local part"));
    }
    if local.len() > MAX_LOCAL_LEN {
        return Err(invalid(address, "local part longer than 64 bytes"));
    }
    if !local.is_ascii() {
        return Err(invalid(
            address,
            "non-ASCII local part (needs SMTPUTF8, which mailwright does not use)",
        ));
    }
    let bytes = local.as_bytes();
    if bytes[0] == b'.' || bytes[bytes.len() - 1] == b'.' || bytes.windows(2).any(|w| w == b"..") {
        return Err(invalid(
            address,
            "local part has a leading, trailing or double dot",
        ));
    }
    if let Some(bad) = local.bytes().find(|&b| b != b'.' && !is_atext(b)) {
        return Err(invalid(
            address,
            &format!("character {:?} not allowed in the local part", bad as char),
        ));
    }
    let ascii = normalize_domain(address, domain)?;
    out.push_str(local);
    let at = out.len();
    out.push('@');
    match ascii {
        Some(ascii) => out.push_str(&ascii),
        // Already a valid ASCII host name: copied in lower case.
        None => {
            out.push_str(domain);
            out[at + 1..].make_ascii_lowercase();
        }
    }
    Ok(at)
}

/// True for a plain LDH host name (labels of 1 to 63 letters, digits and
/// inner hyphens, no punycode), which IDNA processing would only lower-case.
fn is_plain_host_name(domain: &str) -> bool {
    domain.len() <= MAX_DOMAIN_LEN
        && domain.split('.').all(|label| {
            let bytes = label.as_bytes();
            !bytes.is_empty()
                && bytes.len() <= 63
                && bytes
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
                && bytes[0] != b'-'
                && bytes[bytes.len() - 1] != b'-'
                && !(bytes.len() >= 4 && bytes[2] == b'-' && bytes[3] == b'-')
        })
}

/// Validates the domain; `None` means "valid as it is, modulo case".
fn normalize_domain(address: &str, domain: &str) -> Result<Option<String>> {
    if is_plain_host_name(domain) {
        return Ok(None);
    }
    if domain.is_empty() {
        return Err(invalid(address, "empty domain"));
    }
    if let Some(literal) = domain.strip_prefix('[') {
        let Some(literal) = literal.strip_suffix(']') else {
            return Err(invalid(address, "unterminated address literal"));
        };
        let ok = match literal.strip_prefix("IPv6:") {
            Some(v6) => crate::ip::ipv6(v6).is_some(),
            None => crate::ip::ipv4(literal).is_some(),
        };
        if !ok {
            return Err(invalid(address, "address literal is not an IP address"));
        }
        return Ok(Some(domain.to_string()));
    }
    match crate::uts46::to_ascii_strict(domain)? {
        Some(ascii) if ascii.len() <= MAX_DOMAIN_LEN && !ascii.ends_with('.') => Ok(Some(ascii)),
        _ => Err(invalid(address, "the domain is not a valid domain name")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_common_forms() {
        let m = Mailbox::parse("Support <support@ifaxin.com>").unwrap();
        assert_eq!(m.name(), Some("Support"));
        assert_eq!(m.address(), "support@ifaxin.com");
        let m = Mailbox::parse("  ben@IFAXIN.com ").unwrap();
        assert_eq!(m.name(), None);
        assert_eq!(m.address(), "ben@ifaxin.com");
        assert_eq!(m.local_part(), "ben");
        let m = Mailbox::parse("\"Doe, John \\\"JD\\\"\" <j@example.org>").unwrap();
        assert_eq!(m.name(), Some("Doe, John \"JD\""));
        let m = Mailbox::parse("<j@example.org>").unwrap();
        assert_eq!(m.name(), None);
        let m = Mailbox::parse("x@[192.0.2.1]").unwrap();
        assert_eq!(m.domain(), "[192.0.2.1]");
    }

    #[test]
    fn converts_idn_domains_to_punycode() {
        let m = Mailbox::new(Some("用户"), "user@例子.测试").unwrap();
        assert_eq!(m.address(), "user@xn--fsqu00a.xn--0zwm56d");
        let m = Mailbox::parse("info@Bücher.de").unwrap();
        assert_eq!(m.domain(), "xn--bcher-kva.de");
    }

    #[test]
    fn refuses_bad_addresses() {
        for bad in [
            "",
            "nobody",
            "@example.com",
            "a@",
            "a..b@example.com",
            ".a@example.com",
            "a b@example.com",
            "a@exa mple.com",
            "a@-example.com",
            "a@[300.1.1.1]",
            "Name <a@example.com",
            "ü@example.com",
            "a@example..com",
            "a@example.com.",
        ] {
            let err = Mailbox::parse(bad).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidAddress, "{bad:?}: {err}");
        }
        let long_local = format!("{}@example.com", "a".repeat(65));
        assert_eq!(
            Mailbox::parse(&long_local).unwrap_err().kind(),
            ErrorKind::InvalidAddress
        );
    }

    #[test]
    fn refuses_line_breaks_everywhere() {
        for bad in [
            "a@example.com\r\nBcc: x@y.z",
            "Evil\n <a@example.com>",
            "a@exa\rmple.com",
        ] {
            assert_eq!(
                Mailbox::parse(bad).unwrap_err().kind(),
                ErrorKind::HeaderInjection
            );
        }
        assert_eq!(
            Mailbox::new(Some("x\r\nBcc: y@z.com"), "a@example.com")
                .unwrap_err()
                .kind(),
            ErrorKind::HeaderInjection
        );
    }
}

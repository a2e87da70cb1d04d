//! What a server offers in its EHLO reply.

use super::auth::Mechanism;
use super::reply::Reply;

/// The EHLO keywords mailwright uses.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Capabilities {
    /// PIPELINING (RFC 2920): MAIL, RCPT and DATA go in one flight.
    pub pipelining: bool,
    /// 8BITMIME (RFC 6152).
    pub eight_bit_mime: bool,
    /// SMTPUTF8 (RFC 6531).
    pub smtputf8: bool,
    /// SIZE (RFC 1870): `Some(0)` means offered without a limit.
    pub size: Option<u64>,
    /// STARTTLS (RFC 3207).
    pub starttls: bool,
    /// The AUTH mechanisms offered that mailwright supports, in the server's order.
    pub auth: Vec<Mechanism>,
    /// Every AUTH mechanism name offered, supported or not.
    pub auth_names: Vec<String>,
    /// ENHANCEDSTATUSCODES (RFC 2034).
    pub enhanced_status_codes: bool,
}

impl Capabilities {
    /// Reads the keywords of an EHLO reply (the first line is the greeting).
    pub fn from_ehlo(reply: &Reply) -> Capabilities {
        let mut caps = Capabilities::default();
        for line in reply.lines().iter().skip(1) {
            let mut words = line.split([' ', '=']).filter(|w| !w.is_empty());
            let Some(keyword) = words.next() else {
                continue;
            };
            match keyword.to_ascii_uppercase().as_str() {
                "PIPELINING" => caps.pipelining = true,
                "8BITMIME" => caps.eight_bit_mime = true,
                "SMTPUTF8" => caps.smtputf8 = true,
                "STARTTLS" => caps.starttls = true,
                "ENHANCEDSTATUSCODES" => caps.enhanced_status_codes = true,
                "SIZE" => caps.size = Some(words.next().and_then(|n| n.parse().ok()).unwrap_or(0)),
                "AUTH" => {
                    for name in words {
                        let upper = name.to_ascii_uppercase();
                        if !caps.auth_names.contains(&upper) {
                            if let Some(mechanism) = Mechanism::from_name(&upper) {
                                caps.auth.push(mechanism);
                            }
                            caps.auth_names.push(upper);
                        }
                    }
                }
                _ => {}
            }
        }
        caps
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_sendclouds_ehlo() {
        let reply = Reply::parse(
            b"250-SendCloud Inbound Server Hello, Haraka is at your service.\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SIZE 16000000\r\n250-STARTTLS\r\n250 AUTH LOGIN\r\n",
        )
        .unwrap();
        let caps = Capabilities::from_ehlo(&reply);
        assert!(caps.pipelining && caps.eight_bit_mime && caps.starttls);
        assert!(!caps.smtputf8 && !caps.enhanced_status_codes);
        assert_eq!(caps.size, Some(16_000_000));
        assert_eq!(caps.auth, [Mechanism::Login]);
    }

    #[test]
    fn reads_other_forms() {
        let reply = Reply::parse(
            b"250-mx.example.com\r\n250-AUTH=LOGIN PLAIN\r\n250-AUTH PLAIN LOGIN CRAM-MD5 XOAUTH2\r\n250-SIZE\r\n250-SMTPUTF8\r\n250 ENHANCEDSTATUSCODES\r\n",
        )
        .unwrap();
        let caps = Capabilities::from_ehlo(&reply);
        assert_eq!(
            caps.auth,
            [Mechanism::Login, Mechanism::Plain, Mechanism::XOAuth2]
        );
        assert_eq!(caps.auth_names, ["LOGIN", "PLAIN", "CRAM-MD5", "XOAUTH2"]);
        assert_eq!(caps.size, Some(0));
        assert!(caps.smtputf8 && caps.enhanced_status_codes && !caps.starttls);
    }
}

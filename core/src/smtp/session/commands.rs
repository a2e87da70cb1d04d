//! The command lines a session sends (without CRLF). Secrets never go
//! through here: AUTH lines come from `auth`.

use crate::smtp::capabilities::Capabilities;

pub(crate) const STARTTLS: &str = "STARTTLS";
pub(crate) const DATA: &str = "DATA";
pub(crate) const RSET: &str = "RSET";
pub(crate) const QUIT: &str = "QUIT";

pub(crate) fn ehlo(name: &str) -> String {
    format!("EHLO {name}")
}

pub(crate) fn helo(name: &str) -> String {
    format!("HELO {name}")
}

/// `MAIL FROM:<sender>` with `SIZE=` when offered, and `BODY=8BITMIME`
/// when offered and the message holds 8-bit bytes (a declaration servers
/// pass on, so never made for a 7-bit message).
pub(crate) fn mail_from(
    sender: &str,
    size: usize,
    eight_bit: bool,
    capabilities: &Capabilities,
) -> String {
    let mut mail = format!("MAIL FROM:<{sender}>");
    if capabilities.size.is_some() {
        mail.push_str(&format!(" SIZE={size}"));
    }
    if eight_bit && capabilities.eight_bit_mime {
        mail.push_str(" BODY=8BITMIME");
    }
    mail
}

pub(crate) fn rcpt_to(recipient: &str) -> String {
    format!("RCPT TO:<{recipient}>")
}

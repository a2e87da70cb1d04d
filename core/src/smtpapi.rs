//! SendCloud's `X-SMTPAPI` header: a JSON object, base64-encoded, written as
//! the last header of the message.

use crate::address::Mailbox;
use crate::error::{Error, ErrorKind, Result, quote};
use base64::Engine as _;

/// SendCloud accepts at most this many addresses in `to`.
pub const MAX_TO: usize = 100;
/// SendCloud refuses an X-SMTPAPI value over 1 MB (measured on the base64 text).
pub const MAX_ENCODED_LEN: usize = 1024 * 1024;

/// The typed value of SendCloud's `X-SMTPAPI` header.
///
/// ```
/// use mailwright::XSmtpApi;
/// let api = XSmtpApi::new()
///     .to("ben@ifaxin.com")
///     .to("joe@ifaxin.com")
///     .sub("%name%", ["Ben", "Joe"])
///     .open_tracking(true);
/// assert_eq!(
///     api.to_json().unwrap(),
///     r#"{"to":["ben@ifaxin.com","joe@ifaxin.com"],"sub":{"%name%":["Ben","Joe"]},"filters":{"open_tracking":{"settings":{"enable":"1"}}}}"#
/// );
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct XSmtpApi {
    to: Vec<String>,
    sub: Vec<(String, Vec<String>)>,
    section: Vec<(String, String)>,
    open_tracking: Option<bool>,
    click_tracking: Option<bool>,
    subscription_tracking: Option<bool>,
}

impl XSmtpApi {
    /// An empty value (serializes as `{}`).
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a recipient to `to` (SendCloud sends one copy to each, with its own substitutions).
    pub fn to(mut self, address: impl Into<String>) -> Self {
        self.to.push(address.into());
        self
    }

    /// Sets a substitution variable: one value per `to` address, in the same order.
    pub fn sub<I, S>(mut self, variable: impl Into<String>, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let variable = variable.into();
        let values = values.into_iter().map(Into::into).collect();
        match self.sub.iter_mut().find(|(name, _)| *name == variable) {
            Some(entry) => entry.1 = values,
            None => self.sub.push((variable, values)),
        }
        self
    }

    /// Sets a `section` entry (a named block of text that substitutions can refer to).
    pub fn section(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let name = name.into();
        let value = value.into();
        match self.section.iter_mut().find(|(n, _)| *n == name) {
            Some(entry) => entry.1 = value,
            None => self.section.push((name, value)),
        }
        self
    }

    /// Turns open tracking on or off for this message (`filters.open_tracking`).
    pub fn open_tracking(mut self, enable: bool) -> Self {
        self.open_tracking = Some(enable);
        self
    }

    /// Turns click tracking on or off for this message (`filters.click_tracking`).
    pub fn click_tracking(mut self, enable: bool) -> Self {
        self.click_tracking = Some(enable);
        self
    }

    /// Turns unsubscribe (subscription) tracking on or off (`filters.subscription_tracking`).
    pub fn subscription_tracking(mut self, enable: bool) -> Self {
        self.subscription_tracking = Some(enable);
        self
    }

    /// The `to` addresses as given.
    pub fn recipients(&self) -> &[String] {
        &self.to
    }

    /// True when nothing is set.
    pub fn is_empty(&self) -> bool {
        self.to.is_empty()
            && self.sub.is_empty()
            && self.section.is_empty()
            && self.open_tracking.is_none()
            && self.click_tracking.is_none()
            && self.subscription_tracking.is_none()
    }

    /// Validates and serializes to compact JSON (keys in the order set).
    pub fn to_json(&self) -> Result<String> {
        self.write_json()
    }

    /// Validates, serializes to JSON and base64-encodes: the header's value.
    pub fn encode(&self) -> Result<String> {
        let json = self.to_json()?;
        let encoded = base64::engine::general_purpose::STANDARD.encode(json.as_bytes());
        if encoded.len() > MAX_ENCODED_LEN {
            return Err(bad(format!(
                "X-SMTPAPI is {} bytes encoded, over SendCloud's limit of {MAX_ENCODED_LEN}",
                encoded.len()
            )));
        }
        Ok(encoded)
    }

    /// Compact JSON, members in the order set, strings escaped as JSON
    /// requires (quotes, backslashes, control characters; UTF-8 kept).
    fn write_json(&self) -> Result<String> {
        if self.to.len() > MAX_TO {
            return Err(bad(format!(
                "{} addresses in to; SendCloud allows at most {MAX_TO}",
                self.to.len()
            )));
        }
        let mut members: Vec<String> = Vec::new();
        if !self.to.is_empty() {
            let mut to = Vec::with_capacity(self.to.len());
            for address in &self.to {
                let mailbox = Mailbox::new(None, address).map_err(|err| {
                    bad(format!("to address {}: {}", quote(address), err.message()))
                })?;
                to.push(json_string(mailbox.address()));
            }
            members.push(format!("\"to\":[{}]", to.join(",")));
        }
        if !self.sub.is_empty() {
            if self.to.is_empty() {
                return Err(bad(
                    "sub needs to: each variable has one value per to address",
                ));
            }
            let mut sub = Vec::with_capacity(self.sub.len());
            for (name, values) in &self.sub {
                if name.is_empty() {
                    return Err(bad("a sub variable has an empty name"));
                }
                if values.len() != self.to.len() {
                    return Err(bad(format!(
                        "sub variable {} has {} values for {} to addresses",
                        quote(name),
                        values.len(),
                        self.to.len()
                    )));
                }
                let values: Vec<String> = values.iter().map(|v| json_string(v)).collect();
                sub.push(format!("{}:[{}]", json_string(name), values.join(",")));
            }
            members.push(format!("\"sub\":{{{}}}", sub.join(",")));
        }
        if !self.section.is_empty() {
            let mut section = Vec::with_capacity(self.section.len());
            for (name, value) in &self.section {
                if name.is_empty() {
                    return Err(bad("a section has an empty name"));
                }
                section.push(format!("{}:{}", json_string(name), json_string(value)));
            }
            members.push(format!("\"section\":{{{}}}", section.join(",")));
        }
        let filters: Vec<String> = [
            ("open_tracking", self.open_tracking),
            ("click_tracking", self.click_tracking),
            ("subscription_tracking", self.subscription_tracking),
        ]
        .into_iter()
        .filter_map(|(name, setting)| {
            setting.map(|on| {
                format!(
                    "\"{name}\":{{\"settings\":{{\"enable\":\"{}\"}}}}",
                    if on { 1 } else { 0 }
                )
            })
        })
        .collect();
        if !filters.is_empty() {
            members.push(format!("\"filters\":{{{}}}", filters.join(",")));
        }
        Ok(format!("{{{}}}", members.join(",")))
    }
}

/// A JSON string literal: `"`, `\\` and control characters escaped
/// (`\\b \\f \\n \\r \\t`, else `\\u00XX`), everything else as is (UTF-8).
pub(crate) fn json_string(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for ch in value.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn bad(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::XSmtpApiInvalid, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_every_member_in_order() {
        let api = XSmtpApi::new()
            .to("a@example.com")
            .to("b@例子.cn")
            .sub("%name%", ["A", "乙"])
            .sub("%money%", ["1", "2"])
            .section("%sec%", "text")
            .click_tracking(false)
            .open_tracking(true)
            .subscription_tracking(true);
        assert_eq!(
            api.to_json().unwrap(),
            concat!(
                r#"{"to":["a@example.com","b@xn--fsqu00a.cn"],"sub":{"%name%":["A","乙"],"%money%":["1","2"]},"#,
                r#""section":{"%sec%":"text"},"filters":{"open_tracking":{"settings":{"enable":"1"}},"#,
                r#""click_tracking":{"settings":{"enable":"0"}},"subscription_tracking":{"settings":{"enable":"1"}}}}"#
            )
        );
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(api.encode().unwrap())
            .unwrap();
        assert_eq!(decoded, api.to_json().unwrap().as_bytes());
    }

    #[test]
    fn enforces_sendclouds_rules() {
        let too_many = (0..101).fold(XSmtpApi::new(), |api, i| {
            api.to(format!("u{i}@example.com"))
        });
        assert_eq!(
            too_many.encode().unwrap_err().kind(),
            ErrorKind::XSmtpApiInvalid
        );
        let short = XSmtpApi::new()
            .to("a@example.com")
            .to("b@example.com")
            .sub("%n%", ["only one"]);
        assert_eq!(
            short.encode().unwrap_err().kind(),
            ErrorKind::XSmtpApiInvalid
        );
        let no_to = XSmtpApi::new().sub("%n%", Vec::<String>::new());
        assert_eq!(
            no_to.encode().unwrap_err().kind(),
            ErrorKind::XSmtpApiInvalid
        );
        let bad_to = XSmtpApi::new().to("not an address");
        assert_eq!(
            bad_to.encode().unwrap_err().kind(),
            ErrorKind::XSmtpApiInvalid
        );
        let huge = XSmtpApi::new()
            .to("a@example.com")
            .section("%big%", "x".repeat(800 * 1024));
        assert_eq!(
            huge.encode().unwrap_err().kind(),
            ErrorKind::XSmtpApiInvalid
        );
        let fits = XSmtpApi::new()
            .to("a@example.com")
            .section("%big%", "x".repeat(700 * 1024));
        assert!(fits.encode().is_ok());
    }
}

#[cfg(test)]
mod json_tests {
    use super::json_string;
    use proptest::prelude::*;

    proptest! {
        /// The hand-written escaping matches serde_json's byte for byte.
        #[test]
        fn json_strings_match_serde_json(value in "\\PC*|[\\x00-\\x1f\"\\\\/é中]{0,20}") {
            prop_assert_eq!(json_string(&value), serde_json::to_string(&value).unwrap());
        }
    }
}

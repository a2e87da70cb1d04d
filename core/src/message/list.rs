//! The mailing-list headers: `List-Unsubscribe` (RFC 2369) with its
//! one-click companion `List-Unsubscribe-Post` (RFC 8058), and `List-Id`
//! (RFC 2919).

use super::headers::push_encoded_words_public as push_encoded_words;
use crate::address::check_no_line_break;
use crate::error::{Error, ErrorKind, Result, quote};

/// Longest URI accepted: a line of `<uri>,` stays within SMTP's 998.
const MAX_URI_LEN: usize = 900;
/// Longest List-Id identifier (RFC 2919: the whole id fits 255 octets).
const MAX_LIST_ID_LEN: usize = 255;
/// Folding column of the headers written here.
const LINE_LEN: usize = 78;

/// What the caller asked for, checked at build time.
#[derive(Default, Debug, Clone)]
pub(super) struct ListOptions {
    pub unsubscribe: Vec<String>,
    pub one_click: bool,
    pub list_id: Option<String>,
}

impl ListOptions {
    /// Checks every value and renders the header lines (in the order
    /// List-Id, List-Unsubscribe, List-Unsubscribe-Post), or nothing.
    pub(super) fn render(&self, custom: &[(String, String)]) -> Result<Vec<u8>> {
        let uris = self
            .unsubscribe
            .iter()
            .map(|uri| check_unsubscribe_uri(uri))
            .collect::<Result<Vec<_>>>()?;
        if self.one_click && !uris.iter().any(|u| u.starts_with("https:")) {
            return Err(Error::new(
                ErrorKind::OneClickRequiresHttps,
                "one-click unsubscribe (List-Unsubscribe-Post) needs an https: List-Unsubscribe URI",
            ));
        }
        let list_id = self.list_id.as_deref().map(ListId::parse).transpose()?;
        // A typed header and the same header given raw would both be written.
        for (name, _) in custom {
            let clash = (!uris.is_empty() || self.one_click)
                && (name.eq_ignore_ascii_case("List-Unsubscribe")
                    || name.eq_ignore_ascii_case("List-Unsubscribe-Post"))
                || list_id.is_some() && name.eq_ignore_ascii_case("List-Id");
            if clash {
                return Err(Error::new(
                    ErrorKind::InvalidHeaderName,
                    format!("{name} is also set by its own setter; give it once"),
                ));
            }
        }
        let mut out = Vec::new();
        if let Some(id) = list_id {
            id.write(&mut out);
        }
        if !uris.is_empty() {
            let atoms: Vec<String> = uris.iter().map(|u| format!("<{u}>")).collect();
            write_folded(&mut out, "List-Unsubscribe", &atoms, ",");
        }
        if self.one_click {
            out.extend_from_slice(b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n");
        }
        Ok(out)
    }
}

/// Writes `name: a<sep> b<sep> c`, breaking the line before an atom that
/// would pass [`LINE_LEN`] (an atom longer than a line stays whole).
fn write_folded(out: &mut Vec<u8>, name: &str, atoms: &[String], sep: &str) {
    out.extend_from_slice(name.as_bytes());
    out.push(b':');
    let mut column = name.len() + 1;
    for (i, atom) in atoms.iter().enumerate() {
        let tail = if i + 1 < atoms.len() { sep } else { "" };
        let width = 1 + atom.len() + tail.len();
        if i > 0 && column + width > LINE_LEN {
            out.extend_from_slice(b"\r\n");
            column = 0;
        }
        out.push(b' ');
        out.extend_from_slice(atom.as_bytes());
        out.extend_from_slice(tail.as_bytes());
        column += width;
    }
    out.extend_from_slice(b"\r\n");
}

fn bad_uri(uri: &str, why: &str) -> Error {
    Error::new(
        ErrorKind::InvalidUnsubscribeUri,
        format!("List-Unsubscribe URI {}: {why}", quote(uri)),
    )
}

/// Checks a List-Unsubscribe URI: `https://host...` or `mailto:addr...`, in
/// printable ASCII (percent-encode anything else), without space, `<`, `>`
/// or `,` (RFC 2369 asks for literal commas to be escaped), at most 900
/// characters. One pair of surrounding angle brackets is taken off (they
/// are written by the builder). The scheme is written in lower case.
pub(super) fn check_unsubscribe_uri(uri: &str) -> Result<String> {
    check_no_line_break("List-Unsubscribe URI", uri)?;
    let inner = uri
        .strip_prefix('<')
        .and_then(|u| u.strip_suffix('>'))
        .unwrap_or(uri);
    if inner.len() > MAX_URI_LEN {
        return Err(bad_uri(uri, "longer than 900 characters"));
    }
    if let Some(b) = inner
        .bytes()
        .find(|&b| !(0x21..0x7f).contains(&b) || b"<>,\"\\{}|^`".contains(&b))
    {
        let why = match b {
            b',' => "a comma must be written %2C",
            b' ' => "a space must be written %20",
            0..=0x1f | 0x7f => "control character",
            0x80.. => "non-ASCII characters must be percent-encoded",
            _ => "character not allowed in a URI",
        };
        return Err(bad_uri(uri, why));
    }
    let (scheme, rest) = inner.split_once(':').unwrap_or(("", ""));
    if scheme.eq_ignore_ascii_case("https") {
        let authority = rest
            .strip_prefix("//")
            .map(|r| r.split(['/', '?', '#']).next().unwrap_or_default())
            .unwrap_or_default();
        let host = authority.rsplit('@').next().unwrap_or_default();
        if host.is_empty() || host.starts_with(':') {
            return Err(bad_uri(uri, "an https URI needs a host (https://host/...)"));
        }
        Ok(format!("https:{rest}"))
    } else if scheme.eq_ignore_ascii_case("mailto") {
        let address = rest.split('?').next().unwrap_or_default();
        let valid = address
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty());
        if !valid {
            return Err(bad_uri(
                uri,
                "a mailto URI needs an address (mailto:unsubscribe@example.com)",
            ));
        }
        Ok(format!("mailto:{rest}"))
    } else {
        Err(bad_uri(uri, "only https: and mailto: URIs are accepted"))
    }
}

/// A checked List-Id: an optional description and `label.namespace`.
struct ListId<'a> {
    description: Option<&'a str>,
    id: &'a str,
}

impl<'a> ListId<'a> {
    /// `Description <label.namespace>`, `<label.namespace>` or `label.namespace`.
    fn parse(value: &'a str) -> Result<ListId<'a>> {
        check_no_line_break("List-Id", value)?;
        let value = value.trim();
        let (description, id) = match value.strip_suffix('>').and_then(|v| v.rsplit_once('<')) {
            Some((description, id)) => {
                let description = description.trim();
                // A quoted description is taken without its quotes.
                let description = description
                    .strip_prefix('"')
                    .and_then(|d| d.strip_suffix('"'))
                    .unwrap_or(description);
                ((!description.is_empty()).then_some(description), id)
            }
            None => (None, value),
        };
        let bad = |why: &str| {
            Error::new(
                ErrorKind::InvalidListId,
                format!("List-Id {}: {why}", quote(value)),
            )
        };
        let atext = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&b);
        let valid = id.len() <= MAX_LIST_ID_LEN
            && id.contains('.')
            && id
                .split('.')
                .all(|label| !label.is_empty() && label.bytes().all(atext));
        if !valid {
            return Err(bad(
                "the identifier must be label.namespace (dot-separated, no spaces), at most 255 characters",
            ));
        }
        if let Some(d) = description
            && d.chars().any(|c| c.is_control())
        {
            return Err(bad("the description holds a control character"));
        }
        Ok(ListId { description, id })
    }

    /// `List-Id: <description> <id>`: the description as it is when it is
    /// a phrase of atoms, a quoted string for other printable ASCII, RFC
    /// 2047 words otherwise.
    fn write(&self, out: &mut Vec<u8>) {
        let mut atoms: Vec<String> = Vec::new();
        if let Some(description) = self.description {
            let printable = description.bytes().all(|b| (0x20..0x7f).contains(&b))
                && !description.contains("=?");
            let atom_only = description.split(' ').all(|w| {
                !w.is_empty()
                    && w.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&b))
            });
            if printable && atom_only {
                atoms.extend(description.split(' ').map(str::to_string));
            } else if printable && description.len() <= 60 {
                let mut quoted = String::from("\"");
                for ch in description.chars() {
                    if ch == '"' || ch == '\\' {
                        quoted.push('\\');
                    }
                    quoted.push(ch);
                }
                quoted.push('"');
                atoms.push(quoted);
            } else {
                let mut words = String::new();
                push_encoded_words(&mut words, description);
                atoms.extend(words.split(' ').map(str::to_string));
            }
        }
        atoms.push(format!("<{}>", self.id));
        write_folded(out, "List-Id", &atoms, "");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(options: ListOptions) -> Result<String> {
        options.render(&[]).map(|b| String::from_utf8(b).unwrap())
    }

    #[test]
    fn uris_are_checked() {
        assert_eq!(
            check_unsubscribe_uri("<HTTPS://u.ifaxin.com/x?a=1>").unwrap(),
            "https://u.ifaxin.com/x?a=1"
        );
        assert_eq!(
            check_unsubscribe_uri("mailto:unsub@ifaxin.com?subject=stop").unwrap(),
            "mailto:unsub@ifaxin.com?subject=stop"
        );
        for (uri, kind) in [
            ("http://u.ifaxin.com/", ErrorKind::InvalidUnsubscribeUri),
            ("https:///path", ErrorKind::InvalidUnsubscribeUri),
            ("https://u.ifaxin.com/a,b", ErrorKind::InvalidUnsubscribeUri),
            ("https://u.ifaxin.com/a b", ErrorKind::InvalidUnsubscribeUri),
            (
                "https://u.ifaxin.com/\u{7}",
                ErrorKind::InvalidUnsubscribeUri,
            ),
            ("https://u.ifaxin.com/é", ErrorKind::InvalidUnsubscribeUri),
            ("mailto:", ErrorKind::InvalidUnsubscribeUri),
            ("javascript:alert(1)", ErrorKind::InvalidUnsubscribeUri),
            ("", ErrorKind::InvalidUnsubscribeUri),
            (
                "https://u.ifaxin.com/\r\nBcc: x",
                ErrorKind::HeaderInjection,
            ),
        ] {
            assert_eq!(
                check_unsubscribe_uri(uri).unwrap_err().kind(),
                kind,
                "{uri:?}"
            );
        }
    }

    #[test]
    fn one_header_comma_joined_and_folded() {
        let text = render(ListOptions {
            unsubscribe: vec![
                "https://u.ifaxin.com/unsubscribe?id=0123456789abcdef".into(),
                "mailto:unsubscribe@ifaxin.com?subject=unsubscribe".into(),
            ],
            one_click: true,
            list_id: Some("Spring news <spring.news.ifaxin.com>".into()),
        })
        .unwrap();
        assert_eq!(
            text,
            "List-Id: Spring news <spring.news.ifaxin.com>\r\n\
             List-Unsubscribe: <https://u.ifaxin.com/unsubscribe?id=0123456789abcdef>,\r\n \
             <mailto:unsubscribe@ifaxin.com?subject=unsubscribe>\r\n\
             List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
        );
    }

    #[test]
    fn one_click_needs_https() {
        let err = render(ListOptions {
            unsubscribe: vec!["mailto:u@ifaxin.com".into()],
            one_click: true,
            list_id: None,
        })
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::OneClickRequiresHttps);
        let err = render(ListOptions {
            one_click: true,
            ..ListOptions::default()
        })
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::OneClickRequiresHttps);
    }

    #[test]
    fn list_ids() {
        let id = |v: &str| {
            render(ListOptions {
                list_id: Some(v.into()),
                ..ListOptions::default()
            })
        };
        assert_eq!(
            id("news.ifaxin.com").unwrap(),
            "List-Id: <news.ifaxin.com>\r\n"
        );
        assert_eq!(
            id("\"Q&A, weekly\" <qa.ifaxin.com>").unwrap(),
            "List-Id: \"Q&A, weekly\" <qa.ifaxin.com>\r\n"
        );
        assert_eq!(
            id("春季 <spring.ifaxin.com>").unwrap(),
            "List-Id: =?utf-8?B?5pil5a2j?= <spring.ifaxin.com>\r\n"
        );
        for bad in ["nodot", "<a..b>", "a b.c", "x <>", "<a.b> tail"] {
            assert_eq!(
                id(bad).unwrap_err().kind(),
                ErrorKind::InvalidListId,
                "{bad}"
            );
        }
        assert_eq!(
            id("x\r\n <a.b>").unwrap_err().kind(),
            ErrorKind::HeaderInjection
        );
    }

    #[test]
    fn raw_duplicates_are_refused() {
        let options = ListOptions {
            unsubscribe: vec!["https://u.ifaxin.com/".into()],
            ..ListOptions::default()
        };
        let custom = [("list-unsubscribe".to_string(), "<mailto:a@b.c>".to_string())];
        assert_eq!(
            options.render(&custom).unwrap_err().kind(),
            ErrorKind::InvalidHeaderName
        );
        assert!(ListOptions::default().render(&custom).is_ok());
    }
}

//! Calendar invitations (iMIP, RFC 6047): an iCalendar object the caller
//! supplies, placed where Outlook, Gmail and Apple Mail look for it.

use crate::error::{Error, ErrorKind, Result, quote};
use bytes::Bytes;

/// An iCalendar invitation (`text/calendar`), as nodemailer's `icalEvent`.
///
/// It goes into `multipart/alternative` next to the text and HTML bodies as
/// `text/calendar; method=<METHOD>; charset=utf-8` (the part calendar
/// clients act on) and, with [`Calendar::attachment`], also as an `.ics`
/// attachment (`application/ics`) for clients that only offer files.
///
/// ```
/// use mailwright::{Calendar, Message};
/// let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//ifaxin//mailwright//EN\r\n\
///            METHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:1@ifaxin.com\r\n\
///            DTSTAMP:20250301T090000Z\r\nDTSTART:20250310T090000Z\r\nEND:VEVENT\r\n\
///            END:VCALENDAR\r\n";
/// let message = Message::builder()
///     .from("support@ifaxin.com")
///     .to("ben@ifaxin.com")
///     .html("<p>Invitation</p>")
///     .calendar(Calendar::new("REQUEST", ics).attachment("invite.ics"))
///     .build()
///     .unwrap();
/// assert_eq!(
///     message.structure(),
///     "multipart/mixed[multipart/alternative[text/html, text/calendar], application/ics]"
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Calendar {
    pub(crate) method: String,
    pub(crate) content: String,
    pub(crate) attachment: Option<String>,
}

impl Calendar {
    /// An invitation with its iTIP method (`REQUEST`, `CANCEL`, `REPLY`,
    /// `PUBLISH`, ...; case-insensitive, written in upper case) and the
    /// iCalendar text, which must hold a `METHOD` property with the same
    /// method.
    pub fn new(method: impl Into<String>, content: impl Into<String>) -> Self {
        Calendar {
            method: method.into(),
            content: content.into(),
            attachment: None,
        }
    }

    /// Also attaches the same text as a file with this name (e.g. `invite.ics`).
    pub fn attachment(mut self, filename: impl Into<String>) -> Self {
        self.attachment = Some(filename.into());
        self
    }
}

/// The checked invitation: the method in upper case and the text.
#[derive(Clone, Debug)]
pub(super) struct CalendarPart {
    pub content_type: String,
    pub text: Bytes,
}

impl CalendarPart {
    pub(super) fn text(&self) -> &str {
        std::str::from_utf8(&self.text).unwrap_or_default()
    }
}

/// Checks the invitation minimally: a method token, an iCalendar object
/// (`BEGIN:VCALENDAR` first, `END:VCALENDAR` present), no NUL, and a
/// `METHOD` property (unfolded, at the calendar's level) equal to the method.
pub(super) fn check_calendar(calendar: Calendar) -> Result<(CalendarPart, Option<String>)> {
    let invalid = |why: String| Error::new(ErrorKind::InvalidCalendar, why);
    let method = calendar.method.trim().to_ascii_uppercase();
    let is_token = !method.is_empty()
        && method.len() <= 64
        && method
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if !is_token {
        return Err(invalid(format!(
            "calendar method {} is not an iTIP method (REQUEST, CANCEL, REPLY, ...)",
            quote(&calendar.method)
        )));
    }
    let text = calendar.content;
    if text.contains('\0') {
        return Err(invalid("the calendar text holds NUL".into()));
    }
    let lines = unfold(&text);
    let first = lines.iter().find(|l| !l.trim().is_empty());
    let begins = first.is_some_and(|l| {
        l.trim_start_matches('\u{feff}')
            .trim()
            .eq_ignore_ascii_case("BEGIN:VCALENDAR")
    });
    let ends = lines
        .iter()
        .any(|l| l.trim().eq_ignore_ascii_case("END:VCALENDAR"));
    if !begins || !ends {
        return Err(invalid(
            "the calendar text is not an iCalendar object (BEGIN:VCALENDAR ... END:VCALENDAR)"
                .into(),
        ));
    }
    // METHOD at the VCALENDAR level: before the first component starts.
    let mut depth = 0usize;
    let mut found = None;
    for line in &lines {
        let upper = line.trim_end().to_ascii_uppercase();
        if upper.starts_with("BEGIN:") {
            depth += 1;
        } else if upper.starts_with("END:") {
            depth = depth.saturating_sub(1);
        } else if depth == 1 && (upper.starts_with("METHOD:") || upper.starts_with("METHOD;")) {
            found = upper.split_once(':').map(|(_, v)| v.trim().to_string());
        }
    }
    match found {
        Some(value) if value == method => {}
        Some(value) => {
            return Err(Error::new(
                ErrorKind::CalendarMethodMismatch,
                format!(
                    "the calendar's METHOD is {} but the method given is {method}",
                    quote(&value)
                ),
            ));
        }
        None => {
            return Err(Error::new(
                ErrorKind::CalendarMethodMismatch,
                format!("the calendar text has no METHOD property (METHOD:{method})"),
            ));
        }
    }
    let part = CalendarPart {
        content_type: format!("text/calendar; method={method}; charset=utf-8"),
        text: Bytes::from(text),
    };
    Ok((part, calendar.attachment))
}

/// The content lines, unfolded (RFC 5545 3.1: CRLF or LF followed by one space or tab).
fn unfold(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for raw in text.split('\n') {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        match (raw.strip_prefix([' ', '\t']), lines.last_mut()) {
            (Some(rest), Some(last)) => last.push_str(rest),
            _ => lines.push(raw.to_string()),
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    const ICS: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n\
                       UID:1@ifaxin.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

    fn kind(method: &str, text: &str) -> Option<ErrorKind> {
        check_calendar(Calendar::new(method, text))
            .err()
            .map(|e| e.kind())
    }

    #[test]
    fn checks() {
        assert_eq!(kind("request", ICS), None);
        assert_eq!(kind("CANCEL", ICS), Some(ErrorKind::CalendarMethodMismatch));
        assert_eq!(
            kind("REQUEST", &ICS.replace("METHOD:REQUEST\r\n", "")),
            Some(ErrorKind::CalendarMethodMismatch)
        );
        // A METHOD inside a component does not count.
        assert_eq!(
            kind(
                "REQUEST",
                &ICS.replace("METHOD:REQUEST\r\n", "")
                    .replace("UID:", "METHOD:REQUEST\r\nUID:")
            ),
            Some(ErrorKind::CalendarMethodMismatch)
        );
        assert_eq!(kind("RE QUEST", ICS), Some(ErrorKind::InvalidCalendar));
        assert_eq!(kind("REQUEST", "hello"), Some(ErrorKind::InvalidCalendar));
        assert_eq!(
            kind("REQUEST", &ICS.replace("END:VCALENDAR", "")),
            Some(ErrorKind::InvalidCalendar)
        );
        // Folded METHOD line, LF line ends.
        let folded = ICS.replace("METHOD:REQUEST\r\n", "METHOD:REQ\r\n UEST\r\n");
        assert_eq!(kind("REQUEST", &folded.replace("\r\n", "\n")), None);
        let (part, attach) =
            check_calendar(Calendar::new("request", ICS).attachment("invite.ics")).unwrap();
        assert_eq!(
            part.content_type,
            "text/calendar; method=REQUEST; charset=utf-8"
        );
        assert_eq!(attach.as_deref(), Some("invite.ics"));
    }
}

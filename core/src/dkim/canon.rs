//! RFC 6376 canonicalization: the body streamed into its hash, the header
//! fields picked and canonicalized for the signature.

use sha2::{Digest, Sha256};

/// `simple` or `relaxed` (RFC 6376 section 3.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Canonicalization {
    /// The bytes as they are (only trailing empty lines of the body ignored).
    Simple,
    /// Whitespace runs folded to one space, trailing whitespace dropped,
    /// header names in lower case: survives most relays' rewriting.
    #[default]
    Relaxed,
}

impl Canonicalization {
    /// Both, in the order of the variants.
    pub const ALL: [Canonicalization; 2] = [Canonicalization::Simple, Canonicalization::Relaxed];

    /// The name by `as_str`, if it is one.
    pub fn from_name(name: &str) -> Option<Canonicalization> {
        Canonicalization::ALL
            .into_iter()
            .find(|c| c.as_str() == name)
    }

    /// A `c=` tag value: `header/body`, or one name for the header with the
    /// body `simple` (RFC 6376, 3.5). Anything else is `InvalidDkimOption`.
    pub fn parse_tag(tag: &str) -> crate::Result<(Canonicalization, Canonicalization)> {
        let (h, b) = tag.split_once('/').unwrap_or((tag, "simple"));
        match (
            Canonicalization::from_name(h),
            Canonicalization::from_name(b),
        ) {
            (Some(h), Some(b)) => Ok((h, b)),
            _ => Err(crate::Error::new(
                crate::ErrorKind::InvalidDkimOption,
                format!(
                    "DKIM canonicalization {} is not header/body, each relaxed or simple (e.g. relaxed/relaxed)",
                    crate::error::quote(tag)
                ),
            )),
        }
    }

    /// `simple` or `relaxed`, as in the `c=` tag.
    pub const fn as_str(self) -> &'static str {
        match self {
            Canonicalization::Simple => "simple",
            Canonicalization::Relaxed => "relaxed",
        }
    }
}

/// The body hash, fed in chunks: nothing of the body is kept but the
/// state of one line end and one whitespace run.
pub(super) struct BodyHasher {
    relaxed: bool,
    hash: Sha256,
    /// Line ends seen since the last content (emitted only before more content).
    pending_crlf: usize,
    /// Relaxed: whitespace seen since the last content on this line.
    pending_space: bool,
    /// The last byte was a CR whose LF has not been seen yet.
    cr: bool,
    /// Some content has been hashed.
    any: bool,
}

impl BodyHasher {
    pub(super) fn new(canonicalization: Canonicalization) -> Self {
        BodyHasher {
            relaxed: canonicalization == Canonicalization::Relaxed,
            hash: Sha256::new(),
            pending_crlf: 0,
            pending_space: false,
            cr: false,
            any: false,
        }
    }

    fn content(&mut self, bytes: &[u8]) {
        for _ in 0..self.pending_crlf {
            self.hash.update(b"\r\n");
        }
        self.pending_crlf = 0;
        if self.pending_space {
            self.hash.update(b" ");
            self.pending_space = false;
        }
        self.hash.update(bytes);
        self.any = true;
    }

    pub(super) fn update(&mut self, mut data: &[u8]) {
        while let Some(&first) = data.first() {
            if self.cr {
                self.cr = false;
                if first == b'\n' {
                    // End of a line: its trailing whitespace is dropped (relaxed).
                    self.pending_space = false;
                    self.pending_crlf += 1;
                    data = &data[1..];
                    continue;
                }
                self.content(b"\r");
            }
            let special = if self.relaxed {
                memchr::memchr3(b'\r', b' ', b'\t', data)
            } else {
                memchr::memchr(b'\r', data)
            };
            let Some(at) = special else {
                self.content(data);
                return;
            };
            if at > 0 {
                self.content(&data[..at]);
            }
            if data[at] == b'\r' {
                self.cr = true;
            } else {
                self.pending_space = true;
            }
            data = &data[at + 1..];
        }
    }

    /// The SHA-256 of the canonical body: trailing empty lines ignored; a
    /// non-empty body ends with one CRLF; an empty body is empty (relaxed)
    /// or one CRLF (simple).
    pub(super) fn finish(mut self) -> [u8; 32] {
        if self.cr {
            self.cr = false;
            self.content(b"\r");
        }
        if self.any || !self.relaxed {
            self.hash.update(b"\r\n");
        }
        self.hash.finalize().into()
    }
}

/// The header fields of a header block (each with its CRLF and continuation lines).
pub(super) fn fields(block: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < block.len() {
        if block[i] == b'\n' {
            let next = block.get(i + 1);
            if !matches!(next, Some(b' ' | b'\t')) {
                out.push(&block[start..=i]);
                start = i + 1;
            }
        }
        i += 1;
    }
    if start < block.len() {
        out.push(&block[start..]);
    }
    out
}

/// The name of a header field, as written.
pub(super) fn field_name(field: &[u8]) -> &[u8] {
    let end = memchr::memchr(b':', field).unwrap_or(field.len());
    let name = &field[..end];
    let trimmed = name.len()
        - name
            .iter()
            .rev()
            .take_while(|b| matches!(b, b' ' | b'\t'))
            .count();
    &name[..trimmed]
}

/// Appends one header field in canonical form. `field` is the whole field
/// (name, colon, value, CRLF when it has one); relaxed gives
/// `lowercase-name:value` with whitespace runs as one space, no whitespace
/// around the colon or at the end, then CRLF only if `field` had one.
pub(super) fn push_header(out: &mut Vec<u8>, field: &[u8], canonicalization: Canonicalization) {
    if canonicalization == Canonicalization::Simple {
        out.extend_from_slice(field);
        return;
    }
    let had_crlf = field.ends_with(b"\r\n");
    let field = if had_crlf {
        &field[..field.len() - 2]
    } else {
        field
    };
    let colon = memchr::memchr(b':', field).unwrap_or(field.len());
    out.extend(field_name(field).iter().map(u8::to_ascii_lowercase));
    out.push(b':');
    let mut space = false;
    let mut started = false;
    for &b in field.get(colon + 1..).unwrap_or_default() {
        match b {
            b'\r' | b'\n' => {}
            b' ' | b'\t' => space = started,
            _ => {
                if space {
                    out.push(b' ');
                    space = false;
                }
                out.push(b);
                started = true;
            }
        }
    }
    if had_crlf {
        out.extend_from_slice(b"\r\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(canonicalization: Canonicalization, chunks: &[&[u8]]) -> [u8; 32] {
        let mut h = BodyHasher::new(canonicalization);
        for c in chunks {
            h.update(c);
        }
        h.finish()
    }

    fn sha(data: &[u8]) -> [u8; 32] {
        Sha256::digest(data).into()
    }

    #[test]
    fn relaxed_body_rfc6376_example() {
        // RFC 6376 section 3.4.5.
        let input = b" C \r\nD \t E\r\n\r\n\r\n";
        assert_eq!(
            body(Canonicalization::Relaxed, &[input]),
            sha(b" C\r\nD E\r\n")
        );
        assert_eq!(
            body(Canonicalization::Simple, &[input]),
            sha(b" C \r\nD \t E\r\n")
        );
        // Split anywhere, same hash.
        for at in 0..input.len() {
            let (a, b) = input.split_at(at);
            assert_eq!(
                body(Canonicalization::Relaxed, &[a, b]),
                sha(b" C\r\nD E\r\n"),
                "{at}"
            );
            assert_eq!(
                body(Canonicalization::Simple, &[a, b]),
                sha(b" C \r\nD \t E\r\n"),
                "{at}"
            );
        }
    }

    #[test]
    fn empty_and_unterminated_bodies() {
        assert_eq!(body(Canonicalization::Relaxed, &[b""]), sha(b""));
        assert_eq!(body(Canonicalization::Relaxed, &[b"\r\n\r\n"]), sha(b""));
        assert_eq!(body(Canonicalization::Simple, &[b""]), sha(b"\r\n"));
        assert_eq!(body(Canonicalization::Simple, &[b"\r\n\r\n"]), sha(b"\r\n"));
        assert_eq!(body(Canonicalization::Relaxed, &[b"a  "]), sha(b"a\r\n"));
        assert_eq!(body(Canonicalization::Simple, &[b"a"]), sha(b"a\r\n"));
        assert_eq!(
            body(Canonicalization::Relaxed, &[b"a\rb\r"]),
            sha(b"a\rb\r\r\n")
        );
    }

    #[test]
    fn headers() {
        let block = b"A: X\r\nB : Y\t\r\n\tZ  \r\nSubject: x\r\n";
        let f = fields(block);
        assert_eq!(f.len(), 3);
        assert_eq!(field_name(f[1]), b"B");
        let mut out = Vec::new();
        push_header(&mut out, f[0], Canonicalization::Relaxed);
        push_header(&mut out, f[1], Canonicalization::Relaxed);
        assert_eq!(out, b"a:X\r\nb:Y Z\r\n");
        out.clear();
        push_header(&mut out, f[1], Canonicalization::Simple);
        assert_eq!(out, b"B : Y\t\r\n\tZ  \r\n");
    }
}

//! Byte sinks used while writing a message.

use mail_builder::Writer;

/// Counts what would be written, keeping nothing but a reusable scratch buffer.
#[derive(Default)]
pub(crate) struct CountingWriter {
    count: usize,
    scratch: Vec<u8>,
}

impl CountingWriter {
    pub(crate) fn count(&self) -> usize {
        self.count
    }
}

impl Writer for CountingWriter {
    fn write(&mut self, bytes: &[u8]) {
        self.count += bytes.len();
    }

    fn write_byte(&mut self, _byte: u8) {
        self.count += 1;
    }

    fn write_with(&mut self, len: usize, fill: impl FnOnce(&mut [u8]) -> usize) {
        self.scratch.clear();
        self.scratch.resize(len, 0);
        self.count += fill(&mut self.scratch).min(len);
    }

    fn append_with<T>(&mut self, _len: usize, append: impl FnOnce(&mut Vec<u8>) -> T) -> T {
        self.scratch.clear();
        let result = append(&mut self.scratch);
        self.count += self.scratch.len();
        result
    }

    fn append_limit(&self) -> usize {
        64 * 1024
    }
}

/// Passes everything through, inserting `line` (a complete header line) just
/// before the blank line that ends the first header block it sees: the root
/// MIME part's. That makes X-SMTPAPI the last header of the message whether
/// the root part is multipart or a single body (whose
/// Content-Transfer-Encoding mail-builder writes last).
pub(crate) struct Injector<'a, W: Writer> {
    inner: &'a mut W,
    line: Option<&'a [u8]>,
    /// The last two bytes seen, to find a line that starts with CR (the blank line).
    last: [u8; 2],
}

impl<'a, W: Writer> Injector<'a, W> {
    pub(crate) fn new(inner: &'a mut W, line: &'a [u8]) -> Self {
        Injector {
            inner,
            line: Some(line),
            last: [0, 0],
        }
    }

    /// Finds where the blank line starts in `bytes`, given the bytes before.
    fn blank_line_at(&self, bytes: &[u8]) -> Option<usize> {
        let mut prev = self.last;
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'\r' && prev == *b"\r\n" {
                return Some(i);
            }
            prev = [prev[1], b];
        }
        None
    }

    fn remember(&mut self, bytes: &[u8]) {
        match bytes {
            [] => {}
            [b] => self.last = [self.last[1], *b],
            [.., a, b] => self.last = [*a, *b],
        }
    }
}

impl<W: Writer> Writer for Injector<'_, W> {
    fn write(&mut self, bytes: &[u8]) {
        let Some(line) = self.line else {
            return self.inner.write(bytes);
        };
        match self.blank_line_at(bytes) {
            Some(at) => {
                let (head, tail) = bytes.split_at(at);
                self.inner.write(head);
                self.inner.write(line);
                self.inner.write(tail);
                self.line = None;
            }
            None => {
                self.inner.write(bytes);
                self.remember(bytes);
            }
        }
    }

    fn write_byte(&mut self, byte: u8) {
        self.write(&[byte]);
    }

    fn reserve(&mut self, additional: usize) {
        self.inner.reserve(additional);
    }

    fn write_with(&mut self, len: usize, fill: impl FnOnce(&mut [u8]) -> usize) {
        if self.line.is_none() {
            return self.inner.write_with(len, fill);
        }
        let mut buffer = vec![0; len];
        let written = fill(&mut buffer).min(len);
        self.write(&buffer[..written]);
    }

    fn append_with<T>(&mut self, len: usize, append: impl FnOnce(&mut Vec<u8>) -> T) -> T {
        if self.line.is_none() {
            return self.inner.append_with(len, append);
        }
        let mut buffer = Vec::with_capacity(len);
        let result = append(&mut buffer);
        self.write(&buffer);
        result
    }

    fn append_limit(&self) -> usize {
        self.inner.append_limit()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn injects_before_the_first_blank_line_across_chunks() {
        for split in 0..=40 {
            let input = b"Content-Type: text/plain\r\nX-A: b\r\n\r\nbody\r\n\r\nmore";
            let mut out = Vec::new();
            {
                let mut injector = Injector::new(&mut out, b"X-Last: 1\r\n");
                let (a, b) = input.split_at(split.min(input.len()));
                for byte in a {
                    injector.write_byte(*byte);
                }
                injector.write(b);
            }
            assert_eq!(
                out, b"Content-Type: text/plain\r\nX-A: b\r\nX-Last: 1\r\n\r\nbody\r\n\r\nmore",
                "split at {split}"
            );
        }
    }

    #[test]
    fn counting_matches_writing() {
        let mut counter = CountingWriter::default();
        counter.write(b"abc");
        counter.write_byte(b'd');
        counter.append_with(10, |buf| buf.extend_from_slice(b"efg"));
        counter.write_with(5, |buf| {
            buf[..2].copy_from_slice(b"hi");
            2
        });
        assert_eq!(counter.count(), 9);
    }
}

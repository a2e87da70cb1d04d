//! Byte sinks used while writing a message.

use mail_builder::{IoWriter, Writer};

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

/// The one writer type that mail-builder writes messages and headers into.
/// Its serializer is generic over the `Writer`, so each writer type compiles
/// all of it again (six copies made about 100 KB of the .wasm): whatever the
/// destination, and with or without an injected line, it is this type.
///
/// It passes everything through to its target, inserting the line given to
/// [`Sink::inject`] (a complete header line) just before the blank line that
/// ends the first header block written after that call: the root MIME
/// part's. That makes X-SMTPAPI the last header of the message whether the
/// root part is multipart or a single body (whose Content-Transfer-Encoding
/// mail-builder writes last).
pub(crate) struct Sink<'a> {
    target: Target<'a>,
    line: Option<&'a [u8]>,
    /// The last two bytes seen, to find a line that starts with CR (the blank line).
    last: [u8; 2],
}

enum Target<'a> {
    Bytes(&'a mut Vec<u8>),
    Count(&'a mut CountingWriter),
    Io(IoWriter<&'a mut dyn std::io::Write>),
}

impl<'a> Sink<'a> {
    fn new(target: Target<'a>) -> Self {
        Sink {
            target,
            line: None,
            last: [0, 0],
        }
    }

    /// Appends to a vector.
    pub(crate) fn bytes(out: &'a mut Vec<u8>) -> Self {
        Sink::new(Target::Bytes(out))
    }

    /// Counts the bytes.
    pub(crate) fn count(counter: &'a mut CountingWriter) -> Self {
        Sink::new(Target::Count(counter))
    }

    /// Streams to `out` through a 64 KiB buffer; [`Sink::finish`] flushes it.
    pub(crate) fn io(out: &'a mut dyn std::io::Write) -> Self {
        Sink::new(Target::Io(IoWriter::new(out)))
    }

    /// Inserts `line` (if any) before the next blank line.
    pub(crate) fn inject(&mut self, line: Option<&'a [u8]>) {
        self.line = line;
        self.last = [0, 0];
    }

    /// Flushes an `io` sink and returns its first error, if any.
    pub(crate) fn finish(self) -> std::io::Result<()> {
        match self.target {
            Target::Io(writer) => writer.into_result(),
            Target::Bytes(_) | Target::Count(_) => Ok(()),
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

/// Calls the same method on whichever target it is.
macro_rules! on_target {
    ($target:expr, $w:ident => $call:expr) => {
        match $target {
            Target::Bytes($w) => $call,
            Target::Count($w) => $call,
            Target::Io($w) => $call,
        }
    };
}

impl Sink<'_> {
    /// `write` to a counter or an `io` sink, or while a line waits to be
    /// injected.
    #[inline(never)]
    fn write_other(&mut self, bytes: &[u8]) {
        let Some(line) = self.line else {
            return on_target!(&mut self.target, w => w.write(bytes));
        };
        match self.blank_line_at(bytes) {
            Some(at) => {
                let (head, tail) = bytes.split_at(at);
                on_target!(&mut self.target, w => {
                    w.write(head);
                    w.write(line);
                    w.write(tail);
                });
                self.line = None;
            }
            None => {
                on_target!(&mut self.target, w => w.write(bytes));
                self.remember(bytes);
            }
        }
    }
}

// Writing bytes to a vector, the common case, is inlined natively: one
// branch more per write than writing to the vector directly (small messages
// take about 8% more instructions than with one serializer per sink). Not
// on wasm, where inlining it into the serializer costs 10 KB.
impl Writer for Sink<'_> {
    #[cfg_attr(not(target_arch = "wasm32"), inline)]
    fn write(&mut self, bytes: &[u8]) {
        match (&mut self.target, self.line) {
            (Target::Bytes(out), None) => out.extend_from_slice(bytes),
            _ => self.write_other(bytes),
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), inline)]
    fn write_byte(&mut self, byte: u8) {
        match (&mut self.target, self.line) {
            (Target::Bytes(out), None) => out.push(byte),
            _ => self.write_other(&[byte]),
        }
    }

    fn reserve(&mut self, additional: usize) {
        on_target!(&mut self.target, w => w.reserve(additional))
    }

    fn write_with(&mut self, len: usize, fill: impl FnOnce(&mut [u8]) -> usize) {
        if self.line.is_none() {
            return on_target!(&mut self.target, w => w.write_with(len, fill));
        }
        let mut buffer = vec![0; len];
        let written = fill(&mut buffer).min(len);
        self.write(&buffer[..written]);
    }

    fn append_with<T>(&mut self, len: usize, append: impl FnOnce(&mut Vec<u8>) -> T) -> T {
        if self.line.is_none() {
            return on_target!(&mut self.target, w => w.append_with(len, append));
        }
        let mut buffer = Vec::with_capacity(len);
        let result = append(&mut buffer);
        self.write(&buffer);
        result
    }

    fn append_limit(&self) -> usize {
        on_target!(&self.target, w => w.append_limit())
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
                let mut injector = Sink::bytes(&mut out);
                injector.inject(Some(b"X-Last: 1\r\n"));
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

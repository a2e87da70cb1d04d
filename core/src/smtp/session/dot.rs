//! Dot-stuffing and the end of DATA (RFC 5321 section 4.5.2).

/// Dot-stuffing (RFC 5321 section 4.5.2): a line that starts with `.` gets
/// another `.` in front. Streams; keeps one byte of state.
pub struct DotStuffer<W> {
    inner: W,
    at_line_start: bool,
}

impl<W: std::io::Write> DotStuffer<W> {
    /// Wraps a writer; the first byte written starts a line.
    pub fn new(inner: W) -> Self {
        DotStuffer {
            inner,
            at_line_start: true,
        }
    }
}

impl<W: std::io::Write> std::io::Write for DotStuffer<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut start = 0;
        for (i, &b) in buf.iter().enumerate() {
            if self.at_line_start && b == b'.' {
                self.inner.write_all(&buf[start..i])?;
                self.inner.write_all(b".")?;
                start = i;
            }
            self.at_line_start = b == b'\n';
        }
        self.inner.write_all(&buf[start..])?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Ends DATA: CRLF if the message does not end with one, then `.` CRLF.
pub(crate) fn finish_data(data: &mut Vec<u8>) {
    if !data.ends_with(b"\r\n") {
        data.extend_from_slice(b"\r\n");
    }
    data.extend_from_slice(b".\r\n");
}

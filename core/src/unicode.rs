//! Text from languages whose strings are UTF-16 (JavaScript, Java) or may
//! hold lone surrogates (Python): one rule for every binding. A lone
//! surrogate is refused with `InvalidUnicode`, never replaced by U+FFFD.

use crate::error::{Error, ErrorKind, Result, quote};

/// Decodes UTF-16 code units strictly; `field` names the value in the error.
pub fn from_utf16(units: &[u16], field: &str) -> Result<String> {
    let mut out = String::with_capacity(units.len());
    let mut at = 0;
    for unit in char::decode_utf16(units.iter().copied()) {
        match unit {
            Ok(c) => {
                out.push(c);
                at += c.len_utf16();
            }
            Err(err) => return Err(lone_surrogate(field, err.unpaired_surrogate(), at)),
        }
    }
    Ok(out)
}

/// The error for a lone surrogate found in `field` (for bindings that detect
/// it themselves, e.g. Python's `str`).
pub fn lone_surrogate(field: &str, surrogate: u16, at: usize) -> Error {
    Error::new(
        ErrorKind::InvalidUnicode,
        format!(
            "{} holds a lone surrogate U+{surrogate:04X} (at UTF-16 unit {at}): it is not text and cannot be encoded",
            quote(field)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict() {
        let ok: Vec<u16> = "héllo 测试 😀".encode_utf16().collect();
        assert_eq!(from_utf16(&ok, "subject").unwrap(), "héllo 测试 😀");
        for bad in [&[0xD800u16][..], &[0x61, 0xDC00, 0x62], &[0xD83D, 0x61]] {
            let err = from_utf16(bad, "subject").unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidUnicode);
            assert!(err.message().contains("subject"), "{err}");
        }
        // The position counts UTF-16 units, a pair as two.
        let units: Vec<u16> = "😀a".encode_utf16().chain([0xDC00]).collect();
        let err = from_utf16(&units, "subject").unwrap_err();
        assert!(err.message().contains("unit 3"), "{err}");
    }
}

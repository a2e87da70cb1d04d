//! Where the Date and the random values come from.

/// A source of the current time, as seconds since the Unix epoch (UTC).
///
/// Native builds use [`SystemClock`] by default. On `wasm32-unknown-unknown`
/// there is no system clock: the host (the wasm binding) injects one, and
/// without one, building a message with no fixed date is a `NoClock` error.
pub trait Clock: Send + Sync {
    /// Seconds since 1970-01-01T00:00:00Z.
    fn now(&self) -> i64;
}

impl<F: Fn() -> i64 + Send + Sync> Clock for F {
    fn now(&self) -> i64 {
        self()
    }
}

/// The operating system's clock (not on `wasm32-unknown-unknown`).
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
impl Clock for SystemClock {
    fn now(&self) -> i64 {
        use std::time::{SystemTime, UNIX_EPOCH};
        match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(elapsed) => i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX),
            Err(before) => -i64::try_from(before.duration().as_secs()).unwrap_or(i64::MAX),
        }
    }
}

/// The clock used when the caller gives neither a date nor a clock.
pub(crate) fn default_clock() -> Option<&'static dyn Clock> {
    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    {
        Some(&SystemClock)
    }
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    {
        None
    }
}

/// Fills `bytes` from the operating system's CSPRNG (`crypto.getRandomValues`
/// on wasm with the `wasm-js` feature). One call per message: it is a system
/// call, and nothing is buffered (a buffer would repeat itself after `fork`).
pub(crate) fn random_bytes(bytes: &mut [u8]) -> crate::Result<()> {
    getrandom::fill(bytes).map_err(|err| {
        crate::Error::new(
            crate::ErrorKind::Random,
            format!("no random numbers: {err}"),
        )
    })
}

/// Appends `bytes` as lower-case hex.
pub(crate) fn push_hex(out: &mut String, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut buffer = [0u8; 64];
    for (pair, b) in buffer.chunks_exact_mut(2).zip(bytes) {
        pair[0] = HEX[usize::from(b >> 4)];
        pair[1] = HEX[usize::from(b & 15)];
    }
    let len = bytes.len().min(32) * 2;
    out.push_str(std::str::from_utf8(&buffer[..len]).unwrap_or_default());
}

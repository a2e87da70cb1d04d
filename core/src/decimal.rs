//! The text of an `f64` exactly as Rust's `{}` and `{:.N}` write it, and of a
//! `Duration` as `{:?}` writes it, with plain integer arithmetic.
//!
//! Only error messages print these ("0.5 ms was given", "within 30.000 s").
//! Rust's float formatting (Grisu and Dragon, their tables and bignums) adds
//! about 17 KB to the .wasm; this exact, slow method (one decimal digit per
//! byte, fine for an error message) about 3 KB. Tests check it against
//! Rust's own output.

use std::cmp::Ordering;
use std::time::Duration;

/// An exact non-negative decimal: `digits` (least significant first, each
/// 0 to 9) times 10^`exp`.
#[derive(Clone)]
struct Decimal {
    digits: Vec<u8>,
    exp: i32,
}

impl Decimal {
    /// 2^`e` exactly (5^-e times 10^e when `e` is negative).
    fn pow2(e: i32) -> Decimal {
        let mut d = Decimal {
            digits: vec![1],
            exp: e.min(0),
        };
        let (base, mut left) = if e >= 0 { (2u64, e) } else { (5, -e) };
        while left > 0 {
            let step = left.min(13);
            d.mul(base.pow(step as u32));
            left -= step;
        }
        d
    }

    /// Multiplies by `k` (below 2^64 / 10: a digit times k plus the carry fits).
    fn mul(&mut self, k: u64) {
        let mut carry = 0u64;
        for digit in &mut self.digits {
            let x = u64::from(*digit) * k + carry;
            *digit = (x % 10) as u8;
            carry = x / 10;
        }
        while carry > 0 {
            self.digits.push((carry % 10) as u8);
            carry /= 10;
        }
    }

    fn times(&self, k: u64) -> Decimal {
        let mut d = self.clone();
        d.mul(k);
        d
    }

    fn digit(&self, i: usize) -> u8 {
        self.digits.get(i).copied().unwrap_or(0)
    }

    /// Compares two decimals of the same `exp`.
    fn cmp(&self, other: &Decimal) -> Ordering {
        let len = self.digits.len().max(other.digits.len());
        (0..len)
            .rev()
            .map(|i| self.digit(i).cmp(&other.digit(i)))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    }

    /// The digits below position `q` zeroed (rounded down to a multiple of 10^q).
    fn floor(&self, q: usize) -> Decimal {
        let mut d = self.clone();
        for digit in d.digits.iter_mut().take(q) {
            *digit = 0;
        }
        d
    }

    /// Adds 10^`q` (1 at position `q`).
    fn add_unit(&mut self, q: usize) {
        if self.digits.len() <= q {
            self.digits.resize(q + 1, 0);
        }
        let mut i = q;
        loop {
            if i == self.digits.len() {
                self.digits.push(1);
                return;
            }
            if self.digits[i] < 9 {
                self.digits[i] += 1;
                return;
            }
            self.digits[i] = 0;
            i += 1;
        }
    }

    /// Subtracts 10^`q` (the value is at least that).
    fn sub_unit(&mut self, q: usize) {
        let mut i = q;
        while self.digits[i] == 0 {
            self.digits[i] = 9;
            i += 1;
        }
        self.digits[i] -= 1;
    }

    /// How the digits below position `q` compare with half of 10^q.
    fn below_vs_half(&self, q: usize) -> Ordering {
        if q == 0 {
            return Ordering::Less;
        }
        match self.digit(q - 1).cmp(&5) {
            Ordering::Equal if (0..q - 1).any(|i| self.digit(i) != 0) => Ordering::Greater,
            other => other,
        }
    }

    /// Positional text: every digit from the highest non-zero one (or the
    /// units) down to the lowest non-zero one, and at least `min_frac`
    /// fractional digits.
    fn text(&self, min_frac: usize) -> String {
        let position = |i: usize| i as i32 + self.exp;
        let top = self
            .digits
            .iter()
            .rposition(|&d| d != 0)
            .map_or(0, |i| position(i).max(0));
        let low = self
            .digits
            .iter()
            .position(|&d| d != 0)
            .map_or(0, |i| position(i).min(0));
        let mut out = String::new();
        for pos in (low.min(-(min_frac as i32))..=top).rev() {
            if pos == -1 {
                out.push('.');
            }
            let digit = usize::try_from(pos - self.exp).map_or(0, |i| self.digit(i));
            out.push(char::from(b'0' + digit));
        }
        out
    }
}

/// Sign, NaN and infinity as Rust writes them, or the finite magnitude as
/// Rust's `integer_decode` gives it: (mantissa, exponent), value = m·2^e.
fn decode(v: f64) -> Result<(bool, u64, i32), &'static str> {
    let bits = v.to_bits();
    let negative = bits >> 63 == 1;
    let field = ((bits >> 52) & 0x7ff) as i32;
    let frac = bits & ((1 << 52) - 1);
    match field {
        0x7ff if frac != 0 => Err("NaN"),
        0x7ff if negative => Err("-inf"),
        0x7ff => Err("inf"),
        0 => Ok((negative, frac << 1, -1075)),
        _ => Ok((negative, frac | 1 << 52, field - 1075)),
    }
}

/// `format!("{v}")`: the shortest digits that read back as `v`, the
/// closest to `v` of those, written without an exponent.
pub(crate) fn shortest(v: f64) -> String {
    let (negative, mant, exp) = match decode(v) {
        Ok(decoded) => decoded,
        Err(text) => return text.into(),
    };
    let sign = if negative { "-" } else { "" };
    if mant == 0 {
        return format!("{sign}0");
    }
    // The interval of decimals that read back as v, in units of 2^unit:
    // halfway to each neighbour (the one below is closer at a power of two),
    // ends included when the mantissa is even (ties read back to even;
    // Rust's decoding doubles a subnormal's mantissa, so its ends always are).
    let inclusive = mant % 2 == 0;
    let (value, low, high, unit) = if exp == -1075 {
        (mant, mant - 1, mant + 1, exp)
    } else if mant == 1 << 52 {
        (mant << 2, (mant << 2) - 1, (mant << 2) + 2, exp - 2)
    } else {
        (mant << 1, (mant << 1) - 1, (mant << 1) + 1, exp - 1)
    };
    let pow = Decimal::pow2(unit);
    let (value, low, high) = (pow.times(value), pow.times(low), pow.times(high));
    let inside = |x: &Decimal| {
        let above = x.cmp(&low);
        let below = x.cmp(&high);
        (above.is_gt() || inclusive && above.is_eq())
            && (below.is_lt() || inclusive && below.is_eq())
    };
    // The coarsest position q at which a multiple of 10^q lies inside; at
    // q = 0 the value itself does.
    let q = (0..=high.digits.len())
        .rev()
        .find(|&q| {
            let mut grid = high.floor(q);
            if !inclusive && grid.cmp(&high).is_eq() {
                grid.sub_unit(q);
            }
            inside(&grid)
        })
        .unwrap_or(0);
    // Of the multiples of 10^q around the value, the closer one inside (the
    // upper one when both are equally close, as Rust does).
    let down = value.floor(q);
    let mut up = value.floor(q);
    up.add_unit(q);
    let chosen = match (inside(&down), inside(&up)) {
        (true, false) => down,
        (false, true) => up,
        _ => match value.below_vs_half(q) {
            Ordering::Less => down,
            _ => up,
        },
    };
    format!("{sign}{}", chosen.text(0))
}

/// `format!("{v:.decimals$}")`: the exact value of `v` rounded to
/// `decimals` places, ties to even.
pub(crate) fn fixed(v: f64, decimals: usize) -> String {
    let (negative, mant, exp) = match decode(v) {
        Ok(decoded) => decoded,
        Err(text) => return text.into(),
    };
    let sign = if negative { "-" } else { "" };
    let mut value = Decimal::pow2(exp).times(mant);
    let q = i64::from(-value.exp) - decimals as i64;
    if q > 0 {
        let q = q as usize;
        let round_up = match value.below_vs_half(q) {
            Ordering::Greater => true,
            Ordering::Equal => value.digit(q) % 2 == 1,
            Ordering::Less => false,
        };
        value = value.floor(q);
        if round_up {
            value.add_unit(q);
        }
    }
    format!("{sign}{}", value.text(decimals))
}

/// `format!("{d:?}")`: seconds, milliseconds, microseconds or nanoseconds,
/// with every significant fractional digit.
pub(crate) fn duration(d: Duration) -> String {
    let (secs, nanos) = (d.as_secs(), d.subsec_nanos());
    let (whole, part, width, unit) = if secs > 0 {
        (secs, nanos, 9, "s")
    } else if nanos >= 1_000_000 {
        (u64::from(nanos / 1_000_000), nanos % 1_000_000, 6, "ms")
    } else if nanos >= 1_000 {
        (u64::from(nanos / 1_000), nanos % 1_000, 3, "µs")
    } else {
        (u64::from(nanos), 0, 0, "ns")
    };
    let mut out = whole.to_string();
    if part > 0 {
        out.push('.');
        out.push_str(format!("{part:0width$}").trim_end_matches('0'));
    }
    out.push_str(unit);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rust's own formatting is the reference, on edge cases and on random
    /// bit patterns (all exponents, subnormals, NaN) and everyday values.
    fn check(v: f64) {
        assert_eq!(shortest(v), format!("{v}"), "{v:e} ({:#x})", v.to_bits());
        for decimals in [0, 1, 3] {
            assert_eq!(fixed(v, decimals), format!("{v:.decimals$}"), "{v:e}");
        }
    }

    fn xorshift(seed: u64) -> impl FnMut() -> u64 {
        let mut x = seed;
        move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        }
    }

    #[test]
    fn floats_read_as_rust_writes_them() {
        for v in [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.1,
            0.5,
            -0.5,
            2.5,
            0.0625, // {:.3}: a tie, to even
            0.1875,
            0.0005,
            65535.5,
            86_400_000.5,
            1e9 + 0.5,
            1e20,
            1e21,
            1e-7,
            2_251_799_813_685_248.25, // two shortest candidates equally close
            9_007_199_254_740_993.0,
            5e-324,
            f64::MIN_POSITIVE,
            f64::MAX,
            f64::MIN,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ] {
            check(v);
        }
        let mut next = xorshift(0x9E37_79B9_7F4A_7C15);
        for _ in 0..1500 {
            check(f64::from_bits(next()));
        }
        for _ in 0..5000 {
            let i = (next() % 2_000_000_000) as f64 - 1e9;
            for v in [i, i / 1000.0, i + 0.5, i / 8.0, i * 1e-9] {
                check(v);
            }
        }
        for e in -1022..1024 {
            let p = 2f64.powi(e);
            for v in [
                p,
                f64::from_bits(p.to_bits() + 1),
                f64::from_bits(p.to_bits() - 1),
            ] {
                check(v);
            }
        }
    }

    #[test]
    fn durations_read_as_rust_writes_them() {
        let mut next = xorshift(0x2545_F491_4F6C_DD1D);
        let mut cases = vec![Duration::ZERO, Duration::MAX, Duration::from_nanos(1)];
        for _ in 0..20_000 {
            let r = next();
            let nanos =
                (r >> 20) as u32 % 1_000_000_000 / [1, 1000, 1_000_000, 7][(r >> 8) as usize % 4];
            cases.push(Duration::new(r % 200_000 * (r >> 62), nanos));
        }
        for d in cases {
            assert_eq!(duration(d), format!("{d:?}"));
            assert_eq!(fixed(d.as_secs_f64(), 3), format!("{:.3}", d.as_secs_f64()));
        }
    }
}

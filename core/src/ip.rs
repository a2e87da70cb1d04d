//! IP address literals read exactly as `std::net`'s `FromStr` reads them
//! (the address-literal checks and the loopback test), without std's
//! parser: it is 3.6 KB of the .wasm. Tests compare both on fixed cases and
//! on random strings.

/// `a.b.c.d`: four decimal numbers 0 to 255 without a leading zero.
pub(crate) fn ipv4(s: &str) -> Option<[u8; 4]> {
    let mut rest = s.as_bytes();
    let octets = read_ipv4(&mut rest)?;
    rest.is_empty().then_some(octets)
}

/// Eight groups of 1 to 4 hex digits, `::` for one or more zero groups,
/// an IPv4 address for the last two.
pub(crate) fn ipv6(s: &str) -> Option<[u16; 8]> {
    let mut rest = s.as_bytes();
    let mut head = [0u16; 8];
    let (head_len, head_ipv4) = read_groups(&mut rest, &mut head);
    if head_len == 8 {
        return rest.is_empty().then_some(head);
    }
    if head_ipv4 {
        return None;
    }
    rest = rest.strip_prefix(b"::")?;
    // `::` stands for one zero group at least.
    let mut tail = [0u16; 7];
    let (tail_len, _) = read_groups(&mut rest, &mut tail[..7 - head_len]);
    if !rest.is_empty() {
        return None;
    }
    head[8 - tail_len..].copy_from_slice(&tail[..tail_len]);
    Some(head)
}

/// An IPv4 or an IPv6 address, as `IpAddr` reads them.
pub(crate) fn is_address(s: &str) -> bool {
    ipv4(s).is_some() || ipv6(s).is_some()
}

/// `127.0.0.0/8` or `::1`, as `IpAddr::is_loopback` says.
pub(crate) fn is_loopback(s: &str) -> bool {
    match ipv4(s) {
        Some(octets) => octets[0] == 127,
        None => ipv6(s) == Some([0, 0, 0, 0, 0, 0, 0, 1]),
    }
}

/// Reads an IPv4 address at the start of `rest`, advancing past it.
fn read_ipv4(rest: &mut &[u8]) -> Option<[u8; 4]> {
    let mut s = *rest;
    let mut octets = [0u8; 4];
    for (i, octet) in octets.iter_mut().enumerate() {
        if i > 0 {
            s = s.strip_prefix(b".")?;
        }
        let (value, len) = number(s, 10, 3, false)?;
        *octet = u8::try_from(value).ok()?;
        s = &s[len..];
    }
    *rest = s;
    Some(octets)
}

/// Reads up to `groups.len()` colon-separated groups, the last two of which
/// may be an IPv4 address: how many, and whether IPv4 ended them.
fn read_groups(rest: &mut &[u8], groups: &mut [u16]) -> (usize, bool) {
    let limit = groups.len();
    for i in 0..limit {
        let mut s = *rest;
        if i > 0 {
            match s.strip_prefix(b":") {
                Some(after) => s = after,
                None => return (i, false),
            }
        }
        if i + 1 < limit {
            let mut after = s;
            if let Some([a, b, c, d]) = read_ipv4(&mut after) {
                groups[i] = u16::from_be_bytes([a, b]);
                groups[i + 1] = u16::from_be_bytes([c, d]);
                *rest = after;
                return (i + 2, true);
            }
        }
        match number(s, 16, 4, true) {
            Some((value, len)) => {
                groups[i] = value as u16;
                *rest = &s[len..];
            }
            None => return (i, false),
        }
    }
    (limit, false)
}

/// The run of `radix` digits at the start of `s`: its value and length, or
/// `None` when it is empty, longer than `max` or (unless allowed) has a
/// leading zero.
fn number(s: &[u8], radix: u32, max: usize, zero_prefix: bool) -> Option<(u32, usize)> {
    let digit = |b: &u8| char::from(*b).to_digit(radix);
    let len = s.iter().take_while(|b| digit(b).is_some()).count();
    if len == 0 || len > max || !zero_prefix && len > 1 && s[0] == b'0' {
        return None;
    }
    let value = s[..len]
        .iter()
        .fold(0, |v, b| v * radix + digit(b).unwrap_or(0));
    Some((value, len))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

    fn same_as_std(s: &str) {
        assert_eq!(
            ipv4(s),
            s.parse::<Ipv4Addr>().ok().map(|a| a.octets()),
            "{s:?}"
        );
        assert_eq!(
            ipv6(s),
            s.parse::<Ipv6Addr>().ok().map(|a| a.segments()),
            "{s:?}"
        );
        assert_eq!(is_address(s), s.parse::<IpAddr>().is_ok(), "{s:?}");
        let std_loopback = s.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
        assert_eq!(is_loopback(s), std_loopback, "{s:?}");
    }

    #[test]
    fn reads_what_std_reads() {
        for s in [
            "",
            "0.0.0.0",
            "127.0.0.1",
            "127.255.255.255",
            "126.0.0.1",
            "192.0.2.1",
            "255.255.255.255",
            "256.0.0.1",
            "1.2.3",
            "1.2.3.4.5",
            "01.2.3.4",
            "1.2.3.04",
            "1.2.3.0004",
            "1..2.3",
            " 1.2.3.4",
            "1.2.3.4 ",
            "+1.2.3.4",
            "1.2.3.-4",
            "::",
            "::1",
            "::2",
            "0:0:0:0:0:0:0:1",
            "0000::0001",
            "::0:1",
            "::0.0.0.1",
            "::127.0.0.1",
            "::ffff:127.0.0.1",
            "::ffff:1.2.3.4",
            "1::",
            "1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7::",
            "::2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7:8::",
            "::1:2:3:4:5:6:7:8",
            ":::",
            "1:::2",
            "1::2::3",
            "12345::",
            "1:2:3:4:5:6:1.2.3.4",
            "1:2:3:4:5:6:7:1.2.3.4",
            "1.2.3.4::",
            "::1.2.3.4:5",
            "::1.2.3",
            "2001:db8::1",
            "2001:DB8::A",
            "fe80::1%eth0",
            "[::1]",
            "g::1",
            "::ffff:01.2.3.4",
            ":1::",
            "1:",
            ":1",
            "1:2:3:4:5:6:7",
            "1:2:3:4:5:6::1.2.3.4",
            "::1.2.3.4.5",
            "localhost",
        ] {
            same_as_std(s);
        }
    }

    #[test]
    fn reads_random_strings_as_std_does() {
        let mut x = 0x9E37_79B9_7F4A_7C15_u64;
        let alphabet = b"0123456789abcdefABCDEFg:.:.::  ";
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = (x % 24) as usize;
            let mut r = x;
            let s: String = (0..len)
                .map(|_| {
                    r = r.rotate_left(5).wrapping_mul(0x2545_F491_4F6C_DD1D);
                    char::from(alphabet[(r >> 40) as usize % alphabet.len()])
                })
                .collect();
            same_as_std(&s);
        }
        // Valid addresses with random groups, to reach the accepting paths.
        for _ in 0..50_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let g = |k: u32| format!("{:x}", (x >> (k * 8)) as u16 >> (k % 4 * 4));
            let v4 = format!(
                "{}.{}.{}.{}",
                x % 300,
                (x >> 9) % 256,
                (x >> 17) % 256,
                (x >> 25) % 260
            );
            for s in [
                format!("{}:{}::{}", g(1), g(2), g(3)),
                format!("::{}:{}", g(4), v4),
                format!(
                    "{}:{}:{}:{}:{}:{}:{}",
                    g(1),
                    g(2),
                    g(3),
                    g(4),
                    g(5),
                    g(6),
                    v4
                ),
                format!("{}::{}", g(7), v4),
                v4.clone(),
            ] {
                same_as_std(&s);
            }
        }
    }
}

//! UTS 46 ToASCII of a domain name, the two ways the core asks for it:
//!
//! - [`to_ascii_strict`] for addresses: _UseSTD3ASCIIRules_ (letters, digits,
//!   hyphens), _CheckHyphens_ (no hyphen first, last, or third and fourth),
//!   _VerifyDnsLength_ (labels of 1 to 63 octets, at most 253 in all, no root
//!   dot), _CheckBidi_, _CheckJoiners_, nontransitional: the idna crate's
//!   `Uts46::to_ascii(STD3, Hyphens::Check, DnsLength::Verify)`;
//! - [`to_ascii_lenient`] for the DKIM `d=` and `s=`, which check letters,
//!   digits and hyphens themselves afterwards: `idna::domain_to_ascii`.
//!
//! By default (and on every native target) the idna crate does the work
//! with ICU4X's data. With the `host-idna` feature on wasm32 (the
//! WebAssembly binding turns it on) that data stays out of the `.wasm`
//! (about 55 KB gzipped): the host's WHATWG URL parser maps, normalizes and
//! Punycode-encodes, and [`host`] applies every other rule itself, on the
//! host's answer, so that the outcome is the idna crate's (see `host` for
//! where a host could differ).

use crate::error::Result;

/// ToASCII with _UseSTD3ASCIIRules_, _CheckHyphens_ and _VerifyDnsLength_;
/// `None` when the domain is not a valid domain name. With `host-idna`, the
/// registered host parser does it ([`set_idna_host`]); on wasm32 it must be
/// registered, elsewhere the idna crate does it when none is.
pub(crate) fn to_ascii_strict(domain: &str) -> Result<Option<String>> {
    #[cfg(feature = "host-idna")]
    if let Some(parse) = HOST.get().copied() {
        return Ok(host::strict(domain, parse));
    }
    #[cfg(not(all(feature = "host-idna", target_arch = "wasm32")))]
    return Ok(idna_crate_strict(domain));
    #[cfg(all(feature = "host-idna", target_arch = "wasm32"))]
    Err(unregistered())
}

/// The WHATWG URL Standard's domain to ASCII without its forbidden code
/// points (`idna::domain_to_ascii`); `None` when UTS 46 refuses the domain.
/// The caller checks the characters and lengths of the result. The same
/// choice of converter as [`to_ascii_strict`].
#[cfg(feature = "dkim-external")]
pub(crate) fn to_ascii_lenient(domain: &str) -> Result<Option<String>> {
    #[cfg(feature = "host-idna")]
    if let Some(parse) = HOST.get().copied() {
        return Ok(host::lenient(domain, parse));
    }
    #[cfg(not(all(feature = "host-idna", target_arch = "wasm32")))]
    return Ok(idna::domain_to_ascii(domain).ok());
    #[cfg(all(feature = "host-idna", target_arch = "wasm32"))]
    Err(unregistered())
}

/// The idna crate's strict ToASCII: everywhere but wasm32 with `host-idna`,
/// where its ICU4X data must stay out of the binary.
#[cfg(not(all(feature = "host-idna", target_arch = "wasm32")))]
fn idna_crate_strict(domain: &str) -> Option<String> {
    use idna::uts46::{AsciiDenyList, DnsLength, Hyphens, Uts46};
    Uts46::new()
        .to_ascii(
            domain.as_bytes(),
            AsciiDenyList::STD3,
            Hyphens::Check,
            DnsLength::Verify,
        )
        .ok()
        .map(|ascii| ascii.into_owned())
}

/// The host's URL parser, as [`set_idna_host`] registered it.
#[cfg(feature = "host-idna")]
static HOST: std::sync::OnceLock<IdnaHost> = std::sync::OnceLock::new();

/// The host's URL parser (feature `host-idna`): the `hostname` of the
/// WHATWG URL `http://` + the text given, or `None` when that URL does not
/// parse. See [`set_idna_host`].
#[cfg(feature = "host-idna")]
pub type IdnaHost = fn(&str) -> Option<String>;

/// Registers the host's URL parser, once, before any domain is converted
/// (feature `host-idna`: the WebAssembly binding calls it when its module
/// starts; on wasm32 nothing converts without it, on other targets the idna
/// crate converts until it is called, so turning the feature on only adds). `parse(text)` returns the `hostname` of `new URL("http://" +
/// text)` (the WHATWG URL Standard's host parser: UTS 46 nontransitional
/// mapping, normalization and Punycode; the core checks the rest itself), or
/// `None` when the URL constructor throws. The core gives it only
/// non-ASCII characters, letters, digits, `-`, `.` and `_`, always ending
/// with the label `.a`, and checks what it returns. A second registration
/// is ignored.
#[cfg(feature = "host-idna")]
pub fn set_idna_host(parse: IdnaHost) {
    let _ = HOST.set(parse);
}

#[cfg(all(feature = "host-idna", target_arch = "wasm32"))]
fn unregistered() -> crate::error::Error {
    use crate::error::{Error, ErrorKind};
    Error::new(
        ErrorKind::InvalidState,
        "no host URL parser registered to convert internationalized domain names (host-idna)",
    )
}

/// UTS 46 from the host's URL parser, and the rules the URL Standard leaves
/// out applied here.
///
/// The URL Standard's host parser runs UTS 46 with _UseSTD3ASCIIRules_,
/// _CheckHyphens_ and _VerifyDnsLength_ off; before it, the URL parser
/// splits the authority at `/ ? # \ @ :`, drops tabs and newlines, trims
/// spaces and control characters and percent-decodes; after it, it refuses
/// the forbidden domain code points and reads a host whose last label is a
/// number as an IPv4 address. So:
///
/// - ASCII other than letters, digits, `-` and `.` (and `_` for
///   [`lenient`]) is refused before the host sees it: UTS 46 maps ASCII to
///   itself (upper case to lower case), so STD3 refuses it anyway (and
///   `lenient`'s caller does). The exception is `<`, `=` and `>` followed
///   by U+0338, which normalization composes into `≮ ≠ ≯` (allowed): the
///   core composes them before asking. Where another combining mark stands
///   between the two (`<` U+0323 U+0338), or a code point UTS 46 ignores,
///   the idna crate still composes them and accepts the domain: the core
///   refuses it. And an A-label whose Unicode form starts with `xn--`,
///   which UTS 46 refuses, and so do some hosts, but the idna crate lets
///   through without _CheckHyphens_ (for DKIM): the core refuses it. These
///   are the differences left on purpose (`wasm_refuses` in
///   `testdata/idna/cases.json`); no real name has them.
/// - The label `a` is added and taken off again: the last label is never a
///   number, and the host never sees an empty text. Labels are separate
///   in UTS 46 (a dot starts nothing, a joiner or a bidi rule looks only
///   within its label, and the LTR label `a` makes no domain a bidi one).
/// - STD3 is checked on the result: Punycode writes a label's ASCII
///   characters as they are, so a result of letters, digits and hyphens
///   means a Unicode form of letters, digits, hyphens and non-ASCII.
/// - _CheckHyphens_ and the rule that an A-label decodes to a non-ASCII
///   label need the Unicode form of each `xn--` label: [`decode`] it. The
///   host converts that Unicode form again and must give the same A-label:
///   its code points are valid and normalized (UTS 46's check of an
///   A-label, which Chromium's URL parser skips in an ASCII host).
/// - _VerifyDnsLength_: every label 1 to 63 octets, 253 in all (no root
///   dot) on the result.
/// - The context rules on the Unicode forms, with the table of properties
///   in [`context`]: no combining mark first, _CheckJoiners_ (CONTEXTJ) and
///   _CheckBidi_ (RFC 5893). Node's URL parser (ada) applies the bidi rule
///   only in part (a label may start with a digit) and lets ZWNJ through in
///   some contexts CONTEXTJ refuses.
///
/// What a host alone decides, and may decide differently from the idna
/// crate: which code points are valid, mapped or disallowed in its Unicode
/// version, and its normalization (of A-labels too).
/// `testdata/idna/cases.json` holds the idna crate's answers, which every
/// runtime's tests compare with.
#[cfg(any(feature = "host-idna", test))]
pub(crate) mod host {
    use super::context;

    /// ToASCII with STD3, CheckHyphens and VerifyDnsLength, from `parse`.
    pub(crate) fn strict(domain: &str, parse: impl Fn(&str) -> Option<String>) -> Option<String> {
        let ascii = ask(domain, &parse, false)?;
        if ascii.len() > 253 {
            return None;
        }
        for label in ascii.split('.') {
            if label.is_empty() || label.len() > 63 || !label.bytes().all(is_lower_ldh) {
                return None;
            }
        }
        let labels = unicode_labels(&ascii, &parse)?;
        (labels.iter().all(|l| hyphens_ok(l)) && context_ok(&labels)).then_some(ascii)
    }

    /// Domain to ASCII without a deny list or length checks, from `parse`;
    /// the caller checks the characters and labels of the result (and
    /// refuses any ASCII but letters, digits, `-`, `_` and dots, which this
    /// refuses already).
    #[cfg(any(feature = "dkim-external", test))]
    pub(crate) fn lenient(domain: &str, parse: impl Fn(&str) -> Option<String>) -> Option<String> {
        let ascii = ask(domain, &parse, true)?;
        if !ascii
            .bytes()
            .all(|b| is_lower_ldh(b) || b == b'_' || b == b'.')
        {
            return None;
        }
        context_ok(&unicode_labels(&ascii, &parse)?).then_some(ascii)
    }

    /// The leading mark, joiner and bidi rules.
    fn context_ok(labels: &[Vec<char>]) -> bool {
        labels.iter().all(|l| context::label_ok(l)) && context::bidi_rule_holds(labels)
    }

    /// The Unicode form of each label: an A-label decoded, another as it
    /// is. An A-label must decode to a non-ASCII label that UTS 46 leaves as
    /// it is (its code points valid, normalized): the host converts that
    /// Unicode form again and must give the same A-label. (A URL parser may
    /// pass an ASCII host through unchecked, as Chromium's does.)
    fn unicode_labels(
        ascii: &str,
        parse: &impl Fn(&str) -> Option<String>,
    ) -> Option<Vec<Vec<char>>> {
        ascii
            .split('.')
            .map(|label| match label.strip_prefix("xn--") {
                Some(code) => {
                    let unicode = decode(code)?;
                    let text: String = unicode.iter().collect();
                    // A Unicode form starting with "xn--": UTS 46 refuses it
                    // (the idna crate only with CheckHyphens, which `strict`
                    // has; some hosts do, some do not: refused in both).
                    if text.starts_with("xn--") {
                        return None;
                    }
                    let again = parse(&(text + ".a"))?;
                    (again.strip_suffix(".a") == Some(label)).then_some(unicode)
                }
                None => Some(label.chars().collect()),
            })
            .collect()
    }

    fn is_lower_ldh(b: u8) -> bool {
        b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'
    }

    /// The host's answer for `domain`, if it has no ASCII the URL parser
    /// would read otherwise and the answer is ASCII. `<`, `=` and `>`
    /// before U+0338 are sent composed (`≮ ≠ ≯`, canonically equivalent:
    /// the same after UTS 46's normalization), as some parsers refuse `<`
    /// and `>` in a host; before anything else they are refused, as STD3
    /// refuses them, unless another combining mark stands between them and
    /// a U+0338 (then the idna crate composes them: see the module).
    fn ask(
        domain: &str,
        parse: &impl Fn(&str) -> Option<String>,
        underscore: bool,
    ) -> Option<String> {
        let mut text = String::with_capacity(domain.len() + 2);
        let mut chars = domain.chars().peekable();
        while let Some(c) = chars.next() {
            let ok = !c.is_ascii()
                || c.is_ascii_alphanumeric()
                || c == '-'
                || c == '.'
                || underscore && c == '_';
            if ok {
                text.push(c);
                continue;
            }
            chars.next_if_eq(&'\u{338}')?;
            text.push(match c {
                '<' => '\u{226E}',
                '=' => '\u{2260}',
                '>' => '\u{226F}',
                _ => return None,
            });
        }
        text.push_str(".a");
        let answer = parse(&text)?;
        let ascii = answer.strip_suffix(".a")?;
        ascii.is_ascii().then(|| ascii.to_string())
    }

    /// No hyphen first, last, or third and fourth (CheckHyphens).
    fn hyphens_ok(label: &[char]) -> bool {
        label.first() != Some(&'-')
            && label.last() != Some(&'-')
            && !(label.len() >= 4 && label[2] == '-' && label[3] == '-')
    }

    /// The Unicode form of an A-label without its `xn--`: RFC 3492's
    /// decoder (lower-case digits only), which also fails when the label
    /// decodes to ASCII only (UTS 46 refuses such an A-label).
    pub(crate) fn decode(code: &str) -> Option<Vec<char>> {
        const BASE: u32 = 36;
        const T_MIN: u32 = 1;
        const T_MAX: u32 = 26;
        let input = code.as_bytes();
        // The basic code points come before the last delimiter; a delimiter
        // first is not one (nothing before it), and fails as a digit.
        let (basic, deltas) = match input.iter().rposition(|&b| b == b'-') {
            Some(p) if p > 0 => (&input[..p], &input[p + 1..]),
            _ => (&input[..0], input),
        };
        let mut out: Vec<char> = basic.iter().map(|&b| char::from(b)).collect();
        let (mut n, mut i, mut bias) = (0x80u32, 0u32, 72u32);
        let mut digits = deltas.iter();
        while digits.len() > 0 {
            let old_i = i;
            let mut weight = 1u32;
            let mut k = BASE;
            loop {
                let digit = match *digits.next()? {
                    b @ b'a'..=b'z' => u32::from(b - b'a'),
                    b @ b'0'..=b'9' => u32::from(b - b'0') + 26,
                    _ => return None,
                };
                i = i.checked_add(digit.checked_mul(weight)?)?;
                let t = k.saturating_sub(bias).clamp(T_MIN, T_MAX);
                if digit < t {
                    break;
                }
                weight = weight.checked_mul(BASE - t)?;
                k += BASE;
            }
            let len = u32::try_from(out.len()).ok()? + 1;
            bias = adapt(i - old_i, len, old_i == 0);
            n = n.checked_add(i / len)?;
            i %= len;
            out.insert(i as usize, char::from_u32(n)?);
            i += 1;
        }
        (!out.iter().all(char::is_ascii)).then_some(out)
    }

    /// RFC 3492's bias adaptation.
    fn adapt(delta: u32, points: u32, first: bool) -> u32 {
        let mut delta = if first { delta / 700 } else { delta / 2 };
        delta += delta / points;
        let mut k = 0;
        while delta > (36 - 1) * 26 / 2 {
            delta /= 36 - 1;
            k += 36;
        }
        k + (36 * delta) / (delta + 38)
    }
}

#[cfg(any(feature = "host-idna", test))]
mod context;

#[cfg(test)]
mod tests {
    use super::host;

    /// A stand-in for a browser's URL parser built on the idna crate: its
    /// WHATWG domain to ASCII with the forbidden domain code points, then
    /// the IPv4 reading of a last label that is a number.
    fn whatwg(text: &str) -> Option<String> {
        let ascii = idna::domain_to_ascii_cow(text.as_bytes(), idna::AsciiDenyList::URL)
            .ok()?
            .into_owned();
        let mut labels: Vec<&str> = ascii.split('.').collect();
        if labels.len() > 1 && labels.last() == Some(&"") {
            labels.pop();
        }
        let last = labels.last()?;
        let number = !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit())
            || last
                .strip_prefix("0x")
                .is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
        (!number).then_some(ascii)
    }

    fn native_strict(domain: &str) -> Option<String> {
        super::idna_crate_strict(domain)
    }

    #[test]
    fn decodes_punycode_as_the_idna_crate_does() {
        let s = |c: &str| host::decode(c).map(|v| v.into_iter().collect::<String>());
        assert_eq!(s("bcher-kva").as_deref(), Some("bücher"));
        assert_eq!(s("fsqu00a").as_deref(), Some("例子"));
        assert_eq!(s("ls8h").as_deref(), Some("💩"));
        assert_eq!(s("zca").as_deref(), Some("ß"));
        // RFC 3492, 7.1 (A): Arabic (Egyptian).
        assert_eq!(
            s("egbpdaj6bu4bxfgehfvwxn").as_deref(),
            Some(
                "\u{644}\u{64a}\u{647}\u{645}\u{627}\u{628}\u{62a}\u{643}\u{644}\u{645}\u{648}\u{634}\u{639}\u{631}\u{628}\u{64a}\u{61f}"
            )
        );
        // ASCII only, a delimiter first or last, upper case, not a digit.
        for bad in [
            "",
            "abc-",
            "-abc",
            "---",
            "BCHER-KVA",
            "bcher-kv!",
            "bcher-kvü",
        ] {
            assert_eq!(host::decode(bad), None, "{bad:?}");
        }
        // Many strings of the Punycode alphabet, against the idna crate's
        // decoder (which leaves ASCII-only results to its caller).
        let alphabet = b"abcdefghijklmnopqrstuvwxyz0123456789-";
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut decoded = 0;
        for _ in 0..100_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = 1 + (seed % 14) as usize;
            let text: String = (0..len)
                .map(|i| char::from(alphabet[((seed >> (i * 4 + 8)) % 37) as usize]))
                .collect();
            let theirs = idna::punycode::decode(&text).filter(|v| v.iter().any(|c| !c.is_ascii()));
            assert_eq!(host::decode(&text), theirs, "{text:?}");
            decoded += usize::from(theirs.is_some());
        }
        assert!(decoded > 10_000, "{decoded}");
    }

    #[test]
    fn the_host_path_gives_the_idna_crates_answers() {
        let cases: serde_json::Value =
            serde_json::from_str(include_str!("../../testdata/idna/cases.json")).unwrap();
        let cases = cases["cases"].as_array().unwrap();
        assert!(cases.len() > 200, "{} cases", cases.len());
        for case in cases {
            let domain = case["domain"].as_str().unwrap();
            if case.get("wasm_refuses").is_some() {
                assert!(case["dkim_domain"].is_string(), "{domain:?}");
                assert_eq!(host::strict(domain, whatwg), None, "{domain:?}");
                assert_eq!(host::lenient(domain, whatwg), None, "{domain:?}");
                continue;
            }
            assert_eq!(
                host::strict(domain, whatwg),
                native_strict(domain),
                "strict {domain:?}"
            );
            // DKIM asks only for a domain or selector that is not ASCII.
            if domain.is_ascii() {
                continue;
            }
            #[cfg(feature = "dkim-external")]
            let lenient = super::to_ascii_lenient(domain).unwrap();
            #[cfg(not(feature = "dkim-external"))]
            let lenient = idna::domain_to_ascii(domain).ok();
            let via_host = host::lenient(domain, whatwg);
            // The host path refuses early what the caller refuses anyway.
            let ldh = |s: &str| {
                s.split('.').all(|l| {
                    !l.is_empty()
                        && l.bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                })
            };
            assert_eq!(
                via_host.filter(|s| ldh(s)),
                lenient.filter(|s| ldh(s)),
                "lenient {domain:?}"
            );
        }
    }

    /// A host that maps nothing and checks nothing: each label Punycode as
    /// it is (what a host that skips UTS 46's checks would give for a
    /// domain already mapped and normalized).
    fn lax(text: &str) -> Option<String> {
        let labels: Vec<String> = text
            .split('.')
            .map(|l| match l.is_ascii() {
                true => l.to_string(),
                false => format!("xn--{}", idna::punycode::encode_str(l).unwrap()),
            })
            .collect();
        Some(labels.join("."))
    }

    #[test]
    fn the_core_applies_the_context_rules_itself() {
        // Every case already in its mapped and normalized form, through a
        // host that checks nothing: the core alone must refuse what the idna
        // crate refuses (leading marks, joiners, bidi, hyphens, lengths).
        let adapter = idna_adapter::Adapter::new();
        let cases: serde_json::Value =
            serde_json::from_str(include_str!("../../testdata/idna/cases.json")).unwrap();
        let (mut checked, mut refused) = (0, 0);
        for case in cases["cases"].as_array().unwrap() {
            let domain = case["domain"].as_str().unwrap();
            let mapped = domain.chars().all(|c| {
                c == '.'
                    || c.is_ascii_lowercase()
                    || c.is_ascii_digit()
                    || c == '-'
                    || !c.is_ascii()
            }) && !domain.contains('\u{FFFD}')
                && !domain.contains("xn--")
                && adapter
                    .normalize_validate(domain.chars())
                    .eq(domain.chars());
            if !mapped {
                continue;
            }
            let native = native_strict(domain);
            assert_eq!(host::strict(domain, lax), native, "strict {domain:?}");
            checked += 1;
            refused += usize::from(native.is_none());
        }
        assert!(
            checked > 500 && refused > 200,
            "{checked} checked, {refused} refused"
        );
    }

    #[test]
    fn a_host_that_answers_wrongly_is_caught() {
        // The answer given for "ü.de"; a label converted again as `lax` does.
        fn says(answer: &'static str) -> impl Fn(&str) -> Option<String> {
            move |q: &str| match q {
                "ü.de.a" => Some(answer.to_string()),
                _ => lax(q),
            }
        }
        assert_eq!(
            host::strict("ü.de", says("xn--tda.de.a")).as_deref(),
            Some("xn--tda.de")
        );
        for wrong in [
            "xn--tda.de",    // no `.a`
            "-x.de.a",       // leading hyphen
            "ab--c.de.a",    // hyphens third and fourth
            "x_y.de.a",      // not STD3
            "X.de.a",        // upper case
            "xn--abc-.de.a", // ASCII-only A-label
            "xn--.de.a",     // empty A-label
            "xn---kva.de.a", // A-label of a leading hyphen
            "xn--tda..de.a", // empty label
            "xn--tda.de..a", // root dot
            "ü.de.a",        // not ASCII
            "xn--ssa.de.a",  // "\u{308}": a mark first
        ] {
            assert_eq!(host::strict("ü.de", says(wrong)), None, "{wrong}");
        }
        let long = format!("{}.de.a", "a".repeat(64));
        assert_eq!(host::strict("ü.de", |_: &str| Some(long.clone())), None);
        assert_eq!(host::strict("ü.de", |_: &str| None), None);
        // An A-label whose Unicode form the host does not give back as it
        // is (here: refuses it, or maps it) is refused.
        let checks_labels = |q: &str| match q {
            "xn--a.de.a" => Some(q.to_string()),
            "\u{80}.a" => None,
            "xn--tda.de.a" => Some(q.to_string()),
            "ü.a" => Some("xn--tda-mapped.a".to_string()),
            _ => panic!("{q:?}"),
        };
        assert_eq!(host::strict("xn--a.de", checks_labels), None);
        assert_eq!(host::strict("xn--tda.de", checks_labels), None);
        assert_eq!(
            host::strict("xn--tda.de", whatwg).as_deref(),
            Some("xn--tda.de")
        );
        // The URL parser never sees its delimiters.
        let never = |_: &str| -> Option<String> { panic!("asked the host") };
        for bad in [
            "ü.de/x",
            "ü.de?x",
            "ü@x.de",
            "ü.de:25",
            "ü\t.de",
            "ü%41.de",
            "ü.de#",
            "ü\\.de",
            " ü.de",
            "a=b.ü",
            "a<ü.de",
            "a<\u{323}\u{338}.de",
            "a>",
        ] {
            assert_eq!(host::strict(bad, never), None, "{bad:?}");
            assert_eq!(host::lenient(bad, never), None, "{bad:?}");
        }
        // `<`, `=`, `>` and U+0338 are sent composed.
        let composed = |q: &str| {
            // (then its label alone, converted again)
            assert!(
                q == "a\u{226E}\u{2260}\u{226F}.de.a" || q == "a\u{226E}\u{2260}\u{226F}.a",
                "{q:?}"
            );
            lax(q)
        };
        assert!(host::strict("a<\u{338}=\u{338}>\u{338}.de", composed).is_some());
        assert_eq!(
            host::lenient("ü_.de", |q: &str| match q {
                "ü_.de.a" => Some("xn--_-eha.de.a".to_string()),
                _ => lax(q),
            })
            .as_deref(),
            Some("xn--_-eha.de")
        );
        assert_eq!(host::lenient("ü.de", says("xn--abc-.de.a")), None);
        assert_eq!(host::lenient("ü.de", says("(x).de.a")), None);
    }
}

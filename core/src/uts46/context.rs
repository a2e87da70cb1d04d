//! The context rules of UTS 46 for the host path, as the idna crate applies
//! them: a label must not start with a combining mark; ZERO WIDTH NON-JOINER
//! and JOINER only where RFC 5892's CONTEXTJ rules allow them
//! (_CheckJoiners_); RFC 5893's bidi rule on every label of a domain with a
//! right-to-left character (_CheckBidi_). Node's URL parser (ada) applies
//! the bidi rule only in part and is lax on joiners; the core applies all
//! three itself.
//!
//! [`RUNS`] gives the properties these rules read (Bidi_Class,
//! Joining_Type, virama, mark) of every code point UTS 46 lets into a label
//! (its status valid or deviation, in the idna crate's ICU4X data); the
//! properties of other code points are whatever keeps the table short, as
//! no label holds them. A unit test derives the table from ICU4X and
//! compares; `MAILWRIGHT_BLESS=1 cargo test -p mailwright --lib
//! uts46::context` rewrites `context_table.rs` after an update of that data.

/// The Bidi_Class values the bidi rule tells apart (Unicode's short names);
/// any other is `Other`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[allow(clippy::upper_case_acronyms)]
pub(crate) enum Bidi {
    L,
    R,
    AL,
    EN,
    AN,
    ES,
    CS,
    ET,
    ON,
    BN,
    NSM,
    Other,
}

const BIDI: [Bidi; 12] = [
    Bidi::L,
    Bidi::R,
    Bidi::AL,
    Bidi::EN,
    Bidi::AN,
    Bidi::ES,
    Bidi::CS,
    Bidi::ET,
    Bidi::ON,
    Bidi::BN,
    Bidi::NSM,
    Bidi::Other,
];

/// The Joining_Type values CONTEXTJ tells apart.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Joining {
    Other,
    Left,
    Dual,
    Right,
    Transparent,
}

/// Bits 4-6 of [`Props`]: a joining type, and whether a virama (Canonical_
/// Combining_Class 9, most of them transparent).
const JOINING: [(Joining, bool); 7] = [
    (Joining::Other, false),
    (Joining::Left, false),
    (Joining::Dual, false),
    (Joining::Right, false),
    (Joining::Transparent, false),
    (Joining::Transparent, true),
    (Joining::Other, true),
];

include!("context_table.rs");

/// The properties of a code point: bits 0-3 its [`Bidi`], 4-6 its
/// [`Joining`] and whether a virama, 7 whether a mark (General_Category M).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Props(u8);

impl Props {
    pub(crate) fn bidi(self) -> Bidi {
        BIDI[usize::from(self.0 & 15)]
    }

    pub(crate) fn joining(self) -> Joining {
        JOINING[usize::from(self.0 >> 4 & 7)].0
    }

    pub(crate) fn is_virama(self) -> bool {
        JOINING[usize::from(self.0 >> 4 & 7)].1
    }

    pub(crate) fn is_mark(self) -> bool {
        self.0 & 0x80 != 0
    }
}

/// The properties of `c` (exact for the code points a label may hold).
pub(crate) fn props(c: char) -> Props {
    let c = u32::from(c);
    let (mut start, mut props) = (0, Props(0));
    let mut bytes = RUNS.iter();
    // Each run: its properties, then its distance from the run before in
    // 7 bits a byte, the lowest first (LEB128).
    while let Some(&p) = bytes.next() {
        let mut delta = 0;
        let mut shift = 0;
        for &b in bytes.by_ref() {
            delta |= u32::from(b & 0x7f) << shift;
            shift += 7;
            if b & 0x80 == 0 {
                break;
            }
        }
        start += delta;
        if start > c {
            break;
        }
        props = Props(p);
    }
    props
}

/// A label's own rules: no combining mark first, joiners in context.
pub(crate) fn label_ok(label: &[char]) -> bool {
    if label.first().is_some_and(|&c| props(c).is_mark()) {
        return false;
    }
    for (i, &c) in label.iter().enumerate() {
        if c != '\u{200C}' && c != '\u{200D}' {
            continue;
        }
        // After a virama, either joiner; else ZWNJ alone, between a
        // letter joining to the left or both ways and one joining to the
        // right or both ways, transparent characters between.
        let Some(&before) = i.checked_sub(1).and_then(|j| label.get(j)) else {
            return false;
        };
        if props(before).is_virama() {
            continue;
        }
        if c == '\u{200D}'
            || !joins(label[..i].iter().rev(), Joining::Left)
            || !joins(label[i + 1..].iter(), Joining::Right)
        {
            return false;
        }
    }
    true
}

/// The first character not transparent joins `side` or both ways.
fn joins<'a>(chars: impl Iterator<Item = &'a char>, side: Joining) -> bool {
    for &c in chars {
        match props(c).joining() {
            Joining::Dual => return true,
            j if j == side => return true,
            Joining::Transparent => continue,
            _ => return false,
        }
    }
    false
}

/// A right-to-left character makes the domain a bidi domain name; the
/// ranges skipped are the idna crate's (none holds one).
fn is_rtl(c: char) -> bool {
    let c32 = u32::from(c);
    if c32 < 0x590
        || (0x900..=0xFB1C).contains(&c32)
        || (0x1F000..=0x3FFFF).contains(&c32)
        || (0xFF00..=0x107FF).contains(&c32)
        || (0x11000..=0x1E7FF).contains(&c32)
    {
        return false;
    }
    matches!(props(c).bidi(), Bidi::R | Bidi::AL | Bidi::AN)
}

/// True unless the domain is a bidi domain name and one of its labels
/// (their Unicode forms) breaks the bidi rule.
pub(crate) fn bidi_rule_holds(labels: &[Vec<char>]) -> bool {
    !labels.iter().flatten().any(|&c| is_rtl(c)) || labels.iter().all(|l| bidi_label_ok(l))
}

/// RFC 5893, 2: rules 1 to 6 for one label.
fn bidi_label_ok(label: &[char]) -> bool {
    use Bidi::*;
    let class = |c: char| props(c).bidi();
    let Some((&first, tail)) = label.split_first() else {
        return true;
    };
    let ltr = match class(first) {
        L => true,
        R | AL => false,
        _ => return false,
    };
    // Trailing nonspacing marks do not count as the last character.
    let mut middle = tail;
    while let Some((&last, prior)) = middle.split_last() {
        let last = class(last);
        if last == NSM {
            middle = prior;
            continue;
        }
        if ltr {
            return matches!(last, L | EN)
                && prior
                    .iter()
                    .all(|&c| matches!(class(c), L | EN | ES | CS | ET | ON | BN | NSM));
        }
        if !matches!(last, R | AL | EN | AN) {
            return false;
        }
        // European and Arabic digits never together.
        let mut numbers = None;
        for c in prior.iter().map(|&c| class(c)).chain([last]) {
            if !matches!(c, R | AL | AN | EN | ES | CS | ET | ON | BN | NSM) {
                return false;
            }
            if matches!(c, EN | AN) {
                if numbers.is_some_and(|n| n != c) {
                    return false;
                }
                numbers = Some(c);
            }
        }
        return true;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use icu_properties::CodePointMapData;
    use icu_properties::props::{BidiClass, CanonicalCombiningClass, JoiningType};

    /// ICU4X's properties of `c` (the idna crate's data).
    fn icu4x(c: char) -> Props {
        let bidi = match CodePointMapData::<BidiClass>::new().get(c) {
            BidiClass::LeftToRight => Bidi::L,
            BidiClass::RightToLeft => Bidi::R,
            BidiClass::ArabicLetter => Bidi::AL,
            BidiClass::EuropeanNumber => Bidi::EN,
            BidiClass::ArabicNumber => Bidi::AN,
            BidiClass::EuropeanSeparator => Bidi::ES,
            BidiClass::CommonSeparator => Bidi::CS,
            BidiClass::EuropeanTerminator => Bidi::ET,
            BidiClass::OtherNeutral => Bidi::ON,
            BidiClass::BoundaryNeutral => Bidi::BN,
            BidiClass::NonspacingMark => Bidi::NSM,
            _ => Bidi::Other,
        };
        let virama = CodePointMapData::<CanonicalCombiningClass>::new().get(c)
            == CanonicalCombiningClass::Virama;
        let joining = match CodePointMapData::<JoiningType>::new().get(c) {
            JoiningType::LeftJoining => Joining::Left,
            JoiningType::DualJoining => Joining::Dual,
            JoiningType::RightJoining => Joining::Right,
            JoiningType::Transparent => Joining::Transparent,
            _ => Joining::Other,
        };
        let mark = idna_adapter::Adapter::new().is_mark(c);
        let b = BIDI.iter().position(|&k| k == bidi).unwrap() as u8;
        let j = JOINING
            .iter()
            .position(|&k| k == (joining, virama))
            .unwrap_or_else(|| panic!("{c:?}: a virama of joining type {joining:?}"))
            as u8;
        Props(b | j << 4 | u8::from(mark) << 7)
    }

    /// The code points UTS 46 lets into a label.
    fn valid() -> impl Iterator<Item = char> {
        let adapter = idna_adapter::Adapter::new();
        (0..=0x10FFFFu32)
            .filter_map(char::from_u32)
            .filter(move |&c| adapter.normalize_validate([c].into_iter()).eq([c]))
    }

    /// The table from ICU4X's data: a run starts where a code point a
    /// label may hold has other properties than the one before.
    fn derived() -> Vec<u8> {
        let (mut runs, mut current, mut previous) = (Vec::new(), None, 0);
        for c in valid() {
            let p = icu4x(c);
            if current == Some(p) {
                continue;
            }
            let start = if runs.is_empty() { 0 } else { u32::from(c) };
            let mut delta = start - previous;
            (previous, current) = (start, Some(p));
            runs.push(p.0);
            loop {
                let low = (delta & 0x7f) as u8;
                delta >>= 7;
                if delta == 0 {
                    runs.push(low);
                    break;
                }
                runs.push(low | 0x80);
            }
        }
        runs
    }

    #[test]
    fn the_table_is_icu4xs() {
        let runs = derived();
        if std::env::var_os("MAILWRIGHT_BLESS").is_some() {
            let mut text = String::from(
                "// Generated by uts46::context::tests (MAILWRIGHT_BLESS=1): see context.rs.\n\
                 #[rustfmt::skip]\n",
            );
            text += &format!("const RUNS: [u8; {}] = [\n", runs.len());
            for row in runs.chunks(16) {
                let row: Vec<String> = row.iter().map(|e| format!("0x{e:02x}")).collect();
                text += &format!("    {},\n", row.join(", "));
            }
            text += "];\n";
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/uts46/context_table.rs");
            std::fs::write(path, text).unwrap();
            return;
        }
        assert_eq!(RUNS[..], runs[..], "context_table.rs is stale: bless it");
        let mut count = 0;
        for c in valid() {
            assert_eq!(props(c), icu4x(c), "{c:?}");
            count += 1;
        }
        assert!(count > 100_000, "{count} code points valid in labels");
    }

    fn labels(d: &str) -> Vec<Vec<char>> {
        d.split('.').map(|l| l.chars().collect()).collect()
    }

    #[test]
    fn the_bidi_rule() {
        for ok in [
            "example.com",
            "مثال.إختبار",
            "مثال1.com",
            "עברית.il",
            "a1.مثال",
            "ا\u{64b}.com",
            "a\u{301}.מ",
        ] {
            assert!(bidi_rule_holds(&labels(ok)), "{ok}");
        }
        for bad in [
            "0a.مثال",
            "1مثال.com",
            "مثالa.com",
            "مثال١2.com",
            "-مثال.com",
            "مثال.1",
            "a-.مثال",
            "💩.مثال",
            "١٢٣ا.com",
        ] {
            assert!(!bidi_rule_holds(&labels(bad)), "{bad}");
        }
    }

    #[test]
    fn the_label_rules() {
        let ok = |l: &str| label_ok(&l.chars().collect::<Vec<_>>());
        assert!(ok("ب\u{200c}ي"));
        assert!(ok("ب\u{64b}\u{200c}\u{64b}ي"));
        assert!(ok("क\u{94d}\u{200d}ष"));
        assert!(ok("क\u{94d}\u{200c}ष"));
        assert!(ok("aü"));
        assert!(!ok("\u{301}a"));
        assert!(!ok("\u{903}a"));
        assert!(!ok("\u{200c}ب"));
        assert!(!ok("a\u{200c}b"));
        assert!(!ok("a\u{200d}b"));
        assert!(!ok("ب\u{200d}ي"));
        assert!(!ok("ܐ\u{200c}ܓ")); // ALAPH joins to the right only
        assert!(!ok("ـ\u{200c}ا")); // TATWEEL is join causing, not dual
        assert!(!ok("ب\u{200c}"));
    }
}

#!/usr/bin/env python3
"""Writes testdata/idna/cases.json: domains every binding converts the way
the core with the idna crate does (UTS 46; the WebAssembly binding asks the
host's URL parser and applies the core's checks, see core/src/uts46.rs).

This script writes the inputs only; the expected results come from the
native core:

    python3 testdata/tools/make_idna_cases.py
    MAILWRIGHT_BLESS=1 cargo test -p mailwright --test idna

Review the diff of cases.json before committing.
"""
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "idna", "cases.json")


def alabel(u):
    """The A-label of a Unicode label, without any UTS 46 mapping or check."""
    return "xn--" + u.encode("punycode").decode("ascii")


# Valid internationalized domains of many scripts and kinds.
VALID = [
    "例子.cn", "例子.测试", "用户.中国", "bücher.de", "münchen.de", "ß.de", "faß.de",
    "straße.de", "ς.gr", "σ.gr", "ελληνικά.gr", "россия.рф", "пример.испытание", "日本語.jp",
    "ドメイン名例.jp", "한국.kr", "ไทย.th", "مثال.إختبار", "مثال1.com", "עברית.il",
    "उदाहरण.परीक्षा", "தமிழ்.in", "ভারত.in", "ಭಾರತ.in", "ქართული.ge", "հայաստան.am",
    "ኢትዮጵያ.et", "ᏣᎳᎩ.us", "😀.com", "💩.la", "☃.net", "♥.example", "≠.com",
    "pаypal.com", "аpple.com", "café.fr", "naïve.example", "ĳssel.nl", "øl.no",
    "åland.ax", "résumé.example", "zürich.ch", "ü.de", "a-ü.de", "ü-a.de", "ü1.de",
    "1ü.de", "例子.co.uk", "mail.例子.cn", "x.y.z.例子", "क्‍ष.com", "ب‌ي.com",
    "i̇stanbul.tr", "ｅｘａｍｐｌｅ.ü", "xn--bcher-kva.de", "xn--fsqu00a.xn--0zwm56d",
    "xn--zca.de", "xn--ls8h.la", "xn--n3h.net", "xn--80akhbyknj4f.xn--p1ai",
    "xn--mgbh0fb.xn--kgbechtv", "xn--hxajbheg2az3al.xn--jxalpdlp", "xn--r8jz45g.jp",
    "xn--4gbrim.xn----ymcbaaajlc6dj7bxne2c.xn--wgbh1c",
]

# Forms UTS 46 maps: case, compatibility characters, ignored code points, dots.
MAPPED = [
    "Bücher.DE", "BÜCHER.de", "MÜNCHEN.DE", "ΣΊΣΥΦΟΣ.gr", "РОССИЯ.РФ", "İstanbul.tr",
    "ﬁ.com", "ﬁü.de", "Ⅻ.com", "①.com", "²ü.de", "™ü.com", "ℌ.com", "ｅｘａｍｐｌｅ.com",
    "ＥＸＡＭＰＬＥ．ＣＯＭ", "例子。cn", "例子．cn", "例子｡cn", "ａ．ｂ．例子", "a\u00adü.de",
    "ü\u00ad.de", "❤️.com", "a\u034fü.de", "ü\u180b.de", "ü\ufe0f.de", "XN--BCHER-KVA.DE",
    "Xn--Bcher-Kva.de", "ｘｎ－－ｂｃｈｅｒ－ｋｖａ.de", "xn--bcher-kva。de", "Ｂüｃｈｅｒ.ｄｅ",
    "ü.ｃｏｍ", "a=\u0338b.com", "a<\u0338.com", "a>\u0338.com", "a=\u0301.com",
    "ü.de\u3002", "ü\uff0ede",
]

# Refused: disallowed code points, bidi, joiners, marks, bad A-labels.
REFUSED = [
    "\ufffd.com", "a\u0080b.ü", "\ue000.com", "\U0010ffff.com", "\u0378.com", "a\u2028ü.de",
    "a\U000e0001ü.de", "ü\u200b.de", "a\u200cb.com", "\u200cü.de", "ü\u200d.de", "a\u200dü.de",
    "👨\u200d👩\u200d👧.com", "\u0301a.com", "\u0301ü.de", "ü.\u0308de", "0a.مثال", "مثالa.com",
    "1مثال.com", "١٢٣.com", "مثال١2.com", "a.עברית1a", "⑵.com", "℀.com", "½.com", "ü\u00a0.de",
    "ü\u3000.de", "ü\u2003.de", "ü\uff05.de", "ü\uff0fx.de", "ü\uff20x.de", "ü\uff1a25.de",
    "ü\uff3f.de", "ü\uff03.de", "ü\uff1f.de", "ü\uff3c.de", "\u2474ü.de", "ü\u2488.de",
    "xn--a.com", "xn--.com", "xn--abc-.com", "xn---abc.com", "xn--bcher-kva-.de",
    "xn--99999999999.com", "xn--zzzzzzzzzzzzzzzz.com", "xn--bcher-kv.de", "xn--xn--bcher-kva.de",
    "xn--bcher--kva.de", "xn--ü.de", "ü.XN--TDA", "Ü.xn--a.de", "xn--bcher-kva.xn--", "xn--9999.com", "xn--a-ecp.ru",
    "xn--tda.xn--tda.", "ü.xn--ls8h-", "xn--BCHER-kva.de",
]

# A-labels of Unicode labels UTS 46 refuses as A-labels (not NFC, mapped,
# hyphens, joiners, bidi, ASCII only), and of valid ones.
ALABEL_OF = [
    "Bücher", "u\u0308", "ﬁü", "-ü", "ü-", "ab--ü", "üb--x", "a\u200cb", "a\u200db",
    "क्\u200dष", "\u0301ü", "مثالa", "ß", "ς", "ü", "例子", "ü_", "ü ", "ü%", "ü/", "ü@",
    "ü:", "ü.", "xn--ü", "aü", "1ü", "\u00ad", "💩", "\ufffd", "\u0378", "ü\u0080",
]

# Neighbours of every rule around valid domains.
ASCII = ["_", " ", "%", "/", "@", ":", "#", "?", "\\", "[", "]", "<", ">", "=", "!", "$",
         "(", ")", "*", "+", ",", ";", '"', "'", "~", "`", "^", "|", "{", "}", "&", "\t",
         "\x7f", "\x00", "\x01", "\x1f", "\n", "\r"]


def length_cases():
    out = []
    for n in (61, 62, 63, 64):
        out.append("a" * n + ".ü.de")          # an ASCII label of n octets
        out.append("ü" + "a" * (n - 8) + ".de")  # an A-label of about n octets
    label = "ü" + "a" * 52                     # A-label "xn--" + 53 + "-" + 3 = 61 octets
    for count in (3, 4):
        out.append(".".join([label] * count) + ".de")
    for total in (250, 251, 252, 253, 254, 255):
        # ASCII labels of 63 and a last IDN label to reach `total` octets.
        head = ".".join(["a" * 63] * 3)      # 191 octets
        rest = total - len(head) - 1 - len("xn--tda")
        out.append(head + "." + "b" * rest + ".ü" if rest > 0 else head + ".ü")
    out.append("ü" * 60 + ".de")
    out.append("例" * 20 + ".cn")
    out.append("例" * 30 + ".cn")
    out.append("ü." * 130 + "de")
    return out


# Characters whose mix the bidi rule, the joiner rules, the leading mark
# rule and the hyphen rules judge: letters L, R and AL, digits EN and AN,
# nonspacing marks, a virama, ZWNJ and ZWJ, a tatweel (join causing),
# symbols, hyphens, dots; random labels of them (seeded: the same each run).
POOL = ["a", "z", "é", "ß", "0", "1", "9", "ا", "ب", "ي", "ه", "ـ", "א", "ב", "ܒ", "٠", "١", "۱", "\u0301",
        "\u064b", "\u05b0", "\u200c", "\u200d", "क", "ष", "\u094d", "😀", "☃", "©", "°", "-", "例", "ｱ", "Ａ"]


def random_cases(count, seed=14):
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        labels = ["".join(rng.choice(POOL) for _ in range(rng.randint(1, 5))) for _ in range(rng.randint(1, 3))]
        domain = rng.choice([".", "。", "．"]).join(labels)
        out.append(domain + rng.choice(["", ".com", ".مثال", ".xn--mgbh0fb"]))
    return out


# Labels of one script with a digit, mark or joiner now and then: mostly
# valid, near the rules' edges.
SCRIPTS = [["a", "b", "é", "ß", "ü"], ["ا", "ب", "ي", "ه", "ل", "ـ"], ["א", "ב", "ש"], ["क", "ष", "त", "\u094d"],
           ["ܒ", "ܓ", "ܐ"], ["例", "子", "ｱ"]]
EXTRA = ["0", "1", "٠", "١", "۱", "\u0301", "\u064b", "\u05b0", "\u200c", "\u200d", "-", "😀", "\u0903", "\u20dd",
         "\u0711", "\u0670", "\u093c"]


def script_cases(count, seed=46):
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        labels = []
        for _ in range(rng.randint(1, 3)):
            script = rng.choice(SCRIPTS)
            label = [rng.choice(script) for _ in range(rng.randint(1, 6))]
            if rng.random() < 0.7:
                label.insert(rng.randint(0, len(label)), rng.choice(EXTRA))
            labels.append("".join(label))
        out.append(".".join(labels) + rng.choice(["", ".com"]))
    return out


# The differences left on purpose (core/src/uts46.rs): `<`, `=` or `>`
# composed with U+0338 by normalization although something stands between
# them (the idna crate accepts these; the WebAssembly build, which sends `<`,
# `=`, `>` to the host only when U+0338 follows at once, refuses them); an
# A-label whose Unicode form starts with "xn--" in a DKIM domain (UTS 46
# refuses it, so do some hosts; the idna crate without CheckHyphens does not).
WASM_REFUSES = {
    "ü.xn--xn---3ra": "an A-label whose Unicode form (xn--ü) starts with xn--: UTS 46 refuses it",
    "a<\u0323\u0338.com": "a combining mark between `<` and U+0338",
    "a=\u00ad\u0338.com": "a soft hyphen (ignored) between `=` and U+0338",
    "ü>\u0323\u0338.de": "a combining mark between `>` and U+0338",
}


def cases():
    domains = []
    add = domains.append
    for d in VALID + MAPPED + REFUSED:
        add(d)
    for u in ALABEL_OF:
        add(alabel(u) + ".de")
    # Hyphens, dots and numbers around a valid IDN.
    for d in ["ü.de", "例子.cn", "💩.la", "مثال.إختبار"]:
        first, _, rest = d.partition(".")
        for v in [
            "-" + d, first + "-." + rest, first[:1] + "--" + d, "ab--" + d, d + "-",
            d + ".", "." + d, first + ".." + rest, d + "..", "。" + d, d + "。。",
            first + "." + "-" + rest, first + "." + rest + "-", first + ".1", first + ".123",
            first + ".１２３", first + ".0x1f", first + ".0x", first + ".09", first + ".1.",
            "1." + d, "1.2.3." + d, first + "." + rest.upper(), d.upper(),
            first + "．" + rest, first + "｡" + rest, first + "\u3002" + rest + "\u3002",
        ]:
            add(v)
        for c in ASCII:
            add(first + c + "." + rest)
            add(c + d)
            add(d + c)
    # The same rules on plain ASCII domains the fast path does not take.
    for d in ["-example.com", "example-.com", "ex--ample.com", "example..com", ".example.com",
              "example.com.", "a_b.com", "_dmarc.example.com", "EXAMPLE.COM", "exa mple.com",
              "example.123", "1.2.3.4", "xn--.example", "a.b-.c", "a.-b.c", "ab--.com",
              "a" * 64 + ".com", ("a" * 63 + ".") * 4 + "com", "ex%41mple.com"]:
        add(d)
    domains += length_cases()
    domains += random_cases(500)
    domains += script_cases(500)
    seen, unique = set(), []
    for d in domains:
        if d and d not in seen:
            seen.add(d)
            unique.append(d)
    return unique


def main():
    doc = {
        "description": "Domains converted by UTS 46 as the core does with the idna crate: `address` is the domain of "
        "the mailbox { address: 'x@' + domain } (Mailbox::new), `dkim_domain` and `dkim_selector` the d= and s= of "
        "a DKIM signer given the domain as its domain or selector; each the ASCII form or { error: kind }. A case "
        "with `wasm_refuses` is refused by the WebAssembly build (InvalidAddress, InvalidDkimOption) on purpose, "
        "for the reason given (see core/src/uts46.rs). Inputs from "
        "testdata/tools/make_idna_cases.py, results from the native core (MAILWRIGHT_BLESS=1 cargo test -p "
        "mailwright --test idna).",
        "cases": [{"domain": d} for d in cases()]
        + [{"domain": d, "wasm_refuses": why} for d, why in WASM_REFUSES.items()],
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"{len(doc['cases'])} domains written to {os.path.relpath(OUT)}")


if __name__ == "__main__":
    main()

"""Every golden vector in testdata/vectors and testdata/vectors-13 (List-Unsubscribe,
DKIM, calendar invitations), byte for byte, through the Python API."""
import json

import pytest

import mailwright
from conftest import VECTORS
from vectors import build

VECTORS_13 = VECTORS.parent / "vectors-13"
CASES = sorted(VECTORS.glob("*.json")) + sorted(VECTORS_13.glob("*.json"))
RAN = set()


def case_id(path):
    return path.stem if path.parent == VECTORS else f"13/{path.stem}"


def test_vectors_exist():
    # A runner that ran no vector must fail.
    assert len(list(VECTORS.glob("*.json"))) >= 20
    signed = [p for p in VECTORS_13.glob("*.json") if '"dkim"' in p.read_text(encoding="utf-8")]
    assert len(list(VECTORS_13.glob("*.eml"))) >= 8 and len(signed) >= 6


@pytest.mark.parametrize("path", CASES, ids=[case_id(p) for p in CASES])
def test_vector(path):
    RAN.add(path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    if "expected_error" in doc:
        with pytest.raises(mailwright.MailwrightError) as info:
            build(doc["input"])
        assert info.value.kind == doc["expected_error"]
        assert type(info.value) is mailwright.errors._BY_KIND[doc["expected_error"]]
        return
    msg = build(doc["input"])
    expected = path.with_suffix(".eml").read_bytes()
    actual = msg.as_bytes()
    if actual != expected:
        a, e = actual.split(b"\n"), expected.split(b"\n")
        at = next((i for i, (x, y) in enumerate(zip(a, e)) if x != y), min(len(a), len(e)))
        pytest.fail(f"line {at + 1} differs: got {a[at:at + 1]!r}, expected {e[at:at + 1]!r}")
    assert msg.size == len(expected) == len(msg)
    assert bytes(msg) == expected
    assert msg.envelope.sender == doc["expected_envelope"]["sender"]
    assert msg.envelope.recipients == doc["expected_envelope"]["recipients"]
    assert msg.is_signed == ("dkim" in doc["input"])


def test_every_vector_ran():
    # Runs after test_vector (definition order): every case of both folders was tried.
    missing = sorted(case_id(p) for p in (set(VECTORS.glob("*.json")) | set(VECTORS_13.glob("*.json"))) - RAN)
    assert not missing, f"vectors not run: {missing}"


MEMBERS = {"from": "Support <support@ifaxin.com>", "sender": "Ops <ops@ifaxin.com>",
           "envelope_from": "bounce@ifaxin.com", "to": ["Ben <ben@ifaxin.com>", "ann@ifaxin.com"],
           "cc": ["Cy <cy@ifaxin.com>"], "bcc": ["audit@ifaxin.com"], "reply_to": ["Rae <rae@ifaxin.com>"]}


def as_object(text):
    name, _, rest = text.rpartition(" <")
    return {"name": name, "address": rest[:-1]} if rest.endswith(">") else {"address": text}


@pytest.mark.parametrize("member", sorted(MEMBERS))
def test_object_or_string_in_every_mailbox_member(member):
    """testdata/README: every mailbox member may be a string or an object {"name"?, "address"}."""
    fixed = dict(text="x", message_id="m@ifaxin.com", date=0, boundary_seed="s")
    strings = dict(MEMBERS, **fixed)
    objects = dict(strings)
    value = MEMBERS[member]
    objects[member] = [as_object(v) for v in value] if isinstance(value, list) else as_object(value)
    assert build(objects).as_bytes() == build(strings).as_bytes()
    assert build(objects).envelope.recipients == ["ben@ifaxin.com", "ann@ifaxin.com", "cy@ifaxin.com",
                                                  "audit@ifaxin.com"]

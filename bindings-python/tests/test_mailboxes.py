"""Mailbox arguments: every accepted form, and no ambiguous one (issue 10, item 4).

Single-mailbox arguments (from_addr, sender, envelope_from) take one mailbox:
a str, a (name, address) tuple, or an email.headerregistry.Address.
List arguments (to, cc, bcc, reply_to) take one str / Address, or an iterable
of mailboxes; a bare 2-tuple is refused, since ("a@x.com", "b@y.com") could
mean one named mailbox or two recipients.
"""
import email
import email.policy
from email.headerregistry import Address

import pytest

import mailwright

LIST_FIELDS = ["to", "cc", "bcc", "reply_to"]


def make(**fields):
    fields.setdefault("to", "z@ifaxin.com")
    return mailwright.Message("Support <support@ifaxin.com>", text="x", message_id="m@ifaxin.com",
                              date=0, boundary_seed="s", **fields)


def header(msg, name):
    return email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)[name]


@pytest.mark.parametrize("field", LIST_FIELDS)
def test_a_bare_pair_is_refused_with_how_to_write_it(field):
    for value in [("a@x.com", "b@y.com"), ("Ben", "ben@ifaxin.com"), (None, "ben@ifaxin.com")]:
        with pytest.raises(TypeError) as info:
            make(**{field: value})
        text = str(info.value)
        assert f"{field}=[(name, address)]" in text and f"{field}=[address1, address2]" in text


@pytest.mark.parametrize("field", LIST_FIELDS)
def test_every_list_form(field):
    def recipients(value):
        msg = make(**{field: value, "to": value if field == "to" else "z@ifaxin.com"})
        return msg.envelope.recipients, msg

    if field == "reply_to":
        one = make(reply_to="r@ifaxin.com")
        assert str(header(one, "reply-to")) == "r@ifaxin.com"
        two = make(reply_to=["r@ifaxin.com", ("Rae", "rae@ifaxin.com")])
        assert [a.addr_spec for a in header(two, "reply-to").addresses] == ["r@ifaxin.com", "rae@ifaxin.com"]
        assert header(two, "reply-to").addresses[1].display_name == "Rae"
        return
    base = [] if field == "to" else ["z@ifaxin.com"]
    # One str: one mailbox.
    assert recipients("a@x.com")[0] == (["a@x.com"] if field == "to" else base + ["a@x.com"])
    # A list (or tuple of other length, or generator) of str: one mailbox each.
    for value in (["a@x.com", "b@y.com"], ("a@x.com", "b@y.com", "c@z.com"), (a for a in ["a@x.com", "b@y.com"])):
        got, _ = recipients(value)
        assert got[len(base) if field != "to" else 0:][:2] == ["a@x.com", "b@y.com"]
    # Named mailboxes go INSIDE the list, as pairs; a one-item tuple is a sequence too.
    got, msg = recipients([("Ben", "ben@ifaxin.com"), "b@y.com", (None, "c@z.com")])
    assert got[-3:] == ["ben@ifaxin.com", "b@y.com", "c@z.com"]
    got, _ = recipients((("Ben", "ben@ifaxin.com"),))
    assert got[-1] == "ben@ifaxin.com"
    if field != "bcc":
        shown = header(msg, field)
        assert shown.addresses[0].display_name == "Ben"
        assert [a.addr_spec for a in shown.addresses] == ["ben@ifaxin.com", "b@y.com", "c@z.com"]
    # email.headerregistry.Address, alone or in the list.
    got, _ = recipients(Address("Ann", addr_spec="ann@ifaxin.com"))
    assert got[-1] == "ann@ifaxin.com"
    got, _ = recipients([Address("Ann", "ann", "ifaxin.com"), "b@y.com"])
    assert got[-2:] == ["ann@ifaxin.com", "b@y.com"]


def test_single_mailbox_fields_keep_the_pair():
    msg = mailwright.Message(("客服", "support@ifaxin.com"), to=["ben@ifaxin.com"], text="x",
                             sender=("Ops", "ops@ifaxin.com"), envelope_from=(None, "bounce@ifaxin.com"))
    assert header(msg, "from").addresses[0].display_name == "客服"
    assert header(msg, "sender").addresses[0].display_name == "Ops"
    assert msg.envelope.sender == "bounce@ifaxin.com"
    msg = mailwright.Message(Address("Sup", addr_spec="support@ifaxin.com"), to="b@ifaxin.com", text="x")
    assert header(msg, "from").addresses[0].display_name == "Sup"


@pytest.mark.parametrize("value", [42, [42], [("a", "b", "c")], [["Ben", "ben@ifaxin.com"]], b"a@x.com"])
def test_wrong_types_in_lists(value):
    with pytest.raises(TypeError):
        make(to=value)


@pytest.mark.parametrize("value", [["a@x.com", "b@y.com"], ("a@x.com", "b@y.com", "c@z.com")])
def test_a_single_mailbox_field_refuses_a_list(value):
    with pytest.raises(TypeError):
        mailwright.Message(value, to="b@ifaxin.com", text="x")

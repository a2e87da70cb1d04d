"""Golden vector input (testdata/README.md) → the Python API."""
import base64
import pathlib

import mailwright

#: The fixed DKIM test keys a vector's signer names (testdata/dkim, key_file).
DKIM_KEYS = pathlib.Path(__file__).resolve().parents[2] / "testdata" / "dkim"


SINGLE = ("sender", "envelope_from")  # and "from", given positionally
LISTS = ("to", "cc", "bcc", "reply_to")
KNOWN = {"from", *SINGLE, *LISTS, "subject", "text", "html", "message_id", "date", "boundary_seed",
         "in_reply_to", "references", "inline", "attachments", "headers", "sc_custom", "x_smtpapi",
         # vectors-13 (issue 13)
         "list_unsubscribe", "one_click_unsubscribe", "list_id", "calendar", "dkim"}
SIGNER = {"key_file", "key_seed_base64", "domain", "selector", "time", "canonicalization", "expires_after"}



def mailbox(value):
    """A vector mailbox (a str, or an object {"name"?, "address"}) as the Python API takes it."""
    if isinstance(value, str):
        return value
    return (value.get("name"), value["address"])


def signer(spec):
    """A vector's DKIM signer: a PEM key file of testdata/dkim or a raw Ed25519 seed."""
    unknown = set(spec) - SIGNER
    assert not unknown, f"the runner does not know the signer members {sorted(unknown)}"
    if "key_file" in spec:
        key = mailwright.DkimKey.from_pem((DKIM_KEYS / spec["key_file"]).read_text(encoding="ascii"))
    else:
        key = mailwright.DkimKey.ed25519_seed(base64.b64decode(spec["key_seed_base64"]))
    return mailwright.DkimSigner(spec["domain"], spec["selector"], key, time=spec.get("time"),
                                 canonicalization=spec.get("canonicalization"),
                                 expires_after=spec.get("expires_after"))


def build(inp):
    unknown = set(inp) - KNOWN
    assert not unknown, f"the runner does not know the input members {sorted(unknown)}"
    kwargs = {}
    for key in LISTS:
        if key in inp:
            kwargs[key] = [mailbox(v) for v in inp[key]]
    for key in SINGLE:
        if key in inp:
            kwargs[key] = mailbox(inp[key])
    for key in ("subject", "text", "html", "message_id", "date", "boundary_seed", "in_reply_to", "references"):
        if key in inp:
            kwargs[key] = inp[key]
    if "inline" in inp:
        kwargs["inline"] = [
            mailwright.Inline(p["content_id"], p["content_type"], base64.b64decode(p["data_base64"]), p.get("filename"))
            for p in inp["inline"]
        ]
    if "attachments" in inp:
        kwargs["attachments"] = [
            mailwright.Attachment(p["filename"], p["content_type"], base64.b64decode(p["data_base64"]))
            for p in inp["attachments"]
        ]
    if "headers" in inp:
        kwargs["headers"] = [tuple(h) for h in inp["headers"]]
    if "sc_custom" in inp:
        kwargs["sc_custom"] = [tuple(h) for h in inp["sc_custom"]]
    if "x_smtpapi" in inp:
        api = inp["x_smtpapi"]
        filters = api.get("filters", {})
        kwargs["x_smtpapi"] = mailwright.XSmtpApi(
            to=api.get("to"), sub=api.get("sub"), section=api.get("section"),
            open_tracking=filters.get("open_tracking"), click_tracking=filters.get("click_tracking"),
            subscription_tracking=filters.get("subscription_tracking"))
    for key in ("list_unsubscribe", "one_click_unsubscribe", "list_id"):
        if key in inp:
            kwargs[key] = inp[key]
    if "calendar" in inp:
        c = inp["calendar"]
        kwargs["calendar"] = mailwright.Calendar(c["method"], c["content"], attachment=c.get("attachment"))
    if "dkim" in inp:
        kwargs["dkim"] = [signer(spec) for spec in inp["dkim"]]
    return mailwright.Message(mailbox(inp["from"]) if "from" in inp else None, **kwargs)

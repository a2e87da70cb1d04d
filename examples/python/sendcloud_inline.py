"""The SendCloud reference's inline-image example, written with mailwright.

The original builds MIMEMultipart('related') with MIMEText(html) and MIMEImage
plus a Content-ID, logs in with api_user + '#' + label_id after STARTTLS and
calls smtplib.sendmail. Here:

    python sendcloud_inline.py [OUT.eml] [--send HOST[:PORT] --user U --key K [--label L]
                               [--tls MODE] [--ca CA.pem | --pin SHA256 | --pin-cert CERT.pem]]
                               [--unsubscribe HTTPS-URL] [--dkim KEY.pem --selector S]

--unsubscribe adds RFC 8058 one-click unsubscribe; --dkim signs the message
for the From domain (and turns SendCloud's open tracking off, which would
rewrite the signed body). See docs/BULK-SENDERS.md.

Options left out take the core's defaults (port 25, or 465 with --tls implicit;
STARTTLS required; a 30-second time-out).
"""
from __future__ import annotations

import argparse
import pathlib
import smtplib
from typing import Optional

import mailwright

HERE = pathlib.Path(__file__).resolve().parent


def build(png: bytes, unsubscribe: Optional[str] = None,
          dkim: Optional[mailwright.DkimSigner] = None) -> mailwright.Message:
    return mailwright.Message(
        from_addr="postmaster@testdomain.sendcloud.org",
        to=["test123@qq.com"],
        subject="python test inline image",
        html='test image content <img src="cid:image1" alt="xxxxx">',
        inline=[mailwright.Inline("image1", "image/png", png)],
        x_smtpapi=mailwright.XSmtpApi(to=["test123@qq.com"], open_tracking=dkim is None),
        list_unsubscribe=unsubscribe, one_click_unsubscribe=unsubscribe is not None,
        dkim=dkim,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", default="sendcloud-inline.eml")
    parser.add_argument("--image", default=str(HERE.parent / "assets" / "test.png"))
    parser.add_argument("--send", metavar="HOST:PORT")
    parser.add_argument("--user")
    parser.add_argument("--key")
    parser.add_argument("--label")
    parser.add_argument("--tls", choices=mailwright.TLS_MODES, help="default: starttls")
    parser.add_argument("--ca", help="a CA to trust besides the usual roots")
    parser.add_argument("--pin", help="trust exactly the certificate with this SHA-256 fingerprint")
    parser.add_argument("--pin-cert", help="trust exactly this (self-signed, say) certificate, PEM")
    parser.add_argument("--unsubscribe", help="an https: URL that unsubscribes on a POST (one-click)")
    parser.add_argument("--dkim", help="sign with this PEM private key (RSA or Ed25519)")
    parser.add_argument("--selector", default="mw", help="the DKIM selector (default: mw)")
    args = parser.parse_args()

    signer = None
    if args.dkim:
        key = mailwright.DkimKey.from_pem(pathlib.Path(args.dkim).read_bytes())
        signer = mailwright.DkimSigner("testdomain.sendcloud.org", args.selector, key)
        print(f"dkim      publish at {args.selector}._domainkey.testdomain.sendcloud.org: {key.dns_record()}")
    msg = build(pathlib.Path(args.image).read_bytes(), args.unsubscribe, signer)
    pathlib.Path(args.output).write_bytes(msg.as_bytes())
    print(f"wrote     {args.output}")
    print(f"structure {msg.structure}")
    print(f"size      {msg.size} bytes")
    print(f"envelope  {msg.envelope.sender} -> {', '.join(msg.envelope.recipients)}")

    # The bytes work with the standard library too:
    #   smtplib.SMTP(...).sendmail(msg.envelope.sender, msg.envelope.recipients, msg.as_bytes())
    assert isinstance(smtplib.SMTP, type)

    if args.send:
        host, _, port = args.send.partition(":")
        pin_cert = pathlib.Path(args.pin_cert).read_bytes() if args.pin_cert else None
        try:
            creds = mailwright.Credentials(args.user or "", args.key or "", label=args.label)
            result = mailwright.send(msg, host=host, port=int(port) if port else None, credentials=creds,
                                     tls=args.tls, ca_file=args.ca, pin_sha256=args.pin, pin_certificate=pin_cert)
        except mailwright.InvalidInputError as err:
            print(f"bad option: {err.kind}: {err}")
            return 2
        except mailwright.MailwrightError as err:
            # The core says whether trying again later may help (4xx, 536 rate limiting, a lost connection).
            when = "retry later" if err.transient else "do not retry as is"
            print(f"not sent ({err.category}): {err.kind}: {err}; {when}")
            return 75 if err.transient else 1
        print(f"queue id  {result.queue_id}")
        print(f"accepted  {', '.join(result.accepted)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

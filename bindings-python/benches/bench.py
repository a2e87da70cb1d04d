#!/usr/bin/env python3
"""W1/W2/W3 (as in docs/BENCHMARKS.md): mailwright next to Python's own email
package (the modern EmailMessage API and the email.mime classes of the
SendCloud example), in one run. Each iteration builds the message from the
same inputs and turns it into bytes. W3's peak memory is measured in a fresh
process per library: the peak resident size (VmHWM, reset once the inputs
exist) minus the resident size then, compared with the output's size.

    python benches/bench.py            (make -C bindings-python bench)
"""
import json
import subprocess
import sys
import time
from email.message import EmailMessage
from email.mime.application import MIMEApplication
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

import mailwright

SUBJECT = "测试内嵌图片：您的季度报告"
TEXT = ("您好，这是一封测试邮件。Hello, this is the plain text part of the message.\n" * 12)[:1024]
HTML = "<p>您好，这是一封<b>测试</b>邮件。Hello from the HTML part.</p>\n" * 36


def noise(n, seed):
    out = bytearray()
    x = seed
    while len(out) < n:
        x ^= (x << 13) & 0xFFFFFFFFFFFFFFFF
        x ^= x >> 7
        x ^= (x << 17) & 0xFFFFFFFFFFFFFFFF
        out += x.to_bytes(8, "little")
    return bytes(out[:n])


def workload(name):
    if name == "W1":
        return None, None, HTML
    if name == "W2":
        return noise(100 * 1024, 7), None, HTML + '<img src="cid:image1">'
    return None, noise(10 * 1024 * 1024, 9), HTML


def mw(png, pdf, html):
    return mailwright.Message(
        from_addr=("客服", "support@ifaxin.com"), to=["Ben <ben@ifaxin.com>", "joe@ifaxin.com"],
        subject=SUBJECT, text=TEXT, html=html,
        inline=[mailwright.Inline("image1", "image/png", png)] if png else None,
        attachments=[mailwright.Attachment("报告.pdf", "application/pdf", pdf)] if pdf else None,
    ).as_bytes()


def modern(png, pdf, html):
    msg = EmailMessage()
    msg["From"] = "客服 <support@ifaxin.com>"
    msg["To"] = "Ben <ben@ifaxin.com>, joe@ifaxin.com"
    msg["Subject"] = SUBJECT
    msg.set_content(TEXT)
    msg.add_alternative(html, subtype="html")
    if png:
        msg.get_payload()[1].add_related(png, "image", "png", cid="<image1>")
    if pdf:
        msg.add_attachment(pdf, maintype="application", subtype="pdf", filename="报告.pdf")
    return msg.as_bytes()


def mime(png, pdf, html):
    alternative = MIMEMultipart("alternative")
    alternative.attach(MIMEText(TEXT, "plain", "utf-8"))
    alternative.attach(MIMEText(html, "html", "utf-8"))
    body = alternative
    if png:
        body = MIMEMultipart("related")
        body.attach(alternative)
        image = MIMEImage(png, "png")
        image.add_header("Content-ID", "<image1>")
        body.attach(image)
    root = body
    if pdf:
        root = MIMEMultipart("mixed")
        root.attach(body)
        part = MIMEApplication(pdf, "pdf")
        part.add_header("Content-Disposition", "attachment", filename=("utf-8", "", "报告.pdf"))
        root.attach(part)
    root["From"] = "客服 <support@ifaxin.com>"
    root["To"] = "Ben <ben@ifaxin.com>, joe@ifaxin.com"
    root["Subject"] = SUBJECT
    return root.as_bytes()


LIBS = {"mailwright": mw, "email.message (EmailMessage)": modern, "email.mime": mime}


def rate(fn, args, seconds):
    fn(*args)
    n, start = 0, time.perf_counter()
    while True:
        size = len(fn(*args))
        n += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return n / elapsed, size


def vm(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def memory(lib, name):
    """Peak RSS growth (KiB) beyond input + output while building W3 once."""
    args = workload(name)
    # Reset the peak (VmHWM) to what is resident now: the inputs exist.
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    before = vm("VmRSS")
    out = LIBS[lib](*args)
    peak = vm("VmHWM")
    print(json.dumps({"extra_kib": peak - before, "output": len(out), "input": sum(len(a) for a in args if a)}))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--memory":
        lib, name = sys.argv[2].split("|")
        return memory(lib, name)
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    results = {}
    for name in ("W1", "W2", "W3"):
        args = workload(name)
        for lib, fn in LIBS.items():
            per_sec, size = rate(fn, args, seconds)
            results[(name, lib)] = (per_sec, size)
            unit = f"{per_sec * size / 1e6:9.1f} MB/s" if name == "W3" else f"{per_sec:9.0f} msg/s"
            print(f"{name} {lib:30} {unit}   ({size} bytes)")
        best = max(results[(name, l)][0] for l in LIBS if l != "mailwright")
        print(f"{name} mailwright vs the faster stdlib API: {results[(name, 'mailwright')][0] / best:.1f}x")
    print("W3 peak memory beyond the 10 MiB input (fresh process each):")
    for lib in LIBS:
        out = subprocess.run([sys.executable, __file__, "--memory", f"{lib}|W3"], check=True,
                             capture_output=True, text=True).stdout
        m = json.loads(out)
        beyond = (m["extra_kib"] * 1024 - m["output"]) / 1048576
        print(f"   {lib:30} peak +{m['extra_kib'] / 1024:6.1f} MiB over the inputs = output "
              f"{m['output'] / 1048576:.1f} MiB + {beyond:.1f} MiB")


if __name__ == "__main__":
    main()

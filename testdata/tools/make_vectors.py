#!/usr/bin/env python3
"""Writes the inputs of the golden vectors (testdata/vectors/*.json).

The expected bytes (*.eml) are written by the core's golden test in bless
mode (`MAILWRIGHT_BLESS=1 cargo test -p mailwright --test golden`) and then
reviewed by hand and checked by an independent parser; they are never
regenerated silently. Run this only to add or change a case.
"""
import base64, json, os, struct, zlib

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "vectors")

DATE = 1426390015          # 2015-03-15T03:26:55Z, the queue id's timestamp in the reference
SEED = "golden"


def png(width, height, rgb):
    """A real, decodable PNG of one colour."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def b64(data):
    return base64.b64encode(data).decode()


RED = b64(png(8, 8, (220, 30, 30)))
BLUE = b64(png(4, 4, (30, 30, 220)))
PDF = b64(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
BINARY = b64(bytes(range(256)) * 3)
SVG = b64(b'<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8" fill="#dc1e1e"/></svg>\n')


def fixed(**fields):
    base = {"message_id": "golden.%s@ifaxin.com" % fields.pop("_id"), "date": DATE, "boundary_seed": SEED}
    base.update(fields)
    return base


CASES = {
    "sendcloud_inline_image": ("The SendCloud reference's Python example: an HTML body referring to cid:image1 and the PNG in multipart/related.",
        fixed(_id="inline", **{"from": "postmaster@testdomain.sendcloud.org", "to": ["test123@qq.com"],
              "subject": "python test inline image",
              "html": 'test image content <img src="cid:image1" alt="xxxxx">',
              "inline": [{"content_id": "image1", "content_type": "image/png", "data_base64": RED}]})),
    "chinese_everywhere": ("Chinese subject, display names, bodies and attachment name.",
        fixed(_id="zh", **{"from": {"name": "搜狐客服", "address": "support@ifaxin.com"},
              "to": ["本 <ben@ifaxin.com>"], "subject": "测试内嵌图片：您的季度报告已生成",
              "text": "您好，\n\n附件是您的季度报告。\n\n—— 搜狐客服", "html": "<p>您好，</p><p>附件是您的<b>季度报告</b>。</p>",
              "attachments": [{"filename": "报告.pdf", "content_type": "application/pdf", "data_base64": PDF}]})),
    "bcc_not_in_headers": ("Bcc recipients are in the envelope only; duplicates across To/Cc/Bcc are dropped, order kept.",
        fixed(_id="bcc", **{"from": "support@ifaxin.com", "to": ["ben@ifaxin.com", "joe@ifaxin.com"], "cc": ["Ben <ben@ifaxin.com>", "ann@ifaxin.com"],
              "bcc": ["audit@ifaxin.com", "joe@ifaxin.com"], "subject": "Bcc check", "text": "Hello"})),
    "x_smtpapi_sub_filters": ("SendCloud X-SMTPAPI with to, sub, section and filters, written last, plus SC-Custom headers.",
        fixed(_id="api", **{"from": "support@ifaxin.com", "to": ["ben@ifaxin.com"], "subject": "Hello %name%",
              "html": "<p>Dear %name%, you owe %money%. %sec%</p>",
              "sc_custom": [["key1", "value1"], ["campaign", "春季"]],
              "x_smtpapi": {"to": ["ben@ifaxin.com", "joe@ifaxin.com"],
                            "sub": {"%name%": ["Ben", "乔"], "%money%": ["288", "497"]},
                            "section": {"%sec%": "Thanks."},
                            "filters": {"open_tracking": True, "click_tracking": False, "subscription_tracking": True}}})),
    "x_smtpapi_text_only": ("X-SMTPAPI on a single-part message: it still comes after Content-Transfer-Encoding.",
        fixed(_id="api1", **{"from": "support@ifaxin.com", "to": ["ben@ifaxin.com"], "subject": "Single part",
              "text": "plain", "x_smtpapi": {"to": ["ben@ifaxin.com"], "filters": {"open_tracking": False}}})),
    "text_only": ("A plain-text body only.",
        fixed(_id="text", **{"from": "Support <support@ifaxin.com>", "to": ["ben@ifaxin.com"], "subject": "Plain", "text": "Hello Ben,\nplain text only.\n"})),
    "html_only": ("An HTML body only.",
        fixed(_id="html", **{"from": "support@ifaxin.com", "to": ["ben@ifaxin.com"], "subject": "HTML", "html": "<html><body><h1>Hi</h1></body></html>"})),
    "alternative_inline_attachments": ("Text and HTML alternatives, two inline images and two attachments, with every header field.",
        fixed(_id="all", **{"from": "Support Team <support@ifaxin.com>", "sender": "bot@ifaxin.com",
              "reply_to": ["help@ifaxin.com", "Sales <sales@ifaxin.com>"],
              "to": ["Ben <ben@ifaxin.com>", "joe@ifaxin.com"], "cc": ["ann@ifaxin.com"], "bcc": ["audit@ifaxin.com"],
              "subject": "Everything at once", "in_reply_to": ["<prev.1@ifaxin.com>"],
              "references": ["root.0@ifaxin.com", "prev.1@ifaxin.com"],
              "headers": [["X-Campaign", "spring"], ["X-Priority", "3"], ["List-Unsubscribe", "<mailto:unsub@ifaxin.com>"]],
              "text": "Logo and chart inline; PDF and data attached.",
              "html": '<p><img src="cid:logo"> <img src="cid:chart@ifaxin.com"></p>',
              "inline": [{"content_id": "logo", "content_type": "image/png", "data_base64": RED, "filename": "logo.png"},
                         {"content_id": "<chart@ifaxin.com>", "content_type": "image/png", "data_base64": BLUE}],
              "attachments": [{"filename": "report.pdf", "content_type": "application/pdf", "data_base64": PDF},
                              {"filename": "data.bin", "content_type": "application/octet-stream", "data_base64": BINARY}]})),
    "long_subject_folding": ("A long ASCII subject is folded at spaces under 78 columns.",
        fixed(_id="fold", **{"from": "support@ifaxin.com", "to": ["ben@ifaxin.com"],
              "subject": "This is a rather long subject line that goes on and on so that it must be folded over several lines by the writer",
              "text": "x"})),
    "long_subject_chinese": ("A long Chinese subject becomes several encoded words, folded, never split inside a character.",
        fixed(_id="foldzh", **{"from": "support@ifaxin.com", "to": ["ben@ifaxin.com"],
              "subject": "这是一个非常长的中文邮件主题，用来检查编码词的折行是否正确，并且不会在一个汉字的中间被截断，一直写到超过好几行为止",
              "text": "x"})),
    "body_leading_dots": ("Body lines starting with '.' are written as they are (dot-stuffing is the SMTP layer's job).",
        fixed(_id="dots", **{"from": "support@ifaxin.com", "to": ["ben@ifaxin.com"], "subject": "Dots",
              "text": ".\n..\n.hidden\nnormal\n.", "html": "<p>\n.dot line\n</p>"})),
    "very_long_body_line": ("A 3,000-character line is quoted-printable encoded, so no output line is over 78.",
        fixed(_id="long", **{"from": "support@ifaxin.com", "to": ["ben@ifaxin.com"], "subject": "Long line",
              "text": "word " * 600, "html": "<p>" + "x" * 3000 + "</p>"})),
    "empty_subject": ("An explicitly empty subject is written as an empty Subject header.",
        fixed(_id="empty", **{"from": "support@ifaxin.com", "to": ["ben@ifaxin.com"], "subject": "", "text": "no subject"})),
    "no_subject": ("No subject at all: no Subject header.",
        fixed(_id="nosubj", **{"from": "support@ifaxin.com", "to": ["ben@ifaxin.com"], "text": "no subject header"})),
    "body_with_nul": ("A NUL in a body or text attachment (forbidden in 7bit and 8bit data, RFC 2045 2.7/2.8): that part goes out base64.",
        fixed(_id="nul", **{"from": "support@ifaxin.com", "to": ["ben@ifaxin.com"], "subject": "NUL",
              "text": "before\u0000after", "html": "<p>no nul here</p>",
              "attachments": [{"filename": "nul.txt", "content_type": "text/plain", "data_base64": b64(b"a\x00b\r\n")}]})),
    "idn_domain": ("Internationalized domains are written as punycode in headers and envelope.",
        fixed(_id="idn", **{"from": "客服 <support@例子.中国>", "to": ["ben@bücher.de"], "cc": ["joe@ÉXAMPLE.com"],
              "subject": "IDN", "text": "punycode"})),
    "attachment_only": ("No body, one attachment: an empty text part first, then the attachment.",
        fixed(_id="att", **{"from": "support@ifaxin.com", "to": ["ben@ifaxin.com"], "subject": "Attachment only",
              "attachments": [{"filename": "data.bin", "content_type": "application/octet-stream", "data_base64": BINARY}]})),
    "text_attachment_utf8": ("UTF-8 text attachments are written as text: 7bit when their lines allow, else base64 or quoted-printable, whichever is shorter.",
        fixed(_id="csv", **{"from": "support@ifaxin.com", "to": ["ben@ifaxin.com"], "subject": "CSV", "text": "see attached",
              "attachments": [{"filename": "名单.csv", "content_type": "text/csv", "data_base64": b64("name,city\n张三,北京\nJoe,Paris\n".encode())},
                              {"filename": "notes.txt", "content_type": "text/plain", "data_base64": b64(b"line one\r\nline two\r\n")}]})),
    "envelope_from_explicit": ("An explicit envelope sender (bounces) differs from From.",
        fixed(_id="env", **{"from": "Support <support@ifaxin.com>", "envelope_from": "bounces+123@ifaxin.com",
              "to": ["ben@ifaxin.com"], "subject": "Envelope", "text": "x"})),
    "line_break_normalization": ("Bare LF and lone CR in bodies become CRLF.",
        fixed(_id="crlf", **{"from": "support@ifaxin.com", "to": ["ben@ifaxin.com"], "subject": "CRLF",
              "text": "unix\nline\rold mac\r\nwindows\n", "html": "<p>a</p>\r<p>b</p>\n"})),
    "display_name_quoting": ("Display names with specials are quoted; non-ASCII ones encoded.",
        fixed(_id="names", **{"from": {"name": "Doe, John \"JD\"", "address": "john@ifaxin.com"},
              "to": ["\"Smith, Ann\" <ann@ifaxin.com>", {"name": "Zoë Ünal", "address": "zoe@ifaxin.com"}],
              "subject": "Names", "text": "x"})),
    "latin_quoted_printable": ("Mostly-ASCII text with accents goes out quoted-printable.",
        fixed(_id="qp", **{"from": "support@ifaxin.com", "to": ["ben@ifaxin.com"], "subject": "Réunion d'équipe",
              "text": "Bonjour à tous,\nla réunion est déplacée à 15 h.\nMerci !\n"})),
    "long_non_ascii_filename": ("A long non-ASCII filename: RFC 2231 continuations on Content-Disposition, folded encoded words in name=.",
        fixed(_id="fname", **{"from": "support@ifaxin.com", "to": ["ben@ifaxin.com"], "subject": "File", "text": "x",
              "attachments": [{"filename": "二〇二六年第一季度财务报告（最终版，请勿外传）附录与数据说明.pdf", "content_type": "application/pdf", "data_base64": PDF},
                              {"filename": "quote \"and\" back\\slash.txt", "content_type": "application/octet-stream", "data_base64": b64(b"q")}]})),
    "custom_header_non_ascii": ("Custom header values that are non-ASCII or long are encoded/folded; names are kept.",
        fixed(_id="hdr", **{"from": "support@ifaxin.com", "to": ["ben@ifaxin.com"], "subject": "Headers", "text": "x",
              "headers": [["X-Tag", "季度"], ["X-Long", "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma"]]})),
    "subject_like_encoded_word": ("Text that looks like an RFC 2047 encoded word is itself encoded, so readers show it as typed.",
        fixed(_id="ew", **{"from": "support@ifaxin.com", "to": ["ben@ifaxin.com"], "subject": "Literal =?utf-8?B?SGk=?= stays",
              "headers": [["X-Note", "=?iso-8859-1?q?not_decoded?="]], "text": "x"})),
    "mailbox_objects_everywhere": ("Every mailbox member in the object form {name, address}, one object without a name; the envelope sender's name is not written anywhere.",
        fixed(_id="objects", **{"from": {"name": "Support Team", "address": "support@ifaxin.com"},
              "sender": {"name": "Mailer Bot", "address": "bot@ifaxin.com"},
              "envelope_from": {"name": "Bounces", "address": "bounces+7@ifaxin.com"},
              "reply_to": [{"name": "Help Desk", "address": "help@ifaxin.com"}],
              "to": [{"name": "Ben", "address": "ben@ifaxin.com"}, {"address": "joe@ifaxin.com"}],
              "cc": [{"name": "安 (Ann)", "address": "ann@ifaxin.com"}],
              "bcc": [{"name": "Audit", "address": "audit@ifaxin.com"}],
              "subject": "Objects", "text": "x"})),
    "content_type_parameters": ("Content types with parameters, written back canonically: names in lower case, the charset first and in lower case, values quoted only when needed, a non-ASCII value in RFC 2231 form (in sections when long), then the builder's name=.",
        fixed(_id="params", **{"from": "support@ifaxin.com", "to": ["ben@ifaxin.com"], "subject": "Parameters",
              "text": "see attached", "html": '<p><img src="cid:logo"> see attached</p>',
              "inline": [{"content_id": "logo", "content_type": "image/svg+xml; charset=utf-8", "data_base64": SVG}],
              "attachments": [{"filename": "data.csv", "content_type": "text/csv; charset=utf-8", "data_base64": b64(b"name,city\nBen,Paris\n")},
                              {"filename": "notes.txt", "content_type": 'Text/Plain; Format=flowed; Charset="US-ASCII"', "data_base64": b64(b"line one\r\n")},
                              {"filename": "report.pdf", "content_type": 'application/pdf; title="季度报告（最终版）"; version="1.4 final"', "data_base64": PDF}]})),
    "encoded_word_lookalikes": ("Display names and filenames that look like RFC 2047 encoded words are encoded themselves, so readers show them as typed.",
        fixed(_id="lookalike", **{"from": {"name": "=?utf-8?q?Boss?=", "address": "boss@ifaxin.com"},
              "to": ["=?utf-8?B?QmVu?= <ben@ifaxin.com>", "Joe <joe@ifaxin.com>"], "subject": "Look-alikes", "text": "x",
              "attachments": [{"filename": "=?utf-8?q?invoice?=.pdf", "content_type": "application/pdf", "data_base64": PDF}]})),
    # error cases
    "error_injection_subject": ("CR/LF in the subject is a HeaderInjection.",
        {"from": "support@ifaxin.com", "to": ["ben@ifaxin.com"], "subject": "Hi\r\nBcc: evil@example.com", "text": "x"}, "HeaderInjection"),
    "error_injection_filename": ("CR/LF in a filename is a HeaderInjection.",
        {"from": "support@ifaxin.com", "to": ["ben@ifaxin.com"], "text": "x",
         "attachments": [{"filename": "a.pdf\r\nContent-Type: text/html", "content_type": "application/pdf", "data_base64": PDF}]}, "HeaderInjection"),
    "error_injection_display_name": ("LF in a display name is a HeaderInjection.",
        {"from": {"name": "Support\nBcc: x@example.com", "address": "support@ifaxin.com"}, "to": ["ben@ifaxin.com"], "text": "x"}, "HeaderInjection"),
    "error_injection_header_value": ("CR in a custom header value is a HeaderInjection.",
        {"from": "support@ifaxin.com", "to": ["ben@ifaxin.com"], "text": "x", "headers": [["X-Campaign", "a\rb"]]}, "HeaderInjection"),
    "error_injection_content_id": ("CR/LF in a content id is a HeaderInjection.",
        {"from": "support@ifaxin.com", "to": ["ben@ifaxin.com"], "html": "x",
         "inline": [{"content_id": "image1\r\nX: y", "content_type": "image/png", "data_base64": RED}]}, "HeaderInjection"),
    "error_missing_from": ("A message needs a From.",
        {"to": ["ben@ifaxin.com"], "text": "x"}, "MissingFrom"),
    "error_no_recipients": ("A message needs at least one To, Cc or Bcc.",
        {"from": "support@ifaxin.com", "text": "x"}, "NoRecipients"),
    "error_duplicate_content_id": ("Two inline parts with one content id.",
        {"from": "support@ifaxin.com", "to": ["ben@ifaxin.com"], "html": "x",
         "inline": [{"content_id": "image1", "content_type": "image/png", "data_base64": RED},
                    {"content_id": "<image1>", "content_type": "image/png", "data_base64": BLUE}]}, "DuplicateContentId"),
    "error_invalid_content_type": ("A content type must be type/subtype.",
        {"from": "support@ifaxin.com", "to": ["ben@ifaxin.com"], "text": "x",
         "attachments": [{"filename": "a.png", "content_type": "png", "data_base64": RED}]}, "InvalidContentType"),
    "error_content_type_malformed_parameter": ("A content type parameter needs name=value.",
        {"from": "support@ifaxin.com", "to": ["ben@ifaxin.com"], "text": "x",
         "attachments": [{"filename": "data.csv", "content_type": "text/csv; charset", "data_base64": b64(b"a,b\n")}]}, "InvalidContentType"),
    "error_content_type_name_parameter": ("The name parameter is the builder's (written from the filename).",
        {"from": "support@ifaxin.com", "to": ["ben@ifaxin.com"], "text": "x",
         "attachments": [{"filename": "data.csv", "content_type": "text/csv; name=other.csv", "data_base64": b64(b"a,b\n")}]}, "InvalidContentType"),
    "error_x_smtpapi_sub_length": ("Each sub variable needs one value per to address.",
        {"from": "support@ifaxin.com", "to": ["ben@ifaxin.com"], "text": "x",
         "x_smtpapi": {"to": ["a@ifaxin.com", "b@ifaxin.com"], "sub": {"%name%": ["A"]}}}, "XSmtpApiInvalid"),
    "error_invalid_address": ("An address without a domain.",
        {"from": "support@ifaxin.com", "to": ["ben@"], "text": "x"}, "InvalidAddress"),
    "error_reserved_header_name": ("Bcc cannot be smuggled in as a custom header.",
        {"from": "support@ifaxin.com", "to": ["ben@ifaxin.com"], "text": "x", "headers": [["Bcc", "evil@example.com"]]}, "InvalidHeaderName"),
    "error_invalid_header_name": ("A header name with a space or colon is refused.",
        {"from": "support@ifaxin.com", "to": ["ben@ifaxin.com"], "text": "x", "headers": [["X Bad:", "v"]]}, "InvalidHeaderName"),
    "error_boundary_collision": ("With a fixed seed, a body that contains the boundary delimiter is refused.",
        {"from": "support@ifaxin.com", "to": ["ben@ifaxin.com"], "text": "x\n--=_golden.a\ny", "html": "<p>y</p>",
         "message_id": "c@ifaxin.com", "date": DATE, "boundary_seed": SEED}, "BoundaryCollision"),
    "error_invalid_boundary_seed": ("A boundary seed with a space is refused.",
        {"from": "support@ifaxin.com", "to": ["ben@ifaxin.com"], "text": "x", "boundary_seed": "has space"}, "InvalidBoundarySeed"),
    "error_invalid_message_id": ("A Message-ID needs left@right.",
        {"from": "support@ifaxin.com", "to": ["ben@ifaxin.com"], "text": "x", "message_id": "no-at-sign"}, "InvalidMessageId"),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, case in CASES.items():
        description, message = case[0], case[1]
        doc = {"description": description, "input": message}
        if len(case) == 3:
            doc["expected_error"] = case[2]
        with open(os.path.join(OUT, name + ".json"), "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False, indent=2)
            f.write("\n")
    print(f"{len(CASES)} cases written to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()

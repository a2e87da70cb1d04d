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
# Issue 13's cases (List-Unsubscribe, DKIM, calendar invitations): run by the
# core only until every binding supports their input members.
OUT_13 = os.path.join(HERE, "..", "vectors-13")

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


SIGNED_AT = 1426390020     # the DKIM t=, five seconds after DATE

def rsa(**extra):
    """The RSA test key of testdata/dkim (PKCS#1 PEM), selector rsa2048."""
    return dict({"key_file": "rsa2048.pem", "domain": "ifaxin.com", "selector": "rsa2048", "time": SIGNED_AT}, **extra)


def ed25519(**extra):
    """The Ed25519 test key of testdata/dkim (PKCS#8 PEM), selector ed25519."""
    return dict({"key_file": "ed25519.pem", "domain": "ifaxin.com", "selector": "ed25519", "time": SIGNED_AT}, **extra)


with open(os.path.join(HERE, "..", "dkim", "ed25519.seed.b64")) as _f:
    ED25519_SEED = _f.read().strip()

ICS = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//ifaxin//mailwright golden//EN\r\nMETHOD:REQUEST\r\n"
       "BEGIN:VEVENT\r\nUID:golden-invite-1@ifaxin.com\r\nDTSTAMP:20150315T032655Z\r\n"
       "DTSTART:20150320T020000Z\r\nDTEND:20150320T030000Z\r\nSUMMARY:季度评审 / Quarterly review\r\n"
       "ORGANIZER;CN=Support:mailto:support@ifaxin.com\r\n"
       "ATTENDEE;CN=Ben;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:ben@ifaxin.com\r\n"
       "LOCATION:Room 3\r\nSEQUENCE:0\r\nSTATUS:CONFIRMED\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")

UNSUB = ["https://u.ifaxin.com/unsubscribe?list=spring&id=8f2c", "mailto:unsubscribe@ifaxin.com?subject=unsubscribe"]

CASES_13 = {
    "unsubscribe_one_click": ("RFC 8058 one-click: an https and a mailto URI in one List-Unsubscribe, List-Unsubscribe-Post, and a List-Id.",
        fixed(_id="unsub1", **{"from": "News <news@ifaxin.com>", "to": ["ben@ifaxin.com"], "subject": "Spring news",
              "html": "<p>Spring news</p>", "text": "Spring news",
              "list_unsubscribe": UNSUB, "one_click_unsubscribe": True, "list_id": "Spring news <spring.news.ifaxin.com>"})),
    "unsubscribe_mailto_only": ("A mailto List-Unsubscribe without one-click, given in angle brackets (taken off and written again).",
        fixed(_id="unsub2", **{"from": "news@ifaxin.com", "to": ["ben@ifaxin.com"], "subject": "Monthly", "text": "Monthly letter",
              "list_unsubscribe": ["<MAILTO:leave@ifaxin.com>"]})),
    "dkim_rsa_relaxed": ("RSA-SHA256, relaxed/relaxed (PKCS#1 key): one-click unsubscribe signed with it, X-SMTPAPI after the signed headers and not signed.",
        fixed(_id="dkim1", **{"from": "Support <support@ifaxin.com>", "to": ["ben@ifaxin.com"], "cc": ["ann@ifaxin.com"],
              "reply_to": ["help@ifaxin.com"], "subject": "Your report is ready",
              "text": "Hello Ben,\n\nyour report is ready.  Trailing spaces   \n\n\n", "html": "<p>Hello Ben,</p>\n<p>your report is ready.</p>",
              "list_unsubscribe": UNSUB[:1], "one_click_unsubscribe": True,
              "sc_custom": [["campaign", "spring"]],
              "x_smtpapi": {"to": ["ben@ifaxin.com"], "filters": {"open_tracking": True}},
              "dkim": [rsa()]})),
    "dkim_rsa_pkcs8_simple": ("RSA-SHA256, simple/simple, the same key read from PKCS#8, over a message with an attachment.",
        fixed(_id="dkim2", **{"from": "support@ifaxin.com", "to": ["ben@ifaxin.com"], "subject": "Attached",
              "text": "See the PDF.", "attachments": [{"filename": "report.pdf", "content_type": "application/pdf", "data_base64": PDF}],
              "dkim": [rsa(key_file="rsa2048.pkcs8.pem", canonicalization="simple/simple")]})),
    "dkim_ed25519": ("Ed25519-SHA256 (RFC 8463), PKCS#8 key, with an expiry (x=).",
        fixed(_id="dkim3", **{"from": "support@ifaxin.com", "to": ["ben@ifaxin.com"], "subject": "Ed25519 signed", "html": "<p>signed</p>",
              "dkim": [ed25519(expires_after=604800)]})),
    "dkim_dual_rsa_ed25519": ("Signed twice, RSA then Ed25519 (the key given as its raw 32-byte seed), as RFC 8463 suggests; Unicode headers and inline image.",
        fixed(_id="dkim4", **{"from": {"name": "搜狐客服", "address": "support@ifaxin.com"}, "to": ["本 <ben@ifaxin.com>"],
              "subject": "测试内嵌图片", "html": '<p>图 <img src="cid:image1"></p>',
              "inline": [{"content_id": "image1", "content_type": "image/png", "data_base64": RED}],
              "dkim": [rsa(), {"key_seed_base64": ED25519_SEED, "domain": "ifaxin.com", "selector": "ed25519", "time": SIGNED_AT}]})),
    "dkim_sendcloud_inline": ("The SendCloud reference's inline-image example, signed (RSA) with X-SMTPAPI: the relay may rewrite X-SMTPAPI, which is not signed.",
        fixed(_id="dkim5", **{"from": "postmaster@testdomain.sendcloud.org", "to": ["test123@qq.com"],
              "subject": "python test inline image",
              "html": 'test image content <img src="cid:image1" alt="xxxxx">',
              "inline": [{"content_id": "image1", "content_type": "image/png", "data_base64": RED}],
              "x_smtpapi": {"to": ["test123@qq.com"], "sub": {"%name%": ["Ben"]}},
              "dkim": [rsa(domain="testdomain.sendcloud.org")]})),
    "calendar_invitation": ("A meeting request: text/calendar; method=REQUEST next to text and HTML, and the same as invite.ics.",
        fixed(_id="ics1", **{"from": "Support <support@ifaxin.com>", "to": ["Ben <ben@ifaxin.com>"], "subject": "Invitation: Quarterly review",
              "text": "You are invited to the quarterly review.", "html": "<p>You are invited to the <b>quarterly review</b>.</p>",
              "calendar": {"method": "REQUEST", "content": ICS, "attachment": "invite.ics"}})),
    "calendar_signed_html_only": ("A meeting request next to an HTML body only, without attachment, signed (Ed25519).",
        fixed(_id="ics2", **{"from": "support@ifaxin.com", "to": ["ben@ifaxin.com"], "subject": "Invitation",
              "html": "<p>Invitation</p>", "calendar": {"method": "request", "content": ICS},
              "dkim": [ed25519()]})),
    "error_one_click_without_https": ("One-click unsubscribe needs an https URI.",
        {"from": "support@ifaxin.com", "to": ["ben@ifaxin.com"], "text": "x", "list_unsubscribe": UNSUB[1:],
         "one_click_unsubscribe": True}, "OneClickRequiresHttps"),
    "error_unsubscribe_http": ("A plain http URI is refused.",
        {"from": "support@ifaxin.com", "to": ["ben@ifaxin.com"], "text": "x", "list_unsubscribe": ["http://u.ifaxin.com/x"]}, "InvalidUnsubscribeUri"),
    "error_unsubscribe_injection": ("A line break in a URI is header injection.",
        {"from": "support@ifaxin.com", "to": ["ben@ifaxin.com"], "text": "x", "list_unsubscribe": ["https://u.ifaxin.com/x\r\nBcc: a@b.c"]}, "HeaderInjection"),
    "error_list_id": ("A List-Id needs label.namespace.",
        {"from": "support@ifaxin.com", "to": ["ben@ifaxin.com"], "text": "x", "list_id": "News <news>"}, "InvalidListId"),
    "error_calendar_method_mismatch": ("The method given must be the calendar's METHOD.",
        {"from": "support@ifaxin.com", "to": ["ben@ifaxin.com"], "text": "x", "calendar": {"method": "CANCEL", "content": ICS}}, "CalendarMethodMismatch"),
    "error_calendar_not_icalendar": ("The calendar text must be a VCALENDAR.",
        {"from": "support@ifaxin.com", "to": ["ben@ifaxin.com"], "text": "x", "calendar": {"method": "REQUEST", "content": "METHOD:REQUEST\r\n"}}, "InvalidCalendar"),
    "error_dkim_selector": ("A DKIM selector is a domain name.",
        {"from": "support@ifaxin.com", "to": ["ben@ifaxin.com"], "text": "x", "date": DATE,
         "dkim": [ed25519(selector="bad selector")]}, "InvalidDkimOption"),
}


def write(out, cases):
    os.makedirs(out, exist_ok=True)
    for name, case in cases.items():
        description, message = case[0], case[1]
        doc = {"description": description, "input": message}
        if len(case) == 3:
            doc["expected_error"] = case[2]
        with open(os.path.join(out, name + ".json"), "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False, indent=2)
            f.write("\n")
    print(f"{len(cases)} cases written to {os.path.normpath(out)}")


def main():
    write(OUT, CASES)
    write(OUT_13, CASES_13)


if __name__ == "__main__":
    main()

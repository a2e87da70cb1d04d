"""mailwright: build an e-mail and hand it to an SMTP relay.

The same bytes as every other mailwright binding (Rust, JavaScript, C, Java):
the work is done by the Rust core; this package converts types and errors.

    import mailwright
    msg = mailwright.Message(
        from_addr="Support <support@ifaxin.com>", to=["ben@ifaxin.com"],
        subject="测试内嵌图片", html='<img src="cid:image1">',
        inline=[mailwright.Inline("image1", "image/png", png_bytes)],
    )
    raw = msg.as_bytes()
    creds = mailwright.Credentials("api_user", "api_key", label="12345")
    result = mailwright.send(msg, host="smtp.example.com", port=2525, credentials=creds)
"""
from ._mailwright import (
    Attachment,
    Client,
    Credentials,
    Envelope,
    Event,
    Inline,
    Message,
    Reply,
    SendResult,
    Session,
    XSmtpApi,
    __version__,
    auth_login,
    auth_plain,
    auth_xoauth2,
    login_answer,
    send,
)
from .errors import *  # noqa: F401,F403
from .errors import __all__ as _errors_all

__all__ = [
    "Attachment", "Client", "Credentials", "Envelope", "Event", "Inline", "Message", "Reply",
    "SendResult", "Session", "XSmtpApi", "__version__", "auth_login", "auth_plain", "auth_xoauth2",
    "login_answer", "send",
] + list(_errors_all)

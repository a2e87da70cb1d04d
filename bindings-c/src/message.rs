//! Building messages: the builder, X-SMTPAPI, and the built message.

use crate::convert::{bytes_arg, give_bytes, opt_str_arg, out, str_arg, text_arg, to_c_string};
use crate::errors::{Fail, boundary, catch, guard, mw_result};
use mailwright::{
    Attachment, Bytes, Calendar, Inline, MailboxSpec, Message, MessageBuilder, XSmtpApi,
};
use std::ffi::{CString, c_char, c_void};

/// A message being built (opaque). Create with `mw_message_builder_new`,
/// consume with `mw_message_build` or free with `mw_message_builder_free`.
/// Sticky errors: once a setter has failed, `mw_message_build` fails with
/// that first error (same code, same message), so a message can never be
/// built without a part whose setter was refused.
pub struct mw_message_builder {
    inner: Option<MessageBuilder>,
    /// The first error a setter returned.
    failed: Option<Fail>,
}

/// A built, immutable message (opaque). Free with `mw_message_free`.
pub struct mw_message {
    pub(crate) inner: Message,
    sender: CString,
    recipients: Vec<CString>,
    id: CString,
    structure: CString,
}

/// SendCloud's X-SMTPAPI value being built (opaque). Free with
/// `mw_x_smtpapi_free`. Sticky errors, as the message builder's: once a
/// call on it has failed, `mw_x_smtpapi_encode` and
/// `mw_message_builder_x_smtpapi` fail with that first error.
pub struct mw_x_smtpapi {
    inner: XSmtpApi,
    /// The first error a call on it returned.
    failed: Option<Fail>,
}

/// Keeps the first failure in `slot` and passes the result on.
pub(crate) fn remember<T>(slot: &mut Option<Fail>, result: Result<T, Fail>) -> Result<T, Fail> {
    if let Err(fail) = &result
        && slot.is_none()
    {
        *slot = Some(fail.clone());
    }
    result
}

/// Writes `len` bytes for `mw_message_write`; returns 0 on success, anything else to stop.
pub type mw_write_fn =
    Option<unsafe extern "C" fn(ctx: *mut c_void, data: *const u8, len: usize) -> i32>;

/// Called once when the library no longer needs data it was given with an
/// `_owned` function (from any thread).
pub type mw_release_fn =
    Option<unsafe extern "C" fn(ctx: *mut c_void, data: *const u8, len: usize)>;

/// Converts the arguments first (`args`), then applies them. A rejected
/// argument leaves the builder's fields as they were, and the first such
/// error is kept: `mw_message_build` fails with it.
pub(crate) fn set<A>(
    builder: *mut mw_message_builder,
    args: impl FnOnce() -> Result<A, Fail>,
    apply: impl FnOnce(MessageBuilder, A) -> Result<MessageBuilder, Fail>,
) -> mw_result {
    boundary(|| {
        let handle = out(builder, "builder")?;
        let result = catch(|| {
            let args = args()?;
            let current = handle.inner.take().ok_or_else(|| {
                Fail::new(mw_result::MW_ERR_INVALID_STATE, "the builder is unusable")
            })?;
            handle.inner = Some(apply(current, args)?);
            Ok(())
        });
        remember(&mut handle.failed, result)
    })
}

/// Sets or adds one mailbox given as text ("Name <addr>" or "addr").
unsafe fn set_mailbox(
    builder: *mut mw_message_builder,
    mailbox: *const c_char,
    apply: impl FnOnce(MessageBuilder, MailboxSpec) -> MessageBuilder,
) -> mw_result {
    set(
        builder,
        || {
            Ok(MailboxSpec::Text(
                unsafe { str_arg(mailbox, "mailbox") }?.to_string(),
            ))
        },
        |b, a| Ok(apply(b, a)),
    )
}

/// Creates an empty message builder. Returns NULL only if memory is exhausted.
/// The caller owns the result: pass it to `mw_message_build` or `mw_message_builder_free`.
#[unsafe(no_mangle)]
pub extern "C" fn mw_message_builder_new() -> *mut mw_message_builder {
    guard(std::ptr::null_mut(), || {
        Box::into_raw(Box::new(mw_message_builder {
            inner: Some(Message::builder()),
            failed: None,
        }))
    })
}

/// Frees a builder that was not built. NULL does nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_message_builder_free(builder: *mut mw_message_builder) {
    guard((), || {
        if !builder.is_null() {
            // SAFETY: `builder` came from `mw_message_builder_new` (contract).
            drop(unsafe { Box::from_raw(builder) });
        }
    })
}

/// Sets From (required).
/// `mailbox` is "Name <addr@example.com>" or "addr@example.com" (UTF-8, not NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_message_builder_from(
    builder: *mut mw_message_builder,
    mailbox: *const c_char,
) -> mw_result {
    unsafe { set_mailbox(builder, mailbox, |b, a| b.from(a)) }
}

/// Sets Sender.
/// `mailbox` is "Name <addr@example.com>" or "addr@example.com" (UTF-8, not NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_message_builder_sender(
    builder: *mut mw_message_builder,
    mailbox: *const c_char,
) -> mw_result {
    unsafe { set_mailbox(builder, mailbox, |b, a| b.sender(a)) }
}

/// Adds a Reply-To mailbox.
/// `mailbox` is "Name <addr@example.com>" or "addr@example.com" (UTF-8, not NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_message_builder_reply_to(
    builder: *mut mw_message_builder,
    mailbox: *const c_char,
) -> mw_result {
    unsafe { set_mailbox(builder, mailbox, |b, a| b.reply_to(a)) }
}

/// Adds a To recipient.
/// `mailbox` is "Name <addr@example.com>" or "addr@example.com" (UTF-8, not NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_message_builder_to(
    builder: *mut mw_message_builder,
    mailbox: *const c_char,
) -> mw_result {
    unsafe { set_mailbox(builder, mailbox, |b, a| b.to(a)) }
}

/// Adds a Cc recipient.
/// `mailbox` is "Name <addr@example.com>" or "addr@example.com" (UTF-8, not NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_message_builder_cc(
    builder: *mut mw_message_builder,
    mailbox: *const c_char,
) -> mw_result {
    unsafe { set_mailbox(builder, mailbox, |b, a| b.cc(a)) }
}

/// Adds a Bcc recipient (envelope only, never in the headers).
/// `mailbox` is "Name <addr@example.com>" or "addr@example.com" (UTF-8, not NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_message_builder_bcc(
    builder: *mut mw_message_builder,
    mailbox: *const c_char,
) -> mw_result {
    unsafe { set_mailbox(builder, mailbox, |b, a| b.bcc(a)) }
}

/// Sets the envelope sender (MAIL FROM) when it differs from From.
/// `mailbox` is "Name <addr@example.com>" or "addr@example.com" (UTF-8, not NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_message_builder_envelope_from(
    builder: *mut mw_message_builder,
    mailbox: *const c_char,
) -> mw_result {
    unsafe { set_mailbox(builder, mailbox, |b, a| b.envelope_from(a)) }
}

/// Which mailbox field `mw_message_builder_add_mailbox` sets or adds to.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mw_mailbox_field {
    MW_FIELD_FROM = 0,
    MW_FIELD_SENDER = 1,
    MW_FIELD_REPLY_TO = 2,
    MW_FIELD_TO = 3,
    MW_FIELD_CC = 4,
    MW_FIELD_BCC = 5,
    MW_FIELD_ENVELOPE_FROM = 6,
}

/// Sets or adds a mailbox given as a display name (may be NULL) and an
/// address (not NULL); `field` is an `mw_mailbox_field`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_message_builder_add_mailbox(
    builder: *mut mw_message_builder,
    field: u32,
    name: *const c_char,
    address: *const c_char,
) -> mw_result {
    let args = || -> Result<MailboxSpec, Fail> {
        if field > 6 {
            return Err(Fail::new(
                mw_result::MW_ERR_INVALID_ARGUMENT,
                format!("{field} is not an mw_mailbox_field"),
            ));
        }
        let name = unsafe { opt_str_arg(name, "name") }?.map(str::to_string);
        let address = unsafe { str_arg(address, "address") }?.to_string();
        Ok(MailboxSpec::Parts(name, address))
    };
    set(builder, args, |b, spec| {
        Ok(match field {
            0 => b.from(spec),
            1 => b.sender(spec),
            2 => b.reply_to(spec),
            3 => b.to(spec),
            4 => b.cc(spec),
            5 => b.bcc(spec),
            _ => b.envelope_from(spec),
        })
    })
}

/// Sets the Subject (UTF-8, not NULL; "" writes an empty Subject).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_message_builder_subject(
    builder: *mut mw_message_builder,
    value: *const c_char,
) -> mw_result {
    set(
        builder,
        || Ok(unsafe { str_arg(value, "subject") }?.to_string()),
        |b, a| Ok(b.subject(a)),
    )
}

/// Sets the plain-text body (UTF-8, not NULL). The text ends at its first
/// NUL: use `mw_message_builder_text_len` for a body that holds NUL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_message_builder_text(
    builder: *mut mw_message_builder,
    value: *const c_char,
) -> mw_result {
    set(
        builder,
        || Ok(unsafe { str_arg(value, "text") }?.to_string()),
        |b, a| Ok(b.text(a)),
    )
}

/// Sets the plain-text body from `len` bytes of UTF-8 at `value` (no NUL
/// needed; NULL allowed when `len` is 0). A NUL inside is kept: the core
/// then sends that body base64, as RFC 2045 requires.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_message_builder_text_len(
    builder: *mut mw_message_builder,
    value: *const c_char,
    len: usize,
) -> mw_result {
    set(
        builder,
        || Ok(unsafe { text_arg(value, len, "text") }?.to_string()),
        |b, a| Ok(b.text(a)),
    )
}

/// Sets the HTML body (UTF-8, not NULL). The text ends at its first NUL:
/// use `mw_message_builder_html_len` for a body that holds NUL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_message_builder_html(
    builder: *mut mw_message_builder,
    value: *const c_char,
) -> mw_result {
    set(
        builder,
        || Ok(unsafe { str_arg(value, "html") }?.to_string()),
        |b, a| Ok(b.html(a)),
    )
}

/// Sets the HTML body from `len` bytes of UTF-8 at `value`, as
/// `mw_message_builder_text_len` does for the text body.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_message_builder_html_len(
    builder: *mut mw_message_builder,
    value: *const c_char,
    len: usize,
) -> mw_result {
    set(
        builder,
        || Ok(unsafe { text_arg(value, len, "html") }?.to_string()),
        |b, a| Ok(b.html(a)),
    )
}

/// Fixes the Message-ID ("id@domain", angle brackets optional).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_message_builder_message_id(
    builder: *mut mw_message_builder,
    value: *const c_char,
) -> mw_result {
    set(
        builder,
        || Ok(unsafe { str_arg(value, "message_id") }?.to_string()),
        |b, a| Ok(b.message_id(a)),
    )
}

/// Adds an In-Reply-To id.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_message_builder_in_reply_to(
    builder: *mut mw_message_builder,
    value: *const c_char,
) -> mw_result {
    set(
        builder,
        || Ok(unsafe { str_arg(value, "in_reply_to") }?.to_string()),
        |b, a| Ok(b.in_reply_to(a)),
    )
}

/// Adds a References id.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_message_builder_references(
    builder: *mut mw_message_builder,
    value: *const c_char,
) -> mw_result {
    set(
        builder,
        || Ok(unsafe { str_arg(value, "references") }?.to_string()),
        |b, a| Ok(b.references(a)),
    )
}

/// Fixes the boundary seed (deterministic output).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_message_builder_boundary_seed(
    builder: *mut mw_message_builder,
    value: *const c_char,
) -> mw_result {
    set(
        builder,
        || Ok(unsafe { str_arg(value, "boundary_seed") }?.to_string()),
        |b, a| Ok(b.boundary_seed(a)),
    )
}

/// Fixes the Date, in seconds since the Unix epoch (written in UTC).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_message_builder_date(
    builder: *mut mw_message_builder,
    unix_seconds: i64,
) -> mw_result {
    set(builder, || Ok(unix_seconds), |b, a| Ok(b.date(a)))
}

/// Adds a custom header (name and value UTF-8, not NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_message_builder_header(
    builder: *mut mw_message_builder,
    name: *const c_char,
    value: *const c_char,
) -> mw_result {
    set(
        builder,
        || {
            Ok((unsafe { str_arg(name, "name") }?, unsafe {
                str_arg(value, "value")
            }?))
        },
        |b, (n, v)| Ok(b.header(n, v)),
    )
}

/// Adds SendCloud's `SC-Custom-<key>: value` header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_message_builder_sc_custom(
    builder: *mut mw_message_builder,
    key: *const c_char,
    value: *const c_char,
) -> mw_result {
    set(
        builder,
        || {
            Ok((unsafe { str_arg(key, "key") }?, unsafe {
                str_arg(value, "value")
            }?))
        },
        |b, (k, v)| Ok(b.sc_custom(k, v)),
    )
}

/// Adds an inline part (referred to as `cid:<content_id>` in the HTML). The
/// `len` bytes at `data` are copied; `filename` may be NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_message_builder_inline(
    builder: *mut mw_message_builder,
    content_id: *const c_char,
    content_type: *const c_char,
    data: *const u8,
    len: usize,
    filename: *const c_char,
) -> mw_result {
    let args = || -> Result<Inline, Fail> {
        let mut part = Inline::new(
            unsafe { str_arg(content_id, "content_id") }?,
            unsafe { str_arg(content_type, "content_type") }?,
            unsafe { bytes_arg(data, len, "data") }?.to_vec(),
        );
        if let Some(name) = unsafe { opt_str_arg(filename, "filename") }? {
            part = part.filename(name);
        }
        Ok(part)
    };
    set(builder, args, |b, part| Ok(b.inline(part)))
}

/// Adds an attachment; the `len` bytes at `data` are copied.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_message_builder_attachment(
    builder: *mut mw_message_builder,
    filename: *const c_char,
    content_type: *const c_char,
    data: *const u8,
    len: usize,
) -> mw_result {
    let args = || -> Result<Attachment, Fail> {
        Ok(Attachment::new(
            unsafe { str_arg(filename, "filename") }?,
            unsafe { str_arg(content_type, "content_type") }?,
            unsafe { bytes_arg(data, len, "data") }?.to_vec(),
        ))
    };
    set(builder, args, |b, part| Ok(b.attachment(part)))
}

struct Released {
    data: *const u8,
    len: usize,
    release: mw_release_fn,
    ctx: *mut c_void,
}

// SAFETY: the caller promises the data stays valid and unchanged until
// `release` is called, and that `release` may run on any thread.
unsafe impl Send for Released {}

impl AsRef<[u8]> for Released {
    fn as_ref(&self) -> &[u8] {
        // SAFETY: see above.
        unsafe { std::slice::from_raw_parts(self.data, self.len) }
    }
}

impl Drop for Released {
    fn drop(&mut self) {
        if let Some(release) = self.release {
            // SAFETY: the caller's callback, called once.
            unsafe { release(self.ctx, self.data, self.len) };
        }
    }
}

/// Adds an attachment without copying it: the library keeps `data` (which
/// must stay valid and unchanged) and calls `release(ctx, data, len)` once,
/// from any thread, when it no longer needs it, also when this call fails.
/// `release` may be NULL if the data outlives every message built from it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_message_builder_attachment_owned(
    builder: *mut mw_message_builder,
    filename: *const c_char,
    content_type: *const c_char,
    data: *const u8,
    len: usize,
    release: mw_release_fn,
    ctx: *mut c_void,
) -> mw_result {
    let owner = Released {
        data,
        len,
        release,
        ctx,
    };
    // `owner` is dropped (and `release` called) on every path that does not keep it.
    let args = move || -> Result<Attachment, Fail> {
        if data.is_null() && len > 0 {
            return Err(Fail::null("data"));
        }
        let filename = unsafe { str_arg(filename, "filename") }?;
        let content_type = unsafe { str_arg(content_type, "content_type") }?;
        let bytes = if data.is_null() {
            Bytes::new()
        } else {
            Bytes::from_owner(owner)
        };
        Ok(Attachment::new(filename, content_type, bytes))
    };
    set(builder, args, |b, part| Ok(b.attachment(part)))
}

/// Sets the X-SMTPAPI value (copied; `api` stays the caller's). A value
/// that saw an error is refused with that error.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_message_builder_x_smtpapi(
    builder: *mut mw_message_builder,
    api: *const mw_x_smtpapi,
) -> mw_result {
    // SAFETY: NULL or a live handle from `mw_x_smtpapi_new` (contract).
    set(
        builder,
        || {
            let api = unsafe { api.as_ref() }.ok_or_else(|| Fail::null("api"))?;
            match &api.failed {
                Some(fail) => Err(fail.clone()),
                None => Ok(api.inner.clone()),
            }
        },
        |b, a| Ok(b.x_smtpapi(a)),
    )
}

/// Adds a List-Unsubscribe URI (`https:` or `mailto:`, printable ASCII,
/// UTF-8, not NULL; the library writes the `<>`). Call it once per URI:
/// they go into one header, comma-joined, in call order. Checked when the
/// message is built: CR or LF is MW_ERR_HEADER_INJECTION, anything else
/// wrong MW_ERR_INVALID_UNSUBSCRIBE_URI.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_message_builder_list_unsubscribe(
    builder: *mut mw_message_builder,
    uri: *const c_char,
) -> mw_result {
    set(
        builder,
        || Ok(unsafe { str_arg(uri, "uri") }?.to_string()),
        |b, a| Ok(b.list_unsubscribe(a)),
    )
}

/// Asks for one-click unsubscribe (RFC 8058) when `on`: writes
/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click`. It needs an
/// `https:` List-Unsubscribe URI (else the build fails with
/// MW_ERR_ONE_CLICK_REQUIRES_HTTPS).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_message_builder_one_click_unsubscribe(
    builder: *mut mw_message_builder,
    on: bool,
) -> mw_result {
    set(builder, || Ok(on), |b, a| Ok(b.one_click_unsubscribe(a)))
}

/// Sets the List-Id (RFC 2919): `label.namespace`, optionally after a
/// description, as in "Spring news <spring.news.ifaxin.com>" (UTF-8, not
/// NULL; checked when built: MW_ERR_INVALID_LIST_ID).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_message_builder_list_id(
    builder: *mut mw_message_builder,
    value: *const c_char,
) -> mw_result {
    set(
        builder,
        || Ok(unsafe { str_arg(value, "list_id") }?.to_string()),
        |b, a| Ok(b.list_id(a)),
    )
}

/// Adds a calendar invitation: the iCalendar text (`content_len` bytes of
/// UTF-8 at `content`, copied; no NUL needed) goes in as
/// `text/calendar; method=<METHOD>; charset=utf-8`, the last alternative
/// after the text and HTML bodies. `method` is its iTIP method ("REQUEST",
/// "CANCEL", ...; not NULL). With an `attachment_filename` (NULL for none,
/// e.g. "invite.ics") the same text is also attached as `application/ics`
/// after the other attachments. Checked when built: not `BEGIN:VCALENDAR`
/// ... `END:VCALENDAR` or a bad method is MW_ERR_INVALID_CALENDAR, a
/// `METHOD` property other than `method` MW_ERR_CALENDAR_METHOD_MISMATCH.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_message_builder_calendar(
    builder: *mut mw_message_builder,
    method: *const c_char,
    content: *const c_char,
    content_len: usize,
    attachment_filename: *const c_char,
) -> mw_result {
    let args = || -> Result<Calendar, Fail> {
        let mut calendar = Calendar::new(unsafe { str_arg(method, "method") }?, unsafe {
            text_arg(content, content_len, "content")
        }?);
        if let Some(name) = unsafe { opt_str_arg(attachment_filename, "attachment_filename") }? {
            calendar = calendar.attachment(name);
        }
        Ok(calendar)
    };
    set(builder, args, |b, calendar| Ok(b.calendar(calendar)))
}

/// Validates everything and builds the message. The builder is consumed and
/// freed whatever the result (do not use or free it afterwards). If any
/// setter failed on this builder, the build fails with the first such error
/// (same code, same `mw_last_error_message`). On success `*out` receives a
/// message the caller owns (free with `mw_message_free`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_message_build(
    builder: *mut mw_message_builder,
    out_message: *mut *mut mw_message,
) -> mw_result {
    boundary(|| {
        if builder.is_null() {
            return Err(Fail::null("builder"));
        }
        // SAFETY: from `mw_message_builder_new` (contract); consumed here.
        let handle = unsafe { Box::from_raw(builder) };
        let slot = out(out_message, "out_message")?;
        if let Some(fail) = handle.failed {
            return Err(fail);
        }
        let builder = handle
            .inner
            .ok_or_else(|| Fail::new(mw_result::MW_ERR_INVALID_STATE, "the builder is unusable"))?;
        let inner = builder.build()?;
        let envelope = inner.envelope();
        let message = mw_message {
            sender: to_c_string(envelope.sender()),
            recipients: envelope.recipients().map(to_c_string).collect(),
            id: to_c_string(inner.message_id()),
            structure: to_c_string(&inner.structure()),
            inner,
        };
        *slot = Box::into_raw(Box::new(message));
        Ok(())
    })
}

/// Frees a message. NULL does nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_message_free(message: *mut mw_message) {
    guard((), || {
        if !message.is_null() {
            // SAFETY: from `mw_message_build` (contract).
            drop(unsafe { Box::from_raw(message) });
        }
    })
}

fn message_ref<'a>(message: *const mw_message) -> Result<&'a mw_message, Fail> {
    // SAFETY: a live handle from `mw_message_build` (contract).
    unsafe { message.as_ref() }.ok_or_else(|| Fail::null("message"))
}

/// The message's bytes (CRLF line ends). On success `*out_data`/`*out_len`
/// receive a buffer the caller frees with `mw_bytes_free(data, len)`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_message_to_bytes(
    message: *const mw_message,
    out_data: *mut *mut u8,
    out_len: *mut usize,
) -> mw_result {
    boundary(|| {
        let message = message_ref(message)?;
        let data = out(out_data, "out_data")?;
        let len = out(out_len, "out_len")?;
        give_bytes(message.inner.to_vec(), data, len);
        Ok(())
    })
}

struct CallbackWriter {
    write: unsafe extern "C" fn(*mut c_void, *const u8, usize) -> i32,
    ctx: *mut c_void,
}

impl std::io::Write for CallbackWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // SAFETY: the caller's callback with its own context.
        match unsafe { (self.write)(self.ctx, buf.as_ptr(), buf.len()) } {
            0 => Ok(buf.len()),
            code => Err(std::io::Error::other(format!(
                "the write callback returned {code}"
            ))),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Streams the message to `write(ctx, data, len)` in pieces of at most 64 KiB
/// (no second copy of the message in memory). A non-zero return from `write`
/// stops it with MW_ERR_IO.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_message_write(
    message: *const mw_message,
    write: mw_write_fn,
    ctx: *mut c_void,
) -> mw_result {
    boundary(|| {
        let message = message_ref(message)?;
        let write = write.ok_or_else(|| Fail::null("write"))?;
        message.inner.write_to(CallbackWriter { write, ctx })?;
        Ok(())
    })
}

/// The exact size in bytes, through `*out_size`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_message_size(
    message: *const mw_message,
    out_size: *mut usize,
) -> mw_result {
    boundary(|| {
        let message = message_ref(message)?;
        *out(out_size, "out_size")? = message.inner.size();
        Ok(())
    })
}

/// MW_ERR_MESSAGE_TOO_LARGE if the message is over `limit` bytes (a server's SIZE; 0: no limit).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_message_check_size(
    message: *const mw_message,
    limit: u64,
) -> mw_result {
    boundary(|| Ok(message_ref(message)?.inner.check_size(limit)?))
}

/// The envelope sender (MAIL FROM). Owned by the message; NULL if `message` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_message_envelope_sender(message: *const mw_message) -> *const c_char {
    guard(std::ptr::null(), || {
        message_ref(message).map_or(std::ptr::null(), |m| m.sender.as_ptr())
    })
}

/// How many envelope recipients (To + Cc + Bcc, deduplicated); 0 if `message` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_message_recipient_count(message: *const mw_message) -> usize {
    guard(0, || message_ref(message).map_or(0, |m| m.recipients.len()))
}

/// The `index`-th envelope recipient, or NULL when out of range. Owned by the message.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_message_recipient(
    message: *const mw_message,
    index: usize,
) -> *const c_char {
    guard(std::ptr::null(), || {
        message_ref(message)
            .ok()
            .and_then(|m| m.recipients.get(index))
            .map_or(std::ptr::null(), |r| r.as_ptr())
    })
}

/// The Message-ID without angle brackets. Owned by the message.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_message_id(message: *const mw_message) -> *const c_char {
    guard(std::ptr::null(), || {
        message_ref(message).map_or(std::ptr::null(), |m| m.id.as_ptr())
    })
}

/// True when the message carries at least one DKIM signature; false if
/// `message` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_message_is_signed(message: *const mw_message) -> bool {
    guard(false, || {
        // SAFETY: NULL or a live handle (contract).
        unsafe { message.as_ref() }.is_some_and(|m| m.inner.is_signed())
    })
}

/// The MIME structure, e.g. "multipart/related[text/html, image/png]". Owned by the message.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_message_structure(message: *const mw_message) -> *const c_char {
    guard(std::ptr::null(), || {
        message_ref(message).map_or(std::ptr::null(), |m| m.structure.as_ptr())
    })
}

/// Creates an empty X-SMTPAPI value; NULL only if memory is exhausted. Free with `mw_x_smtpapi_free`.
#[unsafe(no_mangle)]
pub extern "C" fn mw_x_smtpapi_new() -> *mut mw_x_smtpapi {
    guard(std::ptr::null_mut(), || {
        Box::into_raw(Box::new(mw_x_smtpapi {
            inner: XSmtpApi::new(),
            failed: None,
        }))
    })
}

/// Frees an X-SMTPAPI value. NULL does nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_x_smtpapi_free(api: *mut mw_x_smtpapi) {
    guard((), || {
        if !api.is_null() {
            // SAFETY: from `mw_x_smtpapi_new` (contract).
            drop(unsafe { Box::from_raw(api) });
        }
    })
}

fn with_api(
    api: *mut mw_x_smtpapi,
    f: impl FnOnce(XSmtpApi) -> Result<XSmtpApi, Fail>,
) -> mw_result {
    boundary(|| {
        let handle = out(api, "api")?;
        // A rejected argument leaves the value as it was (cloning it is
        // cheap), and the first error is kept.
        let result = catch(|| f(handle.inner.clone()));
        handle.inner = remember(&mut handle.failed, result)?;
        Ok(())
    })
}

/// Adds a `to` address.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_x_smtpapi_to(
    api: *mut mw_x_smtpapi,
    address: *const c_char,
) -> mw_result {
    with_api(api, |x| Ok(x.to(unsafe { str_arg(address, "address") }?)))
}

/// Sets a substitution variable: `count` values (one per `to` address) at `values`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_x_smtpapi_sub(
    api: *mut mw_x_smtpapi,
    variable: *const c_char,
    values: *const *const c_char,
    count: usize,
) -> mw_result {
    with_api(api, |x| {
        let variable = unsafe { str_arg(variable, "variable") }?;
        if values.is_null() && count > 0 {
            return Err(Fail::null("values"));
        }
        let mut list = Vec::with_capacity(count);
        for i in 0..count {
            // SAFETY: `count` pointers at `values` (contract).
            list.push(unsafe { str_arg(*values.add(i), "values[i]") }?.to_string());
        }
        Ok(x.sub(variable, list))
    })
}

/// Sets a `section` entry.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_x_smtpapi_section(
    api: *mut mw_x_smtpapi,
    name: *const c_char,
    value: *const c_char,
) -> mw_result {
    with_api(api, |x| {
        Ok(x.section(unsafe { str_arg(name, "name") }?, unsafe {
            str_arg(value, "value")
        }?))
    })
}

/// Sets open, click and subscription tracking: for each, 1 on, 0 off, -1 unset.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_x_smtpapi_tracking(
    api: *mut mw_x_smtpapi,
    open: i32,
    click: i32,
    subscription: i32,
) -> mw_result {
    with_api(api, |mut x| {
        for (value, what) in [(open, 0), (click, 1), (subscription, 2)] {
            match value {
                -1 => {}
                0 | 1 => {
                    x = match what {
                        0 => x.open_tracking(value == 1),
                        1 => x.click_tracking(value == 1),
                        _ => x.subscription_tracking(value == 1),
                    }
                }
                other => {
                    return Err(Fail::new(
                        mw_result::MW_ERR_INVALID_ARGUMENT,
                        format!("tracking must be -1, 0 or 1, not {other}"),
                    ));
                }
            }
        }
        Ok(x)
    })
}

/// The header value (validated JSON, base64). Fails with the first error
/// of an earlier call on `api`, if any. On success `*out` is a string the
/// caller frees with `mw_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_x_smtpapi_encode(
    api: *const mw_x_smtpapi,
    out_value: *mut *mut c_char,
) -> mw_result {
    boundary(|| {
        // SAFETY: a live handle (contract).
        let api = unsafe { api.as_ref() }.ok_or_else(|| Fail::null("api"))?;
        let slot = out(out_value, "out_value")?;
        if let Some(fail) = &api.failed {
            return Err(fail.clone());
        }
        *slot = to_c_string(&api.inner.encode()?).into_raw();
        Ok(())
    })
}

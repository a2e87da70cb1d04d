//! Parsed SMTP replies and their classes (the core's `ReplyClass`).

use crate::convert::{bytes_arg, c_value, core_value, out, static_name, to_c_string};
use crate::errors::{boundary, guard, mw_result};
use mailwright::smtp::{Reply, ReplyClass};
use std::ffi::{CString, c_char};

/// How `mw_reply_get_class` classifies a reply (the core's `ReplyClass`).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mw_reply_class {
    MW_REPLY_POSITIVE = 1,
    MW_REPLY_INTERMEDIATE = 2,
    MW_REPLY_TRANSIENT = 3,
    MW_REPLY_PERMANENT = 4,
    /// SendCloud's `536 Frequency limited`: retry later.
    MW_REPLY_RATE_LIMITED = 5,
}

/// The C values, in the order of the core's `ReplyClass::ALL`.
const CLASSES: &[mw_reply_class] = {
    use mw_reply_class::*;
    &[
        MW_REPLY_POSITIVE,
        MW_REPLY_INTERMEDIATE,
        MW_REPLY_TRANSIENT,
        MW_REPLY_PERMANENT,
        MW_REPLY_RATE_LIMITED,
    ]
};

impl From<mw_reply_class> for u32 {
    fn from(value: mw_reply_class) -> u32 {
        value as u32
    }
}

/// One parsed SMTP reply (opaque). Free with `mw_reply_free`.
pub struct mw_reply {
    inner: Reply,
    text: CString,
    lines: Vec<CString>,
    enhanced: Option<CString>,
    queue_id: Option<CString>,
}

/// Parses one complete reply (`len` bytes); what is not SMTP is
/// MW_ERR_PROTOCOL. On success `*out_reply` is owned by the caller.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_reply_parse(
    data: *const u8,
    len: usize,
    out_reply: *mut *mut mw_reply,
) -> mw_result {
    boundary(|| {
        let data = unsafe { bytes_arg(data, len, "data") }?;
        let slot = out(out_reply, "out_reply")?;
        let inner = Reply::parse(data)?;
        *slot = Box::into_raw(Box::new(mw_reply {
            text: to_c_string(&inner.text()),
            lines: inner.lines().iter().map(|l| to_c_string(l)).collect(),
            enhanced: inner.enhanced().map(|e| to_c_string(&e.to_string())),
            queue_id: inner.queue_id().map(to_c_string),
            inner,
        }));
        Ok(())
    })
}

fn reply_ref<'a>(reply: *const mw_reply) -> Option<&'a mw_reply> {
    // SAFETY: NULL or a live handle (contract).
    unsafe { reply.as_ref() }
}

/// The reply code (e.g. 250); 0 if `reply` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_reply_code(reply: *const mw_reply) -> u16 {
    guard(0, || reply_ref(reply).map_or(0, |r| r.inner.code()))
}

/// The class of the reply (an `mw_reply_class`); 0 if `reply` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_reply_get_class(reply: *const mw_reply) -> u32 {
    guard(0, || {
        reply_ref(reply)
            .and_then(|r| c_value(ReplyClass::ALL, CLASSES, r.inner.class()))
            .map_or(0, |c| c as u32)
    })
}

/// True when the same command may succeed later (the core's
/// `ReplyClass::is_transient`: 4xx and 536); false if `reply` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_reply_is_transient(reply: *const mw_reply) -> bool {
    guard(false, || {
        reply_ref(reply).is_some_and(|r| r.inner.class().is_transient())
    })
}

/// The core's name of a reply class ("Positive", "Intermediate",
/// "Transient", "Permanent", "RateLimited"), or NULL when `class` is not an
/// `mw_reply_class`. Static.
#[unsafe(no_mangle)]
pub extern "C" fn mw_reply_class_name(class: u32) -> *const c_char {
    guard(std::ptr::null(), || {
        core_value(ReplyClass::ALL, CLASSES, class)
            .map_or(std::ptr::null(), |c| static_name(c.as_str()))
    })
}

/// The text of all lines joined with "\n". Owned by the reply.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_reply_text(reply: *const mw_reply) -> *const c_char {
    guard(std::ptr::null(), || {
        reply_ref(reply).map_or(std::ptr::null(), |r| r.text.as_ptr())
    })
}

/// How many lines the reply has; 0 if `reply` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_reply_line_count(reply: *const mw_reply) -> usize {
    guard(0, || reply_ref(reply).map_or(0, |r| r.lines.len()))
}

/// The text of the `index`-th line (without the code and separator), or
/// NULL when out of range. Owned by the reply.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_reply_line(reply: *const mw_reply, index: usize) -> *const c_char {
    guard(std::ptr::null(), || {
        reply_ref(reply)
            .and_then(|r| r.lines.get(index))
            .map_or(std::ptr::null(), |l| l.as_ptr())
    })
}

/// The enhanced status code ("5.7.8") or NULL. Owned by the reply.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_reply_enhanced_code(reply: *const mw_reply) -> *const c_char {
    guard(std::ptr::null(), || {
        reply_ref(reply)
            .and_then(|r| r.enhanced.as_ref())
            .map_or(std::ptr::null(), |s| s.as_ptr())
    })
}

/// The queue id of a DATA reply, or NULL. Owned by the reply.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_reply_queue_id(reply: *const mw_reply) -> *const c_char {
    guard(std::ptr::null(), || {
        reply_ref(reply)
            .and_then(|r| r.queue_id.as_ref())
            .map_or(std::ptr::null(), |s| s.as_ptr())
    })
}

/// Frees a reply. NULL does nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_reply_free(reply: *mut mw_reply) {
    guard((), || {
        if !reply.is_null() {
            // SAFETY: from `mw_reply_parse` (contract).
            drop(unsafe { Box::from_raw(reply) });
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_values_follow_the_core_order() {
        assert_eq!(CLASSES.len(), ReplyClass::ALL.len());
        for (c, core) in CLASSES.iter().zip(ReplyClass::ALL) {
            let upper: String = core
                .as_str()
                .chars()
                .enumerate()
                .flat_map(|(i, ch)| {
                    let sep = (i > 0 && ch.is_uppercase()).then_some('_');
                    sep.into_iter().chain(ch.to_uppercase())
                })
                .collect();
            assert_eq!(format!("{c:?}"), format!("MW_REPLY_{upper}"));
        }
    }
}

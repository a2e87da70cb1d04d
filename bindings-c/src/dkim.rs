//! DKIM signing: the key (`mw_dkim_key`), the signer (`mw_dkim_signer`) and
//! the builder call that signs a message with it. Keys are read, checked,
//! kept and zeroized by the core; this module only moves handles.

use crate::convert::{bytes_arg, out, static_name, str_arg, text_arg, to_c_string};
use crate::errors::{Fail, boundary, catch, guard, mw_result};
use crate::message::{mw_message_builder, remember, set};
use mailwright::{Canonicalization, DkimKey, DkimSigner};
use std::ffi::c_char;
use std::sync::Arc;

/// A DKIM private key (opaque): RSA (1024 to 4096 bits) or Ed25519. It is a
/// secret: the core zeroizes it when the last handle or signer holding it
/// is freed, and it never appears in an error message. Free with
/// `mw_dkim_key_free`; signers made from it keep their own reference, so
/// the key may be freed as soon as the signers are made.
pub struct mw_dkim_key {
    inner: Arc<DkimKey>,
}

/// How to sign (opaque): a key, the signing domain (`d=`), the selector
/// (`s=`), the canonicalization, the signature time and an optional
/// expiry. Reusable: `mw_message_builder_dkim` copies it (the copy shares
/// the key), so one signer signs any number of messages. Sticky errors, as
/// the message builder's: once a setter has failed, `mw_message_builder_dkim`
/// is refused with that first error. Free with `mw_dkim_signer_free`.
pub struct mw_dkim_signer {
    inner: DkimSigner,
    /// The first error a setter returned.
    failed: Option<Fail>,
}

// Keys and signers are only read once made: any number of threads may sign
// with one at the same time.
const _: () = {
    const fn shareable<T: Send + Sync>() {}
    shareable::<mw_dkim_key>();
    shareable::<mw_dkim_signer>();
};

/// `c=`: the header or body canonicalization of a signer (RFC 6376 3.4).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mw_dkim_canonicalization {
    /// The bytes as they are.
    MW_DKIM_SIMPLE = 0,
    /// Whitespace folded, header names in lower case (the default).
    MW_DKIM_RELAXED = 1,
}

/// The core's `Canonicalization` of a C value; out of range is
/// MW_ERR_INVALID_DKIM_OPTION.
fn canonicalization(value: u32, what: &str) -> Result<Canonicalization, Fail> {
    match value {
        0 => Ok(Canonicalization::Simple),
        1 => Ok(Canonicalization::Relaxed),
        _ => Err(Fail::new(
            mw_result::MW_ERR_INVALID_DKIM_OPTION,
            format!("{what} canonicalization {value} is not an mw_dkim_canonicalization"),
        )),
    }
}

fn give_key(key: DkimKey, out_key: &mut *mut mw_dkim_key) {
    *out_key = Box::into_raw(Box::new(mw_dkim_key {
        inner: Arc::new(key),
    }));
}

/// Reads a PEM private key from `len` bytes of text at `pem` (no NUL
/// needed): `BEGIN PRIVATE KEY` (PKCS#8, RSA or Ed25519) or `BEGIN RSA
/// PRIVATE KEY` (PKCS#1); encrypted keys are refused. The text is read in
/// place, never copied: the caller may wipe it as soon as this returns. A
/// key the core cannot use is MW_ERR_INVALID_DKIM_KEY (the message never
/// quotes the key). On success `*out_key` is owned by the caller (free with
/// `mw_dkim_key_free`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_dkim_key_from_pem(
    pem: *const c_char,
    len: usize,
    out_key: *mut *mut mw_dkim_key,
) -> mw_result {
    boundary(|| {
        let pem = unsafe { text_arg(pem, len, "pem") }?;
        let slot = out(out_key, "out_key")?;
        give_key(DkimKey::from_pem(pem)?, slot);
        Ok(())
    })
}

/// An Ed25519 key from its raw 32-byte seed (`len` bytes at `seed`, read in
/// place, never copied). Any other length is MW_ERR_INVALID_DKIM_KEY. On
/// success `*out_key` is owned by the caller (free with `mw_dkim_key_free`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_dkim_key_from_ed25519_seed(
    seed: *const u8,
    len: usize,
    out_key: *mut *mut mw_dkim_key,
) -> mw_result {
    boundary(|| {
        let seed = unsafe { bytes_arg(seed, len, "seed") }?;
        let slot = out(out_key, "out_key")?;
        give_key(DkimKey::ed25519_from_seed(seed)?, slot);
        Ok(())
    })
}

/// Frees a key handle (the key itself is zeroized once no signer holds it
/// either). NULL does nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_dkim_key_free(key: *mut mw_dkim_key) {
    guard((), || {
        if !key.is_null() {
            // SAFETY: from `mw_dkim_key_from_*` (contract).
            drop(unsafe { Box::from_raw(key) });
        }
    })
}

fn key_ref<'a>(key: *const mw_dkim_key) -> Result<&'a mw_dkim_key, Fail> {
    // SAFETY: NULL or a live handle (contract).
    unsafe { key.as_ref() }.ok_or_else(|| Fail::null("key"))
}

/// The key's algorithm as the `a=` tag writes it ("rsa-sha256" or
/// "ed25519-sha256"), or NULL if `key` is NULL. Static.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_dkim_key_algorithm(key: *const mw_dkim_key) -> *const c_char {
    guard(std::ptr::null(), || {
        key_ref(key).map_or(std::ptr::null(), |k| {
            static_name(k.inner.algorithm().as_str())
        })
    })
}

/// The public key's DNS TXT record, to publish at
/// `<selector>._domainkey.<domain>` (`v=DKIM1; k=rsa; p=...` or
/// `v=DKIM1; k=ed25519; p=...`). On success `*out_record` is a string the
/// caller frees with `mw_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_dkim_key_dns_record(
    key: *const mw_dkim_key,
    out_record: *mut *mut c_char,
) -> mw_result {
    boundary(|| {
        let key = key_ref(key)?;
        let slot = out(out_record, "out_record")?;
        *slot = to_c_string(&key.inner.dns_record()).into_raw();
        Ok(())
    })
}

/// Creates a signer for `domain` (`d=`; an IDN is written as its A-labels)
/// and `selector` (`s=`) with `key`, relaxed/relaxed, its time read from
/// the clock when each message is built. The signer keeps its own reference
/// to the key (`key` stays the caller's). The domain and selector are
/// checked when a message is built (MW_ERR_INVALID_DKIM_OPTION). On success
/// `*out_signer` is owned by the caller (free with `mw_dkim_signer_free`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_dkim_signer_new(
    domain: *const c_char,
    selector: *const c_char,
    key: *const mw_dkim_key,
    out_signer: *mut *mut mw_dkim_signer,
) -> mw_result {
    boundary(|| {
        let domain = unsafe { str_arg(domain, "domain") }?;
        let selector = unsafe { str_arg(selector, "selector") }?;
        let key = key_ref(key)?;
        let slot = out(out_signer, "out_signer")?;
        *slot = Box::into_raw(Box::new(mw_dkim_signer {
            inner: DkimSigner::new(domain, selector, Arc::clone(&key.inner)),
            failed: None,
        }));
        Ok(())
    })
}

/// Frees a signer (messages built with it keep their own copy). NULL does nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_dkim_signer_free(signer: *mut mw_dkim_signer) {
    guard((), || {
        if !signer.is_null() {
            // SAFETY: from `mw_dkim_signer_new` (contract).
            drop(unsafe { Box::from_raw(signer) });
        }
    })
}

fn with_signer(
    signer: *mut mw_dkim_signer,
    f: impl FnOnce(DkimSigner) -> Result<DkimSigner, Fail>,
) -> mw_result {
    boundary(|| {
        let handle = out(signer, "signer")?;
        // A rejected argument leaves the signer as it was (cloning it is
        // cheap: the key is shared), and the first error is kept.
        let result = catch(|| f(handle.inner.clone()));
        handle.inner = remember(&mut handle.failed, result)?;
        Ok(())
    })
}

/// Sets the header and body canonicalization (`c=`); each an
/// `mw_dkim_canonicalization` (out of range: MW_ERR_INVALID_DKIM_OPTION).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_dkim_signer_canonicalization(
    signer: *mut mw_dkim_signer,
    header: u32,
    body: u32,
) -> mw_result {
    with_signer(signer, |s| {
        Ok(s.canonicalization(
            canonicalization(header, "header")?,
            canonicalization(body, "body")?,
        ))
    })
}

/// Fixes the signature time (`t=`), in seconds since the Unix epoch, so the
/// same message gives the same bytes (checked when a message is built).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_dkim_signer_time(
    signer: *mut mw_dkim_signer,
    unix_seconds: i64,
) -> mw_result {
    with_signer(signer, |s| Ok(s.time(unix_seconds)))
}

/// Adds an expiry (`x=`) this many seconds after the signature time
/// (checked when a message is built).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_dkim_signer_expires_after(
    signer: *mut mw_dkim_signer,
    seconds: u64,
) -> mw_result {
    with_signer(signer, |s| Ok(s.expires_after(seconds)))
}

/// The signer's algorithm ("rsa-sha256" or "ed25519-sha256"), or NULL if
/// `signer` is NULL. Static.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_dkim_signer_algorithm(signer: *const mw_dkim_signer) -> *const c_char {
    guard(std::ptr::null(), || {
        // SAFETY: NULL or a live handle (contract).
        unsafe { signer.as_ref() }.map_or(std::ptr::null(), |s| {
            static_name(s.inner.algorithm().as_str())
        })
    })
}

/// Signs the message with DKIM when it is built (`signer` is copied and
/// stays the caller's; the copy shares the key). Call it again with another
/// signer to sign twice (RSA and Ed25519, as RFC 8463 suggests): the
/// `DKIM-Signature` lines come first, in call order. A signer that saw an
/// error is refused with that error.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_message_builder_dkim(
    builder: *mut mw_message_builder,
    signer: *const mw_dkim_signer,
) -> mw_result {
    set(
        builder,
        || {
            // SAFETY: NULL or a live handle (contract).
            let signer = unsafe { signer.as_ref() }.ok_or_else(|| Fail::null("signer"))?;
            match &signer.failed {
                Some(fail) => Err(fail.clone()),
                None => Ok(signer.inner.clone()),
            }
        },
        |b, s| Ok(b.dkim(s)),
    )
}

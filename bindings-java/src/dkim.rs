//! `DkimKey` and `DkimSigner`: native handles the Java objects own (no
//! `close()`, freed by the Cleaner). A key handle holds an `Arc<DkimKey>`,
//! shared by every signer made from it; a signer handle holds a core
//! `DkimSigner`, cloned into each message built with it (the clone shares the
//! key). The core reads and checks keys (`InvalidDkimKey`), checks the
//! domain, selector, time and expiry when a message is built
//! (`InvalidDkimOption`) and zeroizes keys when the last owner drops them;
//! the key bytes copied out of Java on the way are wiped here
//! ([`convert::Wiped`]).

use crate::convert::{self, JResult};
use crate::errors::native;
use jni::objects::{JByteArray, JObjectArray, JString};
use jni::sys::jlong;
use mailwright::{Canonicalization, DkimAlgorithm, DkimKey, DkimSigner, Error, ErrorKind};
use std::sync::Arc;

/// The key behind a handle (immutable once made).
fn key<'a>(handle: jlong) -> JResult<&'a Arc<DkimKey>> {
    convert::handle::<Arc<DkimKey>>(handle)
}

/// The signer behind a handle (immutable once its Java builder has made it).
pub fn signer<'a>(handle: jlong) -> JResult<&'a DkimSigner> {
    convert::handle::<DkimSigner>(handle)
}

/// A canonicalization by the name Java passes (its constant in lower case),
/// looked up by the core.
fn canonicalization(name: &str) -> Result<Canonicalization, Error> {
    Canonicalization::from_name(name).ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidDkimOption,
            format!("canonicalization {name:?} is neither simple nor relaxed"),
        )
    })
}

native! {
    /// A key from PEM text (PKCS#8 RSA or Ed25519, or PKCS#1 RSA), read by the core.
    fn dkimKeyFromPem(env, pem: JString<'l>) -> jlong {
        let pem = convert::secret_string(env, &pem, "DKIM key")?;
        convert::into_handle(Arc::new(DkimKey::from_pem(pem.as_str())?))
    }

    /// A key from PEM bytes; bytes that are not UTF-8 cannot be PEM, and the
    /// core refuses them as such (`InvalidDkimKey`).
    fn dkimKeyFromPemBytes(env, pem: JByteArray<'l>) -> jlong {
        let pem = convert::secret_bytes(env, &pem)?;
        let text = pem.to_text_lossy();
        convert::into_handle(Arc::new(DkimKey::from_pem(text.as_str())?))
    }

    /// An Ed25519 key from its raw 32-byte seed (the core checks the length).
    fn dkimKeyFromEd25519Seed(env, seed: JByteArray<'l>) -> jlong {
        let seed = convert::secret_bytes(env, &seed)?;
        convert::into_handle(Arc::new(DkimKey::ed25519_from_seed(seed.as_bytes())?))
    }

    /// The key's algorithm, by the core's name (`rsa-sha256`, `ed25519-sha256`).
    fn dkimKeyAlgorithm(env, handle: jlong) -> JString<'l> {
        convert::new_string(env, Some(key(handle)?.algorithm().as_str()))?
    }

    /// The DNS TXT record of the key's public half.
    fn dkimKeyDnsRecord(env, handle: jlong) -> JString<'l> {
        convert::new_string(env, Some(&key(handle)?.dns_record()))?
    }

    fn dkimKeyFree(_, handle: jlong) {
        // SAFETY: called once, by the DkimKey's cleaner.
        unsafe { convert::free::<Arc<DkimKey>>(handle) }
    }

    /// The core's algorithm names.
    fn dkimAlgorithmNames(env) -> JObjectArray<'l, JString<'l>> {
        convert::new_strings(env, DkimAlgorithm::ALL.iter().map(|a| a.as_str()))?
    }

    /// A signer draft for `domain` (`d=`) and `selector` (`s=`) sharing the
    /// key; relaxed/relaxed, checked by the core when a message is built.
    fn dkimSignerNew(env, domain: JString<'l>, selector: JString<'l>, key_handle: jlong) -> jlong {
        let domain = convert::string(env, &domain, "DKIM domain")?;
        let selector = convert::string(env, &selector, "DKIM selector")?;
        let key = Arc::clone(key(key_handle)?);
        convert::into_handle(DkimSigner::new(domain, selector, key))
    }

    fn dkimSignerCanonicalization(env, handle: jlong, header: JString<'l>, body: JString<'l>) {
        let header = canonicalization(&convert::string(env, &header, "DKIM header canonicalization")?)?;
        let body = canonicalization(&convert::string(env, &body, "DKIM body canonicalization")?)?;
        update(handle, |s| s.canonicalization(header, body))?;
    }

    fn dkimSignerTime(_, handle: jlong, epoch_seconds: jlong) {
        update(handle, |s| s.time(epoch_seconds))?;
    }

    /// The expiry in seconds; a negative number is handed on as one the core
    /// refuses (`InvalidDkimOption`), never wrapped into a valid one.
    fn dkimSignerExpiresAfter(_, handle: jlong, seconds: jlong) {
        let seconds = u64::try_from(seconds).unwrap_or(u64::MAX);
        update(handle, |s| s.expires_after(seconds))?;
    }

    /// The algorithm of the signer's key, by the core's name.
    fn dkimSignerAlgorithm(env, handle: jlong) -> JString<'l> {
        convert::new_string(env, Some(signer(handle)?.algorithm().as_str()))?
    }

    fn dkimSignerFree(_, handle: jlong) {
        // SAFETY: called once, by the DkimSigner's cleaner or by the builder
        // that failed to finish it.
        unsafe { convert::free::<DkimSigner>(handle) }
    }
}

/// Applies a consuming setter to the signer draft behind `handle` (only its
/// Java builder holds it while it is being made).
fn update(handle: jlong, step: impl FnOnce(DkimSigner) -> DkimSigner) -> JResult<()> {
    let draft = convert::handle_mut::<DkimSigner>(handle)?;
    *draft = step(draft.clone());
    Ok(())
}

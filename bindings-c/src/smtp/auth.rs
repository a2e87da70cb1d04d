//! AUTH payloads (the core's pure functions) and mechanism names.

use super::credentials::{creds_arg, mw_credentials};
use crate::convert::{c_value, core_value, give_bytes, out, static_name, str_arg, text_arg};
use crate::errors::{Fail, boundary, guard, mw_result};
use mailwright::Credentials;
use mailwright::smtp::{Mechanism, auth};
use std::ffi::c_char;

/// A SASL mechanism mailwright speaks.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mw_mechanism {
    MW_MECHANISM_PLAIN = 0,
    MW_MECHANISM_LOGIN = 1,
    MW_MECHANISM_XOAUTH2 = 2,
}

/// The C values, in the order of the core's `Mechanism::ALL`.
const MECHANISMS: &[mw_mechanism] = &[
    mw_mechanism::MW_MECHANISM_PLAIN,
    mw_mechanism::MW_MECHANISM_LOGIN,
    mw_mechanism::MW_MECHANISM_XOAUTH2,
];

impl From<mw_mechanism> for u32 {
    fn from(value: mw_mechanism) -> u32 {
        value as u32
    }
}

/// The core's name of a mechanism ("PLAIN", "LOGIN", "XOAUTH2"), or NULL
/// when `mechanism` is not an `mw_mechanism`. Static.
#[unsafe(no_mangle)]
pub extern "C" fn mw_mechanism_name(mechanism: u32) -> *const c_char {
    guard(std::ptr::null(), || {
        core_value(Mechanism::ALL, MECHANISMS, mechanism)
            .map_or(std::ptr::null(), |m| static_name(m.as_str()))
    })
}

/// Looks a mechanism up by the core's name (`len` bytes at `name`, case
/// insensitive); an unknown name is MW_ERR_INVALID_ARGUMENT.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_mechanism_from_name(
    name: *const c_char,
    len: usize,
    out_mechanism: *mut mw_mechanism,
) -> mw_result {
    boundary(|| {
        let name = unsafe { text_arg(name, len, "name") }?;
        let slot = out(out_mechanism, "out_mechanism")?;
        *slot = Mechanism::from_name(name)
            .and_then(|m| c_value(Mechanism::ALL, MECHANISMS, m))
            .ok_or_else(|| {
                Fail::new(
                    mw_result::MW_ERR_INVALID_ARGUMENT,
                    format!("{name:?} is not a mechanism mailwright speaks"),
                )
            })?;
        Ok(())
    })
}

fn payload(
    credentials: *const mw_credentials,
    out_data: *mut *mut u8,
    out_len: *mut usize,
    make: impl FnOnce(&Credentials) -> Result<Vec<u8>, Fail>,
) -> mw_result {
    boundary(|| {
        let creds = creds_arg(credentials)?;
        let data = out(out_data, "out_data")?;
        let len = out(out_len, "out_len")?;
        give_bytes(make(creds)?, data, len);
        Ok(())
    })
}

/// `AUTH LOGIN <base64 user>\r\n`. Free the buffer with `mw_bytes_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_auth_login(
    credentials: *const mw_credentials,
    out_data: *mut *mut u8,
    out_len: *mut usize,
) -> mw_result {
    payload(credentials, out_data, out_len, |c| {
        Ok(auth::auth_login(c)?.to_vec())
    })
}

/// `AUTH PLAIN <base64>\r\n` (holds the key: `mw_bytes_free` zeroes it).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_auth_plain(
    credentials: *const mw_credentials,
    out_data: *mut *mut u8,
    out_len: *mut usize,
) -> mw_result {
    payload(credentials, out_data, out_len, |c| {
        Ok(auth::auth_plain(c)?.to_vec())
    })
}

/// `AUTH XOAUTH2 <base64>\r\n` for OAuth 2 credentials.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_auth_xoauth2(
    credentials: *const mw_credentials,
    out_data: *mut *mut u8,
    out_len: *mut usize,
) -> mw_result {
    payload(credentials, out_data, out_len, |c| {
        Ok(auth::auth_xoauth2(c)?.to_vec())
    })
}

/// The answer to a `334` LOGIN challenge (its base64 text, NUL-terminated):
/// the user name or the password, base64, CRLF-terminated. `username_sent`
/// says whether the user name was already sent (what the core uses when the
/// challenge does not say what it asks for).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_auth_login_answer(
    challenge: *const c_char,
    credentials: *const mw_credentials,
    username_sent: bool,
    out_data: *mut *mut u8,
    out_len: *mut usize,
) -> mw_result {
    payload(credentials, out_data, out_len, |c| {
        let prompt = auth::login_prompt(unsafe { str_arg(challenge, "challenge") }?, username_sent);
        Ok(auth::login_answer(prompt, c)?.to_vec())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mechanism_values_follow_the_core_order() {
        assert_eq!(MECHANISMS.len(), Mechanism::ALL.len());
        for (c, core) in MECHANISMS.iter().zip(Mechanism::ALL) {
            assert_eq!(format!("{c:?}"), format!("MW_MECHANISM_{}", core.as_str()));
        }
    }
}

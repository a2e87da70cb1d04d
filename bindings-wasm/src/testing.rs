//! Hooks for the package's own tests (exported under `__` names that the
//! entry points do not re-export): above `convert` and `errors`, so that
//! neither needs the other.

use crate::convert::string;
use crate::errors::{js_error, type_error};
use mailwright::{Error, ErrorKind};
use wasm_bindgen::prelude::*;

/// Aborts the module as an allocation failure inside the core would (for the
/// package's tests of what follows a trap; not exported by the entry points'
/// public names).
#[wasm_bindgen(js_name = __abortForTests)]
pub fn abort_for_tests() {
    std::process::abort();
}

/// The error thrown for a kind (for the package's tests: the class table is
/// checked for every kind, including those no JS call can cause).
#[wasm_bindgen(js_name = __errorOfKind)]
pub fn error_of_kind(name: JsValue) -> Result<JsValue, JsValue> {
    let name = string(name, "name")?;
    let kind =
        ErrorKind::from_name(&name).ok_or_else(|| type_error(format!("no error kind {name:?}")))?;
    Ok(js_error(Error::new(kind, "a test error")))
}

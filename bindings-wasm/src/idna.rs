//! UTS 46 from the host (the core's `host-idna` feature, on wasm32 only):
//! the runtime's own WHATWG URL parser (`URL`: Node, Deno, Bun and
//! browsers alike; in Node the same parser as `url.domainToASCII`) maps,
//! normalizes and Punycode-encodes internationalized domains, which keeps
//! ICU4X's IDNA data (about 55 KB gzipped) out of the `.wasm`. The core
//! decides what it asks and checks every answer (`core/src/uts46.rs`).

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = URL)]
    type Url;

    #[wasm_bindgen(constructor, js_class = "URL", catch)]
    fn new(url: &str) -> Result<Url, JsValue>;

    #[wasm_bindgen(method, getter, js_class = "URL")]
    fn hostname(this: &Url) -> String;
}

/// `new URL("http://" + text).hostname`, or `None` when it throws.
fn hostname(text: &str) -> Option<String> {
    let mut url = String::with_capacity(text.len() + 7);
    url.push_str("http://");
    url.push_str(text);
    Url::new(&url).ok().map(|u| u.hostname())
}

/// Registers the URL parser with the core when the module starts.
#[wasm_bindgen(start)]
fn start() {
    mailwright::set_idna_host(hostname);
}

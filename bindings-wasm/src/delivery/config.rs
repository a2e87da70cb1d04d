//! The delivery options of `new Dispatcher(plan, options)` (and of Node's
//! `new Mailer(options)`) → the core's `DeliveryConfig`. Every option left
//! out keeps the core's default (`DeliveryConfig::default()`); durations are
//! milliseconds through the core's `timeout_from_millis`, rates through
//! `Rate::new` / `Rate::from_name`, and the whole is checked by
//! `DeliveryConfig::validate`. `rate(init)` shows what the core makes of a
//! `rate` option (for a quota shared across processes: its window).

use crate::convert::{get, missing, opt_bool, opt_number, set, string};
use crate::errors::{IntoJs, type_error};
use crate::smtp::ClientPlan;
use js_sys::Object;
use mailwright::delivery::{DeliveryConfig, Rate};
use mailwright::smtp::settings::{count_from_f64, timeout_from_millis};
use std::time::Duration;
use wasm_bindgen::prelude::*;

/// `obj[key]` in milliseconds, if given.
fn millis(obj: &JsValue, key: &str) -> Result<Option<Duration>, JsValue> {
    opt_number(obj, key)?
        .map(|ms| timeout_from_millis(ms).js())
        .transpose()
}

/// `obj[key]` as a count, if given, through the core's `count_from_f64`
/// (`what` names it in the error); whether 0 is allowed is
/// `DeliveryConfig::validate`'s rule.
fn count(obj: &JsValue, key: &str, what: &str) -> Result<Option<u32>, JsValue> {
    opt_number(obj, key)?
        .map(|n| count_from_f64(n, what).js())
        .transpose()
}

/// `"sendcloud"` (a preset of the core) or `{ messages, per }` (`per` in
/// milliseconds).
fn rate(v: JsValue) -> Result<Rate, JsValue> {
    if v.is_string() {
        return Rate::from_name(&string(v, "rate")?).js();
    }
    if !v.is_object() {
        return Err(type_error(
            "rate must be \"sendcloud\" or { messages, per } (per in milliseconds)".into(),
        ));
    }
    let messages = count(&v, "messages", "rate.messages")?
        .ok_or_else(|| type_error("rate.messages must be a number".into()))?;
    let per = millis(&v, "per")?.ok_or_else(|| type_error("rate.per must be a number".into()))?;
    Rate::new(messages, per).js()
}

/// `rate(init)`: the core's numbers for a `rate` option (`"sendcloud"` or
/// `{ messages, per }`): `{ messages, per, burst, sharedWindow }`, durations
/// in milliseconds. `sharedWindow` is the core's `Rate::shared_window`: how
/// long a quota shared across processes (a `limiter`'s store) must keep each
/// slot, the relay's window plus the core's margin (the built-in limiter
/// holds its slots as long).
#[wasm_bindgen(js_name = rate)]
pub fn rate_numbers(init: JsValue) -> Result<Object, JsValue> {
    let rate = rate(init)?;
    let ms = |d: Duration| JsValue::from_f64(d.as_secs_f64() * 1000.0);
    let o = Object::new();
    set(&o, "messages", &JsValue::from(rate.messages));
    set(&o, "per", &ms(rate.per));
    set(&o, "burst", &JsValue::from(rate.burst));
    set(&o, "sharedWindow", &ms(rate.shared_window()));
    Ok(o)
}

/// The delivery configuration: the plan's session, then every delivery
/// option given, checked by the core.
pub fn delivery_config(plan: &ClientPlan, options: &JsValue) -> Result<DeliveryConfig, JsValue> {
    if !options.is_object() {
        return Err(type_error("options must be an object".into()));
    }
    let mut config = DeliveryConfig {
        session: plan.options.session_config(),
        ..DeliveryConfig::default()
    };
    // Nothing can read a dispatcher's transcripts: they would only hold memory.
    config.session.transcript = false;
    if let Some(n) = count(options, "connections", "connections")? {
        config.connections = n as usize;
    }
    // Infinity: no limit (the core's `None`).
    match opt_number(options, "messagesPerConnection")? {
        Some(n) if n == f64::INFINITY => config.messages_per_connection = None,
        Some(_) => {
            config.messages_per_connection =
                count(options, "messagesPerConnection", "messagesPerConnection")?
                    .map(|n| n as usize)
        }
        None => {}
    }
    if let Some(n) = count(options, "queueCapacity", "queueCapacity")? {
        config.queue_capacity = n as usize;
    }
    if let Some(t) = millis(options, "idleTimeout")? {
        config.idle_timeout = t;
    }
    if let Some(t) = millis(options, "rateLimitedPause")? {
        config.rate_limited_pause = t;
    }
    if let Some(on) = opt_bool(options, "atLeastOnce")? {
        config.at_least_once = on;
    }
    let given = get(options, "rate")?;
    if !missing(&given) {
        config.rate = Some(rate(given)?);
    }
    let retry = get(options, "retry")?;
    if !missing(&retry) {
        if !retry.is_object() {
            return Err(type_error(
                "retry must be { maxAttempts, initialBackoff, maxBackoff, deadline }".into(),
            ));
        }
        if let Some(n) = count(&retry, "maxAttempts", "retry.maxAttempts")? {
            config.retry.max_attempts = n;
        }
        if let Some(t) = millis(&retry, "initialBackoff")? {
            config.retry.initial_backoff = t;
        }
        if let Some(t) = millis(&retry, "maxBackoff")? {
            config.retry.max_backoff = t;
        }
        if let Some(t) = millis(&retry, "deadline")? {
            config.retry.deadline = t;
        }
    }
    config.validate().js()?;
    Ok(config)
}

//! Conversions between Java and Rust values: strings, byte arrays, string
//! arrays, the native handles Java objects own, and the Java result objects
//! (`Reply`, `SendResult`) built here by calling their constructors. Nothing
//! in this module knows a rule of the core; it only moves values.

use jni::objects::{JByteArray, JIntArray, JObject, JObjectArray, JString};
use jni::sys::jlong;
use jni::{Env, jni_sig, jni_str};
use mailwright::smtp::{Reply, SendReport};

pub type JResult<T> = jni::errors::Result<T>;

/// A Java `String` argument (null is a bug of the Java side: `NullPointerException`).
pub fn string(env: &Env<'_>, value: &JString<'_>) -> JResult<String> {
    value.try_to_string(env)
}

/// A nullable Java `String` argument.
pub fn opt_string(env: &Env<'_>, value: &JString<'_>) -> JResult<Option<String>> {
    if value.is_null() {
        return Ok(None);
    }
    value.try_to_string(env).map(Some)
}

/// A Java `byte[]` argument.
pub fn bytes(env: &Env<'_>, value: &JByteArray<'_>) -> JResult<Vec<u8>> {
    env.convert_byte_array(value)
}

/// A Java `String[]` argument.
pub fn strings(env: &mut Env<'_>, value: &JObjectArray<'_, JString<'_>>) -> JResult<Vec<String>> {
    let n = value.len(env)?;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let item = value.get_element(env, i)?;
        out.push(string(env, &item)?);
        env.delete_local_ref(item);
    }
    Ok(out)
}

/// A new Java `String` (null for `None`).
pub fn new_string<'l>(env: &mut Env<'l>, value: Option<&str>) -> JResult<JString<'l>> {
    match value {
        Some(text) => JString::from_str(env, text),
        None => Ok(JString::default()),
    }
}

/// A new Java `byte[]`.
pub fn new_bytes<'l>(env: &mut Env<'l>, value: &[u8]) -> JResult<JByteArray<'l>> {
    env.byte_array_from_slice(value)
}

/// A new Java `String[]`.
pub fn new_strings<'l, S: AsRef<str>>(
    env: &mut Env<'l>,
    items: impl ExactSizeIterator<Item = S>,
) -> JResult<JObjectArray<'l, JString<'l>>> {
    let array = JObjectArray::<JString>::new(env, items.len(), JString::null())?;
    for (i, item) in items.enumerate() {
        let text = JString::from_str(env, item.as_ref())?;
        array.set_element(env, i, &text)?;
        env.delete_local_ref(text);
    }
    Ok(array)
}

/// A new Java `int[]`.
pub fn new_ints<'l>(env: &mut Env<'l>, items: &[i32]) -> JResult<JIntArray<'l>> {
    let array = JIntArray::new(env, items.len())?;
    array.set_region(env, 0, items)?;
    Ok(array)
}

/// Moves `value` to the heap; the Java object that receives the handle owns it
/// and gives it back to [`free`] exactly once.
pub fn into_handle<T>(value: T) -> jlong {
    Box::into_raw(Box::new(value)) as jlong
}

/// The value behind a handle, shared (the Java owner keeps it alive and open
/// for the call; values behind shared handles are immutable).
pub fn handle<'a, T>(value: jlong) -> JResult<&'a T> {
    // SAFETY: a handle is a `Box::into_raw` pointer from `into_handle`, owned by
    // one Java object that checks it is open before each call and frees it once.
    unsafe { (value as *const T).as_ref() }
        .ok_or(jni::errors::Error::NullPtr("a closed mailwright object"))
}

/// The value behind a handle, exclusively (the Java owner serializes calls).
pub fn handle_mut<'a, T>(value: jlong) -> JResult<&'a mut T> {
    // SAFETY: as `handle`; the Java owner's methods are synchronized, so no
    // other call uses this value meanwhile.
    unsafe { (value as *mut T).as_mut() }
        .ok_or(jni::errors::Error::NullPtr("a closed mailwright object"))
}

/// Frees a handle made by [`into_handle`]; 0 is ignored.
///
/// # Safety
/// `value` is 0 or a handle of a `T` not freed before, and no call uses it
/// any more (the Java owner calls this once, from `close()` or its cleaner).
pub unsafe fn free<T>(value: jlong) {
    if value != 0 {
        // SAFETY: see above.
        drop(unsafe { Box::from_raw(value as *mut T) });
    }
}

/// `org.mailwright.Reply`, from the core's parsed reply; names and
/// classification are the core's.
pub fn new_reply<'l>(env: &mut Env<'l>, reply: &Reply) -> JResult<JObject<'l>> {
    let enhanced = reply.enhanced().map(|e| e.to_string());
    let enhanced = new_string(env, enhanced.as_deref())?;
    let class = reply.class();
    let class_name = new_string(env, Some(class.as_str()))?;
    let queue_id = new_string(env, reply.queue_id())?;
    let lines = new_strings(env, reply.lines().iter())?;
    let text = new_string(env, Some(&reply.text()))?;
    env.new_object(
        jni_str!("org/mailwright/Reply"),
        jni_sig!("(ILjava/lang/String;Ljava/lang/String;ZLjava/lang/String;[Ljava/lang/String;Ljava/lang/String;)V"),
        &[
            i32::from(reply.code()).into(),
            (&enhanced).into(),
            (&class_name).into(),
            class.is_transient().into(),
            (&queue_id).into(),
            (&lines).into(),
            (&text).into(),
        ],
    )
}

/// The refused recipients as two parallel Java arrays (addresses, reply codes).
pub fn new_refused<'l>(
    env: &mut Env<'l>,
    refused: &[(String, Reply)],
) -> JResult<(JObjectArray<'l, JString<'l>>, JIntArray<'l>)> {
    let recipients = new_strings(env, refused.iter().map(|(rcpt, _)| rcpt))?;
    let codes: Vec<i32> = refused
        .iter()
        .map(|(_, reply)| i32::from(reply.code()))
        .collect();
    Ok((recipients, new_ints(env, &codes)?))
}

/// `org.mailwright.SendResult`, from the core's report of an accepted message.
pub fn new_send_result<'l>(env: &mut Env<'l>, report: &SendReport) -> JResult<JObject<'l>> {
    let queue_id = new_string(env, report.queue_id.as_deref())?;
    let accepted = new_strings(env, report.accepted.iter())?;
    let (recipients, codes) = new_refused(env, &report.refused)?;
    let reply = new_reply(env, &report.reply)?;
    env.new_object(
        jni_str!("org/mailwright/SendResult"),
        jni_sig!(
            "(Ljava/lang/String;[Ljava/lang/String;[Ljava/lang/String;[ILorg/mailwright/Reply;)V"
        ),
        &[
            (&queue_id).into(),
            (&accepted).into(),
            (&recipients).into(),
            (&codes).into(),
            (&reply).into(),
        ],
    )
}

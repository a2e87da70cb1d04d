//! Conversions between Java and Rust values: strings, byte arrays, string
//! arrays, the native handles Java objects own, and the Java result objects
//! (`Reply`, `SendResult`) built here by calling their constructors. Nothing
//! in this module knows a rule of the core; it only moves values (a Java
//! string is read as the UTF-16 it is and decoded by the core's
//! `unicode::from_utf16`, so a lone surrogate is the core's `InvalidUnicode`).

use jni::objects::{JByteArray, JIntArray, JObject, JObjectArray, JString};
use jni::sys::{jchar, jlong, jsize};
use jni::{Env, jni_sig, jni_str};
use mailwright::smtp::{Reply, SendReport, TranscriptLine};
use mailwright::{Error, unicode};
use std::sync::atomic::{AtomicI64, Ordering};

pub type JResult<T> = jni::errors::Result<T>;

/// Why a native call (or a conversion in it) failed.
#[derive(Debug)]
pub enum Fail {
    /// The core refused (bad input, a server's answer, a lost connection...).
    Core(Error),
    /// A JNI call failed, or a Java exception is already pending.
    Jni(jni::errors::Error),
}

impl From<Error> for Fail {
    fn from(error: Error) -> Self {
        Fail::Core(error)
    }
}

impl From<jni::errors::Error> for Fail {
    fn from(error: jni::errors::Error) -> Self {
        Fail::Jni(error)
    }
}

impl std::fmt::Display for Fail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Fail::Core(error) => error.fmt(f),
            Fail::Jni(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for Fail {}

pub type Outcome<T> = Result<T, Fail>;

/// A Java `String` argument, as text: its UTF-16 code units decoded by the
/// core (`field` names it in an `InvalidUnicode` error). Null is a bug of the
/// Java side (`NullPointerException`). Every string argument of every native
/// goes through here.
pub fn string(env: &Env<'_>, value: &JString<'_>, field: &'static str) -> Outcome<String> {
    if value.is_null() {
        return Err(jni::errors::Error::NullPtr(field).into());
    }
    Ok(unicode::from_utf16(&utf16(env, value)?, field)?)
}

/// The UTF-16 code units of a non-null Java `String`, as they are (never
/// through modified UTF-8, which would hide a lone surrogate).
pub fn utf16(env: &Env<'_>, value: &JString<'_>) -> JResult<Vec<u16>> {
    let raw = value.as_raw();
    if raw.is_null() {
        return Err(jni::errors::Error::NullPtr("a string"));
    }
    if env.exception_check() {
        return Err(jni::errors::Error::JavaException);
    }
    let env_ptr = env.get_raw();
    // SAFETY: `env_ptr` is this thread's valid JNIEnv, no exception is
    // pending, `raw` is a live non-null local reference to a String, and the
    // buffer holds exactly the `len` units GetStringRegion copies (0..len is
    // in bounds, so it throws nothing).
    let units = unsafe {
        let interface = *env_ptr;
        let len: jsize = ((*interface).v1_1.GetStringLength)(env_ptr, raw);
        let mut units: Vec<jchar> = vec![0; usize::try_from(len).unwrap_or(0)];
        ((*interface).v1_2.GetStringRegion)(env_ptr, raw, 0, len, units.as_mut_ptr());
        units
    };
    if env.exception_check() {
        return Err(jni::errors::Error::JavaException);
    }
    Ok(units)
}

/// A nullable Java `String` argument (see [`string`]).
pub fn opt_string(
    env: &Env<'_>,
    value: &JString<'_>,
    field: &'static str,
) -> Outcome<Option<String>> {
    if value.is_null() {
        return Ok(None);
    }
    string(env, value, field).map(Some)
}

/// A Java `byte[]` argument.
pub fn bytes(env: &Env<'_>, value: &JByteArray<'_>) -> JResult<Vec<u8>> {
    env.convert_byte_array(value)
}

/// A Java `String[]` argument (each element as [`string`]).
pub fn strings(
    env: &mut Env<'_>,
    value: &JObjectArray<'_, JString<'_>>,
    field: &'static str,
) -> Outcome<Vec<String>> {
    let n = value.len(env)?;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let item = value.get_element(env, i)?;
        out.push(string(env, &item, field)?);
        env.delete_local_ref(item);
    }
    Ok(out)
}

/// Secret bytes copied out of Java (a DKIM key's PEM or seed): overwritten
/// with zeros when dropped, so no copy outlives the call. (The core zeroizes
/// the key it makes from them; the Java `String` or `byte[]` the caller
/// passed is the caller's.)
pub struct Wiped(Vec<u8>);

impl Wiped {
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The bytes as text when they are UTF-8 (always, from [`secret_string`]).
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The bytes as text, a byte that is not UTF-8 as U+FFFD (text that is
    /// not UTF-8 is no PEM: the core then refuses it); wiped in turn.
    pub fn to_text_lossy(&self) -> Wiped {
        Wiped(String::from_utf8_lossy(&self.0).into_owned().into_bytes())
    }
}

impl Drop for Wiped {
    fn drop(&mut self) {
        wipe(&mut self.0);
    }
}

/// Overwrites `buffer` with zeros in a way the compiler does not elide.
fn wipe<T: Copy + Default>(buffer: &mut [T]) {
    for item in buffer.iter_mut() {
        // SAFETY: `item` is a valid, aligned, exclusive reference into `buffer`.
        unsafe { std::ptr::write_volatile(item, T::default()) };
    }
    std::sync::atomic::compiler_fence(Ordering::SeqCst);
}

/// A secret Java `String` argument as UTF-8 (see [`string`]; its UTF-16
/// copy is wiped as well).
pub fn secret_string(env: &Env<'_>, value: &JString<'_>, field: &'static str) -> Outcome<Wiped> {
    if value.is_null() {
        return Err(jni::errors::Error::NullPtr(field).into());
    }
    let mut units = utf16(env, value)?;
    let text = unicode::from_utf16(&units, field);
    wipe(&mut units);
    Ok(Wiped(text?.into_bytes()))
}

/// A secret Java `byte[]` argument.
pub fn secret_bytes(env: &Env<'_>, value: &JByteArray<'_>) -> Outcome<Wiped> {
    if value.is_null() {
        return Err(jni::errors::Error::NullPtr("a key").into());
    }
    Ok(Wiped(bytes(env, value)?))
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

/// A count, size or time as a Java `long`; `Long.MAX_VALUE` when it does not
/// fit (never reached in practice).
pub fn long(value: impl TryInto<jlong>) -> jlong {
    value.try_into().unwrap_or(jlong::MAX)
}

/// How many handles are alive (made by [`into_handle`], not yet given to
/// [`free`]): what the tests watch to prove that dropped objects are freed.
static LIVE_HANDLES: AtomicI64 = AtomicI64::new(0);

/// The number of live handles.
pub fn live_handles() -> i64 {
    LIVE_HANDLES.load(Ordering::SeqCst)
}

/// Moves `value` to the heap; the Java object that receives the handle owns it
/// and gives it back to [`free`] exactly once.
pub fn into_handle<T>(value: T) -> jlong {
    LIVE_HANDLES.fetch_add(1, Ordering::SeqCst);
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
        LIVE_HANDLES.fetch_sub(1, Ordering::SeqCst);
        // SAFETY: see above.
        drop(unsafe { Box::from_raw(value as *mut T) });
    }
}

/// Takes back the value behind a handle made by [`into_handle`]: its Java
/// owner handed it over (0 is a `NullPointerException`).
///
/// # Safety
/// As [`free`]: `value` is 0 or a live handle of a `T`, used by nothing else
/// from now on.
pub unsafe fn take<T>(value: jlong) -> JResult<T> {
    if value == 0 {
        return Err(jni::errors::Error::NullPtr(
            "a handed-over mailwright object",
        ));
    }
    LIVE_HANDLES.fetch_sub(1, Ordering::SeqCst);
    // SAFETY: see above.
    Ok(*unsafe { Box::from_raw(value as *mut T) })
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

/// The transcript lines as a Java `Object[]` of `org.mailwright.TranscriptLine`
/// (direction by the core's name, the text, and the core's display form).
pub fn new_transcript<'l>(
    env: &mut Env<'l>,
    lines: &[TranscriptLine],
) -> JResult<JObjectArray<'l>> {
    let array = JObjectArray::<JObject>::new(env, lines.len(), JObject::null())?;
    for (i, line) in lines.iter().enumerate() {
        let direction = new_string(env, Some(line.direction.as_str()))?;
        let text = new_string(env, Some(&line.text))?;
        let shown = new_string(env, Some(&line.to_string()))?;
        let object = env.new_object(
            jni_str!("org/mailwright/TranscriptLine"),
            jni_sig!("(Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;)V"),
            &[(&direction).into(), (&text).into(), (&shown).into()],
        )?;
        array.set_element(env, i, &object)?;
        env.delete_local_ref(object);
        env.delete_local_ref(direction);
        env.delete_local_ref(text);
        env.delete_local_ref(shown);
    }
    Ok(array)
}

//! `Ledger` and `LedgerRecord`: the core's ledger (`mailwright::ledger`, an
//! SQLite store shared with the mailers that record into it) behind a
//! handle. Every rule (states, keys, export formats, pruning ages) is the
//! core's; this module only converts.

use crate::convert::{self, JResult};
use crate::errors::native;
use jni::objects::{JLongArray, JObject, JObjectArray, JString};
use jni::sys::{jboolean, jdouble, jint, jlong};
use jni::{Env, jni_sig, jni_str};
use mailwright::ledger::{self, Durability, Format, Record, SharedStore, State, Store};

pub(crate) fn store<'a>(handle: jlong) -> JResult<&'a SharedStore> {
    convert::handle::<SharedStore>(handle)
}

fn state(env: &Env<'_>, name: &JString<'_>) -> convert::Outcome<Option<State>> {
    Ok(convert::opt_string(env, name, "state")?
        .map(|n| State::parse(&n))
        .transpose()?)
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// The Java `LedgerRecord` of a record (its own local frame: a page of any
/// size stays within the caller's local references).
pub(crate) fn new_record<'l>(env: &mut Env<'l>, r: &Record) -> JResult<JObject<'l>> {
    env.with_local_frame_returning_local::<_, JObject, jni::errors::Error>(24, |env| {
        let key = convert::new_string(env, Some(&r.key))?;
        let state = convert::new_string(env, Some(r.state.as_str()))?;
        let message_id = convert::new_string(env, r.message_id.as_deref())?;
        let sender = convert::new_string(env, Some(&r.sender))?;
        let recipients = convert::new_strings(env, r.recipients.iter())?;
        let queue_id = convert::new_string(env, r.queue_id.as_deref())?;
        let accepted = convert::new_strings(env, r.accepted.iter())?;
        let refused = convert::new_strings(env, r.refused.iter().map(|x| &x.recipient))?;
        let codes: Vec<i32> = r.refused.iter().map(|x| i32::from(x.code)).collect();
        let codes = convert::new_ints(env, &codes)?;
        let texts = convert::new_strings(env, r.refused.iter().map(|x| &x.text))?;
        let error_kind = convert::new_string(env, r.error_kind.map(|k| k.as_str()))?;
        let error = convert::new_string(env, r.error.as_deref())?;
        let attempts = jint::try_from(r.attempts).unwrap_or(jint::MAX);
        env.new_object(
            jni_str!("org/mailwright/LedgerRecord"),
            jni_sig!(
                "(Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;ILjava/lang/String;[Ljava/lang/String;Ljava/lang/String;[Ljava/lang/String;[Ljava/lang/String;[I[Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;JJ)V"
            ),
            &[
                (&key).into(),
                (&state).into(),
                (&message_id).into(),
                attempts.into(),
                (&sender).into(),
                (&recipients).into(),
                (&queue_id).into(),
                (&accepted).into(),
                (&refused).into(),
                (&codes).into(),
                (&texts).into(),
                (&error_kind).into(),
                (&error).into(),
                r.submitted_ms.into(),
                r.updated_ms.into(),
            ],
        )
    })
}

/// A `LedgerRecord[]`.
pub(crate) fn new_records<'l>(env: &mut Env<'l>, records: &[&Record]) -> JResult<JObjectArray<'l>> {
    let array = JObjectArray::<JObject>::new(env, records.len(), JObject::null())?;
    for (i, r) in records.iter().enumerate() {
        let object = new_record(env, r)?;
        array.set_element(env, i, &object)?;
        env.delete_local_ref(object);
    }
    Ok(array)
}

native! {
    /// The core's state names, in its order.
    fn ledgerStates(env) -> JObjectArray<'l, JString<'l>> {
        convert::new_strings(env, State::ALL.iter().map(|s| s.as_str()))?
    }

    /// Opens (or creates) the ledger at `path`; `durability` a core name
    /// (null: the default).
    fn ledgerOpen(env, path: JString<'l>, durability: JString<'l>, keep_bodies: jboolean) -> jlong {
        let path = convert::string(env, &path, "path")?;
        let durability = match convert::opt_string(env, &durability, "durability")? {
            Some(name) => Durability::from_name(&name)?,
            None => Durability::default(),
        };
        let opened = ledger::open_store(&path, durability, keep_bodies)?;
        convert::into_handle(SharedStore::new(opened))
    }

    /// Where the ledger is (a file's path; a database's address without its password).
    fn ledgerLocation(env, handle: jlong) -> JString<'l> {
        let location = store(handle)?.location();
        convert::new_string(env, Some(&location))?
    }

    /// Counts in the core's state order, then the total.
    fn ledgerSummary(env, handle: jlong) -> JLongArray<'l> {
        let s = store(handle)?.with(|st| st.summary())?;
        let mut counts: Vec<jlong> = State::ALL.iter().map(|st| convert::long(s.count(*st))).collect();
        counts.push(convert::long(s.total()));
        let array = JLongArray::new(env, counts.len())?;
        array.set_region(env, 0, &counts)?;
        array
    }

    /// The record of a key, or null.
    fn ledgerGet(env, handle: jlong, key: JString<'l>) -> JObject<'l> {
        let key = convert::string(env, &key, "key")?;
        match store(handle)?.with(|st| st.get(&key))? {
            Some(record) => new_record(env, &record)?,
            None => JObject::null(),
        }
    }

    /// Up to `limit` records (of `state`, null for all) after position
    /// `after`; `last[0]` receives the last one's position.
    fn ledgerPage(
        env,
        handle: jlong,
        state_name: JString<'l>,
        after: jlong,
        limit: jint,
        last: JLongArray<'l>,
    ) -> JObjectArray<'l> {
        let state = state(env, &state_name)?;
        let limit = usize::try_from(limit).unwrap_or(0).clamp(1, 10_000);
        let page = store(handle)?.with(|st| st.list(state, after, limit))?;
        if let Some((position, _)) = page.last() {
            last.set_region(env, 0, &[*position])?;
        }
        let records: Vec<&Record> = page.iter().map(|(_, r)| r).collect();
        new_records(env, &records)?
    }

    /// Writes the records (of `state`) to `path` as `format`; how many.
    fn ledgerExport(env, handle: jlong, path: JString<'l>, format: JString<'l>, state_name: JString<'l>) -> jlong {
        let path = convert::string(env, &path, "path")?;
        let format = Format::from_name(&convert::string(env, &format, "format")?)?;
        let state = state(env, &state_name)?;
        let file = std::fs::File::create(&path).map_err(|e| {
            mailwright::Error::new(mailwright::ErrorKind::Io, format!("cannot create {path}: {e}"))
        })?;
        let mut writer = std::io::BufWriter::new(file);
        // Page by page: a mailer recording into this ledger is not held up.
        let mut shared = store(handle)?.clone();
        convert::long(ledger::export(&mut shared, state, format, &mut writer)?)
    }

    /// Deletes records with an outcome older than `seconds`; how many.
    fn ledgerPrune(_, handle: jlong, seconds: jdouble) -> jlong {
        let before = ledger::prune_cutoff(seconds, now_ms())?;
        convert::long(store(handle)?.with(|st| st.prune(before))?)
    }

    fn ledgerFree(_, handle: jlong) {
        // SAFETY: called once, by the Ledger's cleaner or close(), once no
        // call uses it (mailers hold their own clone of the store).
        unsafe { convert::free::<SharedStore>(handle) }
    }
}

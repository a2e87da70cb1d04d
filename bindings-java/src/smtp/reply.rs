//! `Reply.parse`: the core parses and classifies; `Reply` is built by
//! `convert::new_reply`.

use crate::convert;
use crate::errors::run;
use jni::EnvUnowned;
use jni::objects::{JByteArray, JClass, JObject, JObjectArray, JString};
use mailwright::smtp::{Reply, ReplyClass};

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_replyParse<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    data: JByteArray<'l>,
) -> JObject<'l> {
    run(&mut env, |env| {
        let bytes = convert::bytes(env, &data)?;
        let reply = Reply::parse(&bytes)?;
        Ok(convert::new_reply(env, &reply)?)
    })
}

/// The core's reply class names (`Reply.Classification` maps each by name).
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_replyClassNames<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
) -> JObjectArray<'l, JString<'l>> {
    run(&mut env, |env| {
        Ok(convert::new_strings(
            env,
            ReplyClass::ALL.iter().map(|c| c.as_str()),
        )?)
    })
}

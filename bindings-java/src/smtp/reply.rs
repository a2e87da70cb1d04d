//! `Reply.parse`: the core parses and classifies; `Reply` is built by
//! `convert::new_reply`.

use crate::convert;
use crate::errors::native;
use jni::objects::{JByteArray, JObject, JObjectArray, JString};
use mailwright::smtp::{Reply, ReplyClass};

native! {
    fn replyParse(env, data: JByteArray<'l>) -> JObject<'l> {
        let bytes = convert::bytes(env, &data)?;
        let reply = Reply::parse(&bytes)?;
        convert::new_reply(env, &reply)?
    }

    /// The core's reply class names (`Reply.Classification` maps each by name).
    fn replyClassNames(env) -> JObjectArray<'l, JString<'l>> {
        convert::new_strings(env, ReplyClass::ALL.iter().map(|c| c.as_str()))?
    }
}

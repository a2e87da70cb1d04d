//! `Dispatcher`: the core's sans-IO delivery dispatcher, as it is. A driver
//! (Node's `Mailer`) tells it the time and what happened on its
//! connections, executes the actions it asks for, and reads the outcomes.

use super::config::delivery_config;
use super::limiter::JsGate;
use super::prepared::Prepared;
use crate::convert::{get, missing, number_text, set, string};
use crate::errors::{IntoJs, js_error};
use crate::smtp::{ClientPlan, refused};
use js_sys::{Array, Object};
use mailwright::delivery::{self, ConnId, Outcome};
use mailwright::ledger::{Durability, Journal, JournalClaim, Record};
use mailwright::smtp::{ConnectionLoss, LossStage};
use mailwright::{Error, ErrorKind};
use std::time::Duration;
use wasm_bindgen::prelude::*;

/// The core's delivery engine without I/O: a pool of connections (each a
/// sans-IO SMTP session), one throttle, retries, one outcome per message.
#[wasm_bindgen]
pub struct Dispatcher {
    inner: delivery::Dispatcher,
    /// With a ledger (`openJournal`): the core's journal around it.
    journal: Option<Journal>,
}

/// A time in milliseconds on the driver's monotonic clock → a `Duration`.
fn time(now_ms: f64) -> Result<Duration, JsValue> {
    Duration::try_from_secs_f64(now_ms / 1000.0).map_err(|_| {
        js_error(Error::new(
            ErrorKind::InvalidOption,
            format!(
                "the time must be a finite number of milliseconds, 0 or more; {} was given",
                number_text(now_ms)
            ),
        ))
    })
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A connection id from JS (ids are small whole numbers; anything else
/// names no connection, which the core ignores).
fn conn(id: f64) -> ConnId {
    if id >= 0.0 && id.fract() == 0.0 {
        id as ConnId
    } else {
        0
    }
}

fn outcome(outcome: Outcome) -> Object {
    let object = Object::new();
    set(&object, "kind", &outcome.kind().into());
    set(
        &object,
        "ticket",
        &JsValue::from_f64(outcome.ticket() as f64),
    );
    for (name, value) in [("key", outcome.key()), ("messageId", outcome.message_id())] {
        set(
            &object,
            name,
            &value.map_or(JsValue::UNDEFINED, JsValue::from_str),
        );
    }
    let (queue_id, accepted, refused_list, attempts, uncertain, gave_up, error) = match outcome {
        Outcome::Delivered {
            queue_id,
            accepted,
            refused,
            attempts,
            uncertain_attempts,
            ..
        } => (
            queue_id,
            accepted,
            refused,
            attempts,
            uncertain_attempts,
            false,
            None,
        ),
        Outcome::Failed {
            error,
            attempts,
            gave_up,
            refused,
            ..
        } => (None, Vec::new(), refused, attempts, 0, gave_up, Some(error)),
        Outcome::Uncertain {
            error, attempts, ..
        } => (
            None,
            Vec::new(),
            Vec::new(),
            attempts,
            0,
            false,
            Some(error),
        ),
    };
    set(
        &object,
        "queueId",
        &queue_id.map_or(JsValue::UNDEFINED, |id| id.into()),
    );
    let accepted: Array = accepted.iter().map(|a| JsValue::from_str(a)).collect();
    set(&object, "accepted", &accepted);
    set(&object, "refused", &refused(&refused_list));
    set(&object, "attempts", &attempts.into());
    set(&object, "uncertainAttempts", &uncertain.into());
    set(&object, "gaveUp", &gave_up.into());
    set(
        &object,
        "error",
        &error.map_or(JsValue::UNDEFINED, js_error),
    );
    object
}

/// A ledger record as a plain object.
fn record(r: &Record) -> JsValue {
    let object = Object::new();
    set(&object, "key", &r.key.as_str().into());
    set(&object, "state", &r.state.as_str().into());
    let opt = |v: &Option<String>| v.as_deref().map_or(JsValue::UNDEFINED, JsValue::from_str);
    set(&object, "messageId", &opt(&r.message_id));
    set(&object, "sender", &r.sender.as_str().into());
    let recipients: Array = r.recipients.iter().map(|a| JsValue::from_str(a)).collect();
    set(&object, "recipients", &recipients);
    set(&object, "queueId", &opt(&r.queue_id));
    set(&object, "attempts", &r.attempts.into());
    set(&object, "error", &opt(&r.error));
    set(&object, "submitted", &(r.submitted_ms as f64).into());
    set(&object, "updated", &(r.updated_ms as f64).into());
    object.into()
}

#[wasm_bindgen]
impl Dispatcher {
    /// A dispatcher for the connections a `ClientPlan` describes (its
    /// session: TLS mode, credentials, EHLO name, time-outs) and the
    /// delivery options in `options` (`connections`, `rate`, `retry`, ...;
    /// the other members are ignored). `options.limiter`, if given, is a
    /// quota shared with other processes: an object whose synchronous
    /// `acquire()` returns 0 (go) or the milliseconds to wait, or throws
    /// (see `limiter.rs`); the core asks it after its own pacing. Throws
    /// InvalidOption or a TypeError.
    #[wasm_bindgen(constructor)]
    pub fn new(plan: &ClientPlan, options: JsValue) -> Result<Dispatcher, JsValue> {
        let config = delivery_config(plan, &options)?;
        let limiter = get(&options, "limiter")?;
        let inner = if missing(&limiter) {
            delivery::Dispatcher::new(config)
        } else {
            delivery::Dispatcher::with_gate(config, Box::new(JsGate::new(limiter)?))
        };
        inner
            .map(|inner| Dispatcher {
                inner,
                journal: None,
            })
            .js()
    }

    /// Queues a copy of the message (the copy shares its bytes; free yours
    /// when done); returns its ticket. Throws InvalidState when the queue is
    /// full (see `hasRoom`) or after `drain()` or `shutdown()`.
    pub fn submit(&mut self, message: &Prepared) -> Result<f64, JsValue> {
        self.inner
            .submit(message.inner.clone())
            .map(|ticket| ticket as f64)
            .map_err(|refused| js_error(refused.error))
    }

    /// True when `submit` would take another message now.
    #[wasm_bindgen(getter, js_name = hasRoom)]
    pub fn has_room(&self) -> bool {
        self.inner.has_room()
    }

    /// Tells the dispatcher the time: milliseconds on the driver's monotonic
    /// clock (any origin, e.g. `performance.now()` minus a start). Call it
    /// after every input and whenever `pollTimeout` comes. A negative or
    /// non-finite time is InvalidOption.
    pub fn advance(&mut self, now_ms: f64) -> Result<(), JsValue> {
        self.inner.advance(time(now_ms)?);
        Ok(())
    }

    /// When (on the clock given to `advance`, in milliseconds) `advance`
    /// must be called next, or undefined when nothing waits on time.
    #[wasm_bindgen(js_name = pollTimeout)]
    pub fn poll_timeout(&self) -> Option<f64> {
        self.inner.poll_timeout().map(millis)
    }

    /// The next thing to do, or undefined: `{ kind, conn }` with `kind` the
    /// core's name of the action (`__names().actions`): "Open" (open
    /// connection `conn`, then `connectionOpened`), "Send" (write
    /// `takeOutput(conn)`), "StartTls" (run the TLS handshake, then
    /// `tlsEstablished`) or "Close" (close it after what was written; report
    /// nothing more about it).
    #[wasm_bindgen(js_name = pollAction)]
    pub fn poll_action(&mut self) -> JsValue {
        let Some(action) = self.inner.poll_action() else {
            return JsValue::UNDEFINED;
        };
        let object = Object::new();
        set(&object, "kind", &action.as_str().into());
        set(&object, "conn", &JsValue::from_f64(action.conn() as f64));
        object.into()
    }

    /// Everything connection `conn` must send now, marked sent.
    #[wasm_bindgen(js_name = takeOutput)]
    pub fn take_output(&mut self, conn_id: f64) -> Vec<u8> {
        self.inner.take_output(conn(conn_id))
    }

    /// The connection an "Open" asked for is open (TCP, and TLS for
    /// implicit TLS).
    #[wasm_bindgen(js_name = connectionOpened)]
    pub fn connection_opened(&mut self, conn_id: f64) {
        self.inner.connection_opened(conn(conn_id));
    }

    /// Bytes arrived on connection `conn`.
    pub fn receive(&mut self, conn_id: f64, data: &[u8]) {
        self.inner.receive(conn(conn_id), data);
    }

    /// The TLS handshake a "StartTls" asked for is done.
    #[wasm_bindgen(js_name = tlsEstablished)]
    pub fn tls_established(&mut self, conn_id: f64) {
        self.inner.tls_established(conn(conn_id));
    }

    /// Connection `conn` ended, or could not be opened. `cause` is the
    /// core's name of what the driver saw: "closed", "timeout", "tls" or
    /// "connect"; `detail` (optional) what the socket said; `stage`
    /// (optional) what the driver was doing, in the core's names
    /// ("connecting", "tls", "sending", "waiting"): the core words the
    /// detail as every driver does. Throws InvalidOption for an unknown
    /// cause or stage.
    #[wasm_bindgen(js_name = connectionLost)]
    pub fn connection_lost(
        &mut self,
        conn_id: f64,
        cause: JsValue,
        detail: JsValue,
        stage: JsValue,
    ) -> Result<(), JsValue> {
        let cause = ConnectionLoss::from_name(&string(cause, "cause")?).js()?;
        let mut detail = if missing(&detail) {
            String::new()
        } else {
            string(detail, "detail")?
        };
        if !missing(&stage) {
            detail = LossStage::from_name(&string(stage, "stage")?)
                .js()?
                .detail(&detail);
        }
        self.inner.connection_lost(conn(conn_id), cause, &detail);
        Ok(())
    }

    /// The next final outcome, or undefined: `{ kind, ticket, queueId,
    /// accepted, refused, attempts, uncertainAttempts, gaveUp, error }`,
    /// `kind` "delivered", "failed" or "uncertain"; `error` the core's error
    /// (not thrown) of a failed or uncertain message.
    #[wasm_bindgen(js_name = pollOutcome)]
    pub fn poll_outcome(&mut self) -> JsValue {
        let next = match self.journal.as_mut() {
            Some(journal) => journal.poll_outcome(),
            None => self.inner.poll_outcome(),
        };
        next.map_or(JsValue::UNDEFINED, |o| outcome(o).into())
    }

    /// Keeps a ledger for this dispatcher in a journal file whose whole
    /// bytes are `bytes` (empty for a new one), `nowMs` the wall clock
    /// (`Date.now()`): what an earlier process left unsent is queued again,
    /// what may have reached the relay is recorded uncertain. `durability`:
    /// the core's name ("full", the default, or "process"). Returns
    /// `{ validLength, queued, uncertain: [record], compact, sync }`: cut the
    /// file to `validLength` (a torn last entry), with `compact` rewrite it
    /// with `compactedJournal()`, and with `sync` fsync every write. From then on the driver writes
    /// what `takeJournal` gives, durably, then calls `journalWritten`.
    #[wasm_bindgen(js_name = openJournal)]
    pub fn open_journal(
        &mut self,
        bytes: &[u8],
        now_ms: f64,
        at_least_once: bool,
        durability: JsValue,
    ) -> Result<Object, JsValue> {
        let durability = if missing(&durability) {
            Durability::default()
        } else {
            Durability::from_name(&string(durability, "durability")?).js()?
        };
        if self.journal.is_some() {
            return Err(js_error(Error::new(
                ErrorKind::InvalidState,
                "this dispatcher already keeps a journal",
            )));
        }
        let (journal, opened) =
            Journal::open(&mut self.inner, bytes, now_ms as i64, at_least_once).js()?;
        self.journal = Some(journal);
        let object = Object::new();
        set(&object, "validLength", &(opened.valid_len as f64).into());
        set(&object, "queued", &(opened.queued as f64).into());
        let uncertain: Array = opened.uncertain.iter().map(record).collect();
        set(&object, "uncertain", &uncertain);
        set(&object, "compact", &opened.compact.into());
        set(&object, "sync", &(durability == Durability::Full).into());
        Ok(object)
    }

    /// Submits a copy of the message under `key` (a string; undefined: its
    /// Message-ID) into the journal: `{ claim: "new", ticket }`,
    /// `{ claim: "pending", ticket }` (the key is on its way: that ticket's
    /// outcome answers it) or `{ claim: "done", outcome }` (recorded:
    /// nothing is sent). Only while `hasRoom`. Needs `openJournal`.
    #[wasm_bindgen(js_name = submitKeyed)]
    pub fn submit_keyed(
        &mut self,
        message: &Prepared,
        key: JsValue,
        now_ms: f64,
    ) -> Result<Object, JsValue> {
        let Some(journal) = self.journal.as_mut() else {
            return Err(js_error(mailwright::ledger::needs_ledger_error()));
        };
        let key = if missing(&key) {
            None
        } else {
            Some(string(key, "key")?)
        };
        let claim = journal
            .submit(
                &mut self.inner,
                key.as_deref(),
                message.inner.clone(),
                now_ms as i64,
            )
            .js()?;
        let object = Object::new();
        match claim {
            JournalClaim::New(ticket) => {
                set(&object, "claim", &"new".into());
                set(&object, "ticket", &(ticket as f64).into());
            }
            JournalClaim::Pending(ticket) => {
                set(&object, "claim", &"pending".into());
                set(&object, "ticket", &(ticket as f64).into());
            }
            JournalClaim::Done(recorded) => {
                set(&object, "claim", &"done".into());
                set(&object, "outcome", &outcome(*recorded));
            }
        }
        Ok(object)
    }

    /// The bytes to append to the journal now (durably: then call
    /// `journalWritten`), or undefined: end-of-data marks (their final dots
    /// wait for it) and outcomes (told once written).
    #[wasm_bindgen(js_name = takeJournal)]
    pub fn take_journal(&mut self, now_ms: f64) -> Option<Vec<u8>> {
        let journal = self.journal.as_mut()?;
        journal.take(&mut self.inner, now_ms as i64)
    }

    /// What `takeJournal` gave is durable.
    #[wasm_bindgen(js_name = journalWritten)]
    pub fn journal_written(&mut self) {
        if let Some(journal) = self.journal.as_mut() {
            journal.written(&mut self.inner);
        }
    }

    /// The whole journal without superseded entries (write it beside the
    /// file, make it durable, rename it over the file). Between writes only.
    #[wasm_bindgen(js_name = compactedJournal)]
    pub fn compacted_journal(&mut self) -> Result<Vec<u8>, JsValue> {
        match self.journal.as_mut() {
            Some(journal) => journal.compacted().js(),
            None => Err(js_error(mailwright::ledger::needs_ledger_error())),
        }
    }

    /// What the journal holds for `key`, or undefined.
    #[wasm_bindgen(js_name = journalRecord)]
    pub fn journal_record(&self, key: &str) -> JsValue {
        self.journal
            .as_ref()
            .and_then(|j| j.get(key))
            .map_or(JsValue::UNDEFINED, record)
    }

    /// Counts of the journal's records by state (`{ pending, data_sent,
    /// delivered, failed, uncertain, total }`), or undefined without one.
    #[wasm_bindgen(js_name = journalSummary)]
    pub fn journal_summary(&self) -> JsValue {
        let Some(journal) = self.journal.as_ref() else {
            return JsValue::UNDEFINED;
        };
        let object = Object::new();
        let mut total = 0.0;
        for state in mailwright::ledger::State::ALL {
            let n = journal.records().filter(|r| r.state == *state).count() as f64;
            total += n;
            set(&object, state.as_str(), &n.into());
        }
        set(&object, "total", &total.into());
        object.into()
    }

    /// What has happened so far: `{ queued, inFlight, delivered, failed,
    /// uncertain, retries, rateLimited, connections, currentRate }`
    /// (`currentRate`: messages a second the throttle allows now, undefined
    /// without a rate).
    #[wasm_bindgen(getter)]
    pub fn counters(&self) -> Object {
        let c = self.inner.counters();
        let object = Object::new();
        for (key, value) in [
            ("queued", c.queued as f64),
            ("inFlight", c.in_flight as f64),
            ("delivered", c.delivered as f64),
            ("failed", c.failed as f64),
            ("uncertain", c.uncertain as f64),
            ("retries", c.retries as f64),
            ("rateLimited", c.rate_limited as f64),
            ("connections", c.connections as f64),
        ] {
            set(&object, key, &JsValue::from_f64(value));
        }
        set(
            &object,
            "currentRate",
            &c.current_rate.map_or(JsValue::UNDEFINED, JsValue::from_f64),
        );
        object
    }

    /// Closes after sending: takes no more messages, sends every one
    /// already submitted (with its retries, within its deadline); once each
    /// has its outcome, every connection says QUIT and `isFinished` turns
    /// true. A later `shutdown()` still stops at once.
    pub fn drain(&mut self) {
        match self.journal.as_mut() {
            Some(journal) => journal.drain(&mut self.inner),
            None => self.inner.drain(),
        }
    }

    /// Stops at once: messages not yet handed to a connection end as failed
    /// (InvalidState, not sent), those in flight finish, then every
    /// connection says QUIT.
    pub fn shutdown(&mut self) {
        match self.journal.as_mut() {
            Some(journal) => journal.shutdown(&mut self.inner),
            None => self.inner.shutdown(),
        }
    }

    /// True once drained (or shut down) and every connection is gone.
    #[wasm_bindgen(getter, js_name = isFinished)]
    pub fn is_finished(&self) -> bool {
        self.inner.is_finished()
    }
}

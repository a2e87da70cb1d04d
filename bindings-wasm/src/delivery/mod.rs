//! Delivery at a relay's scale: the core's sans-IO dispatcher (a pool of
//! sessions, one throttle, retries, one outcome per message), the options
//! that configure it, and the messages it takes. Node's `Mailer`
//! (npm/node/mailer.cjs) executes its actions over node:net/tls; every
//! decision is the core's.

mod config;
mod dispatcher;
mod prepared;

pub use dispatcher::Dispatcher;
pub use prepared::Prepared;

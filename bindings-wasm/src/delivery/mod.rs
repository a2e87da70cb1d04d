//! Delivery at a relay's scale: the core's sans-IO dispatcher (a pool of
//! sessions, one throttle, retries, one outcome per message), the options
//! that configure it, the messages it takes, and a quota shared with other
//! processes (a JS `limiter`). Node's `Mailer` (npm/node/mailer.cjs)
//! executes its actions over node:net/tls; every decision is the core's.

mod config;
mod dispatcher;
mod limiter;
mod prepared;

pub use config::rate_numbers;
pub use dispatcher::Dispatcher;
pub use prepared::Prepared;

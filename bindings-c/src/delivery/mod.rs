//! Delivery at a relay's scale: the core's blocking `Mailer` (a pool of
//! connections, one throttle, retries, one outcome per message), one file
//! per C type: the delivery options, the outcome (and counters), the
//! ledger, the mailer.

mod ledger;
mod mailer;
mod options;
mod outcome;

pub use ledger::*;
pub use mailer::*;
pub use options::*;
pub use outcome::*;

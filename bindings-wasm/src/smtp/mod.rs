//! The SMTP half, as in the core: credentials and AUTH payloads, replies,
//! the sans-IO session, and the connection plan the Node transport follows.

mod auth;
mod credentials;
mod options;
mod reply;
mod session;

pub use credentials::Credentials;
pub use options::ClientPlan;
pub use reply::Reply;
pub use session::Session;
pub(crate) use session::refused;

//! The SMTP half, one file per core module: credentials, AUTH payloads,
//! replies, connection options (TLS modes, connection-loss causes), the
//! sans-IO session and the blocking client.

mod auth;
mod client;
mod credentials;
mod options;
mod reply;
mod session;

pub use auth::*;
pub use client::*;
pub use credentials::*;
pub use options::*;
pub use reply::*;
pub use session::*;

//! The SMTP half, as in the core: credentials and AUTH payloads, options
//! (TLS modes, connection-loss causes, `ClientOptions`), replies, the sans-IO
//! session and the blocking client.

pub mod auth;
pub mod client;
pub mod options;
pub mod reply;
pub mod session;

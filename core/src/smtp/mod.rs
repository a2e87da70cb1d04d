//! The SMTP half: credentials and AUTH payloads, reply parsing, EHLO
//! capabilities, a sans-IO session, and (feature `net`) a blocking TLS
//! transport.

pub mod auth;
mod capabilities;
mod credentials;
pub mod options;
pub mod pin;
mod reply;
mod session;
pub mod settings;
#[cfg(feature = "net")]
pub(crate) mod transport;

pub use auth::Mechanism;
pub use capabilities::Capabilities;
pub use credentials::Credentials;
pub use options::ClientOptions;
pub use reply::{EnhancedStatus, QUEUE_ID_FORMS, QueueIdForm, Reply, ReplyClass, ReplyParser};
pub use session::{
    Direction, DotStuffer, Event, MAX_TRANSCRIPT_LINES, MessageHandle, QUIT_TIMEOUT, SendFailure,
    SendReport, Session, SessionConfig, TranscriptLine,
};
pub use settings::{ConnectionLoss, LossStage, TlsMode};
#[cfg(feature = "net")]
pub use transport::{Interrupter, SmtpClient, send};

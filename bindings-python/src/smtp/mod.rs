//! The SMTP half, mirroring the core's `smtp` module: credentials and AUTH
//! payloads, replies, the sans-IO session and the blocking client.

pub mod auth;
pub mod client;
pub mod credentials;
pub mod reply;
pub mod session;

use mailwright::smtp::TranscriptLine;

/// Transcript lines as ``(direction, text)`` pairs, the direction named by
/// the core (``"client"`` or ``"server"``).
pub fn transcript(lines: Vec<TranscriptLine>) -> Vec<(&'static str, String)> {
    lines
        .into_iter()
        .map(|line| (line.direction.as_str(), line.text))
        .collect()
}

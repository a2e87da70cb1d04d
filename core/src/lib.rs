//! # mailwright
//!
//! Build an e-mail and hand it to an SMTP relay (SendCloud is the reference),
//! with the same bytes from every language: this crate is the core that the
//! Python, JavaScript, C and Java bindings wrap.
//!
//! - [`MessageBuilder`] → [`Message`]: text and HTML alternatives, inline
//!   images in `multipart/related`, attachments with non-ASCII names,
//!   non-ASCII subjects and display names, custom headers, SendCloud's
//!   [`XSmtpApi`] written as the last header, and a correct [`Envelope`]
//!   (Bcc never in the headers).
//! - Deterministic when asked: fix the boundary seed, Message-ID and Date and
//!   the output is a pure function of the input (the golden vectors in
//!   `testdata/` rely on it).
//! - Bad input gets an [`Error`] with a stable [`ErrorKind`], never a panic.
//!
//! ```
//! use mailwright::{Attachment, Inline, Message, XSmtpApi};
//!
//! let message = Message::builder()
//!     .from(("客服", "support@ifaxin.com"))
//!     .to("Ben <ben@ifaxin.com>")
//!     .bcc("audit@ifaxin.com")
//!     .subject("测试内嵌图片")
//!     .text("plain text")
//!     .html(r#"<p>hi <img src="cid:image1"></p>"#)
//!     .inline(Inline::new("image1", "image/png", vec![0x89, b'P', b'N', b'G']))
//!     .attachment(Attachment::new("报告.pdf", "application/pdf", b"%PDF-1.4".to_vec()))
//!     .x_smtpapi(XSmtpApi::new().to("ben@ifaxin.com").sub("%name%", ["Ben"]))
//!     .message_id("fixed@ifaxin.com")
//!     .date(1_426_390_015)
//!     .boundary_seed("demo")
//!     .build()?;
//! let bytes = message.to_vec();
//! assert_eq!(bytes.len(), message.size());
//! assert!(message.envelope().recipients().eq(["ben@ifaxin.com", "audit@ifaxin.com"]));
//! assert!(!String::from_utf8_lossy(&bytes).contains("audit@"));
//! # Ok::<(), mailwright::Error>(())
//! ```

#![deny(missing_docs)]

mod address;
mod clock;
mod decimal;
pub mod delivery;
#[cfg(feature = "dkim-external")]
mod dkim;
mod error;
mod ip;
pub mod ledger;
mod message;
mod parts;
pub mod smtp;
mod smtpapi;
pub mod unicode;
mod uts46;
mod writer;

pub use address::{IntoMailbox, Mailbox, MailboxSpec};
pub use bytes::Bytes;
pub use clock::{Clock, SystemClock};
#[cfg(feature = "dkim")]
pub use dkim::DkimKey;
#[cfg(feature = "dkim-external")]
pub use dkim::{Canonicalization, DkimAlgorithm, DkimSigner};
pub use error::{Error, ErrorCategory, ErrorKind, Result};
pub use message::{Calendar, Envelope, Message, MessageBuilder};
pub use parts::{Attachment, Inline};
pub use smtp::Credentials;
pub use smtpapi::{
    MAX_ENCODED_LEN as X_SMTPAPI_MAX_ENCODED_LEN, MAX_TO as X_SMTPAPI_MAX_TO, XSmtpApi,
};
#[cfg(feature = "host-idna")]
pub use uts46::{IdnaHost, set_idna_host};

/// The README's examples, run as doc tests.
#[cfg(all(doctest, feature = "net"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

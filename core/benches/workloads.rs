//! The three benchmark workloads (shared by the criterion bench and the memory probe).
#![allow(dead_code)]

use mailwright::{Attachment, Bytes, Inline, Message};

pub const SUBJECT: &str = "测试内嵌图片：您的季度报告";

pub struct Workload {
    pub name: &'static str,
    pub text: String,
    pub html: String,
    pub inline: Option<Bytes>,
    pub attachment: Option<Bytes>,
}

/// Deterministic incompressible bytes (xorshift), like a PNG or PDF payload.
pub fn noise(len: usize, mut seed: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        out.extend_from_slice(&seed.to_le_bytes());
    }
    out.truncate(len);
    out
}

fn bodies() -> (String, String) {
    let text =
        "您好，这是一封测试邮件。Hello, this is the plain text part of the message.\n".repeat(12);
    let html = "<p>您好，这是一封<b>测试</b>邮件。Hello from the HTML part.</p>\n".repeat(36);
    (text[..1024.min(text.len())].to_string(), html)
}

pub fn w1() -> Workload {
    let (text, html) = bodies();
    Workload {
        name: "W1 small",
        text,
        html,
        inline: None,
        attachment: None,
    }
}

pub fn w2() -> Workload {
    let (text, html) = bodies();
    let html = format!("{html}<img src=\"cid:image1\">");
    Workload {
        name: "W2 SendCloud inline",
        text,
        html,
        inline: Some(Bytes::from(noise(100 * 1024, 7))),
        attachment: None,
    }
}

pub fn w3() -> Workload {
    let (text, html) = bodies();
    Workload {
        name: "W3 10 MB attachment",
        text,
        html,
        inline: None,
        attachment: Some(Bytes::from(noise(10 * 1024 * 1024, 9))),
    }
}

pub fn build_mailwright(w: &Workload) -> Message {
    let mut b = Message::builder()
        .from(("客服", "support@ifaxin.com"))
        .to("Ben <ben@ifaxin.com>")
        .to("joe@ifaxin.com")
        .subject(SUBJECT)
        .text(w.text.as_str())
        .html(w.html.as_str());
    if let Some(png) = &w.inline {
        b = b.inline(Inline::new("image1", "image/png", png.clone()));
    }
    if let Some(data) = &w.attachment {
        b = b.attachment(Attachment::new("报告.pdf", "application/pdf", data.clone()));
    }
    b.build().expect("workload builds")
}

pub fn build_mail_builder(w: &Workload) -> mail_builder::MessageBuilder<'_> {
    let mut b = mail_builder::MessageBuilder::new()
        .from(("客服", "support@ifaxin.com"))
        .to(vec![("Ben", "ben@ifaxin.com"), ("", "joe@ifaxin.com")])
        .subject(SUBJECT)
        .text_body(w.text.as_str())
        .html_body(w.html.as_str());
    if let Some(png) = &w.inline {
        b = b.inline("image/png", "image1", &png[..]);
    }
    if let Some(data) = &w.attachment {
        b = b.attachment("application/pdf", "报告.pdf", &data[..]);
    }
    b
}

//! The SendCloud reference's inline-image example, written with mailwright.
//!
//! The original (Python, `email.mime`) builds a `multipart/related` message
//! whose HTML refers to `cid:image1` and attaches `test.png` with
//! `Content-ID: image1`. This program builds the same message, writes it to
//! an `.eml` file and prints its structure, size and envelope.
//!
//! Usage: `sendcloud-inline [OUTPUT.eml] [IMAGE.png]`

use mailwright::{Inline, Message, XSmtpApi};
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let output = PathBuf::from(args.next().unwrap_or_else(|| "sendcloud-inline.eml".into()));
    let image = PathBuf::from(
        args.next()
            .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/../assets/test.png").into()),
    );
    match run(&output, &image) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

fn run(output: &PathBuf, image: &PathBuf) -> Result<(), Box<dyn std::error::Error>> {
    let png = std::fs::read(image).map_err(|e| format!("{}: {e}", image.display()))?;

    let message = Message::builder()
        .from("postmaster@testdomain.sendcloud.org")
        .to("test123@qq.com")
        .subject("python test inline image")
        .html(r#"test image content <img src="cid:image1" alt="xxxxx">"#)
        .inline(Inline::new("image1", "image/png", png))
        // Optional SendCloud extras: per-recipient substitution and tracking.
        .x_smtpapi(XSmtpApi::new().to("test123@qq.com").open_tracking(true))
        .build()?;

    let file = std::fs::File::create(output).map_err(|e| format!("{}: {e}", output.display()))?;
    message.write_to(std::io::BufWriter::new(file))?;

    println!("wrote     {}", output.display());
    println!("structure {}", message.structure());
    println!(
        "size      {} bytes (SendCloud accepts up to 16000000: {})",
        message.size(),
        if message.check_size(16_000_000).is_ok() {
            "ok"
        } else {
            "too large"
        }
    );
    println!("envelope  MAIL FROM:<{}>", message.envelope().sender());
    for rcpt in message.envelope().recipients() {
        println!("          RCPT TO:<{rcpt}>");
    }
    println!("id        <{}>", message.message_id());
    Ok(())
}

//! The SendCloud reference's inline-image example, written with mailwright.
//!
//! The original (Python, `email.mime` + `smtplib`) builds a
//! `multipart/related` message whose HTML refers to `cid:image1`, attaches
//! `test.png` with `Content-ID: image1`, logs in with
//! `api_user + '#' + label_id` after STARTTLS, and sends it. This program
//! builds the same message, writes it to an `.eml` file, prints its
//! structure, size and envelope, and with `--send` delivers it, printing the
//! SMTP conversation like the reference (secrets masked) and the queue id.
//!
//! Usage:
//!   sendcloud-inline [OUTPUT.eml] [--image test.png]
//!       [--send HOST:PORT --user API_USER --key API_KEY [--label ID] [--ca CA.pem]]

use mailwright::smtp::{ClientOptions, SmtpClient};
use mailwright::{Credentials, Inline, Message, XSmtpApi};
use std::process::ExitCode;

#[derive(Default)]
struct Args {
    output: Option<String>,
    image: Option<String>,
    send: Option<String>,
    user: Option<String>,
    key: Option<String>,
    label: Option<String>,
    ca: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args::default();
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--image" => args.image = Some(value()?),
            "--send" => args.send = Some(value()?),
            "--user" => args.user = Some(value()?),
            "--key" => args.key = Some(value()?),
            "--label" => args.label = Some(value()?),
            "--ca" => args.ca = Some(value()?),
            other if other.starts_with("--") => return Err(format!("unknown option {other}")),
            other => args.output = Some(other.to_string()),
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    match parse_args().map_err(Into::into).and_then(run) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let output = args.output.unwrap_or_else(|| "sendcloud-inline.eml".into());
    let image = args
        .image
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/../assets/test.png").into());
    let png = std::fs::read(&image).map_err(|e| format!("{image}: {e}"))?;

    let message = Message::builder()
        .from("postmaster@testdomain.sendcloud.org")
        .to("test123@qq.com")
        .subject("python test inline image")
        .html(r#"test image content <img src="cid:image1" alt="xxxxx">"#)
        .inline(Inline::new("image1", "image/png", png))
        // Optional SendCloud extras: per-recipient substitution and tracking.
        .x_smtpapi(XSmtpApi::new().to("test123@qq.com").open_tracking(true))
        .build()?;

    let file = std::fs::File::create(&output).map_err(|e| format!("{output}: {e}"))?;
    message.write_to(std::io::BufWriter::new(file))?;

    println!("wrote     {output}");
    println!("structure {}", message.structure());
    let fits = if message.check_size(16_000_000).is_ok() {
        "ok"
    } else {
        "too large"
    };
    println!(
        "size      {} bytes (SendCloud accepts up to 16000000: {fits})",
        message.size()
    );
    println!("envelope  MAIL FROM:<{}>", message.envelope().sender());
    for rcpt in message.envelope().recipients() {
        println!("          RCPT TO:<{rcpt}>");
    }
    println!("id        <{}>", message.message_id());

    let Some(server) = args.send else {
        return Ok(());
    };
    let (host, port) = server.rsplit_once(':').ok_or("--send needs HOST:PORT")?;
    let mut credentials = Credentials::new(
        args.user.ok_or("--send needs --user")?,
        args.key.ok_or("--send needs --key")?,
    )?;
    if let Some(label) = args.label {
        credentials = credentials.with_label(label)?;
    }
    let mut options = ClientOptions::new(host, port.parse()?).credentials(credentials);
    options.hello_name = "ifaxin.com".into();
    options.transcript = true;
    if let Some(ca) = args.ca {
        options = options.ca_file(ca)?;
    }
    println!("\nsending to {server} (STARTTLS required):");
    let mut client = SmtpClient::connect(options)?;
    let result = client.send(&message);
    let quit = client.quit();
    print_transcript(&client.take_transcript());
    let report = result?;
    quit?;
    println!(
        "\nqueue id  {}",
        report.queue_id.as_deref().unwrap_or("(none given)")
    );
    Ok(())
}

fn print_transcript(lines: &[mailwright::smtp::TranscriptLine]) {
    for line in lines {
        println!("{line}");
    }
}

//! DKIM on W3 (the 10 MB-attachment message): the time to build it signed
//! (one extra pass of the writer through the hashing sink) next to unsigned,
//! and the peak resident memory beyond the input while building and writing
//! it to a file, each case in a fresh child process so that peaks do not mix.
//!
//! `cargo run --release -p mailwright --example dkim_w3`

#[path = "../benches/workloads.rs"]
mod workloads;

use mailwright::{DkimKey, DkimSigner, Message, MessageBuilder};
use std::time::Instant;

fn peak_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn builder(w: &workloads::Workload) -> MessageBuilder {
    let data = w.attachment.clone().unwrap();
    Message::builder()
        .from(("客服", "support@ifaxin.com"))
        .to("Ben <ben@ifaxin.com>")
        .to("joe@ifaxin.com")
        .subject("W3")
        .text(w.text.as_str())
        .html(w.html.as_str())
        .attachment(mailwright::Attachment::new(
            "报告.pdf",
            "application/pdf",
            data,
        ))
}

fn signer(which: &str) -> Option<DkimSigner> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/dkim/");
    let file = match which {
        "rsa2048" => "rsa2048.pem",
        "ed25519" => "ed25519.pem",
        _ => return None,
    };
    let pem = std::fs::read_to_string(format!("{dir}{file}")).unwrap();
    let key = DkimKey::from_pem(&pem).unwrap();
    Some(DkimSigner::new("ifaxin.com", which, key).time(1_700_000_000))
}

fn measure(which: &str) {
    let w = workloads::w3();
    let signer = signer(which);
    let path = std::env::temp_dir().join(format!("mailwright-dkim-{}.eml", std::process::id()));
    let before = peak_kib();
    let mut best = f64::MAX;
    let mut message = None;
    for _ in 0..5 {
        let mut b = builder(&w);
        if let Some(s) = &signer {
            b = b.dkim(s.clone());
        }
        let start = Instant::now();
        let m = b.build().unwrap();
        best = best.min(start.elapsed().as_secs_f64() * 1000.0);
        message = Some(m);
    }
    let message = message.unwrap();
    let mut write_best = f64::MAX;
    for _ in 0..5 {
        let start = Instant::now();
        message
            .write_to(std::fs::File::create("/dev/null").unwrap())
            .unwrap();
        write_best = write_best.min(start.elapsed().as_secs_f64() * 1000.0);
    }
    let after_build = peak_kib();
    message
        .write_to(std::fs::File::create(&path).unwrap())
        .unwrap();
    let after_write = peak_kib();
    let _ = std::fs::remove_file(&path);
    println!(
        "{which:<9} {:>9} bytes  build {best:>5.1} ms + write to /dev/null {write_best:>5.1} ms (best of 5)  extra peak: build {:>4} KiB, build+write to a file {:>4} KiB",
        message.size(),
        after_build.saturating_sub(before),
        after_write.saturating_sub(before)
    );
}

fn main() {
    if let Some(which) = std::env::args().nth(1) {
        return measure(&which);
    }
    let exe = std::env::current_exe().unwrap();
    for which in ["unsigned", "rsa2048", "ed25519"] {
        let out = std::process::Command::new(&exe)
            .arg(which)
            .output()
            .unwrap();
        print!("{}", String::from_utf8_lossy(&out.stdout));
        eprint!("{}", String::from_utf8_lossy(&out.stderr));
    }
}

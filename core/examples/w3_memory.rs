//! W3's memory: peak resident memory beyond the input while writing the
//! 10 MB-attachment message to a file, for mailwright and for mail-builder
//! (each measured in a fresh child process, so peaks do not mix).
//!
//! `cargo run --release -p mailwright --example w3_memory`

#[path = "../benches/workloads.rs"]
mod workloads;

use std::io::Write;

fn peak_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn measure(which: &str) {
    let w = workloads::w3();
    let path = std::env::temp_dir().join(format!("mailwright-w3-{}.eml", std::process::id()));
    let file = std::fs::File::create(&path).unwrap();
    let (before, size) = match which {
        "mailwright" => {
            let message = workloads::build_mailwright(&w);
            let before = peak_kib();
            message.write_to(file).unwrap();
            (before, message.size())
        }
        "mail-builder" => {
            let builder = workloads::build_mail_builder(&w);
            let before = peak_kib();
            builder.write_to(file).unwrap();
            (before, std::fs::metadata(&path).unwrap().len() as usize)
        }
        _ => {
            // mailwright's to_vec, for comparison: the whole output in memory.
            let message = workloads::build_mailwright(&w);
            let before = peak_kib();
            let bytes = message.to_vec();
            std::fs::File::create(&path)
                .unwrap()
                .write_all(&bytes)
                .unwrap();
            (before, bytes.len())
        }
    };
    let after = peak_kib();
    let _ = std::fs::remove_file(&path);
    println!(
        "{which:<22} output {:>9} bytes  extra peak memory while writing: {:>6} KiB",
        size,
        after.saturating_sub(before)
    );
}

fn main() {
    if let Some(which) = std::env::args().nth(1) {
        return measure(&which);
    }
    let exe = std::env::current_exe().unwrap();
    for which in ["mailwright", "mail-builder", "mailwright-to_vec"] {
        let out = std::process::Command::new(&exe)
            .arg(which)
            .output()
            .unwrap();
        print!("{}", String::from_utf8_lossy(&out.stdout));
    }
}

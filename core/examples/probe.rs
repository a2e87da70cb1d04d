//! Instruction-count probe for build()/to_vec() on W1 (run under callgrind).
#[path = "../benches/workloads.rs"]
mod workloads;
use std::hint::black_box;
fn main() {
    let n: u32 = std::env::var("N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    let mode = std::env::args().nth(1).unwrap_or_default();
    let w = workloads::w1();
    let t = std::time::Instant::now();
    for _ in 0..n {
        match mode.as_str() {
            "build" => {
                black_box(workloads::build_mailwright(&w));
            }
            "mb" => {
                black_box(workloads::build_mail_builder(&w).write_to_vec().unwrap());
            }
            _ => {
                black_box(workloads::build_mailwright(&w).to_vec());
            }
        }
    }
    println!("{mode}: {:?}/iteration", t.elapsed() / n);
}

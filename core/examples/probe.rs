#[path = "../benches/workloads.rs"]
mod workloads;
use std::hint::black_box;
use std::time::Instant;
fn main() {
    let n: u32 = std::env::var("N").ok().and_then(|v| v.parse().ok()).unwrap_or(200_000);
    let w = workloads::w1();
    let t = Instant::now();
    for _ in 0..n { black_box(workloads::build_mailwright(&w)); }
    println!("build default: {:?}", t.elapsed() / n);
    let t = Instant::now();
    for _ in 0..n {
        black_box(mailwright::Message::builder().from(("客服", "support@ifaxin.com")).to("Ben <ben@ifaxin.com>").to("joe@ifaxin.com")
            .subject(workloads::SUBJECT).text(w.text.as_str()).html(w.html.as_str()).message_id("a@b.c").boundary_seed("x").date(0).build().unwrap());
    }
    println!("build fixed: {:?}", t.elapsed() / n);
    let t = Instant::now();
    for _ in 0..n {
        black_box(mailwright::Message::builder().from(("客服", "support@ifaxin.com")).to("Ben <ben@ifaxin.com>").to("joe@ifaxin.com")
            .message_id("a@b.c").boundary_seed("x").date(0).build().unwrap());
    }
    println!("build fixed, no subject/bodies: {:?}", t.elapsed() / n);
}

//! W1/W2/W3: mailwright (build + write) next to mail-builder used directly
//! (build + write), both into a `Vec`, in the same run.
//!
//! `cargo bench -p mailwright --bench build` (or `make bench`).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

mod workloads;

fn bench(c: &mut Criterion) {
    for w in [workloads::w1(), workloads::w2(), workloads::w3()] {
        let size = workloads::build_mailwright(&w).size() as u64;
        let mut group = c.benchmark_group(w.name);
        if w.attachment.is_some() {
            group.throughput(Throughput::Bytes(size));
            group.sample_size(30);
        } else {
            group.throughput(Throughput::Elements(1));
        }
        group.bench_function("mail-builder", |b| {
            b.iter(|| {
                black_box(
                    workloads::build_mail_builder(black_box(&w))
                        .write_to_vec()
                        .unwrap(),
                )
            })
        });
        group.bench_function("mailwright", |b| {
            b.iter(|| black_box(workloads::build_mailwright(black_box(&w)).to_vec()))
        });
        let built = workloads::build_mailwright(&w);
        group.bench_function("mailwright (write only)", |b| {
            b.iter(|| black_box(built.to_vec()))
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);

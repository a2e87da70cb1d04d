#!/usr/bin/env bash
# Messages per second over one loopback connection to one local server (the
# smtp_sink example), for mailwright with and without PIPELINING and for
# Python's smtplib sending the same bytes. `make -C benches bench-smtp`.
set -euo pipefail
# From the repository root (benches/..): cargo finds the workspace there.
cd "$(dirname "$0")/.."
COUNT=${COUNT:-20000}
cargo build --locked --release -q -p mailwright --example smtp_sink --example smtp_bench
bin=${CARGO_TARGET_DIR:-target}/release/examples
eml=$(mktemp)
trap 'rm -f "$eml"' EXIT
coproc SINK { "$bin/smtp_sink"; }
read -r port <&"${SINK[0]}"
for round in 1 2 3; do
  echo "round $round ($COUNT messages each)"
  "$bin/smtp_bench" "$port" "$COUNT" --eml "$eml"
  "$bin/smtp_bench" "$port" "$COUNT" --no-pipelining
  python3 benches/smtplib_bench.py "$port" "$COUNT" "$eml"
done
echo "message size: $(wc -c < "$eml") bytes"
exec {SINK[1]}>&-
wait "$SINK_PID" 2>/dev/null || true

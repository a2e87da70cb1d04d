#!/usr/bin/env bash
# The ledger's cost (issue 23), each run next to the same run without a
# ledger, in one run, against the relay simulator on 127.0.0.1:
#   B1  20,000 W1 messages, 50 ms round trip, SendCloud's quota (20,000 a
#       minute), 40 connections: elapsed seconds, 536 replies seen.
#   B3  50,000 W1 messages, no delay, 8 connections: messages a second.
# With the ledger: durability full (every commit fsynced) and process.
# Then the CLI's peak memory for a CSV of CSV_ROWS rows through `bulk
# --ledger` (B3's relay), and the time to reopen that ledger.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}
out=${OUT:-$CARGO_TARGET_DIR/bench-ledger}
B1_COUNT=${B1_COUNT:-20000}
B3_COUNT=${B3_COUNT:-50000}
CSV_ROWS=${CSV_ROWS:-1000000}
mkdir -p "$out"
rm -f "$out"/*.db* "$out"/*.json
(cd "$root" && cargo build --locked --release -q -p mailwright --example delivery_bench)
(cd "$root" && cargo build --locked --release -q -p mailwright-relaysim -p mailwright-cli)
bench=$CARGO_TARGET_DIR/release/examples/delivery_bench
relaysim=$CARGO_TARGET_DIR/release/mailwright-relaysim
cli=$CARGO_TARGET_DIR/release/mailwright

start_relay() {
  coproc RELAY { exec "$relaysim" "$@" 2>/dev/null; }
  read -r port <&"${RELAY[0]}"
}
stop_relay() {
  local pid=$RELAY_PID
  eval "exec ${RELAY[1]}>&-"
  wait "$pid" || true
}
line() {
  python3 -c 'import json,sys; r=json.loads(sys.stdin.read().splitlines()[-1]); c=r["count"]; print("   %-22s %8.2f s  %8.0f msg/s  delivered %6d  536 seen %4d  cpu %.2f s" % (sys.argv[1], r["elapsed_s"], c / r["elapsed_s"], r["delivered"], r["rate_limited_seen"], r["cpu_s"]))' "$1"
}
run() { # NAME COUNT CONNS RELAY_ARGS... -- BENCH_ARGS...
  local name=$1 count=$2 conns=$3
  shift 3
  local relay=()
  while [ "$1" != "--" ]; do relay+=("$1"); shift; done
  shift
  start_relay "${relay[@]}"
  "$bench" "$port" "$count" "$conns" "$@" | tee "$out/$name.json" | line "$name"
  stop_relay
}

echo "== B1: $B1_COUNT messages, 50 ms, quota 20,000 a minute, 40 connections"
run b1-without "$B1_COUNT" 40 --rtt-ms 50 --quota 20000 --window-s 60 -- --sendcloud --label without
run b1-full "$B1_COUNT" 40 --rtt-ms 50 --quota 20000 --window-s 60 -- --sendcloud --ledger "$out/b1-full.db"
run b1-process "$B1_COUNT" 40 --rtt-ms 50 --quota 20000 --window-s 60 -- --sendcloud --ledger "$out/b1-process.db" --durability process
echo "== B3: $B3_COUNT messages, no delay, 8 connections"
run b3-without "$B3_COUNT" 8 -- --label without
run b3-full "$B3_COUNT" 8 -- --ledger "$out/b3-full.db"
run b3-process "$B3_COUNT" 8 -- --ledger "$out/b3-process.db" --durability process

echo "== bulk --ledger of a $CSV_ROWS-row CSV (no delay, 8 connections, durability process)"
python3 -c "
import sys
with open(sys.argv[1], 'w') as f:
    f.write('email,name\n')
    for i in range(int(sys.argv[2])):
        f.write(f'user{i}@example.com,User {i}\n')
" "$out/rows.csv" "$CSV_ROWS"
start_relay
/usr/bin/time -f "   peak RSS %M KiB, %e s" "$cli" bulk --server "127.0.0.1:$port" --tls none \
  --from news@shop.example --subject "Hello {name}" --text "Dear {name}" --csv "$out/rows.csv" \
  --ledger "$out/csv.db" --durability process --connections 8 2>&1 >"$out/csv.json" | grep -v '^\s*$' | tail -1
stop_relay
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("   delivered %d of %d in %.1f s" % (r["delivered"], r["messages"], r["seconds"]))' "$out/csv.json"
echo "== reopening a ledger of $CSV_ROWS messages"
/usr/bin/time -f "   ledger summary: %e s, peak RSS %M KiB" "$cli" ledger summary "$out/csv.db"
start_relay
/usr/bin/time -f "   bulk again (every row skipped): %e s, peak RSS %M KiB" "$cli" bulk --server "127.0.0.1:$port" --tls none \
  --from news@shop.example --subject "Hello {name}" --text "Dear {name}" --csv "$out/rows.csv" \
  --ledger "$out/csv.db" --connections 8 2>&1 >/dev/null | tail -1
stop_relay
ls -l "$out/csv.db" | awk '{printf "   ledger file: %.1f MiB\n", $5 / 1048576}'

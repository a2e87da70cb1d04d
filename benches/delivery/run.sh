#!/usr/bin/env bash
# The delivery benchmarks of docs/BENCHMARKS.md, every contender side by side
# in one run, against the relay simulator (testservers/relaysim) on 127.0.0.1:
#
#   make -C benches bench-delivery     (= bash benches/delivery/run.sh)
#
#   B1  SendCloud's case: B1_COUNT messages, a RTT_MS round trip, a quota of
#       20,000 per minute; mailwright (Rate::sendcloud()) and the peers at
#       B1_CONNS connections, nodemailer also at its defaults. Each contender
#       gets a fresh relay (a fresh quota) and at most B1_DEADLINE seconds.
#       Draws docs/delivery-b1.svg from the relay's logs.
#   B2  no quota, the same round trip, B2_CONNS connections: messages a second.
#   B3  no delay: messages per CPU second of the client process, and the
#       memory of MEM_COUNT queued W1 messages.
#
# Installs its own peers: nodemailer from package-lock.json (npm ci) and
# aiosmtplib from requirements.txt (pinned, hashed) into a venv, both under
# target/bench-delivery/. Results (JSON lines, relay logs, summary.md) go there
# too. Needs cargo, node/npm, python3.
#
# Knobs (environment): RTT_MS, B1_COUNT, B1_CONNS, B1_DEADLINE, B2_COUNT,
# B2_CONNS, B3_COUNT, B3_PEER_COUNT, B3_CONNS, B3_DEADLINE, MEM_COUNT, OUT (results), SVG
# (the picture), CONTENDERS (names to run, default all: mailwright
# nodemailer-defaults nodemailer-pool smtplib aiosmtplib), MAILWRIGHT_BENCH
# (another delivery_bench binary, e.g. one built from a branch).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}
out=${OUT:-$CARGO_TARGET_DIR/bench-delivery}
RTT_MS=${RTT_MS:-50}
B1_COUNT=${B1_COUNT:-20000}
B1_CONNS=${B1_CONNS:-40}
B1_DEADLINE=${B1_DEADLINE:-90}
B2_COUNT=${B2_COUNT:-2000}
B2_CONNS=${B2_CONNS:-16}
B2_DEADLINE=${B2_DEADLINE:-60}
B3_COUNT=${B3_COUNT:-50000}
B3_PEER_COUNT=${B3_PEER_COUNT:-20000}
B3_CONNS=${B3_CONNS:-8}
B3_DEADLINE=${B3_DEADLINE:-30}
MEM_COUNT=${MEM_COUNT:-100000}
SVG=${SVG:-$root/docs/delivery-b1.svg}
BENCHES=${BENCHES:-b1 b2 b3}
started=$SECONDS

mkdir -p "$out"
rm -f "$out"/*.json "$out"/*.log "$out"/*.err "$out"/summary.md "$out"/relay-summaries.txt

echo "== building (release)"
(cd "$root" && cargo build --locked --release -q -p mailwright --example delivery_bench)
(cd "$root" && cargo build --locked --release -q -p mailwright-relaysim)
bench=${MAILWRIGHT_BENCH:-$CARGO_TARGET_DIR/release/examples/delivery_bench}
CONTENDERS=${CONTENDERS:-mailwright mailwright-pipelined mailwright-python mailwright-python-aio mailwright-node mailwright-java nodemailer-defaults nodemailer-pool smtplib aiosmtplib jakarta-mail}
relaysim=$CARGO_TARGET_DIR/release/mailwright-relaysim

echo "== installing the peers"
mkdir -p "$out/npm"
cp "$here/package.json" "$here/package-lock.json" "$out/npm/"
(cd "$out/npm" && npm ci --silent --no-audit --no-fund)
export NODE_PATH=$out/npm/node_modules
if [ ! -x "$out/venv/bin/python" ]; then
  python3 -m venv "$out/venv"
fi
"$out/venv/bin/python" -m pip install -q --disable-pip-version-check --require-hashes -r "$here/requirements.txt"
venv_python=$out/venv/bin/python
# Jakarta Mail (Eclipse Angus), the Java peer, and the bindings' contenders.
(cd "$here/jakarta" && mvn -q -B package -DskipTests >/dev/null)
jakarta_cp="$here/jakarta/target/classes:$here/jakarta/target/lib/*"
make -s -C "$root/bindings-python" develop >/dev/null
binding_python=$root/bindings-python/.venv/bin/python
make -s -C "$root/bindings-wasm" build >/dev/null
make -s -C "$root/bindings-java" classes >/dev/null
java_cp="$root/bindings-java/target/classes:$root/bindings-java/target/test-classes"
eml=$out/w1.eml
"$bench" eml "$eml"

# One relay at a time: start_relay LOG ARGS... sets $port; stop_relay ends it.
start_relay() {
  local log=$1
  shift
  coproc RELAY { exec "$relaysim" --log "$log" "$@" 2>>"$out/relay-summaries.txt"; }
  read -r port <&"${RELAY[0]}"
}
stop_relay() {
  local pid=$RELAY_PID
  eval "exec ${RELAY[1]}>&-"
  wait "$pid" || true
}

# run_one BENCH NAME DEADLINE RELAY_ARGS -- COMMAND... (PORT in COMMAND is replaced)
run_one() {
  local b=$1 name=$2 deadline=$3
  shift 3
  case " $BENCHES " in
    *" $b "*) ;;
    *) return 0 ;;
  esac
  case " $CONTENDERS " in
    *" ${name%-build-each} "*) ;;
    *) return 0 ;;
  esac
  local relay_args=()
  while [ "$1" != "--" ]; do relay_args+=("$1"); shift; done
  shift
  start_relay "$out/$b-$name.log" "${relay_args[@]}"
  local cmd=()
  for a in "$@"; do cmd+=("${a//PORT/$port}"); done
  printf '   %-28s' "$name"
  # The contenders stop themselves at their deadline; timeout is a safety net.
  if timeout $((deadline + 60)) "${cmd[@]}" >"$out/$b-$name.json" 2>"$out/$b-$name.err"; then
    python3 -c 'import json,sys; r=json.loads(open(sys.argv[1]).read().splitlines()[-1]); print("%7.1f s  delivered %6d  failed %5d  536 seen %5d%s" % (r["elapsed_s"], r["delivered"], r["failed"], r["rate_limited_seen"], "  (stopped at the deadline)" if r["stopped_at_deadline"] else ""))' "$out/$b-$name.json"
  else
    echo "failed (see $out/$b-$name.err)"
  fi
  stop_relay
}

b1_relay=(--rtt-ms "$RTT_MS" --quota 20000 --window-s 60)
echo "== B1: $B1_COUNT messages, ${RTT_MS} ms round trip, quota 20,000 per minute, $B1_CONNS connections, at most ${B1_DEADLINE} s each"
run_one b1 mailwright "$B1_DEADLINE" "${b1_relay[@]}" -- \
  "$bench" PORT "$B1_COUNT" "$B1_CONNS" --sendcloud --deadline-s "$B1_DEADLINE"
run_one b1 nodemailer-defaults "$B1_DEADLINE" "${b1_relay[@]}" -- \
  node "$here/nodemailer_bench.js" PORT "$B1_COUNT" "$eml" --defaults --deadline-s "$B1_DEADLINE"
run_one b1 nodemailer-pool "$B1_DEADLINE" "${b1_relay[@]}" -- \
  node "$here/nodemailer_bench.js" PORT "$B1_COUNT" "$eml" --connections "$B1_CONNS" \
  --rate 20000 --window 60 --deadline-s "$B1_DEADLINE" --label "nodemailer (pool, rateLimit)"
run_one b1 mailwright-python "$B1_DEADLINE" "${b1_relay[@]}" -- \
  "$binding_python" "$here/mailwright_python_bench.py" PORT "$B1_COUNT" "$eml" "$B1_CONNS" --sendcloud \
  --deadline-s "$B1_DEADLINE"
run_one b1 mailwright-python-aio "$B1_DEADLINE" "${b1_relay[@]}" -- \
  "$binding_python" "$here/mailwright_python_bench.py" PORT "$B1_COUNT" "$eml" "$B1_CONNS" --sendcloud --aio \
  --deadline-s "$B1_DEADLINE"
run_one b1 mailwright-node "$B1_DEADLINE" "${b1_relay[@]}" -- \
  node "$here/mailwright_node_bench.mjs" "$root/bindings-wasm/npm" PORT "$B1_COUNT" "$eml" "$B1_CONNS" \
  --sendcloud --deadline-s "$B1_DEADLINE"
run_one b1 mailwright-java "$B1_DEADLINE" "${b1_relay[@]}" -- \
  java -cp "$java_cp" org.mailwright.DeliveryBench PORT "$B1_COUNT" "$eml" "$B1_CONNS" --sendcloud \
  --deadline-s "$B1_DEADLINE"
run_one b1 jakarta-mail "$B1_DEADLINE" "${b1_relay[@]}" -- \
  java -cp "$jakarta_cp" JakartaBench PORT "$B1_COUNT" "$eml" "$B1_CONNS" --deadline-s "$B1_DEADLINE"
run_one b1 smtplib "$B1_DEADLINE" "${b1_relay[@]}" -- \
  python3 "$here/smtplib_pool_bench.py" PORT "$B1_COUNT" "$eml" "$B1_CONNS" --deadline-s "$B1_DEADLINE"
run_one b1 aiosmtplib "$B1_DEADLINE" "${b1_relay[@]}" -- \
  "$venv_python" "$here/aiosmtplib_bench.py" PORT "$B1_COUNT" "$eml" "$B1_CONNS" --deadline-s "$B1_DEADLINE"

echo "== B2: $B2_COUNT messages, ${RTT_MS} ms round trip, no quota, $B2_CONNS connections"
b2_relay=(--rtt-ms "$RTT_MS")
run_one b2 mailwright "$B2_DEADLINE" "${b2_relay[@]}" -- \
  "$bench" PORT "$B2_COUNT" "$B2_CONNS" --deadline-s "$B2_DEADLINE"
# RFC 2920 pipelining behind the data: the relay simulator takes it; Haraka,
# which SendCloud runs, answers such commands 503 (so it is off by default).
run_one b2 mailwright-pipelined "$B2_DEADLINE" "${b2_relay[@]}" -- \
  "$bench" PORT "$B2_COUNT" "$B2_CONNS" --deadline-s "$B2_DEADLINE" --pipeline-after-data \
  --label "mailwright, pipelined after DATA"
run_one b2 nodemailer-pool "$B2_DEADLINE" "${b2_relay[@]}" -- \
  node "$here/nodemailer_bench.js" PORT "$B2_COUNT" "$eml" --connections "$B2_CONNS" \
  --deadline-s "$B2_DEADLINE" --label "nodemailer (pool)"
run_one b2 smtplib "$B2_DEADLINE" "${b2_relay[@]}" -- \
  python3 "$here/smtplib_pool_bench.py" PORT "$B2_COUNT" "$eml" "$B2_CONNS" --deadline-s "$B2_DEADLINE"
run_one b2 aiosmtplib "$B2_DEADLINE" "${b2_relay[@]}" -- \
  "$venv_python" "$here/aiosmtplib_bench.py" PORT "$B2_COUNT" "$eml" "$B2_CONNS" --deadline-s "$B2_DEADLINE"

echo "== B3: no delay, $B3_CONNS connections (mailwright $B3_COUNT messages, peers $B3_PEER_COUNT)"
run_one b3 mailwright "$B3_DEADLINE" -- \
  "$bench" PORT "$B3_COUNT" "$B3_CONNS" --deadline-s "$B3_DEADLINE"
run_one b3 mailwright-build-each "$B3_DEADLINE" -- \
  "$bench" PORT "$B3_COUNT" "$B3_CONNS" --build-each --deadline-s "$B3_DEADLINE" --label "mailwright (build each)"
run_one b3 nodemailer-pool "$B3_DEADLINE" -- \
  node "$here/nodemailer_bench.js" PORT "$B3_PEER_COUNT" "$eml" --connections "$B3_CONNS" \
  --deadline-s "$B3_DEADLINE" --label "nodemailer (pool)"
run_one b3 smtplib "$B3_DEADLINE" -- \
  python3 "$here/smtplib_pool_bench.py" PORT "$B3_PEER_COUNT" "$eml" "$B3_CONNS" --deadline-s "$B3_DEADLINE"
run_one b3 aiosmtplib "$B3_DEADLINE" -- \
  "$venv_python" "$here/aiosmtplib_bench.py" PORT "$B3_PEER_COUNT" "$eml" "$B3_CONNS" --deadline-s "$B3_DEADLINE"
case " $BENCHES " in
  *" b3 "*)
    echo "   memory of $MEM_COUNT queued W1 messages"
    "$bench" memory "$MEM_COUNT" >"$out/b3-memory.json" ;;
esac

python3 "$here/report.py" "$out" --svg "$SVG" --rtt-ms "$RTT_MS" --b1-count "$B1_COUNT" \
  --b1-deadline "$B1_DEADLINE" --seconds $((SECONDS - started)) >"$out/summary.md"
cat "$out/summary.md"
echo "(results in $out; picture in $SVG; $((SECONDS - started)) s in all)"

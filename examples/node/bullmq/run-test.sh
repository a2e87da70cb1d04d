#!/usr/bin/env bash
# The BullMQ example's test (examples/Makefile): 3 workers send 6,000 jobs
# through the relay simulator (50 ms round trip, 2,000 per sliding 10 s), then
# the same with one worker SIGKILLed after 2,000 outcomes; run-test.mjs checks
# each run (no 536, no window over the quota, an outcome for every job, every
# duplicate at the relay explained). Needs the npm package built by
# `make -C bindings-wasm test` (installed here from bindings-wasm/npm),
# redis-server (installed from Debian's packages when missing) and the relay
# simulator (built here).
#
#   ./run-test.sh            the two checked runs
#   ./run-test.sh bench      one run each with 1, 2 and 3 workers (the totals for docs/BENCHMARKS.md)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
export PATH="$HOME/.cargo/bin:$PATH"

[ -f "$repo/bindings-wasm/npm/wasm/mailwright_wasm.cjs" ] || {
  echo "the npm package is not built: run make -C bindings-wasm test (or bindings-wasm/build.sh) first" >&2
  exit 1
}
command -v redis-server >/dev/null || { apt-get update -qq && apt-get install -y -qq redis-server >/dev/null; }
(cd "$repo" && ${CARGO:-cargo} build -q --locked --release -p mailwright-relaysim)
relaysim="$repo/target/release/mailwright-relaysim"
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

run() { node "$here/run-test.mjs" --relaysim "$relaysim" "$@"; }
if [ "${1:-}" = bench ]; then
  for n in 1 2 3; do run --workers "$n" --count 6000 --timeout-s 300; done
  exit 0
fi
passed=0 failed=0
for args in "--workers 3 --count 6000" "--workers 3 --count 6000 --kill-after 2000"; do
  # shellcheck disable=SC2086
  if run $args; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "examples/node/bullmq: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

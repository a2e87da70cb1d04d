#!/usr/bin/env bash
# Builds the package, packs it (npm pack of npm/), installs the tarball into a
# scratch project like a user, and runs there:
#
#   ./run-tests.sh        (make test) node --test (golden vectors through ESM
#     import and CommonJS require, the IDN cases (testdata/idna: UTS 46 from
#     the runtime's URL parser against the native core's answers), the shared
#     SMTP vectors, the API, memory,
#     lone surrogates and freed objects, send() and the Mailer to a local
#     Haraka and to the misbehaving server, the shared delivery scenarios, the
#     Mailer against a recording server, its ledger (a journal file: keys sent
#     once across runs, and the crash test of testservers/crashloop), its
#     shared-quota limiter with fakes),
#     tsc --noEmit on a typed example, the Node examples, the browser example in
#     headless chromium (with the IDN cases), and the golden vectors and IDN
#     cases in Bun (a smoke). Prints the sizes.
#   ./run-tests.sh dist   (make test-dist) the same node:test files in Deno and
#     in Bun (the binaries from the deno and bun npm packages that
#     package.json pins), plus the web entry's golden vectors and IDN cases in
#     both, and
#     `deno check` of the typed example.
set -euo pipefail
mode=${1:-test}
case "$mode" in test|dist) ;; *) echo "usage: $0 [dist]" >&2; exit 2 ;; esac
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
cd "$here"
./build.sh >/dev/null
[ "$mode" = dist ] || command -v chromium >/dev/null || { echo "installing chromium" >&2; (apt-get update -qq && apt-get install -y -qq chromium) >/dev/null; }

scratch="$here/build/scratch"
rm -rf "$here/build" && mkdir -p "$scratch/tests" "$scratch/examples" "$scratch/testdata"
tarball=$(cd npm && npm pack --silent --pack-destination "$here/build")
cd "$scratch"
echo '{ "name": "scratch", "private": true, "type": "module" }' > package.json
npm install --silent --no-audit --no-fund "$here/build/$tarball"
cp "$here"/tests/*.mjs "$here"/tests/*.cjs tests/
cp -r "$repo/examples/node" "$repo/examples/browser" "$repo/examples/assets" examples/
rm -rf examples/node/bullmq/node_modules   # the BullMQ example's own install (examples/Makefile runs it)
cp -r "$repo/testdata/vectors" "$repo/testdata/idna" testdata/

export MW_VECTORS="$repo/testdata/vectors" MW_SMTP_VECTORS="$repo/testdata/smtp" MW_HARAKACTL="$repo/testservers/haraka/harakactl.py" \
  MW_BADSMTP="$repo/testservers/misbehaving/badsmtp.py" MW_DELIVERY_SCENARIOS="$repo/testdata/delivery/scenarios.json"
suite=(tests/golden.test.mjs tests/golden.test.cjs tests/smtp-vectors.test.mjs tests/api.test.mjs tests/robustness.test.mjs
  tests/smtp.test.mjs tests/misbehaving.test.mjs tests/scenarios.test.mjs tests/mailer.test.mjs tests/limiter.test.mjs
  tests/idna.test.mjs)
bun="$here/node_modules/.bin/bun" deno="$here/node_modules/.bin/deno"
export DENO_NO_UPDATE_CHECK=1 DENO_NO_PROMPT=1 DO_NOT_TRACK=1

if [ "$mode" = dist ]; then
  # Deno: one `deno test` over every file (--no-check: the tests are plain
  # JavaScript, and checking their node: imports would need @types/node; -A:
  # they spawn the test servers and write temporary files).
  # Bun: one `bun test` per file, as node --test runs each file in its own
  # process; --timeout because Bun's default (5 s per test or hook) is shorter
  # than Haraka's start or the 20,000 builds.
  "$deno" --version | head -1
  "$deno" test -A --no-check "${suite[@]}" tests/web-entry.test.mjs
  "$deno" check examples/node/types-check.ts   # the package's types, as Deno's TypeScript reads them
  echo "bun $("$bun" --version)"
  for file in "${suite[@]}" tests/web-entry.test.mjs; do "$bun" test --timeout 120000 "$file"; done
  echo "deno and bun: every file passed"
  exit 0
fi

node --test "${suite[@]}"
# The ledger's crash test through the Node Mailer (a journal file): SIGKILLed at random moments and run
# again until done; testservers/crashloop checks the relay's log against the journal (CRASH_SEEDS runs).
(cd "$repo" && cargo build --locked -q -p mailwright-relaysim)
for _ in $(seq "${CRASH_SEEDS:-1}"); do
  python3 "$repo/testservers/crashloop/crashloop.py" --journal --rows 5000 --kills 3 -- \
    node tests/ledger_child.mjs {port} {ledger} {rows} {connections}
done
# Bun (from the bun npm package pinned in package.json): the golden vectors, ESM and CommonJS, and the IDN cases.
"$bun" test tests/golden.test.mjs tests/golden.test.cjs tests/idna.test.mjs
(cd examples/node && "$here/node_modules/.bin/tsc" -p tsconfig.json)
echo "tsc --noEmit: types-check.ts compiles"
(cd examples/node && node sendcloud_inline.mjs "$here/build/node-example.eml" | grep -q 'structure multipart/related\[text/html, image/png\]')
"$repo/examples/node/run-bulk.sh" "$scratch" > "$here/build/node-bulk.txt"
grep -q '^done: 200 delivered, 0 failed, 0 uncertain' "$here/build/node-bulk.txt"
echo "examples/node: ok"
NODE_PATH="$here/node_modules" node --preserve-symlinks "$here/tests/browser.mjs" "$scratch"
wasm="$scratch/node_modules/mailwright/wasm/mailwright_wasm_bg.wasm"
unpacked=$(tar -tvzf "$here/build/$tarball" | awk '{ s += $3 } END { print s }')
echo "wasm size: $(wc -c < "$wasm") bytes raw, $(gzip -9 -c "$wasm" | wc -c) bytes gzipped; npm tarball: $(wc -c < "$here/build/$tarball") bytes, $unpacked unpacked"

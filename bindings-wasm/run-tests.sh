#!/usr/bin/env bash
# Builds the package, packs it (npm pack of npm/), installs the tarball into a
# scratch project like a user, and runs there: node --test (golden vectors
# through ESM import and CommonJS require, the shared SMTP vectors, the API,
# memory, lone surrogates and freed objects, send() and the Mailer to a local
# Haraka and to the misbehaving server, the shared delivery scenarios, the
# Mailer against a recording server, its shared-quota limiter with fakes),
# tsc --noEmit on a typed example, the Node examples, and the browser example
# in headless chromium. Prints the sizes.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
cd "$here"
./build.sh >/dev/null
command -v chromium >/dev/null || { echo "installing chromium" >&2; (apt-get update -qq && apt-get install -y -qq chromium) >/dev/null; }

scratch="$here/build/scratch"
rm -rf "$here/build" && mkdir -p "$scratch/tests" "$scratch/examples" "$scratch/testdata"
tarball=$(cd npm && npm pack --silent --pack-destination "$here/build")
cd "$scratch"
echo '{ "name": "scratch", "private": true, "type": "module" }' > package.json
npm install --silent --no-audit --no-fund "$here/build/$tarball"
cp "$here"/tests/*.mjs "$here"/tests/*.cjs tests/
cp -r "$repo/examples/node" "$repo/examples/browser" "$repo/examples/assets" examples/
rm -rf examples/node/bullmq/node_modules   # the BullMQ example's own install (examples/Makefile runs it)
cp -r "$repo/testdata/vectors" testdata/

MW_VECTORS="$repo/testdata/vectors" MW_SMTP_VECTORS="$repo/testdata/smtp" MW_HARAKACTL="$repo/testservers/haraka/harakactl.py" \
  MW_BADSMTP="$repo/testservers/misbehaving/badsmtp.py" MW_DELIVERY_SCENARIOS="$repo/testdata/delivery/scenarios.json" \
  node --test tests/golden.test.mjs tests/golden.test.cjs tests/smtp-vectors.test.mjs tests/api.test.mjs \
  tests/robustness.test.mjs tests/smtp.test.mjs tests/misbehaving.test.mjs tests/scenarios.test.mjs tests/mailer.test.mjs tests/limiter.test.mjs
(cd examples/node && "$here/node_modules/.bin/tsc" -p tsconfig.json)
echo "tsc --noEmit: types-check.ts compiles"
(cd examples/node && node sendcloud_inline.mjs "$here/build/node-example.eml" | grep -q 'structure multipart/related\[text/html, image/png\]')
"$repo/examples/node/run-bulk.sh" "$scratch" > "$here/build/node-bulk.txt"
grep -q '^done: 200 delivered, 0 failed, 0 uncertain' "$here/build/node-bulk.txt"
echo "examples/node: ok"
NODE_PATH="$here/node_modules" node --preserve-symlinks "$here/tests/browser.mjs" "$scratch"
wasm="$scratch/node_modules/mailwright/web/mailwright_wasm_bg.wasm"
echo "wasm size: $(wc -c < "$wasm") bytes raw, $(gzip -9 -c "$wasm" | wc -c) bytes gzipped; npm tarball: $(wc -c < "$here/build/$tarball") bytes"

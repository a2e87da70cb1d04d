#!/usr/bin/env bash
# Builds the npm package in bindings-wasm/npm: compiles the crate to
# wasm32-unknown-unknown, runs wasm-bindgen (pinned in Cargo.toml, installed
# if missing) for Node and for browsers/bundlers, shrinks the .wasm with
# wasm-opt (binaryen, from npm), and copies the README. Both outputs go to
# npm/wasm/ beside the one .wasm they both load: the Node glue (CommonJS, so
# that `require` stays synchronous) as mailwright_wasm.cjs, the web glue (an ES
# module initialised by web/index.js) as mailwright_wasm.js. The package's own
# files (package.json, entry points, the Node transport, the TypeScript types)
# are committed in npm/; nothing else is written.
set -euo pipefail
cd "$(dirname "$0")"
export PATH="$HOME/.cargo/bin:$PATH"
version=$(sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' Cargo.toml)
rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || rustup target add wasm32-unknown-unknown
# The dev tools package.json pins (binaryen, typescript, playwright-core,
# Deno, Bun...): installed when missing, or older than Deno and Bun here.
[ -x node_modules/.bin/bun ] && [ -x node_modules/.bin/deno ] || npm ci --no-audit --no-fund --loglevel=error
if [ "$(wasm-bindgen --version 2>/dev/null | cut -d' ' -f2)" != "$version" ]; then
  cargo install wasm-bindgen-cli --version "$version"
fi
crate_version=$(sed -n 's/^version = "\(.*\)"/\1/p' ../Cargo.toml | head -1)
npm_version=$(node -p 'require("./npm/package.json").version')
if [ "$crate_version" != "$npm_version" ]; then
  echo "npm/package.json says version $npm_version, the workspace $crate_version: make them equal" >&2
  exit 1
fi
cargo build --locked -p mailwright-wasm --target wasm32-unknown-unknown --profile wasm-release
wasm=${CARGO_TARGET_DIR:-../target}/wasm32-unknown-unknown/wasm-release/mailwright_wasm.wasm
# Types come from npm/index.d.ts alone (--no-typescript). The two targets
# differ in their JS only: the build stops if their .wasm files ever differ.
nodejs=$(mktemp -d)
trap 'rm -rf "$nodejs"' EXIT
wasm-bindgen "$wasm" --no-typescript --target nodejs --out-dir "$nodejs"
wasm-bindgen "$wasm" --no-typescript --target web --out-dir npm/wasm
cmp -s "$nodejs/mailwright_wasm_bg.wasm" npm/wasm/mailwright_wasm_bg.wasm || {
  echo "wasm-bindgen wrote different .wasm files for nodejs and web: the package cannot share one" >&2
  exit 1
}
mv "$nodejs/mailwright_wasm.js" npm/wasm/mailwright_wasm.cjs
if [ -x node_modules/.bin/wasm-opt ]; then
  node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-reference-types \
    npm/wasm/mailwright_wasm_bg.wasm -o npm/wasm/mailwright_wasm_bg.wasm
fi
cp README.md npm/README.md
ls -la npm/wasm/mailwright_wasm_bg.wasm

#!/usr/bin/env bash
# Builds the npm package in bindings-wasm/npm: compiles the crate to
# wasm32-unknown-unknown, runs wasm-bindgen (pinned in Cargo.toml, installed
# if missing) for Node (npm/node) and for browsers/bundlers (npm/web), shrinks
# the .wasm with wasm-opt (binaryen, from npm), and copies the README. The
# package's own files (package.json, entry points, the Node transport, the
# TypeScript types) are committed in npm/; nothing else is written.
set -euo pipefail
cd "$(dirname "$0")"
export PATH="$HOME/.cargo/bin:$PATH"
version=$(sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' Cargo.toml)
rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || rustup target add wasm32-unknown-unknown
[ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error
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
wasm=../target/wasm32-unknown-unknown/wasm-release/mailwright_wasm.wasm
# Types come from npm/index.d.ts alone (--no-typescript).
wasm-bindgen "$wasm" --no-typescript --target nodejs --out-dir npm/node
wasm-bindgen "$wasm" --no-typescript --target web --out-dir npm/web
for dir in node web; do
  if [ -x node_modules/.bin/wasm-opt ]; then
    node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-reference-types \
      npm/$dir/mailwright_wasm_bg.wasm -o npm/$dir/mailwright_wasm_bg.wasm
  fi
done
cp README.md npm/README.md
ls -la npm/web/mailwright_wasm_bg.wasm

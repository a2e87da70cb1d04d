#!/usr/bin/env bash
# Builds the npm package in bindings-wasm/pkg: the core compiled to
# wasm32-unknown-unknown, wasm-bindgen (pinned, installed if missing) for Node
# (CommonJS, with an ESM entry) and for browsers/bundlers (ESM), the error
# classes, the Node transport, TypeScript types and package.json.
set -euo pipefail
cd "$(dirname "$0")"
export PATH="$HOME/.cargo/bin:$PATH"
version=$(sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' Cargo.toml)
rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || rustup target add wasm32-unknown-unknown
[ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error
if [ "$(wasm-bindgen --version 2>/dev/null | cut -d' ' -f2)" != "$version" ]; then
  cargo install wasm-bindgen-cli --version "$version"
fi
cargo build --locked -p mailwright-wasm --target wasm32-unknown-unknown --profile wasm-release
wasm=../target/wasm32-unknown-unknown/wasm-release/mailwright_wasm.wasm
rm -rf pkg && mkdir -p pkg/node pkg/web
wasm-bindgen "$wasm" --target nodejs --out-dir pkg/node
wasm-bindgen "$wasm" --target web --out-dir pkg/web
for dir in node web; do
  if [ -x node_modules/.bin/wasm-opt ]; then
    node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-reference-types \
      pkg/$dir/mailwright_wasm_bg.wasm -o pkg/$dir/mailwright_wasm_bg.wasm
  fi
done

echo '{ "type": "commonjs" }' > pkg/node/package.json
cp js/errors.mjs pkg/web/errors.mjs
sed -e 's/^export class/class/' js/errors.mjs > pkg/node/errors.cjs
echo 'module.exports = { MailwrightError, SmtpError };' >> pkg/node/errors.cjs
cp js/transport.cjs pkg/node/transport.cjs

cat > pkg/node/index.cjs <<'JS'
"use strict";
const core = require("./mailwright_wasm.js");
const { MailwrightError, SmtpError } = require("./errors.cjs");
core.__registerErrors(MailwrightError, SmtpError);
const { Client, send } = require("./transport.cjs")(core);
module.exports = { ...core, MailwrightError, SmtpError, Client, send };
delete module.exports.__registerErrors;
JS
cat > pkg/node/index.mjs <<'JS'
import mw from "./index.cjs";
export const {
  Message, Credentials, Reply, Session, authLogin, authPlain, authXoauth2, loginAnswer,
  MailwrightError, SmtpError, Client, send,
} = mw;
export default mw;
JS
cat > pkg/web/index.js <<'JS'
import init, * as core from "./mailwright_wasm.js";
import { MailwrightError, SmtpError } from "./errors.mjs";
await init({ module_or_path: new URL("./mailwright_wasm_bg.wasm", import.meta.url) });
core.__registerErrors(MailwrightError, SmtpError);
export { Message, Credentials, Reply, Session, authLogin, authPlain, authXoauth2, loginAnswer } from "./mailwright_wasm.js";
export { MailwrightError, SmtpError };
JS
# Types: the generated declarations plus the JS-side additions.
sed -e '/__registerErrors/,/^$/d' -e '/^export type InitInput/,$d' -e '/\[Symbol.dispose\]/d' pkg/web/mailwright_wasm.d.ts > pkg/index.d.ts
cat js/index.d.ts >> pkg/index.d.ts
cp README.md pkg/README.md
node -e '
const fs = require("fs");
const version = fs.readFileSync("../Cargo.toml", "utf8").match(/^version = "(.*)"/m)[1];
fs.writeFileSync("pkg/package.json", JSON.stringify({
  name: "mailwright",
  version,
  description: "Build an e-mail and hand it to an SMTP relay (SendCloud and others): the same bytes from every language.",
  license: "MIT OR Apache-2.0",
  type: "module",
  types: "./index.d.ts",
  main: "./node/index.cjs",
  exports: {
    ".": {
      types: "./index.d.ts",
      node: { import: "./node/index.mjs", require: "./node/index.cjs" },
      browser: "./web/index.js",
      default: "./web/index.js",
    },
  },
  files: ["index.d.ts", "node/", "web/", "README.md"],
  engines: { node: ">=20" },
  sideEffects: ["./web/index.js"],
}, null, 2) + "\n");
'
ls -la pkg/web/mailwright_wasm_bg.wasm

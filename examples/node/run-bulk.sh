#!/usr/bin/env bash
# Runs bulk_send.mjs against the misbehaving server's "ok" scenario on
# 127.0.0.1 (200 messages, 4 connections, no TLS), from a project where the
# mailwright package is installed (default: the scratch project that
# `make -C bindings-wasm test` installs it into). Prints the example's output.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
project=${1:-$repo/bindings-wasm/build/scratch}
fifo=$(mktemp -u)
mkfifo "$fifo"
python3 "$repo/testservers/misbehaving/badsmtp.py" ok < "$fifo" > "$fifo.port" &
server=$!
exec 3> "$fifo"   # the server runs until this closes
trap 'exec 3>&-; wait "$server" 2>/dev/null; rm -f "$fifo" "$fifo.port"' EXIT
for _ in $(seq 100); do [ -s "$fifo.port" ] && break; sleep 0.1; done
port=$(head -1 "$fifo.port")
mkdir -p "$project/examples/node"
[ "$here" -ef "$project/examples/node" ] || cp "$here/bulk_send.mjs" "$project/examples/node/"
(cd "$project/examples/node" && node bulk_send.mjs --send "127.0.0.1:$port" --tls none --count 200 --connections 4)

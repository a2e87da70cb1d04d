#!/usr/bin/env bash
# make demo: start a local Haraka (the server SendCloud runs) on 127.0.0.1, build the
# SendCloud inline-image example, send it over STARTTLS with AUTH LOGIN and a label,
# print the conversation and the queue id, and stop the server.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../out"
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "starting a local Haraka on 127.0.0.1 (first run installs it with npm)..."
coproc HARAKA { python3 "$here/../testservers/haraka/harakactl.py" --dir "$work" --user api_user=api_key; }
read -r info <&"${HARAKA[0]}" || { echo "Haraka did not start" >&2; exit 1; }
field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$info" "$1"; }
port=$(field port)
ca=$(field ca_file)

status=0
cargo run --locked --release -q -p mailwright-example -- "$out/sendcloud-inline.eml" \
  --send "127.0.0.1:$port" --ca "$ca" --user api_user --key api_key --label 12345 || status=$?

exec {HARAKA[1]}>&-   # closing its input stops Haraka
wait "$HARAKA_PID" 2>/dev/null || true
stored=$(ls "$work/stored"/*.json 2>/dev/null | head -1 || true)
[ -n "$stored" ] && echo "server stored: $(cat "$stored")"
exit $status

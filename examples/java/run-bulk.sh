#!/usr/bin/env bash
# Runs BulkSend.java against the jar bindings-java built: 200 personalised messages through a
# Mailer (4 connections, STARTTLS, AUTH with a label) to a local Haraka, then stops Haraka and
# says how many messages it stored.
#   examples/java/run-bulk.sh [COUNT]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
jar=$(ls "$here"/../../bindings-java/target/mailwright-*.jar | head -1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
coproc HARAKA { python3 "$here/../../testservers/haraka/harakactl.py" --dir "$work" --user api_user=api_key; }
read -r info <&"${HARAKA[0]}" || { echo "Haraka did not start" >&2; exit 1; }
field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$info" "$1"; }
status=0
java -cp "$jar" "$here/BulkSend.java" --send "127.0.0.1:$(field port)" --ca "$(field ca_file)" \
  --user api_user --key api_key --label 12345 --connections 4 --count "${1:-200}" || status=$?
exec {HARAKA[1]}>&-
wait "$HARAKA_PID" 2>/dev/null || true
python3 - "$work/stored" <<'PY'
import json, pathlib, sys
metas = [json.loads(p.read_text()) for p in pathlib.Path(sys.argv[1]).glob("*.json")]
labels = sorted({m.get("label") or "none" for m in metas})
print(f"server stored: {len(metas)} messages, label {', '.join(labels) if labels else 'none'}")
PY
exit $status

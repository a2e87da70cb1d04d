#!/usr/bin/env bash
# Runs SendCloudInline.java against the jar bindings-java built: writes the message and
# sends it to a local Haraka (127.0.0.1, STARTTLS, AUTH with a label), then stops Haraka.
#   examples/java/run.sh OUT.eml
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
jar=$(ls "$here"/../../bindings-java/target/mailwright-*.jar | head -1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
coproc HARAKA { python3 "$here/../../testservers/haraka/harakactl.py" --dir "$work" --user api_user=api_key; }
read -r info <&"${HARAKA[0]}" || { echo "Haraka did not start" >&2; exit 1; }
field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$info" "$1"; }
status=0
java -Dexample.dir="$here" -cp "$jar" "$here/SendCloudInline.java" "${1:-sendcloud-inline.eml}" \
  --send "127.0.0.1:$(field port)" --ca "$(field ca_file)" --user api_user --key api_key --label 12345 || status=$?
exec {HARAKA[1]}>&-
wait "$HARAKA_PID" 2>/dev/null || true
stored=$(ls "$work/stored"/*.json 2>/dev/null | head -1 || true)
[ -n "$stored" ] && echo "server stored: $(cat "$stored")"
exit $status

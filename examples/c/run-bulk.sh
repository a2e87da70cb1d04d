#!/usr/bin/env bash
# Runs the bulk example against the misbehaving test server's "ok" scenario
# (testservers/misbehaving/badsmtp.py on 127.0.0.1, clear text), started and
# stopped here: 300 messages through the mailer, every one delivered.
#
#   run-bulk.sh BULK_SEND_BINARY
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
coproc SERVER { python3 "$here/../../testservers/misbehaving/badsmtp.py" ok; }
read -r port <&"${SERVER[0]}"
trap 'exec {SERVER[1]}>&-; wait "$SERVER_PID" 2>/dev/null || true' EXIT
"$1" 127.0.0.1 "$port" 300 none | tee /dev/stderr | grep -q '^done: 300 delivered, 0 failed, 0 uncertain'

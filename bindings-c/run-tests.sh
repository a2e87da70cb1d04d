#!/usr/bin/env bash
# Runs the C tests three ways: plain, under valgrind (any leak or invalid
# access fails), and built with AddressSanitizer. test_misbehaving starts
# testservers/misbehaving/badsmtp.py itself. test_smtp needs the local
# Haraka, started here on 127.0.0.1 and stopped at the end; it also pins
# Haraka's own certificate (tls_cert.pem beside the CA) by PEM and by its
# SHA-256 fingerprint as openssl prints it.
#
#   run-tests.sh BUILD_DIR
# The release archives' tests (make test-dist) reuse it through the
# environment; unset, everything runs as described above:
#   MW_MODES    the modes to run (default "plain valgrind asan")
#   MW_TESTS    the programs to run (default: all nine)
#   MW_RUNNER   a command every program runs under (qemu-aarch64-static -L ..., wine)
#   MW_EXE      the programs' file name suffix (".exe" for Windows)
#   MW_LABEL    names the run in the summary lines (default "c")
set -euo pipefail
build=$1
modes=${MW_MODES:-plain valgrind asan}
tests=${MW_TESTS:-test_golden test_bulk test_smtp_vectors test_api test_smtp test_misbehaving test_delivery_scenarios test_mailer test_ledger}
read -r -a runner <<< "${MW_RUNNER:-}"
exe=${MW_EXE:-}
label=${MW_LABEL:-c}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

coproc HARAKA { python3 "$here/../testservers/haraka/harakactl.py" --dir "$work" --user api_user=api_key; }
read -r info <&"${HARAKA[0]}" || { echo "Haraka did not start" >&2; exit 1; }
field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$info" "$1"; }
export MW_HARAKA_PORT=$(field port) MW_HARAKA_SMTPS_PORT=$(field smtps_port) MW_HARAKA_CA=$(field ca_file) \
  MW_HARAKA_STORED=$(field queue_dir)
export MW_HARAKA_CERT="$(dirname "$MW_HARAKA_CA")/tls_cert.pem"
export MW_HARAKA_FINGERPRINT="$(openssl x509 -in "$MW_HARAKA_CERT" -noout -fingerprint -sha256)"

if [[ " $modes " == *" valgrind "* ]] && ! command -v valgrind >/dev/null; then
  echo "valgrind not found: installing it" >&2
  (apt-get update -qq && apt-get install -y -qq valgrind) >/dev/null
fi

passed=0 failed=0
declare -A took=([plain]=0 [valgrind]=0 [asan]=0)
run() {
  local name=$1 mode=$2; shift 2
  local started=$SECONDS
  if "$@"; then passed=$((passed + 1)); else echo "FAILED: $name ($mode)" >&2; failed=$((failed + 1)); fi
  took[$mode]=$((took[$mode] + SECONDS - started))
}
for t in $tests; do
  for mode in $modes; do
    case $mode in
      plain) run "$t" plain ${runner[@]+"${runner[@]}"} "$build/$t$exe" ;;
      valgrind) run "$t" valgrind valgrind -q --error-exitcode=99 --suppressions="$here/tests/valgrind.supp" \
          --leak-check=full --show-leak-kinds=definite,indirect \
          --errors-for-leak-kinds=definite,indirect "$build/$t" ;;
      asan) run "$t" asan env ASAN_OPTIONS=detect_leaks=1 "$build/$t-asan" ;;
      *) echo "unknown mode $mode" >&2; exit 2 ;;
    esac
  done
done

exec {HARAKA[1]}>&-
wait "$HARAKA_PID" 2>/dev/null || true
times=
for mode in $modes; do times="$times${times:+, }$mode ${took[$mode]} s"; done
echo "$label test time: $times"
echo "$label tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/usr/bin/env bash
# Fails when a shared library needs a glibc symbol version newer than MAX
# (the archives promise glibc 2.17: RHEL 7, Debian 8, Ubuntu 14.04 and later).
#
#   check-glibc.sh OBJDUMP LIBRARY MAX
set -euo pipefail
objdump=$1 lib=$2 max=$3
symbols=$("$objdump" -T "$lib")
newest=$(grep -o 'GLIBC_[0-9][0-9.]*' <<< "$symbols" | sed 's/GLIBC_//' | sort -V | tail -1)
[ -n "$newest" ] || { echo "$lib: no GLIBC symbol versions (not a glibc build?)" >&2; exit 1; }
if [ "$(printf '%s\n%s\n' "$max" "$newest" | sort -V | tail -1)" != "$max" ]; then
  echo "$lib needs glibc $newest (more than $max):" >&2
  sed -n 's/.*(GLIBC_\([0-9.]*\)) *\(.*\)/\1 \2/p' <<< "$symbols" | sort -V | while read -r version symbol; do
    [ "$(printf '%s\n%s\n' "$max" "$version" | sort -V | tail -1)" = "$max" ] || echo "  $symbol (GLIBC_$version)" >&2
  done
  exit 1
fi
echo "$(basename "$lib") ($("$objdump" -f "$lib" | sed -n 's/.*file format //p')): newest glibc symbol version $newest (at most $max)"

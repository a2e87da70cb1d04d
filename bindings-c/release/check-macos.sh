#!/usr/bin/env bash
# What can be checked of a macOS archive without a Mac (it is built, not
# run): the dylib and every object of the .a are Mach-O for TARGET's
# architecture and for macOS MIN_MACOS or later (no object asks for a newer
# one), both define exactly the functions the header declares, the dylib's
# install name is @rpath/libmailwright.dylib, and it links only system
# libraries (/usr/lib, /System).
#
#   check-macos.sh UNPACKED_PREFIX TARGET MIN_MACOS
set -euo pipefail
prefix=$1 target=$2 min=$3
dylib=$prefix/lib/libmailwright.dylib static=$prefix/lib/libmailwright.a
case $target in
  aarch64-*) arch=ARM64 ;;
  x86_64-*) arch=X86_64 ;;
  *) echo "check-macos.sh: unknown architecture in $target" >&2; exit 2 ;;
esac
fail() { echo "$target: $*" >&2; exit 1; }

header=$(grep -oE '\bmw_[a-z0-9_]+\(' "$prefix/include/mailwright.h" | tr -d '(' | sort -u)
[ -n "$header" ] || fail "no function in the header"
exported=$(llvm-nm --extern-only --defined-only "$dylib" | awk '$2 == "T" && $3 ~ /^_mw_/ { print substr($3, 2) }' | sort -u)
[ "$exported" = "$header" ] || fail "the dylib's functions differ from the header's: $(diff <(echo "$header") <(echo "$exported") | head -5)"
# llvm-nm 14 (Debian 12) cannot read the LLVM 22 bitcode embedded in the
# standard library's members and fails on them: the comparison decides.
archived=$( (llvm-nm --defined-only "$static" 2>/dev/null || true) | awk '$2 == "T" && $3 ~ /^_mw_/ { print substr($3, 2) }' | sort -u)
[ "$archived" = "$header" ] || fail "the .a's functions differ from the header's"

headers=$(llvm-objdump --macho --private-header "$dylib")
grep -q "MH_MAGIC_64 *$arch " <<< "$headers" || fail "the dylib is not $arch: $headers"
members=$(llvm-objdump --macho --private-header "$static" | grep -c 'MH_MAGIC_64') || true
others=$(llvm-objdump --macho --private-header "$static" | grep 'MH_MAGIC_64' | grep -vc " $arch ") || true
[ "$members" -gt 0 ] && [ "$others" -eq 0 ] || fail "the .a holds $others objects of another architecture (of $members)"

# The minimum macOS each object asks for (LC_BUILD_VERSION minos; older
# objects carry LC_VERSION_MIN_MACOSX's version): the dylib's is MIN, none newer.
minimums() { llvm-objdump --macho --private-headers "$1" | awk '$1 == "minos" || ($1 == "version" && seen) { print $2 } { seen = ($1 == "cmd" && $2 == "LC_VERSION_MIN_MACOSX") || (seen && $1 != "version") }'; }
dylib_min=$(minimums "$dylib" | sort -uV)
[ "$dylib_min" = "$min" ] || fail "the dylib is for macOS $dylib_min, not $min"
newest=$(minimums "$static" | sort -uV | tail -1)
[ "$(printf '%s\n%s\n' "$min" "$newest" | sort -V | tail -1)" = "$min" ] || fail "an object in the .a needs macOS $newest"

id=$(llvm-objdump --macho --dylib-id "$dylib" | tail -1)
[ "$id" = "@rpath/libmailwright.dylib" ] || fail "install name $id"
used=$(llvm-objdump --macho --dylibs-used "$dylib" | tail -n +2 | awk -v id="$id" '$1 != id { print $1 }')   # the id is listed too
foreign=$(grep -vE '^(/usr/lib/|/System/Library/)' <<< "$used") || true
[ -z "$foreign" ] || fail "links non-system libraries: $foreign"
echo "$target: libmailwright.dylib ($arch, macOS $min+, $id) and libmailwright.a ($members objects) define the header's" \
     "$(wc -l <<< "$header") functions; links $(tr '\n' ' ' <<< "$used")(built, not run)"

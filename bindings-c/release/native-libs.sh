#!/usr/bin/env bash
# Prints the system libraries a static libmailwright.a needs on a Linux
# TARGET (Rust's native-static-libs), for Libs.private and the CMake static
# target. They come from the standard library's link attributes, so a probe
# crate built for TARGET with the release build's flags reports them
# (rustc writes a .a and links nothing: well under a second, and the real
# build is left alone; `cargo rustc -- --print native-static-libs` on the
# library itself would rebuild it twice). On Linux the crates mailwright
# depends on add only libraries from this list (libc's -lc -lm -lrt
# -lpthread); macOS and Windows are different (iconv, bcrypt, advapi32), so
# their libraries come from the real build (see the Makefile).
#
#   native-libs.sh TARGET
set -euo pipefail
target=$1
case $target in
  *-linux-musl) flags=(-C target-feature=-crt-static) ;;  # as packaging/targets.mk builds musl
  *-linux-gnu) flags=() ;;
  *) echo "native-libs.sh: $target is not a Linux target" >&2; exit 2 ;;
esac
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo 'pub fn mailwright_probe() {}' > "$work/probe.rs"
libs=$(rustc --edition 2021 --crate-type staticlib --crate-name probe --target "$target" ${flags[@]+"${flags[@]}"} \
         --print native-static-libs "$work/probe.rs" -o "$work/libprobe.a" 2>&1 | sed -n 's/.*native-static-libs: //p')
[ -n "$libs" ] || { echo "native-libs.sh: rustc printed no native-static-libs for $target" >&2; exit 1; }
echo "$libs"

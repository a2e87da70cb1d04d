#!/usr/bin/env bash
# Builds C test programs against an unpacked release archive (or any
# installed prefix), as a user of that archive would.
#
#   build-tests.sh OUT_DIR PREFIX LINK CC TEST...
# LINK is
#   shared   pkg-config --cflags --libs (PKG_CONFIG_PATH=PREFIX/lib/pkgconfig),
#            run path PREFIX/lib; on Windows the DLL is copied beside the programs
#   static   PREFIX/lib/libmailwright.a and Libs.private (the C library
#            and the rest linked dynamically)
#   static-all  -static: the same without -lgcc_s, and MW_UNWIND (an
#            unwinder archive for the target's libc) if set: Debian's gcc
#            links its libgcc_eh.a with -static, but that one is built for
#            glibc (_dl_find_object); on Alpine gcc's own is fine
# CC may hold words ("python -m ziglang cc -target aarch64-linux-musl").
# MW_TEST_CFLAGS (environment, set by the Makefile) carries the tests' flags
# and the folder of the generated vector tables; EXE is the programs' suffix.
set -euo pipefail
out=$1 prefix=$2 link=$3 cc=$4
shift 4
read -r -a cc <<< "$cc"
read -r -a cflags <<< "${MW_TEST_CFLAGS:-}"
mkdir -p "$out"
pkg() { PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config "$@" mailwright; }
read -r -a incs <<< "$(pkg --cflags)"
case $link in
  shared)
    read -r -a libs <<< "$(pkg --libs)"
    if [ -f "$prefix/bin/mailwright.dll" ]; then
      cp "$prefix/bin/mailwright.dll" "$out/"
    else
      libs+=("-Wl,-rpath,$prefix/lib")
    fi ;;
  static)
    read -r -a private <<< "$(pkg --static --libs-only-l | sed -e 's/-lmailwright\b//')"
    libs=("$prefix/lib/libmailwright.a" ${private[@]+"${private[@]}"}) ;;
  static-all)
    read -r -a private <<< "$(pkg --static --libs-only-l | sed -e 's/-lmailwright\b//' -e 's/-lgcc_s\b//g')"
    libs=(-static "$prefix/lib/libmailwright.a" ${MW_UNWIND:+"$MW_UNWIND"} ${private[@]+"${private[@]}"}) ;;
  *) echo "build-tests.sh: LINK is shared, static or static-all" >&2; exit 2 ;;
esac
here=$(cd "$(dirname "$0")/.." && pwd)
for t in "$@"; do
  "${cc[@]}" "${cflags[@]}" "${incs[@]}" "$here/tests/$t.c" -o "$out/$t${EXE:-}" "${libs[@]}"
done

#!/usr/bin/env bash
# make test's quick check of the release packaging, on the host's build:
# packs it with pack.sh (as make dist does), unpacks the archive in another
# folder, builds test_golden there through pkg-config and examples/c through
# find_package(mailwright) (the shared and the static imported target), and
# runs all three. A few seconds.
#
#   smoke.sh WORK_DIR LIBDIR     (MW_TEST_CFLAGS as for build-tests.sh)
set -euo pipefail
work=$1 libdir=$2
here=$(cd "$(dirname "$0")" && pwd)
c=$(dirname "$here") root=$(dirname "$c")
target=$(rustc -vV | sed -n 's/^host: //p')
started=$SECONDS

rm -rf "$work" && mkdir -p "$work"
archive=$(MW_GZIP_LEVEL=1 "$here/pack.sh" "$target" "$libdir" "$("$here/native-libs.sh" "$target")" "$work/packed" strip)
size=$(du -k "$archive" | cut -f1)
mkdir "$work/unpacked"
tar -xzf "$archive" -C "$work/unpacked"
rm -rf "$work/packed"                                  # nothing may point back there
prefix=$work/unpacked/$(basename "$archive" .tar.gz)

"$here/build-tests.sh" "$work/bin" "$prefix" shared cc test_golden
"$work/bin/test_golden"

for link in shared static; do
  flag=$([ $link = static ] && echo ON || echo OFF)
  cmake -S "$root/examples/c" -B "$work/cmake-$link" -DCMAKE_PREFIX_PATH="$prefix" -DMAILWRIGHT_STATIC=$flag > /dev/null
  cmake --build "$work/cmake-$link" > /dev/null
  shown=$("$work/cmake-$link/sendcloud_inline" "$work/$link.eml" "$root/examples/assets/test.png")
  grep -q 'structure multipart/related\[text/html, image/png\]' <<< "$shown"
  grep -q '^Content-ID: <image1>' "$work/$link.eml"
done
# The shared build records the library's SONAME (not the path it was linked
# from); the static one needs no libmailwright at run time.
needed=$(readelf -d "$work/cmake-shared/sendcloud_inline")
grep -q 'NEEDED.*\[libmailwright\.so\]' <<< "$needed"
needed=$(readelf -d "$work/cmake-static/sendcloud_inline")
if grep libmailwright <<< "$needed"; then
  echo "the static build needs libmailwright.so" >&2; exit 1
fi
echo "c archive smoke: $(basename "$archive") ($size KB, gzip -1) packed, unpacked," \
     "test_golden (pkg-config) and examples/c (CMake, shared and static) passed in $((SECONDS - started)) s"

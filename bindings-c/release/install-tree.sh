#!/usr/bin/env bash
# Installs the C library as a prefix tree: what `make install` writes and
# what each release archive holds.
#   include/mailwright.h
#   lib/libmailwright.so         Linux    (lib/libmailwright.dylib on macOS;
#                                          bin/mailwright.dll + lib/libmailwright.dll.a on Windows)
#   lib/libmailwright.a
#   lib/pkgconfig/mailwright.pc                      prefix=${pcfiledir}/../..
#   lib/cmake/mailwright/mailwright-config.cmake     mailwright::mailwright, mailwright::mailwright_static
#   lib/cmake/mailwright/mailwright-config-version.cmake
# The .pc and CMake files hold no absolute path: the tree may be moved.
#
#   install-tree.sh DEST TARGET LIBDIR LIBS_PRIVATE [STRIP]
# TARGET is a Rust target triple (its OS picks the file names), LIBDIR holds
# cargo's output for it, LIBS_PRIVATE the system libraries the static library
# needs (Rust's native-static-libs), STRIP a strip command for TARGET's
# objects (debug info removed from the copies; none given: kept).
set -euo pipefail
dest=$1 target=$2 libdir=$3 libs_private=$4 strip=${5:-}
c=$(cd "$(dirname "$0")/.." && pwd)
version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$c/../Cargo.toml" | head -1)

implib=
case $target in
  *-linux-*)
    shared=lib/libmailwright.so
    shared_property='IMPORTED_SONAME "libmailwright.so"' ;;
  *-apple-darwin)
    shared=lib/libmailwright.dylib
    shared_property='IMPORTED_SONAME "@rpath/libmailwright.dylib"' ;;
  *-windows-gnu)
    shared=bin/mailwright.dll implib=lib/libmailwright.dll.a
    shared_property='IMPORTED_IMPLIB "${_mailwright_prefix}/lib/libmailwright.dll.a"' ;;
  *) echo "install-tree.sh: no layout for $target" >&2; exit 2 ;;
esac

install -d "$dest/include" "$dest/lib/pkgconfig" "$dest/lib/cmake/mailwright" "$dest/$(dirname "$shared")"
install -m 644 "$c/include/mailwright.h" "$dest/include/"
install -m 755 "$libdir/$(basename "$shared")" "$dest/$shared"
install -m 644 "$libdir/libmailwright.a" "$dest/lib/"
[ -z "$implib" ] || install -m 644 "$libdir/$(basename "$implib")" "$dest/$implib"
if [ -n "$strip" ]; then
  for f in "$shared" lib/libmailwright.a $implib; do $strip --strip-debug "$dest/$f"; done
fi

sed -e "s|@VERSION@|$version|" -e "s|@LIBS_PRIVATE@|$libs_private|" "$c/mailwright.pc.in" > "$dest/lib/pkgconfig/mailwright.pc"

# The static target's INTERFACE_LINK_LIBRARIES: -lfoo becomes foo (CMake
# writes -lfoo, or foo.lib for MSVC), "-framework X" stays one item.
link_libraries= framework=
for word in $libs_private; do
  if [ -n "$framework" ]; then item="-framework $word" framework=
  elif [ "$word" = -framework ]; then framework=1; continue
  else item=${word#-l}
  fi
  link_libraries="$link_libraries${link_libraries:+;}$item"
done
for file in mailwright-config mailwright-config-version; do
  sed -e "s|@VERSION@|$version|g" -e "s|@TARGET@|$target|g" -e "s|@SHARED@|$shared|g" -e "s|@IMPLIB@|$implib|g" \
      -e "s|@SHARED_PROPERTY@|$shared_property|" -e "s|@LINK_LIBRARIES@|$link_libraries|" \
      "$c/cmake/$file.cmake.in" > "$dest/lib/cmake/mailwright/$file.cmake"
done

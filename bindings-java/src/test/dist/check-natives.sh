#!/bin/sh
# make test-dist: the libraries in the dist jars.
#   check-natives.sh <work dir> <dist jar> <version> <platform>...
# For each platform: the jar carries its library; the ELF machine is the
# platform's; no debug info; glibc builds need libc.so.6 and no symbol newer
# than GLIBC_2.17; musl builds need musl's libc and not glibc's; the JNI entry
# points are exported. macOS and Windows (cross-built, never run here): the
# Mach-O is a dylib of the platform's CPU with the oldest macOS Rust supports
# (11.0 arm64, 10.12 x86_64) and exports the JNI entry points; the PE is an
# x86-64 DLL that exports them and imports only system DLLs (no mingw runtime). Each classifier jar carries its library only and the
# same classes. On x86_64 with musl's loader installed (Debian's musl), the
# musl x86_64 library is loaded by it (dlopen, every symbol bound).
set -eu
work=$1 jar=$2 version=$3
shift 3
fail() { echo "check-natives: $*" >&2; exit 1; }
rm -rf "$work" && mkdir -p "$work"
dir=$(dirname "$jar")
natives=$(unzip -Z1 "$jar" | grep '^org/mailwright/native/' | grep -v '/$' | sort)
# The library's name on each platform (Platform.libraryName).
libname() { case $1 in macos-*) echo libmailwright_jni.dylib ;; windows-*) echo mailwright_jni.dll ;; *) echo libmailwright_jni.so ;; esac; }
expected=$(for p in "$@"; do echo "org/mailwright/native/$p/$(libname "$p")"; done | sort)
[ "$natives" = "$expected" ] || fail "$jar carries:
$natives
expected:
$expected"
stray=$(unzip -Z1 "$jar" | grep -E '\.(so|dylib|dll)$' | grep -v '^org/mailwright/native/' || true)
[ -z "$stray" ] || fail "$jar carries libraries outside org/mailwright/native/: $stray"
classes=$(unzip -Z1 "$jar" | grep '\.class$' | sort)
[ -n "$classes" ] || fail "no class in $jar"
# The classifier jar of platform $1: exactly its library ($2), the same classes.
check_classifier() {
  cjar=$dir/mailwright-$version-$1.jar
  [ -f "$cjar" ] || fail "no $cjar"
  [ "$(unzip -Z1 "$cjar" | grep '^org/mailwright/native/' | grep -v '/$')" = "org/mailwright/native/$1/$2" ] \
    || fail "$cjar does not carry exactly its library"
  [ "$(unzip -Z1 "$cjar" | grep '\.class$' | sort)" = "$classes" ] || fail "$cjar: other classes than $jar"
  unzip -p "$cjar" "org/mailwright/native/$1/$2" | cmp -s - "$work/$1/$2" || fail "$cjar: another $1 library"
}
# macOS and Windows libraries: read, not run (llvm-objdump, mingw-w64's objdump).
check_other() {
  p=$1 lib=$2
  desc=$(file -b "$lib")
  case $p in
    macos-*)
      case $p in macos-x86_64) arch=x86_64 min=10.12 ;; macos-aarch64) arch=arm64 min=11.0 ;; *) fail "$p: no machine known" ;; esac
      case $desc in "Mach-O 64-bit $arch dynamically linked shared library"*) ;; *) fail "$p: $desc" ;; esac
      # LC_BUILD_VERSION's minos (or LC_VERSION_MIN_MACOSX's version).
      got=$(llvm-objdump --macho --private-headers "$lib" | awk '/cmd LC_BUILD_VERSION|cmd LC_VERSION_MIN_MACOSX/ { f = 1 } f && ($1 == "minos" || $1 == "version") { print $2; exit }')
      [ "$got" = "$min" ] || fail "$p: minimum macOS $got, not $min"
      ! llvm-objdump --section-headers "$lib" | grep -q '__debug_' || fail "$p: debug info left"
      llvm-nm --extern-only --defined-only "$lib" | grep -q ' _Java_org_mailwright_Native_version$' \
        || fail "$p: JNI entry points not exported"
      # --dylibs-used lists the library's own install name (LC_ID_DYLIB) too: left out.
      own=$(llvm-objdump --macho --dylib-id "$lib" | tail -n +2)
      needs=$(llvm-objdump --macho --dylibs-used "$lib" | tail -n +2 | sed 's/^[[:space:]]*//; s/ (.*//' | grep -vxF "$own" | tr '\n' ' ')
      for d in $needs; do case $d in /usr/lib/*|/System/Library/*) ;; *) fail "$p needs $d (not a system library)" ;; esac; done
      newest="macOS $got" ;;
    windows-*)
      case $desc in "PE32+ executable"*"(DLL)"*"x86-64"*) ;; *) fail "$p: $desc" ;; esac
      ! x86_64-w64-mingw32-objdump -h "$lib" | grep -q '\.debug_' || fail "$p: debug info left"
      x86_64-w64-mingw32-objdump -p "$lib" | grep -q ' Java_org_mailwright_Native_version$' \
        || fail "$p: JNI entry points not exported"
      needs=$(x86_64-w64-mingw32-objdump -p "$lib" | sed -n 's/^[[:space:]]*DLL Name: //p' | tr '\n' ' ')
      for d in $needs; do case $(echo "$d" | tr A-Z a-z) in libgcc*|libstdc++*|libwinpthread*) fail "$p needs $d (mingw's runtime)" ;; esac; done
      newest=- ;;
  esac
  printf '%-20s %-10s %9s  %-44s %s\n' "$p" "$(echo "$desc" | sed 's/.*Mach-O 64-bit \([a-z0-9_]*\).*/\1/; s/.*PE32+.*/x86-64 PE/')" \
    "$(wc -c < "$lib")" "$needs" "$newest"
}
printf '%-20s %-10s %9s  %-44s %s\n' platform machine bytes "needs" "newest glibc symbol"
for p in "$@"; do
  name=$(libname "$p")
  lib=$work/$p/$name
  mkdir -p "$work/$p"
  unzip -p "$jar" "org/mailwright/native/$p/$name" > "$lib"
  case $p in
    macos-*|windows-*) check_other "$p" "$lib"; check_classifier "$p" "$name"; continue ;;
  esac
  machine=$(readelf -h "$lib" | sed -n 's/^ *Machine: *//p')
  case $p in
    *-x86_64) [ "$machine" = "Advanced Micro Devices X86-64" ] || fail "$p: machine $machine" ;;
    *-aarch64) [ "$machine" = "AArch64" ] || fail "$p: machine $machine" ;;
    *) fail "$p: no machine known" ;;
  esac
  ! readelf -S -W "$lib" | grep -q '\.debug_' || fail "$p: debug info left"
  readelf --dyn-syms -W "$lib" | grep -q ' Java_org_mailwright_Native_version$' || fail "$p: JNI entry points not exported"
  needed=$(readelf -d "$lib" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
  newest=$(objdump -T "$lib" | grep -o 'GLIBC_[0-9.]*' | sort -u -V | tail -1)
  case $p in
    linux-musl-*)
      case " $needed" in *" libc.so.6 "*) fail "$p needs glibc: $needed" ;; esac
      case " $needed" in *" libc.musl-"*|*" ld-musl-"*|*" libc.so "*) ;; *) fail "$p needs no musl libc: $needed" ;; esac
      [ -z "$newest" ] || fail "$p has glibc symbol versions ($newest)" ;;
    linux-*)
      case " $needed" in *" libc.so.6 "*) ;; *) fail "$p does not need libc.so.6: $needed" ;; esac
      [ "$(printf '%s\nGLIBC_2.17\n' "$newest" | sort -V | tail -1)" = GLIBC_2.17 ] || fail "$p needs $newest (> 2.17)" ;;
  esac
  printf '%-20s %-10s %9s  %-44s %s\n' "$p" "$(echo "$machine" | sed 's/Advanced Micro Devices //')" \
    "$(wc -c < "$lib")" "$needed" "${newest:--}"
  check_classifier "$p" "$name"
done
ls -l "$dir"/mailwright-"$version"*.jar | awk '{print $5, $9}'
if [ "$(uname -m)" = x86_64 ] && [ -e /lib/ld-musl-x86_64.so.1 ] && command -v musl-gcc >/dev/null; then
  musl-gcc -O2 -Wall -Wextra -Werror -o "$work/musl-dlopen" "$(dirname "$0")/musl-dlopen.c"
  "$work/musl-dlopen" "$work/linux-musl-x86_64/libmailwright_jni.so" Java_org_mailwright_Native_version
else
  echo "musl's loader or musl-gcc missing: the musl library is not loaded here (install Debian's musl-tools)"
fi

#!/bin/sh
# make test-dist: the libraries in the dist jars.
#   check-natives.sh <work dir> <dist jar> <version> <platform>...
# For each platform: the jar carries its library; the ELF machine is the
# platform's; no debug info; glibc builds need libc.so.6 and no symbol newer
# than GLIBC_2.17; musl builds need musl's libc and not glibc's; the JNI entry
# points are exported. Each classifier jar carries its library only and the
# same classes. On x86_64 with musl's loader installed (Debian's musl), the
# musl x86_64 library is loaded by it (dlopen, every symbol bound).
set -eu
work=$1 jar=$2 version=$3
shift 3
fail() { echo "check-natives: $*" >&2; exit 1; }
rm -rf "$work" && mkdir -p "$work"
dir=$(dirname "$jar")
natives=$(unzip -Z1 "$jar" | grep '^org/mailwright/native/' | grep -v '/$' | sort)
expected=$(for p in "$@"; do echo "org/mailwright/native/$p/libmailwright_jni.so"; done | sort)
[ "$natives" = "$expected" ] || fail "$jar carries:
$natives
expected:
$expected"
stray=$(unzip -Z1 "$jar" | grep -E '\.(so|dylib|dll)$' | grep -v '^org/mailwright/native/' || true)
[ -z "$stray" ] || fail "$jar carries libraries outside org/mailwright/native/: $stray"
classes=$(unzip -Z1 "$jar" | grep '\.class$' | sort)
[ -n "$classes" ] || fail "no class in $jar"
printf '%-20s %-10s %9s  %-44s %s\n' platform machine bytes "needs" "newest glibc symbol"
for p in "$@"; do
  lib=$work/$p/libmailwright_jni.so
  mkdir -p "$work/$p"
  unzip -p "$jar" "org/mailwright/native/$p/libmailwright_jni.so" > "$lib"
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
  cjar=$dir/mailwright-$version-$p.jar
  [ -f "$cjar" ] || fail "no $cjar"
  [ "$(unzip -Z1 "$cjar" | grep '^org/mailwright/native/' | grep -v '/$')" = "org/mailwright/native/$p/libmailwright_jni.so" ] \
    || fail "$cjar does not carry exactly its library"
  [ "$(unzip -Z1 "$cjar" | grep '\.class$' | sort)" = "$classes" ] || fail "$cjar: other classes than $jar"
  unzip -p "$cjar" "org/mailwright/native/$p/libmailwright_jni.so" | cmp -s - "$lib" || fail "$cjar: another $p library"
done
ls -l "$dir"/mailwright-"$version"*.jar | awk '{print $5, $9}'
if [ "$(uname -m)" = x86_64 ] && [ -e /lib/ld-musl-x86_64.so.1 ] && command -v musl-gcc >/dev/null; then
  musl-gcc -O2 -Wall -Wextra -Werror -o "$work/musl-dlopen" "$(dirname "$0")/musl-dlopen.c"
  "$work/musl-dlopen" "$work/linux-musl-x86_64/libmailwright_jni.so" Java_org_mailwright_Native_version
else
  echo "musl's loader or musl-gcc missing: the musl library is not loaded here (install Debian's musl-tools)"
fi

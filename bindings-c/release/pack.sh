#!/usr/bin/env bash
# Makes one release archive of the C library: OUT_DIR/mailwright-VERSION-TARGET.tar.gz
# (.zip for Windows) holding the folder mailwright-VERSION-TARGET/ with the
# tree of install-tree.sh (include/, lib/, lib/pkgconfig, lib/cmake; bin/ on
# Windows), README.md (this binding's), LICENSE (the license the workspace
# declares, plus any LICENSE* file at the root) and THIRD-PARTY.md with
# third-party/ (the crates compiled in, with their license files).
# Prints the archive's path.
#
#   pack.sh TARGET LIBDIR LIBS_PRIVATE OUT_DIR [STRIP]
# MW_GZIP_LEVEL (default 6) trades size for time (make test's smoke uses 1).
set -euo pipefail
target=$1 libdir=$2 libs_private=$3 out=$4 strip=${5:-}
here=$(cd "$(dirname "$0")" && pwd)
c=$(dirname "$here") root=$(dirname "$c")
version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -1)
license=$(sed -n 's/^license = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -1)
name=mailwright-$version-$target

mkdir -p "$out"
out=$(cd "$out" && pwd)
stage=$(mktemp -d "$out/.stage-XXXXXX")
trap 'rm -rf "$stage"' EXIT
tree=$stage/$name

"$here/install-tree.sh" "$tree" "$target" "$libdir" "$libs_private" "$strip"
install -m 644 "$c/README.md" "$tree/README.md"
{
  echo "mailwright $version is licensed under $license (SPDX expression: either, at your option)."
  for f in "$root"/LICENSE* "$root"/COPYING*; do
    [ -f "$f" ] && printf '\n==> %s <==\n' "$(basename "$f")" && cat "$f"
  done
} > "$tree/LICENSE"
if ! said=$(python3 "$here/third_party.py" "$target" "$tree" 2>&1); then echo "$said" >&2; exit 1; fi

# Reproducible: sorted names, no owner, the last commit's time.
epoch=$(git -C "$root" log -1 --format=%ct 2>/dev/null || echo 0)
find "$tree" -exec touch -h -d "@$epoch" {} +
case $target in
  *-windows-*)
    archive=$out/$name.zip
    rm -f "$archive"
    (cd "$stage" && python3 - "$archive" "$name" <<'PY'
import os, sys, zipfile
archive, top = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
    for folder, dirs, files in os.walk(top):
        dirs.sort()
        for f in sorted(files):
            z.write(os.path.join(folder, f))
PY
    ) ;;
  *)
    archive=$out/$name.tar.gz
    tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner -cf - "$name" \
      | gzip -n "-${MW_GZIP_LEVEL:-6}" > "$archive.tmp"
    mv "$archive.tmp" "$archive" ;;
esac
echo "$archive"

"""Checks what `make -C bindings-python dist` wrote to dist/ (run by `dist` and `test-dist`):

- exactly the four wheels and the sdist we claim, by file name;
- `auditwheel show` of each wheel says it is consistent with the tag in its
  name (manylinux_2_17 for glibc, musllinux_1_2 for musl): no symbol newer than
  the tag allows, no library outside the policy;
- the extension inside each wheel is an ELF for the wheel's architecture, needs
  the libc of the wheel's kind (glibc's libc.so.6 or musl's libc.musl-<arch>.so.1)
  and is stripped; the wheel carries the Python package, its stubs and py.typed,
  and its RECORD matches every member;
- the sdist carries what a build from source needs: pyproject.toml, the
  workspace manifest and lock file, and every tracked file of the binding's and
  the core's sources.

Run with the release tools' Python (packaging/.venv: auditwheel and pyelftools):
    python check_dist.py DIST_DIR VERSION
or, for the sdist alone (make test's smoke; any Python):
    python check_dist.py --sdist SDIST VERSION
Exits non-zero, naming every failure."""
import base64
import hashlib
import io
import pathlib
import re
import subprocess
import sys
import tarfile
import zipfile

HERE = pathlib.Path(__file__).resolve().parent
BINDING = HERE.parents[1]
REPO = BINDING.parent
AUDITWHEEL = pathlib.Path(sys.executable).with_name("auditwheel")

# platform tag in the file name -> (tag auditwheel must report, ELF machine, libc the extension needs)
WHEELS = {
    "manylinux2014_x86_64.manylinux_2_17_x86_64": ("manylinux_2_17_x86_64", "EM_X86_64", "libc.so.6"),
    "manylinux2014_aarch64.manylinux_2_17_aarch64": ("manylinux_2_17_aarch64", "EM_AARCH64", "libc.so.6"),
    "musllinux_1_2_x86_64": ("musllinux_1_2_x86_64", "EM_X86_64", "libc.musl-x86_64.so.1"),
    "musllinux_1_2_aarch64": ("musllinux_1_2_aarch64", "EM_AARCH64", "libc.musl-aarch64.so.1"),
}
# The wheels of `make dist-other` (macOS, Windows; checked by check_other.py): left alone here.
OTHER_PLATFORMS = ("macosx_10_12_x86_64", "macosx_11_0_arm64", "win_amd64")
PACKAGE_FILES = {"mailwright/__init__.py", "mailwright/errors.py", "mailwright/aio.py", "mailwright/limits.py",
                 "mailwright/django.py", "mailwright/py.typed", "mailwright/_mailwright.pyi",
                 "mailwright/_mailwright.abi3.so"}

failures = []


def fail(message):
    failures.append(message)
    print(f"FAIL: {message}", file=sys.stderr)


def auditwheel_tag(wheel):
    """The tag `auditwheel show` says the wheel is consistent with (its text is wrapped: join it)."""
    run = subprocess.run([str(AUDITWHEEL), "show", str(wheel)], capture_output=True, text=True)
    text = " ".join((run.stdout + run.stderr).split())
    found = re.search(r'is consistent with the following platform tag: "([^"]+)"', text)
    if run.returncode != 0 or not found:
        fail(f"auditwheel show {wheel.name} (exit {run.returncode}): {text}")
        return None
    constrained = re.search(r'This constrains the platform tag to "([^"]+)"', text)
    return found.group(1), constrained.group(1) if constrained else None, text


def newest_glibc(text):
    """The newest GLIBC_x.y symbol version auditwheel lists for the wheel, as (x, y)."""
    versions = [tuple(map(int, v)) for v in re.findall(r"'GLIBC_(\d+)\.(\d+)(?:\.\d+)?'", text)]
    return max(versions) if versions else None


def check_extension(wheel, data, machine, libc):
    from elftools.elf.elffile import ELFFile

    elf = ELFFile(io.BytesIO(data))
    if elf["e_machine"] != machine:
        fail(f"{wheel.name}: the extension is {elf['e_machine']}, not {machine}")
    dynamic = elf.get_section_by_name(".dynamic")
    needed = [t.needed for t in dynamic.iter_tags() if t.entry.d_tag == "DT_NEEDED"] if dynamic else []
    if libc not in needed:
        fail(f"{wheel.name}: the extension needs {needed}, not {libc}")
    other_libcs = [n for n in needed if n.startswith("libc.") and n != libc]
    if other_libcs:
        fail(f"{wheel.name}: the extension also needs {other_libcs}")
    sections = [s.name for s in elf.iter_sections()]
    unstripped = [s for s in sections if s == ".symtab" or s.startswith(".debug")]
    if unstripped:
        fail(f"{wheel.name}: the extension is not stripped ({unstripped})")
    return needed


def record_line(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def check_wheel(wheel, version, platform):
    want_tag, machine, libc = WHEELS[platform]
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        if len(names) != len(z.namelist()):
            fail(f"{wheel.name}: a file is in it twice")
        missing = PACKAGE_FILES - names
        if missing:
            fail(f"{wheel.name}: missing {sorted(missing)}")
        tags = z.read(f"mailwright-{version}.dist-info/WHEEL").decode()
        wheel_tags = sorted(re.findall(r"^Tag: (.+)$", tags, re.M))
        want_tags = sorted(f"cp39-abi3-{p}" for p in platform.split("."))
        if wheel_tags != want_tags:
            fail(f"{wheel.name}: WHEEL says {wheel_tags}, the name says {want_tags}")
        bad = [line for line in z.read(f"mailwright-{version}.dist-info/RECORD").decode().splitlines()
               if ",sha256=" in line and record_line(line.split(",")[0], z.read(line.split(",")[0])) != line]
        if bad:
            fail(f"{wheel.name}: RECORD does not match {bad}")
        meta = z.read(f"mailwright-{version}.dist-info/METADATA").decode()
        if "Requires-Python: >=3.9" not in meta:
            fail(f"{wheel.name}: METADATA lacks Requires-Python: >=3.9")
        needed = (check_extension(wheel, z.read("mailwright/_mailwright.abi3.so"), machine, libc)
                  if "mailwright/_mailwright.abi3.so" in names else [])
    shown = auditwheel_tag(wheel)
    if shown:
        tag, constrained, text = shown
        if tag != want_tag:
            fail(f"{wheel.name}: auditwheel says {tag!r}, expected {want_tag!r}: {text}")
        if constrained and constrained != want_tag:
            # A more recent tag here would mean a symbol newer than the tag allows.
            fail(f"{wheel.name}: auditwheel says the platform tag is constrained to {constrained!r}")
        glibc = newest_glibc(text)
        if libc == "libc.so.6" and (glibc is None or glibc > (2, 17)):
            fail(f"{wheel.name}: newest glibc symbol version {glibc}, manylinux2014 allows 2.17")
        if libc != "libc.so.6" and glibc is not None:
            fail(f"{wheel.name}: a musl wheel with glibc symbol versions: {text}")
        print(f"{wheel.name}: {wheel.stat().st_size:,} bytes; auditwheel: consistent with {tag!r}"
              + (f", constrained to {constrained!r}" if constrained else "")
              + (f"; newest symbol GLIBC_{glibc[0]}.{glibc[1]}" if glibc else "") + f"; needs {', '.join(needed)}")


def tracked(*paths):
    out = subprocess.run(["git", "ls-files", "-z", *paths], cwd=REPO, capture_output=True, check=True).stdout
    return {p for p in out.decode().split("\0") if p}


def check_sdist(sdist, version):
    prefix = f"mailwright-{version}/"
    with tarfile.open(sdist) as t:
        members = {m.name[len(prefix):] for m in t.getmembers() if m.isfile() and m.name.startswith(prefix)}
        strays = [m.name for m in t.getmembers() if not m.name.startswith(prefix.rstrip("/"))]
        pyproject = t.extractfile(prefix + "pyproject.toml").read().decode() if "pyproject.toml" in members else ""
    if strays:
        fail(f"{sdist.name}: members outside {prefix}: {strays[:5]}")
    needed = {"pyproject.toml", "PKG-INFO", "Cargo.toml", "Cargo.lock"}
    # Every tracked source of the binding (Rust and Python) and of the core's library
    # (maturin puts the python-source folder at the top, beside pyproject.toml).
    sources = {p.removeprefix("bindings-python/") if p.startswith("bindings-python/python/") else p
               for p in tracked("bindings-python/src", "bindings-python/python", "core/src") if not p.endswith(".so")}
    needed |= sources | {"bindings-python/Cargo.toml", "core/Cargo.toml"} | tracked("core/build.rs")
    failed_before = len(failures)
    missing = sorted(n for n in needed if n not in members)
    if missing:
        fail(f"{sdist.name}: missing {missing}")
    junk = sorted(m for m in members if m.startswith(("target/", ".venv/")) or "/target/" in m or m.endswith(".so"))
    if junk:
        fail(f"{sdist.name}: build output inside: {junk[:5]}")
    if 'build-backend = "maturin"' not in pyproject:
        fail(f"{sdist.name}: its pyproject.toml does not build with maturin")
    if len(failures) == failed_before:
        print(f"{sdist.name}: {sdist.stat().st_size:,} bytes, {len(members)} files "
              f"(every one of the {len(sources)} tracked sources of core/src and the binding)")


def main():
    if sys.argv[1] == "--sdist":
        check_sdist(pathlib.Path(sys.argv[2]), sys.argv[3])
        return 1 if failures else 0
    dist, version = pathlib.Path(sys.argv[1]), sys.argv[2]
    expected = {f"mailwright-{version}-cp39-abi3-{p}.whl": p for p in WHEELS}
    sdist = f"mailwright-{version}.tar.gz"
    present = {p.name for p in dist.iterdir()} if dist.is_dir() else set()
    others = {f"mailwright-{version}-cp39-abi3-{p}.whl" for p in OTHER_PLATFORMS}
    unexpected = sorted(present - set(expected) - {sdist} - others)
    missing = sorted((set(expected) | {sdist}) - present)
    if missing:
        fail(f"{dist}: missing {missing}")
    if unexpected:
        fail(f"{dist}: files we do not claim: {unexpected}")
    for name, platform in sorted(expected.items()):
        if name in present:
            check_wheel(dist / name, version, platform)
    if sdist in present:
        check_sdist(dist / sdist, version)
    if failures:
        print(f"check_dist: {len(failures)} failure(s)", file=sys.stderr)
        return 1
    print(f"check_dist: {len(expected)} wheels and the sdist as claimed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

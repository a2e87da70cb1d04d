"""Checks the wheels of `make -C bindings-python dist-other` (macOS and Windows,
cross-built and never run on this machine):

- the three wheels are in dist/ by file name (cp39-abi3, macosx_10_12_x86_64,
  macosx_11_0_arm64, win_amd64) and their WHEEL file carries that tag only;
- each carries the Python package, its stubs and py.typed, and its RECORD
  matches every member; METADATA requires Python >= 3.9;
- macOS: the extension (_mailwright.abi3.so) is a Mach-O bundle or dylib for the
  wheel's CPU (`file`), its minimum macOS is the one in the tag (llvm-objdump),
  it exports PyInit__mailwright, links only system libraries and leaves Python's
  symbols to the interpreter (-undefined dynamic_lookup: no libpython);
- Windows: the extension (_mailwright.pyd) is an x86-64 PE DLL, imports
  python3.dll (the stable ABI's DLL, not python3X.dll), no mingw runtime DLL, and
  exports PyInit__mailwright (mingw-w64's objdump).

Run with the release tools' Python (packaging/.venv):
    python check_other.py DIST_DIR VERSION
Exits non-zero, naming every failure."""
import pathlib
import re
import subprocess
import sys
import tempfile
import zipfile

from check_dist import fail, failures, record_line

COMMON = {"mailwright/__init__.py", "mailwright/errors.py", "mailwright/aio.py", "mailwright/limits.py",
          "mailwright/django.py", "mailwright/py.typed", "mailwright/_mailwright.pyi"}
# platform tag -> (extension's name in the wheel, `file` must start with, minimum macOS or None)
WHEELS = {
    "macosx_10_12_x86_64": ("mailwright/_mailwright.abi3.so", "Mach-O 64-bit x86_64", "10.12"),
    "macosx_11_0_arm64": ("mailwright/_mailwright.abi3.so", "Mach-O 64-bit arm64", "11.0"),
    "win_amd64": ("mailwright/_mailwright.pyd", "PE32+ executable", None),
}


def run(*args):
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def check_macho(wheel, path, minimum):
    headers = run("llvm-objdump", "--macho", "--private-headers", str(path))
    found = re.search(r"cmd LC_BUILD_VERSION.*?\n\s*minos (\S+)|cmd LC_VERSION_MIN_MACOSX.*?\n\s*version (\S+)",
                      headers, re.S)
    got = (found.group(1) or found.group(2)) if found else None
    if got != minimum:
        fail(f"{wheel.name}: minimum macOS {got}, the tag says {minimum}")
    symbols = run("llvm-nm", "--extern-only", str(path)).splitlines()
    if not any(re.fullmatch(r"[0-9a-f]+ T _PyInit__mailwright", s) for s in symbols):
        fail(f"{wheel.name}: PyInit__mailwright is not exported")
    if not any(re.fullmatch(r"\s+U _Py\w+", s) for s in symbols):
        fail(f"{wheel.name}: no undefined Python symbol (is libpython linked in?)")
    # --dylibs-used lists the library's own install name (LC_ID_DYLIB) too: not a dependency.
    own = run("llvm-objdump", "--macho", "--dylib-id", str(path)).splitlines()[1:]
    dylibs = [line.strip().split(" (")[0] for line in run("llvm-objdump", "--macho", "--dylibs-used",
                                                           str(path)).splitlines()[1:]]
    dylibs = [d for d in dylibs if d not in {o.strip() for o in own}]
    foreign = [d for d in dylibs if not d.startswith(("/usr/lib/", "/System/Library/"))]
    if foreign:
        fail(f"{wheel.name}: links libraries outside the system: {foreign}")
    return f"macOS >= {got}; links {', '.join(d.rsplit('/', 1)[-1] for d in dylibs)}"


def check_pe(wheel, path):
    dump = run("x86_64-w64-mingw32-objdump", "-p", str(path))
    dlls = re.findall(r"^\s*DLL Name: (\S+)", dump, re.M)
    lower = [d.lower() for d in dlls]
    if "python3.dll" not in lower:
        fail(f"{wheel.name}: the .pyd does not import python3.dll: {dlls}")
    versioned = [d for d in lower if re.fullmatch(r"python3\d+\.dll", d)]
    if versioned:
        fail(f"{wheel.name}: the .pyd imports a versioned Python DLL {versioned} (not the stable ABI)")
    runtime = [d for d in lower if d.startswith(("libgcc", "libstdc++", "libwinpthread"))]
    if runtime:
        fail(f"{wheel.name}: the .pyd needs mingw's runtime {runtime}")
    if not re.search(r"\bPyInit__mailwright$", dump, re.M):
        fail(f"{wheel.name}: PyInit__mailwright is not exported")
    return f"imports {', '.join(dlls)}"


def check_wheel(wheel, version, platform):
    extension, kind, minimum = WHEELS[platform]
    with zipfile.ZipFile(wheel) as z, tempfile.TemporaryDirectory() as tmp:
        names = set(z.namelist())
        missing = (COMMON | {extension}) - names
        if missing:
            fail(f"{wheel.name}: missing {sorted(missing)}")
        strays = sorted(n for n in names if n.endswith((".so", ".pyd", ".dll", ".dylib")) and n != extension)
        if strays:
            fail(f"{wheel.name}: other native files {strays}")
        tags = re.findall(r"^Tag: (.+)$", z.read(f"mailwright-{version}.dist-info/WHEEL").decode(), re.M)
        if tags != [f"cp39-abi3-{platform}"]:
            fail(f"{wheel.name}: WHEEL says {tags}, the name says cp39-abi3-{platform}")
        bad = [line for line in z.read(f"mailwright-{version}.dist-info/RECORD").decode().splitlines()
               if ",sha256=" in line and record_line(line.split(",")[0], z.read(line.split(",")[0])) != line]
        if bad:
            fail(f"{wheel.name}: RECORD does not match {bad}")
        if "Requires-Python: >=3.9" not in z.read(f"mailwright-{version}.dist-info/METADATA").decode():
            fail(f"{wheel.name}: METADATA lacks Requires-Python: >=3.9")
        if extension not in names:
            return
        path = pathlib.Path(tmp) / pathlib.Path(extension).name
        path.write_bytes(z.read(extension))
        described = run("file", "-b", str(path)).strip()
        if not described.startswith(kind) or (minimum is None and ("(DLL)" not in described or "x86-64" not in described)):
            fail(f"{wheel.name}: the extension is {described!r}, expected {kind}")
        notes = check_macho(wheel, path, minimum) if minimum else check_pe(wheel, path)
    print(f"{wheel.name}: {wheel.stat().st_size:,} bytes; {pathlib.Path(extension).name}: {described}; {notes}")


def main():
    dist, version = pathlib.Path(sys.argv[1]), sys.argv[2]
    for platform in WHEELS:
        wheel = dist / f"mailwright-{version}-cp39-abi3-{platform}.whl"
        if wheel.is_file():
            check_wheel(wheel, version, platform)
        else:
            fail(f"{dist}: missing {wheel.name}")
    if failures:
        print(f"check_other: {len(failures)} failure(s)", file=sys.stderr)
        return 1
    print(f"check_other: {len(WHEELS)} wheels as claimed (built, not run)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

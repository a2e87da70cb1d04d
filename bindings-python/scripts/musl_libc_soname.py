"""Names musl's libc the way musllinux wheels must: libc.musl-<arch>.so.1.

    python3 musl_libc_soname.py WHEEL ARCH      (ARCH: x86_64 or aarch64)

zig links a musl build against its own libc stub, whose SONAME is plain
`libc.so`, so the extension's DT_NEEDED says `libc.so`. musl's loader takes any
`libc.*` name as itself, so the library loads either way, but the musllinux
policy (PEP 656, auditwheel) allows only musl's installed name,
`libc.musl-<arch>.so.1` (what a build on Alpine records). This rewrites that one
DT_NEEDED entry with patchelf (Debian's package) in every extension of the wheel
and writes the wheel again with its RECORD updated (sha256 and size), keeping
every other member byte for byte and in order."""
import base64
import hashlib
import os
import pathlib
import subprocess
import sys
import tempfile
import zipfile

ARCHES = {"x86_64", "aarch64"}


def needed(path):
    out = subprocess.run(["readelf", "-d", "-W", str(path)], capture_output=True, text=True, check=True).stdout
    return [line.split("[", 1)[1].rstrip("]").strip() for line in out.splitlines() if "(NEEDED)" in line]


def record_line(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def main():
    wheel, arch = pathlib.Path(sys.argv[1]), sys.argv[2]
    if arch not in ARCHES:
        sys.exit(f"unknown arch {arch!r}")
    soname = f"libc.musl-{arch}.so.1"
    with zipfile.ZipFile(wheel) as z:
        infos = z.infolist()
        data = {i.filename: z.read(i) for i in infos}
    extensions = [n for n in data if n.endswith(".so")]
    if not extensions:
        sys.exit(f"{wheel.name}: no extension inside")
    records = [n for n in data if n.endswith(".dist-info/RECORD")]
    if len(records) != 1:
        sys.exit(f"{wheel.name}: {len(records)} RECORD files")
    with tempfile.TemporaryDirectory() as tmp:
        for name in extensions:
            path = pathlib.Path(tmp) / pathlib.Path(name).name
            path.write_bytes(data[name])
            before = needed(path)
            if soname in before and "libc.so" not in before:
                continue  # already named so
            if "libc.so" not in before:
                sys.exit(f"{wheel.name}: {name} needs {before}: neither libc.so nor {soname}")
            subprocess.run(["patchelf", "--replace-needed", "libc.so", soname, str(path)], check=True)
            after = needed(path)
            if after != [soname if n == "libc.so" else n for n in before]:
                sys.exit(f"{wheel.name}: {name} needs {after} after patchelf (before: {before})")
            data[name] = path.read_bytes()
            print(f"{wheel.name}: {name}: DT_NEEDED libc.so -> {soname}")
    lines = data[records[0]].decode().splitlines()
    by_name = {line.split(",", 1)[0]: i for i, line in enumerate(lines)}
    for name in extensions:
        lines[by_name[name]] = record_line(name, data[name])
    data[records[0]] = ("\n".join(lines) + "\n").encode()
    fd, tmp_wheel = tempfile.mkstemp(dir=wheel.parent, suffix=".whl")
    os.close(fd)
    with zipfile.ZipFile(tmp_wheel, "w") as out:
        for info in infos:
            out.writestr(info, data[info.filename], compress_type=info.compress_type)
    os.chmod(tmp_wheel, wheel.stat().st_mode & 0o777)  # mkstemp made it 0600
    os.replace(tmp_wheel, wheel)


if __name__ == "__main__":
    main()

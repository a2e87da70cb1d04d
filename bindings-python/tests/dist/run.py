"""The slow tests of the release artifacts in dist/ (make -C bindings-python test-dist).

    python3 run.py wheel  DIST VERSION   the x86_64 manylinux2014 wheel in a fresh virtualenv:
                                         the whole pytest suite against the installed wheel
    python3 run.py sdist  DIST VERSION   the sdist built from source by pip in a fresh virtualenv
                                         (the host's cargo): the golden vectors against it
    python3 run.py arm64  DIST VERSION ROOT
                                         the aarch64 manylinux2014 wheel installed by the arm64
                                         root's own pip under qemu-aarch64-static, then its
                                         Python 3.11 and Debian's pytest: the golden vectors and
                                         sending to Haraka (started here, on the host)

Every run imports mailwright from where it was installed, never from python/
(tests/dist/installed.py stops the run otherwise), from a working folder outside
the source tree."""
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile

HERE = pathlib.Path(__file__).resolve().parent
TESTS = HERE.parent
BINDING = TESTS.parent
REPO = BINDING.parent
PYTEST = "pytest==9.2.0"  # the version the Makefile's own venv uses
PIP = ["-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-cache-dir"]
# In the installed run the packaging test is left out: it builds a wheel from the
# source tree with maturin, which is what `dist` does, not what a user of the wheel has.
NOT_FOR_INSTALLED = ["test_packaging.py"]


def run(*cmd, **kw):
    print("+ " + " ".join(str(c) for c in cmd), flush=True)
    return subprocess.run([str(c) for c in cmd], check=True, **kw)


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env.update(PYTHONPATH=str(HERE), PYTHONDONTWRITEBYTECODE="1")
    env.update(extra)
    return env


def artifact(dist, name):
    path = pathlib.Path(dist).resolve() / name
    if not path.is_file():
        sys.exit(f"{path} is missing: run make -C bindings-python dist")
    return path


def fresh_venv(work, name):
    venv = work / name
    run(sys.executable, "-m", "venv", venv)
    return venv, venv / "bin" / "python"


def pytest(python, work, files, under, **env):
    run(python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "installed", *files, cwd=work,
        env=clean_env(MW_INSTALLED_UNDER=str(under), **env))


def wheel(dist, version):
    whl = artifact(dist, f"mailwright-{version}-cp39-abi3-manylinux2014_x86_64.manylinux_2_17_x86_64.whl")
    with tempfile.TemporaryDirectory(prefix="mw-wheel-") as tmp:
        work = pathlib.Path(tmp)
        venv, python = fresh_venv(work, "venv")
        run(python, *PIP, "--no-index", whl)
        run(python, *PIP, "--require-hashes", "-r", TESTS / "requirements.txt")
        run(python, *PIP, "--require-hashes", "-r", REPO / "examples" / "python" / "celery" / "requirements.txt")
        run(python, *PIP, PYTEST)
        files = sorted(str(p) for p in TESTS.glob("test_*.py") if p.name not in NOT_FOR_INSTALLED)
        pytest(python, work, files, venv)


def sdist(dist, version):
    tarball = artifact(dist, f"mailwright-{version}.tar.gz")
    with tempfile.TemporaryDirectory(prefix="mw-sdist-") as tmp:
        work = pathlib.Path(tmp)
        venv, python = fresh_venv(work, "venv")
        # pip builds the sdist with the maturin its pyproject.toml asks for and the host's
        # cargo. The registry crates are compiled into a kept target folder (cheap again
        # next time); the core and the binding are compiled from the unpacked sdist each time.
        env = dict(os.environ, CARGO_TARGET_DIR=str(REPO / "target" / "sdist-check"))
        env.pop("PYTHONPATH", None)
        run(python, *PIP, "--no-binary", "mailwright", tarball, env=env)
        ext = list((venv / "lib").glob("python3*/site-packages/mailwright/_mailwright*.so"))
        if len(ext) != 1:
            sys.exit(f"the sdist did not install one extension: {ext}")
        run(python, *PIP, PYTEST)
        pytest(python, work, [TESTS / "test_golden.py"], venv)


def arm64(dist, version, root):
    whl = artifact(dist, f"mailwright-{version}-cp39-abi3-manylinux2014_aarch64.manylinux_2_17_aarch64.whl")
    root = pathlib.Path(root).resolve()
    qemu = shutil.which("qemu-aarch64-static")
    if not qemu or not (root / "usr/bin/python3.11").exists():
        sys.exit("qemu-aarch64-static or the arm64 root is missing: make -C packaging tools arm64-root")
    python = [qemu, "-L", root, root / "usr/bin/python3.11"]
    with tempfile.TemporaryDirectory(prefix="mw-arm64-") as tmp:
        work = pathlib.Path(tmp)
        site = work / "site"
        # The root's pip checks the wheel's tag against the emulated aarch64 interpreter.
        run(*python, *PIP, "--root-user-action=ignore", "--no-index", "--no-deps", "--target", site, whl, cwd=work,
            env=clean_env())
        # Haraka runs on the host: a child of the emulated Python would not be emulated.
        haraka_dir = work / "haraka"
        haraka_dir.mkdir()
        haraka = subprocess.Popen([sys.executable, REPO / "testservers/haraka/harakactl.py", "--dir", haraka_dir,
                                   "--user", "api_user=api_key"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  text=True)
        try:
            line = haraka.stdout.readline()
            if not line:
                sys.exit("harakactl.py could not start Haraka")
            info = dict(json.loads(line), dir=str(haraka_dir))
            run(*python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "installed",
                TESTS / "test_golden.py", TESTS / "test_smtp.py", cwd=work,
                env=clean_env(PYTHONPATH=f"{site}:{HERE}", MW_INSTALLED_UNDER=str(site), MW_EXPECT_MACHINE="aarch64",
                              MW_TEST_HARAKA=json.dumps(info)))
            stored = sorted((haraka_dir / "stored").glob("*.eml"))
            if not stored:
                sys.exit("Haraka stored nothing from the aarch64 run")
            print(f"aarch64: Haraka stored {len(stored)} messages sent from the emulated Python")
        finally:
            haraka.stdin.close()
            haraka.wait(timeout=60)


def musl(dist, version):
    """No musl CPython here (no Alpine; Debian ships none), so the musllinux x86_64 wheel's
    extension is loaded by musl's own dynamic loader (Debian's `musl` package) in list
    mode: it must find every library it needs in musl and resolve every symbol except
    CPython's C API (which the interpreter provides), exactly the Py* symbols the ELF
    leaves undefined. A glibc build fails this (ld-linux-x86-64.so.2, gnu_get_libc_version)."""
    whl = artifact(dist, f"mailwright-{version}-cp39-abi3-musllinux_1_2_x86_64.whl")
    loader = pathlib.Path("/lib/ld-musl-x86_64.so.1")
    if not loader.exists():
        sys.exit(f"{loader} is missing: make -C packaging tools (Debian's musl-tools)")
    with tempfile.TemporaryDirectory(prefix="mw-musl-") as tmp:
        ext = pathlib.Path(tmp) / "_mailwright.abi3.so"
        with zipfile.ZipFile(whl) as z:
            ext.write_bytes(z.read("mailwright/_mailwright.abi3.so"))
        listed = subprocess.run([loader, "--list", ext], capture_output=True, text=True)
        syms = subprocess.run(["readelf", "--dyn-syms", "-W", ext], capture_output=True, text=True, check=True)
    lines = (listed.stdout + listed.stderr).splitlines()
    libs = [line.split()[0] for line in lines if "=>" in line]
    unresolved = {m.group(1) for line in lines if (m := re.match(r"Error relocating .*: (\S+): symbol not found", line))}
    other = [line for line in lines if line.startswith("Error") and "symbol not found" not in line]
    undefined_py = {f[7].split("@")[0] for f in (line.split() for line in syms.stdout.splitlines())
                    if len(f) >= 8 and f[6] == "UND" and f[4] == "GLOBAL" and re.match(r"_?Py", f[7])}
    problems = []
    if libs != ["libc.musl-x86_64.so.1"]:
        problems.append(f"needs {libs}, not musl's libc.musl-x86_64.so.1 alone")
    if other:
        problems.append(f"loader errors: {other}")
    if not undefined_py or unresolved != undefined_py:
        problems.append(f"unresolved {sorted(unresolved - undefined_py)[:10]} besides CPython's; "
                        f"CPython's not reported: {sorted(undefined_py - unresolved)[:10]}")
    if problems:
        sys.exit(f"{whl.name}: " + "; ".join(problems) + "\n" + "\n".join(lines[:20]))
    print(f"musl: {whl.name}: musl's loader resolves everything but the {len(unresolved)} CPython C-API symbols")


def main():
    what, dist, version, *rest = sys.argv[1:]
    started = time.monotonic()
    {"wheel": wheel, "sdist": sdist, "arm64": arm64, "musl": musl}[what](dist, version, *rest)
    print(f"test-dist {what}: passed in {time.monotonic() - started:.0f} s", flush=True)


if __name__ == "__main__":
    main()

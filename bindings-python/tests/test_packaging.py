"""Builds the wheel, installs it into a fresh virtualenv with nothing else,
and runs the example there, as a user would."""
import pathlib
import subprocess
import sys
import venv

from conftest import REPO

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_wheel_installs_and_runs_the_example(tmp_path):
    dist = tmp_path / "dist"
    maturin = pathlib.Path(sys.executable).with_name("maturin")
    subprocess.run([str(maturin), "build", "--release", "-q", "--out", str(dist)], cwd=ROOT, check=True)
    wheels = list(dist.glob("mailwright-*-cp39-abi3-*.whl"))
    assert len(wheels) == 1, wheels
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-index", "--disable-pip-version-check",
                    str(wheels[0])], check=True)
    out = tmp_path / "example.eml"
    run = subprocess.run([str(python), str(REPO / "examples" / "python" / "sendcloud_inline.py"), str(out)],
                         cwd=tmp_path, check=True, capture_output=True, text=True)
    assert "structure multipart/related[text/html, image/png]" in run.stdout
    assert b"Content-ID: <image1>" in out.read_bytes()
    check = subprocess.run([str(python), "-c", "import mailwright, sys; print(mailwright.__file__)"],
                           cwd=tmp_path, check=True, capture_output=True, text=True)
    assert str(env_dir) in check.stdout, "imported from the fresh virtualenv"
    # py.typed and the stubs ship in the wheel.
    files = subprocess.run([str(python), "-c", "import importlib.metadata as m; print('\\n'.join(str(f) for f in m.files('mailwright')))"],
                           check=True, capture_output=True, text=True).stdout
    assert "mailwright/py.typed" in files and "mailwright/_mailwright.pyi" in files

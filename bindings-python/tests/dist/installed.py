"""A pytest plugin for `make test-dist` (-p installed, with tests/dist on PYTHONPATH):
the run stops before any test unless `mailwright` is imported from where the
artifact under test was installed (MW_INSTALLED_UNDER: a virtualenv or a
`pip install --target` folder), never from the source tree's python/, and,
when MW_EXPECT_MACHINE is set, on that machine (aarch64 under qemu)."""
import os
import pathlib
import platform
import sys

import pytest

SOURCE = pathlib.Path(__file__).resolve().parents[2] / "python"


def where():
    import mailwright
    return pathlib.Path(mailwright.__file__).resolve()


def pytest_sessionstart(session):
    under = os.environ.get("MW_INSTALLED_UNDER")
    if not under:
        pytest.exit("MW_INSTALLED_UNDER is not set", returncode=3)
    on_path = [p for p in sys.path if p and pathlib.Path(p).resolve() == SOURCE]
    if on_path:
        pytest.exit(f"the source tree's {SOURCE} is on sys.path", returncode=3)
    found = where()
    if not found.is_relative_to(pathlib.Path(under).resolve()):
        pytest.exit(f"mailwright imported from {found}, not from under {under}", returncode=3)
    machine = os.environ.get("MW_EXPECT_MACHINE")
    if machine and platform.machine() != machine:
        pytest.exit(f"running on {platform.machine()}, expected {machine}", returncode=3)
    print(f"\nmailwright under test: {found} ({platform.machine()}, Python {platform.python_version()})",
          file=sys.stderr)


def pytest_report_header(config):
    return f"mailwright under test: {where()} ({platform.machine()}, Python {platform.python_version()})"

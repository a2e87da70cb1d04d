"""Issue 12: mailwright.django.EmailBackend, tested by Django's own test runner
(tests/django_project: a minimal settings module and mail_tests.py) against
the local Haraka started by the conftest fixture. This wrapper runs
`python -m django test mail_tests` and fails unless every one of its tests ran
and passed."""
import ast
import os
import pathlib
import re
import subprocess
import sys

PROJECT = pathlib.Path(__file__).with_name("django_project")


def django_test_count():
    tree = ast.parse((PROJECT / "mail_tests.py").read_text(encoding="utf-8"))
    return sum(1 for node in ast.walk(tree) if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"))


def test_django_backend_with_djangos_test_runner(haraka):
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="settings", MW_HARAKA_PORT=str(haraka["port"]),
               MW_HARAKA_SMTPS_PORT=str(haraka["smtps_port"]), MW_HARAKA_CA=haraka["ca_file"],
               MW_HARAKA_STORED=haraka["queue_dir"], PYTHONPATH=str(PROJECT))
    done = subprocess.run([sys.executable, "-m", "django", "test", "mail_tests", "-v", "2"], cwd=PROJECT, env=env,
                          capture_output=True, text=True, timeout=300)
    report = f"{done.stdout}\n{done.stderr}"
    assert done.returncode == 0, report
    ran = re.search(r"^Ran (\d+) tests? in", done.stderr, re.M)
    assert ran and int(ran.group(1)) == django_test_count(), report
    assert re.search(r"^OK$", done.stderr, re.M), report

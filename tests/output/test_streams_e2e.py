"""The installed gmctl writing to streams that refuse: an ASCII-only stdout, /dev/full, a closed pipe."""

from __future__ import annotations

import csv
import io
import json
import subprocess

import pytest

from tests.e2e.conftest import gmctl_executable
from tests.output.conftest import YORUBA_NAME

pytestmark = pytest.mark.slow


def run(environ, *args, stdout=subprocess.PIPE, extra=None):
    return subprocess.run([*gmctl_executable(), *args], env={**environ, **(extra or {})}, stdout=stdout,
                          stderr=subprocess.PIPE, timeout=120)


@pytest.mark.parametrize("fmt", ["csv", "tsv", "table"])
def test_an_ascii_stdout_gets_escapes_and_a_warning_never_a_crash(demo, fmt):
    result = run(demo, "users", "list", "--format", fmt, "--customers", extra={"PYTHONIOENCODING": "ascii"})
    err = result.stderr.decode()
    assert result.returncode == 0, err
    assert "unexpected" not in err and "Traceback" not in err
    assert "cannot show every character" in err
    text = result.stdout.decode("ascii")  # nothing but ASCII was written
    assert "\\u1ecc" in text  # Ọ
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(text, newline="")))
        assert len({len(row) for row in rows}) == 1


def test_json_on_an_ascii_stdout_stays_exact(demo):
    result = run(demo, "users", "list", "--format", "json", "--customers", extra={"PYTHONIOENCODING": "ascii"})
    assert result.returncode == 0, result.stderr
    names = [user["name"] for user in json.loads(result.stdout.decode("ascii"))]
    assert " ".join(YORUBA_NAME) in names


@pytest.mark.parametrize("args", [
    ["users", "list"],
    ["requests", "export", "--format", "tsv"],
    ["requests", "show", "1"],
    ["db", "schedule"],
    ["--version"],
    ["--help"],
])
def test_a_full_device_on_stdout_is_a_clear_error(demo, args):
    with open("/dev/full", "w") as full:
        result = run(demo, *args, stdout=full)
    err = result.stderr.decode()
    assert result.returncode == 1, err
    assert "error: cannot write the output: No space left on device" in err
    assert "unexpected" not in err and "Traceback" not in err and "Exception ignored" not in err


def test_users_export_to_dev_full_names_the_file(demo):
    result = run(demo, "users", "export", "demo_staff_tunde", "--output", "/dev/full")
    assert result.returncode == 1
    assert result.stderr.decode().startswith("error: cannot write /dev/full: No space left on device")


def test_a_closed_stdout_is_a_clear_error(demo):
    result = subprocess.run([*gmctl_executable(), "users", "list"], env=demo, stdout=None, stderr=subprocess.PIPE,
                            timeout=120, preexec_fn=lambda: __import__("os").close(1))
    err = result.stderr.decode()
    assert result.returncode == 1 and "stdout is closed" in err and "unexpected" not in err

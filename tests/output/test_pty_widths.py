"""Real pseudo-terminals of width 0, 60, 80, 120 and 200 (pexpect), running the installed gmctl
against a seeded demo database that holds hostile text: every table fits, one line per row,
identifiers and headers whole, escapes from the data never reach the terminal."""

from __future__ import annotations

import json
import re
import subprocess

import pexpect
import pytest

from tests.e2e.conftest import gmctl_executable

pytestmark = pytest.mark.slow

STYLE = re.compile(r"\x1b\[[0-9;]*m")  # gmctl's own bold header; anything else would be the data's


def on_pty(environ: dict, width: int, *args: str) -> list[str]:
    """gmctl's stdout on a real pseudo-terminal `width` columns wide, as lines without gmctl's styles."""
    child = pexpect.spawn(gmctl_executable()[0], list(args), env=environ, dimensions=(50, width),
                          encoding="utf-8", timeout=60)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    text = child.before
    assert "\x07" not in text and "\x1b]" not in text
    assert not STYLE.sub("", text).count("\x1b"), "an escape from the data reached the terminal"
    return [line for line in STYLE.sub("", text).split("\r\n") if line]


WIDTHS = [0, 60, 80, 120, 200]


@pytest.mark.parametrize("width", WIDTHS)
def test_users_list_fits_every_width(demo, width):
    environ = {**demo, "COLUMNS": "0"} if width == 0 else demo
    lines = on_pty(environ, width, "users", "list", "--staff")
    effective = width or 80
    table = [line for line in lines if not line.startswith(("more:", "left out"))]
    assert len(table) == 4, lines  # the header and the three staff, one line each
    assert all(len(line) <= effective for line in table), lines
    header = re.split(r"\s{2,}", table[0].strip())
    assert header[:2] == ["id", "username"] and all(" " not in h or h == "last login" for h in header)
    assert "superuser" not in header and len(header) <= 8
    usernames = [row.split()[1] for row in table[1:]]
    assert usernames == ["demo_admin", "demo_staff_tunde", "demo_staff_zainab"]
    assert any("\\x1b[31m" in row or "\\x1b…" in row or "\\x…" in row for row in table[1:]) or effective < 80


@pytest.mark.parametrize("width", WIDTHS)
def test_requests_list_is_one_line_per_row_and_never_breaks_a_status_or_type(demo, width):
    environ = {**demo, "COLUMNS": "0"} if width == 0 else demo
    lines = on_pty(environ, width, "requests", "list", "--limit", "20")
    effective = width or 80
    table = [line for line in lines if not line.startswith(("more:", "left out"))]
    assert len(table) == 21, lines
    assert all(len(line) <= effective for line in table), lines
    statuses = {"pending", "confirmed", "in_progress", "on_hold"}
    for row in table[1:]:
        words = row.split()
        assert words[0].isdigit() and words[1] in statuses
    if effective >= 120:
        assert any("creative_services" in row.split() or "demo_staff_zainab" in row.split() for row in table)


@pytest.mark.parametrize("width", [80, 120])
def test_requests_show_keeps_its_layout_and_escapes_the_data(demo, width):
    listed = subprocess.run([*gmctl_executable(), "--format", "json", "requests", "list", "--status", "pending",
                             "--sort", "oldest", "--limit", "1"], env=demo, capture_output=True, text=True)
    request_id = json.loads(listed.stdout)[0]["id"]
    lines = on_pty(demo, width, "requests", "show", str(request_id))
    assert all(len(line.rstrip()) <= width for line in lines), lines
    assert lines[0].startswith(f"#{request_id}  Title\\twith a tab\\nand a newline \\x1b[31mRed")
    facts = {line.split()[0] for line in lines[1:12]}
    assert {"type", "customer", "assigned", "created"} <= facts


def test_wide_on_a_terminal_shows_every_column(demo):
    lines = on_pty(demo, 120, "users", "list", "--staff", "-o", "wide")
    header = re.split(r"\s{2,}", lines[0].strip())
    assert {"superuser", "mfa", "phone", "created at"} <= set(header)

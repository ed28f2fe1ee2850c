"""gmctl db seed: option validation, exit codes, stdout versus stderr, sign-in on the embedded server."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from gmctl.auth.sessions import operator_from_token, token_path
from tests.conftest import TtyStringIO, invoke
from tests.helpers.accounts import make_user


@pytest.mark.parametrize("args, message", [
    ((), "choose exactly one of --demo and --scale N"),
    (("--demo", "--scale", "2"), "choose exactly one of --demo and --scale N"),
    (("--scale", "0"), "--scale must be between 1 and 10000, not 0"),
    (("--scale", "10001"), "--scale must be between 1 and 10000"),
    (("--demo", "--jobs", "2"), "--jobs goes with --scale only"),
    (("--scale", "1", "--jobs", "0"), "--jobs must be between 1 and 8, not 0"),
])
def test_bad_options_exit_2_with_a_hint_and_change_nothing(cli_nodb, args, message):
    result = cli_nodb("db", "seed", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "hint:" in result.stderr
    assert result.stdout == ""


def test_a_scale_that_is_not_a_number_is_a_usage_error(cli_nodb):
    result = cli_nodb("db", "seed", "--scale", "many")
    assert result.exit_code == 2
    assert "Invalid value for '--scale'" in result.stderr


def test_demo_prints_the_summary_then_the_passwords_once(seed_cli, seed_env):
    result = seed_cli("db", "seed", "--demo")
    assert result.exit_code == 0, result.stderr
    summary, accounts = result.stdout.split("\n\n")
    assert summary.splitlines()[0].split() == ["table", "rows"]
    assert "service_requests  168" in summary or "service_requests\t168" in summary
    lines = accounts.strip().splitlines()
    assert lines[0].split() == ["username", "role", "password"]
    assert [line.split()[:2] for line in lines[-3:]] == [
        ["demo_admin", "admin"], ["demo_staff_tunde", "staff"], ["demo_staff_zainab", "staff"]]
    assert "shown this once" in result.stderr and "demo data loaded: 168 requests" in result.stderr
    # Off the embedded server nobody is signed in.
    assert "Signed in" not in result.stderr and not token_path(seed_env).exists()


def test_a_second_demo_is_refused_with_exit_2_and_changes_nothing(seed_cli, seed_env):
    assert seed_cli("db", "seed", "--demo").exit_code == 0
    with seed_env.get_engine().connect() as conn:
        before = conn.execute(text("SELECT count(*) FROM users")).scalar_one()
    again = seed_cli("db", "seed", "--demo")
    assert again.exit_code == 2
    assert again.stdout == ""
    assert "error: the demo data is already in this database" in again.stderr
    with seed_env.get_engine().connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM users")).scalar_one() == before


def test_demo_as_json_is_one_document(seed_cli):
    result = seed_cli("--format", "json", "db", "seed", "--demo")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    counts = {row["table"]: row["rows"] for row in document["tables"]}
    assert counts["service_requests"] == 168 and counts["users"] == 43
    assert {a["role"] for a in document["accounts"]} == {"admin", "staff"}
    assert all(a["password"] for a in document["accounts"])
    assert document["signed_in_as"] is None


def test_on_the_embedded_server_the_demo_signs_you_in_as_its_admin(cli, env, session):
    # The cli fixture's Env names no database URL: to gmctl it is the embedded server.
    result = cli("--format", "json", "db", "seed", "--demo")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["signed_in_as"] == "demo_admin"
    assert token_path(env).exists()
    operator = operator_from_token(env, session)
    assert operator.username == "demo_admin" and operator.can("view_services")
    assert "Signed in as demo_admin" in result.stderr


def test_a_database_with_real_accounts_needs_yes(make_env, session):
    make_user(session, "real.person")
    refused = invoke(make_env(), "db", "seed", "--demo")
    assert refused.exit_code == 2
    assert "refusing to add demo data to a database that holds 1 account(s)" in refused.stderr
    assert "--yes" in refused.stderr
    accepted = invoke(make_env(), "db", "seed", "--demo", "--yes")
    assert accepted.exit_code == 0, accepted.stderr


def test_scale_piped_prints_counts_and_one_summary_line(seed_cli):
    result = seed_cli("--format", "json", "db", "seed", "--scale", "1", "--jobs", "1")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert (document["target_units"], document["units_loaded"]) == (1, 1)
    assert {row["table"]: row["rows"] for row in document["tables"]}["service_requests"] == 10_000
    assert document["rows"] == sum(row["rows"] for row in document["tables"])
    assert result.stderr.count("\n") == 1 and "loaded 1 unit(s)" in result.stderr
    again = seed_cli("db", "seed", "--scale", "1")
    assert again.exit_code == 0
    assert "nothing to load" in again.stderr and again.stdout == ""


def test_scale_on_a_terminal_draws_a_progress_bar(seed_env):
    from gmctl.context import Env

    err = TtyStringIO()
    env = Env(environ=dict(seed_env.environ), home=seed_env.home, clock=seed_env.clock,
              engine=seed_env.engine, err=err)
    result = invoke(env, "--format", "json", "db", "seed", "--scale", "1")
    assert result.exit_code == 0, err.getvalue()
    drawn = err.getvalue()
    assert "units" in drawn and "1/1" in drawn and "rows/s" in drawn
    with seed_env.get_engine().connect() as conn:
        logged = conn.execute(
            text("SELECT changes FROM system_logs WHERE action = 'db.seed.scale'")).scalar_one()
    assert logged == {"scale_units": {"old": 0, "new": 1}}

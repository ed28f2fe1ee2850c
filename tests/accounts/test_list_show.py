"""users list (filters, search, keyset paging, formats) and users show (never the secrets)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from tests.conftest import FIXED_NOW
from tests.helpers.accounts import make_user


def listed(cli, *args) -> list[dict]:
    result = cli("--format", "json", "users", "list", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def names(rows) -> list[str]:
    return [row["username"] for row in rows]


def test_list_filters(cli, session, admin, customer):
    make_user(session, "sleepy", staff=True, is_active=False)
    locked = make_user(session, "lockedout", staff=True, roles=("staff",))
    locked.locked_at = FIXED_NOW
    make_user(
        session, "formerstaff", staff=True, roles=("staff",), role_expires_at=FIXED_NOW - timedelta(days=1)
    )
    session.flush()
    assert "sleepy" not in names(listed(cli, "--active")) and "sleepy" in names(listed(cli, "--inactive"))
    assert "kemi" in names(listed(cli, "--customers")) and "kemi" not in names(listed(cli, "--staff"))
    assert names(listed(cli, "--locked")) == ["lockedout"]
    assert "lockedout" not in names(listed(cli, "--unlocked"))
    # An expired grant is not a role held.
    assert names(listed(cli, "--role", "staff")) == ["lockedout"]
    assert names(listed(cli, "--role", "admin")) == ["adaeze"]


def test_list_created_since(cli, session, admin):
    old = make_user(session, "oldtimer")
    old.created_at = datetime(2020, 1, 1, tzinfo=timezone.utc)
    session.flush()
    rows = names(listed(cli, "--since", "2021-01-01"))
    assert "oldtimer" not in rows and "adaeze" in rows
    bad = cli("users", "list", "--since", "last week")
    assert bad.exit_code == 2 and "--since" in bad.stderr


def test_search_by_name_email_or_phone(cli, admin, customer):
    assert names(listed(cli, "--search", "kemi adeyemi")) == ["kemi"]
    assert names(listed(cli, "--search", "EXAMPLE.NG")) == ["kemi"]
    assert names(listed(cli, "--search", "0803 123 4567")) == ["kemi"]
    assert listed(cli, "--search", "100%_") == []


def test_keyset_paging(cli, session, admin):
    for i in range(5):
        make_user(session, f"pager{i}")
    first = cli("--format", "json", "users", "list", "--search", "pager", "--limit", "2")
    page = json.loads(first.stdout)
    assert names(page) == ["pager0", "pager1"] and f"--after {page[-1]['id']}" in first.stderr
    second = listed(cli, "--search", "pager", "--limit", "2", "--after", str(page[-1]["id"]))
    assert names(second) == ["pager2", "pager3"]
    last = cli("--format", "json", "users", "list", "--search", "pager", "--after", str(second[-1]["id"]))
    assert names(json.loads(last.stdout)) == ["pager4"] and "more" not in last.stderr


def test_empty_list_is_brackets_in_json_and_a_note_otherwise(cli, admin):
    plain = cli("users", "list", "--search", "nobody-at-all")  # first: the test's Env keeps --format
    assert plain.exit_code == 0 and plain.stdout == "" and "No users match" in plain.stderr
    assert listed(cli, "--search", "nobody-at-all") == []


def test_list_is_tsv_when_piped(cli, admin, customer):
    result = cli("users", "list", "--search", "kemi")
    header, row = result.stdout.splitlines()
    assert header.split("\t")[:3] == ["id", "username", "name"] and row.split("\t")[1] == "kemi"


def test_show_has_profile_roles_state_and_requests(cli, session, admin, customer):
    result = cli("--format", "json", "users", "show", "kemi.adeyemi@EXAMPLE.ng")
    assert result.exit_code == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["username"] == "kemi" and shown["city"] == "Lagos" and shown["locked"] is False
    assert shown["recent_requests"][0]["title"] == "Room in Abuja"
    assert shown["roles"] == []
    staff_view = json.loads(cli("--format", "json", "users", "show", "adaeze").stdout)
    assert staff_view["roles"][0]["role"] == "admin" and staff_view["roles"][0]["in_force"] is True
    assert not {"password_hash", "mfa_secret", "backup_codes", "mfa_last_step"} & set(shown)
    assert customer.password_hash not in result.stdout


def test_show_an_unknown_user_exits_3(cli, admin):
    result = cli("users", "show", "ghost")
    assert result.exit_code == 3 and "no user 'ghost'" in result.stderr


def test_show_as_a_table_lists_roles_and_requests(cli, admin, customer):
    result = cli("users", "show", "kemi")
    assert result.exit_code == 0
    assert "recent_requests:" in result.stdout and "Room in Abuja" in result.stdout

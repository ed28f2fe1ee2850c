"""The request commands as people and scripts meet them: formats, streams and exit codes."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import func, select

from gmctl.db.models import Notification, ServiceRequest, SystemLog
from gmctl.errors import NOT_FOUND, NOT_PERMITTED, USAGE
from tests.conftest import TtyStringIO
from tests.helpers.accounts import make_user, sign_in


def test_list_json_is_a_list_with_cursors_and_exact_money(cli, ada, make_request):
    from decimal import Decimal

    request = make_request(priority="urgent", estimated_cost=Decimal("1500.50"))
    result = cli("requests", "list", "--format", "json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert rows[0]["id"] == request.id and rows[0]["estimated_cost"] == "1500.50" and rows[0]["cursor"]
    assert result.stderr == ""


def test_global_format_before_the_group_works_too(cli, ada, make_request):
    make_request()
    assert json.loads(cli("--format", "json", "requests", "list").stdout)


def test_list_pages_say_where_the_next_page_starts_on_stderr(cli, ada, make_request):
    for _ in range(3):
        make_request()
    first = cli("requests", "list", "--limit", "2", "-f", "json")
    cursor = first.stderr.split("--after ")[1].strip()
    second = cli("requests", "list", "--limit", "2", "-f", "json", "--after", cursor)
    assert len(json.loads(first.stdout)) == 2 and len(json.loads(second.stdout)) == 1
    assert "--after" not in second.stderr


def test_list_tsv_when_piped_and_csv_on_request(cli, ada, make_request):
    request = make_request(title="Tabs\tand, commas")
    tsv = cli("requests", "list")
    assert tsv.stdout.splitlines()[0].split("\t")[:3] == ["id", "status", "priority"]
    rows = list(csv.DictReader(io.StringIO(cli("requests", "list", "-f", "csv").stdout)))
    assert rows[0]["title"] == "Tabs\tand, commas" and rows[0]["id"] == str(request.id)


def test_empty_list_is_brackets_in_json_and_a_note_otherwise(cli, ada):
    plain = cli("requests", "list")
    assert plain.exit_code == 0 and plain.stdout == "" and "No requests match" in plain.stderr
    assert json.loads(cli("requests", "list", "-f", "json").stdout) == []


def test_table_on_a_terminal_takes_markup_as_plain_text(make_env, session, ada, make_request):
    from tests.conftest import invoke

    make_request(title="[/] [b]")
    env = make_env(out=TtyStringIO())
    sign_in(env, session, ada)
    result = invoke(env, "requests", "list")
    assert result.exit_code == 0, result.stderr
    assert "[/] [b]" in env.out.getvalue()


@pytest.mark.parametrize("args,code,words", [
    (("requests", "list", "--status", "done"), USAGE, "unknown status"),
    (("requests", "list", "--after", "nonsense"), USAGE, "not a cursor"),
    (("requests", "list", "--format", "yaml"), USAGE, "yaml"),
    (("requests", "show", "999999"), NOT_FOUND, "no request 999999"),
    (("requests", "assign", "999999", "--to", "me"), NOT_FOUND, "no request"),
    (("requests", "status", "999999", "confirmed"), NOT_FOUND, "no request"),
    (("requests", "search", "   "), USAGE, "nothing to search for"),
    (("requests", "export", "-f", "table"), USAGE, "csv, tsv or json"),
])  # fmt: skip
def test_errors_have_their_exit_codes_and_no_traceback(cli, ada, args, code, words):
    result = cli(*args)
    assert result.exit_code == code, result.stderr
    assert words in result.stderr and "Traceback" not in result.stderr and result.stdout == ""


def test_not_signed_in_is_exit_4(cli, make_request):
    result = cli("requests", "list")
    assert result.exit_code == NOT_PERMITTED and "view_services" in result.stderr


def test_a_customer_may_not_triage(cli, env, session, make_request):
    sign_in(env, session, make_user(session, "kemi"))
    request = make_request()
    result = cli("requests", "status", str(request.id), "confirmed")
    assert result.exit_code == NOT_PERMITTED and "triage_services" in result.stderr


def test_an_invalid_move_exits_2_listing_the_allowed_ones(cli, session, ada, make_request):
    request = make_request(status="pending")
    result = cli("requests", "status", str(request.id), "completed")
    assert result.exit_code == USAGE
    assert "cannot move a request from pending to completed" in result.stderr
    assert "allowed next from pending: confirmed, cancelled, on_hold" in result.stderr
    assert session.get(ServiceRequest, request.id, populate_existing=True).status == "pending"


def test_status_change_reports_on_stderr_and_as_json_for_scripts(cli, session, ada, customer, make_request):
    request = make_request(status="pending")
    result = cli("requests", "status", str(request.id), "confirmed", "--reason", "paid deposit", "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["new_status"] == "confirmed"
    assert "pending -> confirmed" in result.stderr
    notes = session.scalar(
        select(func.count()).select_from(Notification).where(Notification.user_id == customer.id)
    )
    assert notes == 1


def test_expect_status_guards_scripts(cli, session, ada, make_request):
    request = make_request(status="confirmed")
    result = cli("requests", "priority", str(request.id), "high", "--expect-status", "pending")
    assert result.exit_code == USAGE and "is confirmed now, not pending" in result.stderr
    assert session.get(ServiceRequest, request.id, populate_existing=True).priority == "normal"


def test_reopen_needs_its_permission(cli, env, session, ada, boss, make_request):
    request = make_request(status="completed")
    refused = cli("requests", "status", str(request.id), "in_progress", "--reopen")
    assert refused.exit_code == NOT_PERMITTED and "reopen_services" in refused.stderr
    sign_in(env, session, boss)
    assert cli("requests", "status", str(request.id), "in_progress", "--reopen").exit_code == 0


def test_assign_to_active_staff_only(cli, session, ada, bola, customer, make_request):
    request = make_request()
    assert cli("requests", "assign", str(request.id), "--to", "bola").exit_code == 0
    assert session.get(ServiceRequest, request.id, populate_existing=True).assigned_to == bola.id
    not_staff = cli("requests", "assign", str(request.id), "--to", "chinedu")
    assert not_staff.exit_code == USAGE and "not staff" in not_staff.stderr
    bola.is_active = False
    session.flush()
    inactive = cli("requests", "assign", str(request.id), "--to", "bola@example.com")
    assert inactive.exit_code == USAGE and "not active" in inactive.stderr
    again = cli("requests", "assign", str(request.id), "--to", "me")
    assert (
        again.exit_code == 0
        and session.get(ServiceRequest, request.id, populate_existing=True).assigned_to == ada.id
    )
    assert cli("requests", "unassign", str(request.id)).exit_code == 0
    assert session.get(ServiceRequest, request.id, populate_existing=True).assigned_to is None


def test_assign_without_to_off_a_terminal_names_the_option(cli, ada, make_request):
    result = cli("requests", "assign", str(make_request().id))
    assert result.exit_code == USAGE and "--to" in result.stderr


def test_each_change_writes_exactly_one_audit_entry(cli, session, ada, bola, make_request):
    rid = str(make_request().id)
    commands = [
        ("assign", rid, "--to", "bola"),
        ("unassign", rid),
        ("status", rid, "confirmed"),
        ("priority", rid, "high"),
        ("urgency", rid, "4"),
        ("cost", rid, "--estimate", "5000"),
        ("note", rid, "checked"),
        ("reply", rid, "On it"),
    ]
    for args in commands:
        before = session.scalar(select(func.count()).select_from(SystemLog))
        result = cli("requests", *args)
        assert result.exit_code == 0, (args, result.stderr)
        assert session.scalar(select(func.count()).select_from(SystemLog)) == before + 1, args


def test_show_json_tsv_and_terminal(cli, make_env, session, ada, make_request):
    from tests.conftest import invoke

    request = make_request(service_data={"plate": "KJA-55"})
    flat = cli("requests", "show", str(request.id)).stdout
    assert "request.title\tBrake pads squeal" in flat and "customer.username\tchinedu" in flat
    doc = json.loads(cli("requests", "show", str(request.id), "-f", "json").stdout)
    assert doc["request"]["id"] == request.id and doc["service_data"] == {"plate": "KJA-55"}
    env = make_env(out=TtyStringIO())
    sign_in(env, session, ada)
    assert invoke(env, "requests", "show", str(request.id)).exit_code == 0
    screen = env.out.getvalue()
    assert "Brake pads squeal" in screen and "timeline" in screen and "KJA-55" in screen


def test_search_cli(cli, ada, make_request):
    make_request(title="Generator repair", description="The generator will not start.")
    nothing = cli("requests", "search", "the of and")
    assert nothing.exit_code == 0 and "Nothing searchable" in nothing.stderr
    hits = json.loads(cli("requests", "search", "generator", "-f", "json").stdout)
    assert hits[0]["snippet"].count("«") >= 1


def test_search_out_of_time_says_it_searched_the_newest_only(
    vacuumed_afterwards, cli, env, session, ada, make_request
):
    from sqlalchemy import text

    make_request(title="Alternator whine", description="alternator")
    copies = (
        "INSERT INTO service_requests (user_id, service_type, title, description, status, priority,"
        " urgency_level, created_at, updated_at) SELECT user_id, service_type, :title || g, :text, status,"
        " priority, urgency_level, created_at, updated_at FROM service_requests, generate_series(1, :n) g"
        " WHERE title = 'Alternator whine'"
    )
    # Many older matches (ranking a probe of them takes over 1 ms), then a newest window without any.
    session.execute(text(copies), {"title": "Alternator ", "text": "alternator whine", "n": 30_000})
    session.execute(text(copies), {"title": "Paint ", "text": "the gate", "n": 10_000})
    env.gmctl_home.mkdir(parents=True, exist_ok=True)
    (env.gmctl_home / "config.toml").write_text("[requests]\nsearch_budget_ms = 1\n")
    result = cli("requests", "search", "alternator", "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == []
    assert "searched the newest 10,000 requests only" in result.stderr and "longer than 1 ms" in result.stderr


def test_a_bad_search_budget_in_config_is_a_usage_error(cli, env, ada):
    env.gmctl_home.mkdir(parents=True, exist_ok=True)
    (env.gmctl_home / "config.toml").write_text('[requests]\nsearch_budget_ms = "fast"\n')
    result = cli("requests", "search", "brake")
    assert result.exit_code == USAGE
    assert "search_budget_ms" in result.stderr and "Traceback" not in result.stderr


def test_export_streams_csv_and_json(cli, ada, make_request):
    ids = [make_request(status=s).id for s in ("pending", "completed", "cancelled")]
    rows = list(csv.DictReader(io.StringIO(cli("requests", "export").stdout)))
    assert [int(r["id"]) for r in rows][-3:] == ids
    as_json = cli("requests", "export", "-f", "json", "--status", "closed")
    assert [r["id"] for r in json.loads(as_json.stdout)][-2:] == ids[1:]
    assert "exported" in as_json.stderr
    assert json.loads(cli("requests", "export", "-f", "json", "--customer", "ada").stdout) == []


def test_show_archived_reads_the_archive(cli, session, ada, customer):
    from gmctl.db.models import ServiceRequestArchive

    session.add(
        ServiceRequestArchive(
            id=880001,
            user_id=customer.id,
            service_type="hotel",
            title="Old stay",
            description="2019 booking",
            status="completed",
            priority="normal",
            urgency_level=1,
            service_data={},
            archived_links={},
        )
    )
    session.flush()
    live = cli("requests", "show", "880001")
    assert live.exit_code == NOT_FOUND and "--archived" in live.stderr
    archived = cli("requests", "show", "880001", "--archived", "-f", "json")
    assert archived.exit_code == 0 and json.loads(archived.stdout)["request"]["title"] == "Old stay"

"""`gmctl db maintenance`: VACUUM (ANALYZE) per table, concurrent index rebuilds, --full, the log line."""

from __future__ import annotations

import json

from sqlalchemy import text

from gmctl.maintenance import plan_maintenance
from gmctl.retention.lock import exclusive_run
from tests.conftest import TtyStringIO
from tests.maintenance.conftest import bloat_system_logs, make_invalid_index


def maintenance_logs(engine):
    with engine.connect() as conn:
        return conn.execute(text("SELECT level, message, changes FROM system_logs"
                                 " WHERE action = 'db.maintenance'")).all()


def index_state(engine, name: str):
    with engine.connect() as conn:
        return conn.execute(text("SELECT i.indisvalid, pg_relation_size(i.indexrelid) FROM pg_index i"
                                 " JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = :n"),
                            {"n": name}).first()


def test_the_default_plan_vacuums_every_table_and_rebuilds_nothing_healthy(scratch_engine):
    with scratch_engine.connect() as conn:
        steps = plan_maintenance(conn)
    kinds = {step.kind for step in steps}
    assert kinds == {"vacuum"}
    targets = {step.target for step in steps}
    assert {"service_requests", "payments", "service_requests_archive", "system_logs"} <= targets
    assert all(step.sql.startswith("VACUUM (ANALYZE) public.") for step in steps)


def test_a_dry_run_lists_the_plan_and_changes_nothing(scratch_engine, run_cli):
    result = run_cli("-f", "json", "db", "maintenance", "--dry-run", "--table", "users")

    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == [{"kind": "vacuum", "target": "users",
                                          "reason": "dead rows and statistics",
                                          "sql": "VACUUM (ANALYZE) public.users"}]
    assert maintenance_logs(scratch_engine) == []


def test_a_run_vacuums_each_table_and_writes_the_seeds_log_line(scratch_engine, run_cli):
    result = run_cli("db", "maintenance")

    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("maintenance done: ") and "vacuumed and analyzed" in result.stdout
    with scratch_engine.connect() as conn:
        vacuumed = conn.execute(text("SELECT last_vacuum IS NOT NULL AND last_analyze IS NOT NULL FROM"
                                     " pg_stat_user_tables WHERE relname = 'service_requests'")).scalar_one()
    assert vacuumed
    [log] = maintenance_logs(scratch_engine)
    assert log.message == "Database maintenance completed" and log.level == "INFO"
    assert "service_requests" in log.changes["vacuumed"]["new"] and log.changes["full"]["new"] is False


def test_an_invalid_index_is_rebuilt_concurrently(scratch_engine, run_cli):
    make_invalid_index(scratch_engine, "test_items_code_unique")
    assert index_state(scratch_engine, "test_items_code_unique")[0] is False

    result = run_cli("-f", "json", "db", "maintenance", "--table", "test_items")

    assert result.exit_code == 0, result.stderr
    steps = json.loads(result.stdout)["steps"]
    [reindex] = [s for s in steps if s["kind"] == "reindex"]
    assert (reindex["target"], reindex["reason"], reindex["ok"]) == ("test_items_code_unique", "invalid",
                                                                      True)
    assert reindex["sql"] == "REINDEX INDEX CONCURRENTLY public.test_items_code_unique"
    assert index_state(scratch_engine, "test_items_code_unique")[0] is True


def test_a_leftover_of_an_interrupted_reindex_is_dropped(scratch_engine, run_cli):
    make_invalid_index(scratch_engine, "test_items_code_ccnew")

    result = run_cli("db", "maintenance", "--table", "test_items")

    assert result.exit_code == 0, result.stderr
    assert "1 leftover index(es) dropped" in result.stdout
    assert index_state(scratch_engine, "test_items_code_ccnew") is None


def test_a_clearly_bloated_index_is_rebuilt_and_shrinks(scratch_engine, run_cli):
    bloat_system_logs(scratch_engine)
    before = index_state(scratch_engine, "system_logs_pkey")[1]

    result = run_cli("db", "maintenance", "--table", "system_logs")

    assert result.exit_code == 0, result.stderr
    assert "system_logs_pkey" in result.stdout
    assert index_state(scratch_engine, "system_logs_pkey")[1] < before / 4


def test_full_warns_names_pg_repack_and_needs_yes(scratch_engine, run_cli):
    refused = run_cli("db", "maintenance", "--full", "--table", "roles")

    assert refused.exit_code == 2
    assert "ACCESS EXCLUSIVE" in refused.stderr and "pg_repack" in refused.stderr
    assert "--yes" in refused.stderr
    assert maintenance_logs(scratch_engine) == []

    done = run_cli("--yes", "-f", "json", "db", "maintenance", "--full", "--table", "roles")

    assert done.exit_code == 0, done.stderr
    steps = json.loads(done.stdout)["steps"]
    assert [(s["kind"], s["sql"]) for s in steps] == [("vacuum-full", "VACUUM (FULL, ANALYZE) public.roles")]
    [log] = maintenance_logs(scratch_engine)
    assert log.changes["full"]["new"] is True


def test_an_unknown_table_is_not_found(run_cli):
    result = run_cli("db", "maintenance", "--table", "no_such_table")

    assert result.exit_code == 3 and "no_such_table" in result.stderr


def test_a_second_run_exits_75(scratch_engine, run_cli):
    with exclusive_run(scratch_engine, "maintenance"):
        result = run_cli("db", "maintenance", "--table", "users")

    assert result.exit_code == 75 and "another maintenance run is active" in result.stderr
    assert maintenance_logs(scratch_engine) == []


def test_a_terminal_sees_progress_and_a_table_of_steps(run_cli):
    out, err = TtyStringIO(), TtyStringIO()

    result = run_cli("db", "maintenance", "--table", "roles", out=out, err=err)

    assert result.exit_code == 0, err.getvalue()
    assert "vacuum roles" in err.getvalue() and "1/1" in err.getvalue()
    assert "roles" in out.getvalue() and "maintenance done: 1 table(s)" in err.getvalue()

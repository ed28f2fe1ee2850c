"""`gmctl db stats`: numbers for scripts, bars for people, and the right views on PostgreSQL 14 to 18."""

from __future__ import annotations

import json

from sqlalchemy import text

from gmctl.dbstats import server_major
from gmctl.dbstats.slow import ENABLE_HINT, _statements_sql
from tests.conftest import TtyStringIO
from tests.dbstats.conftest import autocommit, bloat_system_logs


def as_json(run_cli, *args: str):
    result = run_cli("-f", "json", "db", "stats", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_tables_show_sizes_with_indexes_and_toast_and_row_estimates(scratch_engine, run_cli):
    autocommit(scratch_engine, "ANALYZE roles")

    rows = {row["table"]: row for row in as_json(run_cli, "tables")}

    roles = rows["roles"]
    assert roles["total_bytes"] == roles["table_bytes"] + roles["index_bytes"] + roles["toast_bytes"]
    assert roles["index_bytes"] > 0 and roles["rows_estimate"] == 4
    sizes = [row["total_bytes"] for row in rows.values()]
    assert sizes == sorted(sizes, reverse=True)


def test_a_terminal_gets_readable_sizes_and_bars(run_cli):
    out = TtyStringIO()

    result = run_cli("db", "stats", "tables", out=out)

    assert result.exit_code == 0
    assert "█" in out.getvalue() and " kB" in out.getvalue()


def test_indexes_report_usage_for_every_index(run_cli):
    rows = as_json(run_cli, "indexes", "--table", "service_requests")

    names = {row["index"] for row in rows}
    assert {"service_requests_pkey", "idx_service_requests_status"} <= names
    assert all(row["table"] == "service_requests" and row["scans"] >= 0 for row in rows)


def test_unused_lists_never_scanned_indexes_but_no_unique_or_key_index(scratch_engine, run_cli):
    autocommit(scratch_engine, "CREATE INDEX test_never_used ON payments (currency)")

    rows = as_json(run_cli, "unused")

    names = {row["index"] for row in rows}
    assert "test_never_used" in names
    assert not any(row["unique"] for row in rows) and "users_pkey" not in names


def test_duplicates_find_the_seeds_covered_indexes(scratch_engine, run_cli):
    autocommit(scratch_engine, "CREATE INDEX test_twin_a ON vehicles (make)",
               "CREATE INDEX test_twin_b ON vehicles (make)")

    rows = as_json(run_cli, "duplicates")

    pairs = {(row["index"], row["covered_by"]) for row in rows}
    assert ("idx_service_requests_user_id", "idx_service_requests_user_status") in pairs
    assert ("idx_notifications_unread", "idx_notifications_user_unread_created") in pairs
    assert not any(index.endswith("_pkey") or index.endswith("_key") for index, _ in pairs)
    twins = {pair for pair in pairs if pair[0].startswith("test_twin")}
    # Two identical indexes: the newer one is proposed, not both. Each is also a prefix of
    # idx_vehicles_make_model (make, model).
    assert ("test_twin_b", "test_twin_a") in twins and ("test_twin_a", "test_twin_b") not in twins
    assert ("test_twin_a", "idx_vehicles_make_model") in twins


def test_vacuum_shows_dead_rows_and_last_runs(scratch_engine, run_cli):
    autocommit(scratch_engine, "VACUUM (ANALYZE) roles")

    rows = {row["table"]: row for row in as_json(run_cli, "vacuum")}

    assert rows["roles"]["last_vacuum"] is not None and rows["roles"]["last_analyze"] is not None
    assert {"live_rows", "dead_rows", "dead_percent", "vacuum_seconds"} <= set(rows["roles"])
    if server_major(scratch_engine.connect()) < 18:
        assert rows["roles"]["vacuum_seconds"] is None


def test_bloat_flags_a_clearly_bloated_index(scratch_engine, run_cli):
    bloat_system_logs(scratch_engine)

    rows = as_json(run_cli, "bloat", "--table", "system_logs")

    pkey = next(row for row in rows if row["name"] == "system_logs_pkey")
    assert pkey["kind"] == "index" and pkey["wasted_percent"] > 80
    table = next(row for row in rows if row["kind"] == "table")
    assert table["wasted_percent"] > 50


def test_slow_without_pg_stat_statements_says_how_to_enable_it(scratch_engine, run_cli):
    with scratch_engine.connect() as conn:
        preloaded = "pg_stat_statements" in conn.execute(text("SHOW shared_preload_libraries")).scalar_one()
    if preloaded:  # CI's PostgreSQL 15 preloads it: then the extension makes the data appear
        autocommit(scratch_engine, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements",
                   "SELECT count(*) FROM roles")
        report = as_json(run_cli, "slow")
        assert report["available"] is True and report["note"] is None
        assert all({"query", "calls", "mean_ms", "io_read_ms"} <= set(q) for q in report["queries"])
        return
    result = run_cli("db", "stats", "slow")
    assert result.exit_code == 0
    assert "shared_preload_libraries" in result.stderr
    assert "CREATE EXTENSION pg_stat_statements" in result.stderr
    assert as_json(run_cli, "slow")["note"] == ENABLE_HINT


def test_checkpoints_come_from_the_view_this_version_has(scratch_engine, run_cli):
    report = as_json(run_cli, "slow")

    with scratch_engine.connect() as conn:
        major = server_major(conn)
    assert report["checkpoints"]["source"] == ("pg_stat_checkpointer" if major >= 17 else "pg_stat_bgwriter")


def test_pg_stat_statements_columns_follow_the_version():
    assert "shared_blk_read_time" in _statements_sql(17) and "shared_blk_read_time" in _statements_sql(18)
    assert " blk_read_time" in _statements_sql(14) and "shared_blk_read_time" not in _statements_sql(16)
    assert all("total_exec_time" in _statements_sql(v) for v in range(14, 19))

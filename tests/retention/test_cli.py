"""`gmctl db retention`: output for people, scripts and cron; exit codes; the one log line per run."""

from __future__ import annotations

import json

from sqlalchemy import text

from gmctl.retention.lock import exclusive_run
from tests.conftest import TtyStringIO
from tests.retention.conftest import count


def old_data(world, requests: int = 3):
    ada = world.person("ada")
    made = [world.full_request(ada) for _ in range(requests)]
    world.commit()
    return made


def retention_logs(engine):
    with engine.connect() as conn:
        return conn.execute(text("SELECT level, message, changes FROM system_logs"
                                 " WHERE action = 'db.retention' ORDER BY id")).all()


def test_piped_output_is_one_summary_line_and_one_log_row(world, scratch_engine, run_cli):
    old_data(world)

    result = run_cli("db", "retention")

    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("\n") == 1
    assert result.stdout.startswith("retention done: 3 request(s) archived with 27 dependent row(s)")
    [log] = retention_logs(scratch_engine)
    assert log.level == "INFO" and log.message.startswith("retention done")
    assert log.changes["archive.requests"] == {"old": None, "new": 3}
    assert log.changes["archive.status_history"]["new"] == 12 and log.changes["status"]["new"] == "done"


def test_json_is_one_document_with_every_count(world, run_cli):
    old_data(world, 2)

    result = run_cli("--format", "json", "db", "retention", "--policy", "archive")

    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["status"] == "done" and document["complete"] is True
    [archive] = document["policies"]
    assert archive["policy"] == "archive" and archive["period"] == "5 years"
    assert archive["counts"]["requests"] == 2 and archive["counts"]["hotel_bookings"] == 2
    assert archive["batches"] >= 1 and archive["longest_batch_seconds"] < 1


def test_a_dry_run_changes_nothing_and_writes_no_log(world, scratch_engine, run_cli):
    old_data(world, 2)

    result = run_cli("-f", "json", "db", "retention", "--dry-run")

    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["dry_run"] is True and document["policies"][0]["counts"]["requests"] == 2
    assert count(scratch_engine, "SELECT count(*) FROM service_requests") == 2
    assert retention_logs(scratch_engine) == []


def test_a_terminal_gets_a_progress_bar_per_policy_and_a_table(world, run_cli):
    old_data(world, 2)
    out, err = TtyStringIO(), TtyStringIO()

    result = run_cli("db", "retention", out=out, err=err)

    assert result.exit_code == 0, err.getvalue()
    bars = err.getvalue()
    for policy in ("archive", "history", "temp-files"):
        assert policy in bars and policy in out.getvalue()
    assert "2/2" in bars
    assert "retention done" in bars


def test_periods_come_from_the_config_file(world, scratch_env, run_cli):
    config = "[retention]\narchive_after_years = 10\nhistory_days = 30\n"
    (scratch_env.home / "config.toml").write_text(config)
    old_data(world, 1)

    result = run_cli("-f", "json", "db", "retention", "--dry-run")

    policies = json.loads(result.stdout)["policies"]
    assert [p["period"] for p in policies] == ["10 years", "30 days", "7 days"]
    assert policies[0]["counts"]["requests"] == 0


def test_bad_config_is_invalid_input(scratch_env, run_cli):
    (scratch_env.home / "config.toml").write_text("[retention]\nhistory_days = -1\n")

    result = run_cli("db", "retention")

    assert result.exit_code == 2 and "history_days" in result.stderr


def test_a_second_run_exits_75_at_once_and_changes_nothing(world, scratch_engine, run_cli):
    old_data(world, 1)

    with exclusive_run(scratch_engine, "retention"):
        result = run_cli("db", "retention")

    assert result.exit_code == 75
    assert "another retention run is active" in result.stderr
    assert count(scratch_engine, "SELECT count(*) FROM service_requests") == 1
    assert retention_logs(scratch_engine) == []
    assert run_cli("db", "retention").exit_code == 0, "the lock outlived its holder"


def test_max_runtime_stops_cleanly_between_batches_with_a_note(world, scratch_engine, run_cli):
    old_data(world, 2)

    result = run_cli("db", "retention", "--max-runtime", "0.000001")

    assert result.exit_code == 0
    assert "stopped at --max-runtime" in result.stdout and "work remains" in result.stderr
    assert count(scratch_engine, "SELECT count(*) FROM service_requests") == 2
    [log] = retention_logs(scratch_engine)
    assert log.level == "WARNING"


def test_a_failed_batch_exits_1_naming_the_batch_and_keeps_earlier_batches(world, scratch_engine, run_cli):
    first, second, third = old_data(world, 3)
    with scratch_engine.begin() as conn:
        conn.execute(text(
            "CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            f" IF NEW.id = {second.id} THEN RAISE EXCEPTION 'archive disk full (test)'; END IF;"
            " RETURN NEW; END $$"))
        conn.execute(text("CREATE TRIGGER test_refuse BEFORE INSERT ON service_requests_archive"
                          " FOR EACH ROW EXECUTE FUNCTION test_refuse()"))

    result = run_cli("db", "retention", "--batch-size", "1")

    assert result.exit_code == 1
    assert "archive batch 2" in result.stderr and "archive disk full (test)" in result.stderr
    assert count(scratch_engine, "SELECT count(*) FROM service_requests_archive") == 1
    assert count(scratch_engine, "SELECT count(*) FROM service_requests") == 2
    [log] = retention_logs(scratch_engine)
    assert log.level == "ERROR" and "archive batch 2" in log.message

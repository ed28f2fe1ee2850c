"""Around the group: the doctor's clamd check, the cron jobs, the demo seed's real files, the Core view."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import inspect

from gmctl.context import Env
from gmctl.files.verify import VerifyScope, verify_files
from tests.conftest import FIXED_NOW, invoke


def doctor(url: str, home, **environ: str):
    env = Env(environ={"GMCTL_HOME": str(home), "GMCTL_DATABASE_URL": url, **environ}, home=home,
              clock=lambda: FIXED_NOW)
    result = invoke(env, "-f", "json", "db", "doctor")
    return result, {row["check"]: row for row in json.loads(result.stdout)}


def test_doctor_reports_a_reachable_clamd_and_its_signatures(clamd, scratch_url, tmp_path):
    result, rows = doctor(scratch_url, tmp_path / "home", GMCTL_CLAMD_SOCKET=str(clamd.socket))
    assert result.exit_code == 0, result.stderr
    assert rows["clamd"]["status"] == "ok" and "ClamAV 1." in rows["clamd"]["detail"]
    # The test daemon has only the project's .hdb: no official signature version to date.
    assert rows["clamd signatures"]["status"] == "warn" and "freshclam" in rows["clamd signatures"]["hint"]


def test_doctor_fails_a_configured_clamd_that_is_down_and_warns_for_the_default(scratch_url, tmp_path):
    result, rows = doctor(scratch_url, tmp_path / "home", GMCTL_CLAMD_SOCKET=str(tmp_path / "none.sock"))
    assert result.exit_code == 1 and rows["clamd"]["status"] == "fail"
    assert "clamd is not answering" in rows["clamd"]["detail"]


def test_signature_age_from_version():
    from gmctl.files.clamd import parse_version

    version = parse_version("ClamAV 1.4.6/27123/Wed Dec  3 09:24:01 2026")
    assert version.engine == "ClamAV 1.4.6" and version.signatures == 27123
    assert version.signatures_date.isoformat() == "2026-12-03T09:24:01+00:00"
    assert parse_version("ClamAV 1.4.6").signatures is None


def test_schedule_has_the_nightly_scan_and_the_weekly_verify():
    from gmctl.schedule import JOBS_IN_ORDER, crontab

    jobs = {job.name: job for job in JOBS_IN_ORDER}
    assert jobs["gmctl-files-scan"].command == "files scan --pending"
    assert jobs["gmctl-files-scan"].schedule.endswith("* * *")  # every day
    assert jobs["gmctl-files-verify"].command == "files verify"
    assert jobs["gmctl-files-verify"].schedule.split()[2:] == ["*", "*", "0"]  # Sundays
    text = crontab("/usr/local/bin/gmctl", FIXED_NOW)
    assert "GMCTL_UNATTENDED=1 /usr/local/bin/gmctl files scan --pending" in text


def test_demo_seed_writes_real_files_with_one_of_each_anomaly(session, tmp_path):
    from gmctl.files.orphans import find_orphans
    from gmctl.seed.demo import seed_demo

    root = tmp_path / "files"
    result = seed_demo(session, FIXED_NOW, files_root=root)
    made = result.files
    conn = session.connection()
    report = verify_files(conn, VerifyScope(), root)
    assert {(p.id, p.status) for p in report.problems} == {(made["missing"], "missing"),
                                                          (made["wrong_hash"], "hash_mismatch")}
    assert report.checked == result.counts["file_uploads"] and report.counts["ok"] == report.checked - 2
    orphans = {(o.kind, o.id or o.file_path) for o in find_orphans(conn, root)}
    assert orphans == {("record_without_file", made["missing"]), ("file_without_record", made["stray"])}
    from gmctl.files.marker import MARKER

    marker_path = conn.exec_driver_sql(f"SELECT file_path FROM file_uploads WHERE id = {made['marker']}").scalar()
    assert (root / marker_path).read_bytes() == MARKER
    pending = conn.exec_driver_sql("SELECT count(*) FROM file_uploads WHERE virus_scan_status <> 'pending'").scalar()
    assert pending == 0


def test_the_core_view_names_every_model_column():
    from gmctl.db.models.files import FileUpload
    from gmctl.files.columns import file_uploads

    assert set(file_uploads.c.keys()) == {c.key for c in inspect(FileUpload).columns}


def test_files_help_does_not_import_the_database_stack():
    import subprocess
    import sys

    code = ("import sys; from gmctl.cli import main; sys.argv=['gmctl','files','--help'];\n"
            "try: main()\nexcept SystemExit: pass\n"
            "print(sorted(m for m in ('sqlalchemy', 'psycopg', 'magic', 'gmctl.files.scan') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_scale_seed_writes_files_per_unit_with_the_same_anomalies(scratch_engine, tmp_path):
    from gmctl.files.orphans import find_orphans
    from gmctl.seed.demo_files import FILES_PER_UNIT
    from gmctl.seed.scale import seed_scale

    root = tmp_path / "files"
    result = seed_scale(scratch_engine, 1, FIXED_NOW, files_root=root)
    assert result.counts["file_uploads"] == FILES_PER_UNIT
    with scratch_engine.connect() as conn:
        report = verify_files(conn, VerifyScope(), root)
        orphans = find_orphans(conn, root)
    assert report.checked == FILES_PER_UNIT
    assert {p.status for p in report.problems} == {"missing", "hash_mismatch"} and len(report.problems) == 2
    assert sorted(o.kind for o in orphans) == ["file_without_record", "record_without_file"]


@pytest.mark.parametrize("reply,status,signature,reason", [
    ("stream: OK", "clean", None, None),
    ("stream: Win.Test.EICAR_HDB-1 FOUND", "infected", "Win.Test.EICAR_HDB-1", None),
    ("INSTREAM size limit exceeded. ERROR", "failed", None, "over clamd's stream limit (StreamMaxLength): not scanned"),
    ("stream: Can't allocate memory ERROR", "failed", None, "clamd: Can't allocate memory"),
    ("", "failed", None, "clamd: empty reply"),
])
def test_every_reply_that_is_not_ok_or_found_is_failed_never_clean(reply, status, signature, reason):
    from gmctl.files.clamd import parse_reply

    verdict = parse_reply(reply)
    assert (verdict.status, verdict.signature, verdict.reason) == (status, signature, reason)

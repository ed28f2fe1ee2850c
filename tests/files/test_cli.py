"""The command line: formats, paging, exit codes, stdout vs stderr, permissions, audit."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import text

from gmctl.files.marker import MARKER
from tests.conftest import TtyStringIO, invoke
from tests.files.conftest import add_upload
from tests.helpers.accounts import make_user, sign_in


@pytest.fixture
def desk(files_env, session, root):
    """An admin-signed-in Env over a few uploads; returns (run, ids)."""
    env = files_env()
    admin = make_user(session, "fadmin", staff=True, roles=("admin",))
    sign_in(env, session, admin)
    conn = session.connection()
    ids = {
        "pdf": add_upload(conn, root, "c/a.pdf", b"%PDF-1.4 a", mime_type="application/pdf", file_category="form",
                          user_id=admin.id),
        "big": add_upload(conn, root, "c/big.jpg", b"\xff\xd8\xff" + b"x" * 20_000, mime_type="image/jpeg",
                          is_temporary=True),
        "marker": add_upload(conn, root, "c/m.txt", MARKER, mime_type="text/plain", virus_scan_status="infected"),
        "gone": add_upload(conn, None, "c/gone.pdf", None, mime_type="application/pdf", file_size=10, file_hash="a" * 64),
    }
    def run(*args: str):
        env.format = None  # the Env is reused: each call gets only the format it names
        return invoke(env, *args)

    return run, ids, env, session


def test_list_tsv_json_csv_and_filters(desk):
    run, ids, _, _ = desk
    piped = run("files", "list")
    assert piped.exit_code == 0, piped.stderr
    header, *lines = piped.stdout.splitlines()
    assert header.split("\t")[:4] == ["id", "original_filename", "mime_type", "size"]
    assert [int(line.split("\t")[0]) for line in lines] == sorted(ids.values(), reverse=True)  # newest first
    as_json = json.loads(run("files", "list", "--format", "json", "--mime", "application/*").stdout)
    assert {row["id"] for row in as_json} == {ids["pdf"], ids["gone"]} and isinstance(as_json[0]["size"], int)
    rows = list(csv.DictReader(io.StringIO(run("-f", "csv", "files", "list", "--larger-than", "10KB").stdout)))
    assert [int(r["id"]) for r in rows] == [ids["big"]] and rows[0]["size"] == "20003"
    assert [r["id"] for r in json.loads(run("-f", "json", "files", "list", "--temporary").stdout)] == [ids["big"]]
    assert [r["id"] for r in json.loads(run("-f", "json", "files", "list", "-s", "infected").stdout)] == [ids["marker"]]
    assert [r["id"] for r in json.loads(run("-f", "json", "files", "list", "--category", "form", "--user", "fadmin",
                                            "--smaller-than", "1KiB").stdout)] == [ids["pdf"]]
    empty = run("files", "list", "--request", "999999")
    assert empty.exit_code == 0 and empty.stdout == "" and "No files match." in empty.stderr
    assert run("-f", "json", "files", "list", "--request", "999999").stdout.strip() == "[]"


def test_keyset_paging_with_cursor(desk):
    run, ids, _, _ = desk
    first = run("files", "list", "--limit", "2")
    assert "more: add --after " in first.stderr
    cursor = first.stderr.split("--after ")[1].split()[0]
    second = run("files", "list", "--limit", "2", "--after", cursor)
    seen = [int(line.split("\t")[0]) for out in (first, second) for line in out.stdout.splitlines()[1:]]
    assert seen == sorted(ids.values(), reverse=True)
    bad = run("files", "list", "--after", "nonsense")
    assert bad.exit_code == 2 and "not a cursor" in bad.stderr


def test_bad_input_is_exit_2_with_a_hint(desk):
    run, *_ = desk
    for args, words in ((("--larger-than", "ten"), "not a size"), (("--scan-status", "dirty"), "not a scan status"),
                        (("--since", "yesterdayish"), "not a date"),
                        (("--larger-than", "5MB", "--smaller-than", "1MB"), "match nothing")):
        result = run("files", "list", *args)
        assert result.exit_code == 2 and words in result.stderr and "hint:" in result.stderr, args
        assert "Traceback" not in result.stderr
    assert run("files", "list", "--user", "nobody-here").exit_code == 3
    assert run("files", "scan").exit_code == 2


def test_show_has_the_disk_side_in_every_format(desk, root):
    run, ids, _, _ = desk
    document = json.loads(run("-f", "json", "files", "show", str(ids["pdf"])).stdout)
    assert document["on_disk"] | {"path": None} == document["on_disk"] | {
        "path": None, "exists": True, "size": 10, "size_matches": True, "sha256_matches": True,
        "integrity": "ok", "quarantined": False}
    assert document["on_disk"]["sniffed_type"] == "application/pdf" and document["on_disk"]["type_check"] == "match"
    gone = json.loads(run("-f", "json", "files", "show", str(ids["gone"])).stdout)["on_disk"]
    assert gone["exists"] is False and gone["integrity"] == "missing" and gone["sha256_matches"] is None
    lines = dict(line.split("\t", 1) for line in run("files", "show", str(ids["pdf"])).stdout.splitlines()[1:])
    assert lines["on_disk.exists"] == "true" and lines["on_disk.integrity"] == "ok"
    missing = run("files", "show", "424242")
    assert missing.exit_code == 3 and "no file upload 424242" in missing.stderr


def test_verify_lists_problems_and_exits_1(desk):
    run, ids, _, _ = desk
    result = run("files", "verify")
    assert result.exit_code == 1
    rows = result.stdout.splitlines()[1:]
    assert [(int(r.split("\t")[0]), r.split("\t")[1]) for r in rows] == [(ids["gone"], "missing")]
    assert "verified 4 file(s)" in result.stderr and "1 missing" in result.stderr
    assert "error: 1 file(s) do not match their records" in result.stderr
    ok = run("files", "verify", "--id-from", str(ids["pdf"]), "--id-to", str(ids["marker"]))
    assert ok.exit_code == 0 and "Every file matches" in ok.stderr
    document = json.loads(run("-f", "json", "files", "verify").stdout)
    assert document["counts"]["missing"] == 1 and document["checked"] == 4
    assert run("files", "verify", "--id-from", "9", "--id-to", "3").exit_code == 2


def test_orphans_dry_run_then_move(desk, root, tmp_path):
    run, ids, _, session = desk
    (root / "c" / "stray.txt").write_bytes(b"s")
    dry = run("files", "orphans")
    assert dry.exit_code == 0
    assert "dry run, nothing changed" in dry.stderr and (root / "c" / "stray.txt").exists()
    moved = run("files", "orphans", "--move-to", str(tmp_path / "lost"))
    assert moved.exit_code == 0 and "moved 1 of 1 stray file(s)" in moved.stderr
    assert (tmp_path / "lost" / "c" / "stray.txt").exists() and not (root / "c" / "stray.txt").exists()
    assert session.execute(text("SELECT count(*) FROM system_logs WHERE action = 'files.orphans.move'")).scalar() == 1


def test_duplicates_and_types(desk, root):
    run, ids, env, session = desk
    twin = add_upload(session.connection(), root, "c/twin.pdf", b"%PDF-1.4 a", mime_type="application/pdf")
    duplicates = run("-f", "json", "files", "duplicates")
    assert json.loads(duplicates.stdout)[0]["ids"] == [ids["pdf"], twin]
    types = run("files", "types")
    # the "jpeg" is 3 magic bytes and x's: libmagic still says image/jpeg, so no mismatch; the marker is text
    assert types.exit_code == 0, types.stdout + types.stderr
    from gmctl.seed.demo_files import content_for

    add_upload(session.connection(), root, "c/report.pdf", content_for("application/pdf", "x", "executable"),
               mime_type="application/pdf")
    mismatch = run("files", "types")
    assert mismatch.exit_code == 1 and "report.pdf" in mismatch.stdout and "1 mismatch" in mismatch.stderr


def test_quarantine_needs_manage_files_release_its_own_permission_both_audited(files_env, session, root, tmp_path):
    env = files_env()
    record = add_upload(session.connection(), root, "q/bad.txt", MARKER, virus_scan_status="clean")
    staff = make_user(session, "fstaff", staff=True, roles=("staff",))
    sign_in(env, session, staff)
    denied = invoke(env, "files", "quarantine", str(record), "--reason", "test")
    assert denied.exit_code == 4 and "manage_files" in denied.stderr
    assert invoke(env, "files", "list").exit_code == 0  # staff may view
    admin = make_user(session, "fadmin2", staff=True, roles=("admin",))
    sign_in(env, session, admin)
    assert invoke(env, "files", "quarantine", str(record)).exit_code == 2  # --reason is required

    done = invoke(env, "files", "quarantine", str(record), "--reason", "marker found")
    assert done.exit_code == 0, done.stderr
    assert not (root / "q/bad.txt").exists() and (tmp_path / "quarantine" / str(record) / "bad.txt").exists()
    assert session.execute(text("SELECT virus_scan_status FROM file_uploads WHERE id = :i"), {"i": record}).scalar() == "infected"
    again = invoke(env, "files", "quarantine", str(record), "--reason", "x")
    assert again.exit_code == 2 and "already quarantined" in again.stderr
    orphans = invoke(env, "files", "orphans")
    assert str(record) not in orphans.stdout  # a quarantined file is not a record without a file

    refused = invoke(env, "files", "release", str(record), "--reason", "false positive")
    assert refused.exit_code == 4 and "release_files" in refused.stderr  # admin quarantines, may not release
    assert (tmp_path / "quarantine" / str(record) / "bad.txt").exists()
    reviewer = make_user(session, "freviewer", staff=True, roles=("super_admin",))
    sign_in(env, session, reviewer)
    back = invoke(env, "files", "release", str(record), "--reason", "false positive")
    assert back.exit_code == 0, back.stderr
    assert (root / "q/bad.txt").read_bytes() == MARKER
    status = session.execute(text("SELECT virus_scan_status FROM file_uploads WHERE id = :i"), {"i": record}).scalar()
    assert status == "pending"  # scanned again before anyone calls it clean
    logs = session.execute(text("SELECT action, actor_id, changes FROM system_logs WHERE target_id = :i ORDER BY id"),
                           {"i": str(record)}).all()
    assert [(a, actor) for a, actor, _ in logs] == [("files.quarantine", admin.id), ("files.release", reviewer.id)]
    assert logs[0].changes["virus_scan_status"] == {"old": "clean", "new": "infected"}
    assert invoke(env, "files", "release", str(record), "--reason", "x").exit_code == 2


def test_not_signed_in_is_exit_4_and_cron_may_verify_unattended(files_env):
    env = files_env()
    result = invoke(env, "files", "list")
    assert result.exit_code == 4 and "gmctl login" in result.stderr
    unattended = files_env(GMCTL_UNATTENDED="1")
    assert invoke(unattended, "files", "verify").exit_code == 0
    assert invoke(unattended, "files", "list").exit_code == 4  # reading the list needs a person


def test_terminal_table_shows_sizes_for_people(desk):
    _, ids, env, _ = desk
    env.out = TtyStringIO()
    result = invoke(env, "files", "list")
    assert result.exit_code == 0
    screen = env.out.getvalue()
    assert "19.5 KiB" in screen and "file_hash" not in screen.replace(" ", "_")


def test_a_second_verify_exits_75(desk, shared_engine):
    from gmctl.retention.lock import exclusive_run

    run, *_ = desk
    with exclusive_run(shared_engine, "files-verify"):
        result = run("files", "verify")
    assert result.exit_code == 75 and "another files-verify run is active" in result.stderr

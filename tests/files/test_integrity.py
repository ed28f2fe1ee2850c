"""Verify (every class, flat memory), orphans in both directions, duplicates: on a real database and disk."""

from __future__ import annotations

import hashlib
import os
import subprocess
import tracemalloc

import pytest

from gmctl.errors import InvalidInput
from gmctl.files.duplicates import find_duplicates
from gmctl.files.orphans import FILE_WITHOUT_RECORD, RECORD_WITHOUT_FILE, SYMLINK, find_orphans, move_strays
from gmctl.files.verify import VerifyScope, check_file, sha256_fd, verify_files
from tests.files.conftest import add_upload


def statuses(report):
    return {p.id: p.status for p in report.problems}


def test_every_verify_class(connection, root, tmp_path):
    good = add_upload(connection, root, "a/good.pdf", b"%PDF-1.4 good")
    changed = add_upload(connection, root, "a/changed.pdf", b"%PDF-1.4 AAAA",
                         file_hash=hashlib.sha256(b"%PDF-1.4 BBBB").hexdigest())
    grown = add_upload(connection, root, "a/grown.pdf", b"%PDF-1.4 grown", file_size=5)
    gone = add_upload(connection, root, "a/gone.pdf", None, file_size=10, file_hash="0" * 64)
    (tmp_path / "outside.pdf").write_bytes(b"secret")
    os.symlink(tmp_path / "outside.pdf", root / "a" / "link.pdf")
    linked = add_upload(connection, None, "a/link.pdf", None, file_size=6)
    escapes = add_upload(connection, None, "../outside.pdf", None, file_size=6)
    (root / "a" / "dir.pdf").mkdir()
    directory = add_upload(connection, None, "a/dir.pdf", None, file_size=6)

    report = verify_files(connection, VerifyScope(), root)

    assert statuses(report) == {changed: "hash_mismatch", grown: "size_mismatch", gone: "missing",
                                linked: "unreadable", escapes: "unreadable", directory: "unreadable"}
    assert report.counts == {"ok": 1, "hash_mismatch": 1, "size_mismatch": 1, "missing": 1, "unreadable": 3}
    assert good not in statuses(report)
    mismatch = next(p for p in report.problems if p.id == changed)
    assert mismatch.disk_hash == hashlib.sha256(b"%PDF-1.4 AAAA").hexdigest()
    assert "symlink" in next(p for p in report.problems if p.id == linked).detail


def test_the_id_range_and_since_narrow_the_check(connection, root):
    from datetime import datetime, timezone

    ids = [add_upload(connection, root, f"r/{n}.txt", b"x" * (n + 1)) for n in range(5)]
    old = add_upload(connection, root, "r/old.txt", b"old", created_at=datetime(2020, 1, 1, tzinfo=timezone.utc))
    assert verify_files(connection, VerifyScope(id_from=ids[1], id_to=ids[3]), root).checked == 3
    since = datetime(2021, 1, 1, tzinfo=timezone.utc)
    checked = verify_files(connection, VerifyScope(since=since, id_from=ids[0]), root).checked
    assert checked == 5 and old > ids[-1]


def test_a_record_without_a_hash_is_checked_by_size(connection, root):
    record = add_upload(connection, root, "n/nohash.txt", b"hello", file_hash=None)
    found = check_file(record, "n/nohash.txt", 5, None, root)
    assert found.status == "ok" and "size checked only" in found.detail


def test_hashing_memory_stays_flat_and_matches_sha256sum(tmp_path):
    big = tmp_path / "big.bin"
    with big.open("wb") as out:
        for _ in range(48):
            out.write(os.urandom(1024 * 1024))
    tracemalloc.start()
    fd = os.open(big, os.O_RDONLY)
    try:
        digest = sha256_fd(fd)
    finally:
        os.close(fd)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 2 * 1024 * 1024, peak  # one 1 MiB buffer, whatever the file's 48 MiB
    expected = subprocess.run(["sha256sum", str(big)], capture_output=True, text=True, check=True).stdout.split()[0]
    assert digest == expected


def test_orphans_in_both_directions(connection, root, tmp_path):
    kept = add_upload(connection, root, "o/kept.pdf", b"kept")
    lost = add_upload(connection, None, "o/lost.pdf", None)
    (root / "o" / "stray.bin").write_bytes(b"stray!")
    (root / "deep" / "er").mkdir(parents=True)
    (root / "deep" / "er" / "stray2.txt").write_bytes(b"x")
    os.symlink(tmp_path, root / "o" / "link")

    found = find_orphans(connection, root)

    kinds = {(o.kind, o.id, o.file_path) for o in found}
    assert kinds == {(RECORD_WITHOUT_FILE, lost, "o/lost.pdf"), (FILE_WITHOUT_RECORD, None, "o/stray.bin"),
                     (FILE_WITHOUT_RECORD, None, "deep/er/stray2.txt"), (SYMLINK, None, "o/link")}
    assert kept not in {o.id for o in found}
    assert next(o for o in found if o.file_path == "o/stray.bin").size == 6


def test_move_to_moves_strays_keeps_their_paths_and_deletes_nothing(connection, root, tmp_path):
    lost = add_upload(connection, None, "o/lost.pdf", None)
    add_upload(connection, root, "o/kept.pdf", b"kept")
    (root / "o" / "stray.bin").write_bytes(b"stray!")
    os.symlink(tmp_path / "elsewhere", root / "o" / "link")  # evidence of an escape: reported, never moved
    found = find_orphans(connection, root)
    target = tmp_path / "lost+found"

    moved = move_strays(found, root, target)

    assert [(o.file_path, str(t)) for o, t in moved] == [("o/stray.bin", str(target / "o" / "stray.bin"))]
    assert (target / "o" / "stray.bin").read_bytes() == b"stray!"
    assert not (root / "o" / "stray.bin").exists() and (root / "o" / "kept.pdf").exists()
    assert os.path.islink(root / "o" / "link") and not os.path.lexists(target / "o" / "link")
    assert lost in {o.id for o in find_orphans(connection, root)}  # the record stays, only listed
    with pytest.raises(InvalidInput, match="inside the storage root"):
        move_strays(found, root, root / "sub")


def test_the_quarantine_directory_inside_the_root_is_not_stray(connection, root):
    (root / "quarantine" / "7").mkdir(parents=True)
    (root / "quarantine" / "7" / "bad.txt").write_bytes(b"x")
    assert find_orphans(connection, root, skip=(root / "quarantine",)) == []


def test_duplicates_group_by_hash_with_counts_and_wasted_bytes(connection, root):
    a = add_upload(connection, root, "d/a.pdf", b"same content")
    b = add_upload(connection, root, "d/b.pdf", b"same content")
    c = add_upload(connection, root, "d/c.pdf", b"same content")
    x = add_upload(connection, root, "d/x.pdf", b"other, longer content!")
    y = add_upload(connection, root, "d/y.pdf", b"other, longer content!")
    add_upload(connection, root, "d/alone.pdf", b"alone")
    add_upload(connection, root, "d/nohash1.pdf", b"n", file_hash=None)
    add_upload(connection, root, "d/nohash2.pdf", b"n", file_hash=None)

    groups = find_duplicates(connection)

    # Wasted = all sizes but the largest: 3 x 12 bytes waste 24, 2 x 22 bytes waste 22; most waste first.
    assert [(g.count, g.wasted_bytes, g.total_bytes, g.ids) for g in groups] == [
        (3, 24, 36, [a, b, c]),
        (2, 22, 44, [x, y]),
    ]

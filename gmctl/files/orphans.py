"""`files orphans`: records whose file is not on disk, and files under the root that no record names.

A dry run by default: it lists and changes nothing. `--move-to DIR` moves the stray files (files
without records) into DIR, keeping their path below the root; nothing is ever deleted, and records
without files are only listed (GitLab's uploads cleanup works the same way: dry run by default,
moved to lost-and-found, not deleted). The walk never follows symlinks; a symlink under the root is
listed as a stray entry of kind `symlink`. The quarantine directory is skipped if it lies inside the root.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import select

from gmctl.errors import InvalidInput
from gmctl.files.columns import file_uploads as fu
from gmctl.files.storage import PathRefused, relative_parts, stat_contained

RECORD_WITHOUT_FILE, FILE_WITHOUT_RECORD, SYMLINK = "record_without_file", "file_without_record", "symlink"


@dataclass(frozen=True)
class Orphan:
    """One finding: its kind, the record id (records only), the path below the root, size in bytes."""

    kind: str
    id: int | None
    file_path: str
    size: int | None
    detail: str = ""


def walk_root(root: Path, skip: tuple[Path, ...] = ()) -> Iterator[tuple[str, os.stat_result, bool]]:
    """(path relative to root, lstat, is a symlink) for every entry but real directories; links not followed."""
    skipped = {str(p) for p in skip}
    for directory, subdirs, names in os.walk(root, followlinks=False):
        linked = [d for d in subdirs if os.path.islink(os.path.join(directory, d))]
        subdirs[:] = [d for d in subdirs if d not in linked and os.path.join(directory, d) not in skipped]
        for name in sorted(names + linked):
            full = os.path.join(directory, name)
            info = os.lstat(full)
            yield os.path.relpath(full, root), info, os.path.islink(full)


def find_orphans(conn: Any, root: Path, *, skip: tuple[Path, ...] = ()) -> list[Orphan]:
    """Both directions, records first (id order), then stray files (path order)."""
    named: set[str] = set()
    found: list[Orphan] = []
    last = 0
    while True:
        rows = conn.execute(select(fu.c.id, fu.c.file_path, fu.c.virus_scan_result).where(fu.c.id > last)
                            .order_by(fu.c.id).limit(2000)).all()
        for row in rows:
            try:
                named.add("/".join(relative_parts(row.file_path, root)))
                present = stat_contained(row.file_path, root) is not None
            except PathRefused as exc:
                found.append(Orphan(RECORD_WITHOUT_FILE, row.id, row.file_path, None, f"path refused: {exc.reason}"))
                continue
            except OSError:
                present = True  # there but unreadable: `files verify` reports it
            if not present:
                from gmctl.files.quarantine import is_quarantined

                if is_quarantined(row.virus_scan_result):
                    continue
                found.append(Orphan(RECORD_WITHOUT_FILE, row.id, row.file_path, None, "no file at this path"))
        if len(rows) < 2000:
            break
        last = rows[-1].id
    if root.is_dir():
        strays = []
        for relative, info, link in walk_root(root, skip):
            if link:
                strays.append(Orphan(SYMLINK, None, relative, None, f"symlink to {os.readlink(root / relative)}"))
            elif relative not in named:
                strays.append(Orphan(FILE_WITHOUT_RECORD, None, relative, info.st_size, "no record names this file"))
        found.extend(sorted(strays, key=lambda o: o.file_path))
    return found


def move_strays(orphans: list[Orphan], root: Path, target: Path) -> list[tuple[Orphan, Path]]:
    """Move each stray file (a regular file no record names) to `target`, keeping its relative path.

    Symlinks stay where they are and are only reported: a link under the root is how a path escapes
    it, so it is evidence to look at, and a record may name a path through it.

    Refuses (InvalidInput) a target inside the root, where the moved files would be strays again.
    A name already taken in the target is not overwritten: that file is left where it is.
    """
    target = target.expanduser().absolute()
    if target == root or str(target).startswith(str(root).rstrip("/") + "/"):
        raise InvalidInput(f"--move-to {target} is inside the storage root {root}",
                           hint="give a directory outside the root, e.g. /var/lib/gmctl/lost-and-found")
    moved = []
    for orphan in orphans:
        if orphan.kind != FILE_WITHOUT_RECORD:
            continue
        destination = target / orphan.file_path
        if os.path.lexists(destination):
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(root / orphan.file_path), str(destination))
        moved.append((orphan, destination))
    return moved

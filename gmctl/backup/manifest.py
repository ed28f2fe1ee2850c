"""The manifest beside every backup file: what it holds, how to prove it is intact, whether it was checked.

`<file>.manifest.json`, written atomically (temporary name, then rename) so a reader never sees half
of one. Verification states: unverified (just made), verified (checksum and table of contents
checked), restored (also restored into a scratch database with matching row counts), failed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gmctl.errors import InvalidInput, NotFound

MANIFEST_SUFFIX = ".manifest.json"
MANIFEST_VERSION = 1
KINDS = ("full", "schema", "data")
UNVERIFIED, VERIFIED, RESTORED, FAILED = "unverified", "verified", "restored", "failed"
GOOD_STATES = (VERIFIED, RESTORED)


@dataclass
class Verification:
    state: str = UNVERIFIED
    checked_at: str | None = None
    detail: str = ""

    @property
    def good(self) -> bool:
        return self.state in GOOD_STATES


@dataclass
class Manifest:
    file: str  # the backup's file name, relative to the manifest's directory
    kind: str  # full | schema | data
    format: str  # custom | plain
    sha256: str
    size: int
    created_at: str  # ISO-8601, UTC
    database: str
    server_version: str
    server_version_num: int
    pg_dump_major: int
    alembic_revision: str | None
    tables: dict[str, int] = field(default_factory=dict)  # schema.table -> exact rows in the snapshot
    duration_seconds: float = 0.0
    verification: Verification = field(default_factory=Verification)
    manifest_version: int = MANIFEST_VERSION

    @property
    def total_rows(self) -> int:
        return sum(self.tables.values())

    @property
    def server_major(self) -> int:
        return self.server_version_num // 10000


def manifest_path(backup: Path) -> Path:
    return backup.with_name(backup.name + MANIFEST_SUFFIX)


def backup_path_of(manifest_file: Path, manifest: Manifest) -> Path:
    return manifest_file.parent / manifest.file


def file_sha256(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def write_manifest(backup: Path, manifest: Manifest) -> Path:
    target = manifest_path(backup)
    temporary = target.with_name("." + target.name + ".partial")
    temporary.write_text(
        json.dumps(dataclasses.asdict(manifest), indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    os.replace(temporary, target)
    return target


def read_manifest(backup: Path) -> Manifest:
    """The manifest of a backup file (or of the manifest file itself, if that is what was named)."""
    path = backup if backup.name.endswith(MANIFEST_SUFFIX) else manifest_path(backup)
    if not path.exists():
        raise NotFound(
            f"no manifest for {backup} (looked for {path.name})",
            hint="gmctl only verifies, restores and prunes backups it made; `gmctl db backup list`",
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return _from_dict(data)
    except (ValueError, TypeError, KeyError) as exc:
        raise InvalidInput(f"{path} is not a gmctl backup manifest: {exc}") from None


def backup_file(named: Path) -> Path:
    """The backup file a person named, whether they gave the backup or its manifest."""
    if named.name.endswith(MANIFEST_SUFFIX):
        return named.with_name(named.name[: -len(MANIFEST_SUFFIX)])
    return named


def record_verification(backup: Path, verification: Verification) -> Manifest:
    manifest = read_manifest(backup)
    manifest.verification = verification
    write_manifest(backup, manifest)
    return manifest


def list_manifests(directory: Path) -> list[tuple[Path, Manifest]]:
    """(backup path, manifest) for every manifest in the directory, newest first."""
    if not directory.is_dir():
        return []
    found = []
    for path in directory.glob("*" + MANIFEST_SUFFIX):
        if path.name.startswith("."):
            continue
        try:
            manifest = _from_dict(json.loads(path.read_text(encoding="utf-8")))
        except (ValueError, TypeError, KeyError, OSError):
            continue  # not ours, or damaged: `backup verify` on its file says why
        found.append((backup_path_of(path, manifest), manifest))
    found.sort(key=lambda item: (item[1].created_at, item[0].name), reverse=True)
    return found


def _from_dict(data: dict[str, Any]) -> Manifest:
    data = dict(data)
    verification = Verification(**data.pop("verification", {}))
    known = {f.name for f in dataclasses.fields(Manifest)}
    manifest = Manifest(**{k: v for k, v in data.items() if k in known})
    manifest.verification = verification
    if manifest.kind not in KINDS:
        raise ValueError(f"unknown kind {manifest.kind!r}")
    return manifest

"""Pruning: keep the N newest backups of each kind, and never the newest verified one.

Kinds are pruned separately: a run of `--kind all` makes one of each, and keeping "the 3 newest"
should not mean two schema files and a full one. The newest backup of a kind whose last verification
passed is kept even when it falls outside the N, so pruning can never leave only unproven backups.
Files without a gmctl manifest are not touched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from gmctl.backup.manifest import Manifest, list_manifests, manifest_path
from gmctl.errors import InvalidInput


@dataclass(frozen=True)
class PruneEntry:
    path: Path
    manifest: Manifest
    reason: str


@dataclass
class PrunePlan:
    keep: list[PruneEntry] = field(default_factory=list)
    delete: list[PruneEntry] = field(default_factory=list)


def plan_prune(directory: Path, keep: int) -> PrunePlan:
    if keep < 1:
        raise InvalidInput(f"--keep must be at least 1, not {keep}", hint="keep at least the newest backup")
    plan = PrunePlan()
    by_kind: dict[str, list[tuple[Path, Manifest]]] = {}
    for path, manifest in list_manifests(directory):  # newest first
        by_kind.setdefault(manifest.kind, []).append((path, manifest))
    for entries in by_kind.values():
        newest_verified = next((p for p, m in entries if m.verification.good and p.exists()), None)
        for rank, (path, manifest) in enumerate(entries):
            if rank < keep:
                plan.keep.append(PruneEntry(path, manifest, f"among the {keep} newest {manifest.kind}"))
            elif path == newest_verified:
                plan.keep.append(PruneEntry(path, manifest, f"newest verified {manifest.kind}"))
            else:
                plan.delete.append(
                    PruneEntry(path, manifest, f"older than the {keep} newest {manifest.kind}")
                )
    return plan


def apply_prune(plan: PrunePlan) -> list[PruneEntry]:
    """Delete each file before its manifest: an interrupted prune leaves a manifest whose file is gone
    (which `backup list` shows), never a backup file that no manifest describes."""
    for entry in plan.delete:
        entry.path.unlink(missing_ok=True)
        manifest_path(entry.path).unlink(missing_ok=True)
    return plan.delete

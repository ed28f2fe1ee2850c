"""Sort what differs between a live database and the schema document into three kinds.

Input: the live catalog facts, and the reference (gmctl.adopt.reference: the facts of revision
20240101000005, of vehicle_services as fix01 makes it, and of head). Output, a `Classification`:
- variants: states of the document that gmctl's migrations bring to head. Each optional block
  (gmctl.adopt.blocks) absent, partly present, or for a block head drops, changed by hand; and the
  known hand fixes: vehicle_services created by hand with AND between its CHECK's conditions
  (with or without the parentheses fix01 writes), or without that CHECK; indexes a team built
  ahead of time under the name and definition head gives them (the migration finds them).
- extras: the team's own objects that no migration touches and that cannot refuse or change what
  gmctl writes: tables, views, sequences, functions, types, and plain (non-unique) indexes on any
  table. They are kept, listed, and recorded at adoption so that `gmctl db check` leaves them out.
- conflicts: everything else. A required object missing or changed (a column of another type, a
  CHECK that lets other values in), a column, constraint, trigger or unique index added to one of
  gmctl's tables, an object named like one a later migration creates. Each comes with what to do.
Facts that only repeat a column's NOT NULL as a constraint (PostgreSQL 18) are left out: the
column's fact carries it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gmctl.adopt.blocks import BLOCKS, DROPPED, Block, block_of
from gmctl.adopt.catalog import Difference, compare_facts
from gmctl.adopt.reference import Reference

VEHICLE_SERVICES = ("vehicle_services", "vehicle_services_id_seq")
# The archive rows fix09 carries over: the request columns, nothing else.
ARCHIVE = "service_requests_archive"


@dataclass(frozen=True)
class Variant:
    name: str  # "enum types absent"
    detail: str  # where it comes from and what the migrations do


@dataclass(frozen=True)
class Extra:
    kind: str  # table | view | sequence | index | function | type | materialized view | ...
    name: str  # "team_notes", "vehicles.idx_vehicles_make"
    detail: str

    @property
    def record(self) -> str:
        """How adoption records it for `db check`: "table:team_notes", "index:idx_vehicles_make"."""
        if self.kind == "index":
            return f"index:{self.name.split('.', 1)[1]}"
        return f"{'table' if self.kind == 'table' else self.kind}:{self.name}"


@dataclass(frozen=True)
class Conflict:
    subject: str  # the catalog fact key
    detail: str  # what differs
    fix: str  # what to do


@dataclass
class Classification:
    variants: list[Variant] = field(default_factory=list)
    extras: list[Extra] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)


def classify(live: dict[str, str], reference: Reference) -> Classification:
    """Sort every difference between `live` and the seed revision's facts (see module docstring)."""
    result = Classification()
    seed, head = reference.seed_facts, reference.head_facts
    differences = [d for d in compare_facts(live, seed) if not _not_null_repeat(d)]
    by_block: dict[str, list[Difference]] = {}
    hand_made: list[Difference] = []
    extra_relations = (
        {_name(d.key) for d in differences if d.change == "extra" and d.key.startswith("table:")}
        - set(head_tables(head))
        - set(VEHICLE_SERVICES)
    )
    # A required table that is missing is one conflict, not one per column, index and constraint.
    missing_tables = {
        _name(d.key)
        for d in differences
        if d.change == "missing"
        and d.key.startswith("table:")
        and d.expected == "table"
        and block_of(d.key) is None
    }
    gone = missing_tables | {f"{t}_id_seq" for t in missing_tables}
    loose: list[Difference] = []
    for difference in differences:
        if _relation(difference.key) in gone and _name(difference.key) not in missing_tables:
            continue
        block = block_of(difference.key)
        if block is not None:
            by_block.setdefault(block.name, []).append(difference)
        elif _relation(difference.key) in VEHICLE_SERVICES:
            hand_made.append(difference)
        elif difference.change == "extra" and _relation(difference.key) in extra_relations:
            if difference.key.startswith("table:"):
                loose.append(difference)  # the relation itself; its columns etc. go with it
        else:
            loose.append(difference)
    for block in BLOCKS:
        if block.name in by_block:
            _block_state(block, by_block[block.name], seed, result)
    if hand_made:
        _vehicle_services(hand_made, live, reference, result)
    for difference in loose:
        _loose(difference, live, seed, head, extra_relations, result)
    return result


def head_tables(head: dict[str, str]) -> list[str]:
    return [_name(k) for k in head if k.startswith("table:")]


def _name(key: str) -> str:
    return key.partition(":")[2]


def _relation(key: str) -> str:
    kind, _, name = key.partition(":")
    return name if kind in ("table", "type", "function") else name.split(".")[0]


def _describe(difference: Difference) -> str:
    """Difference.describe, with a constraint shown as PostgreSQL writes it (no contype letter)."""
    if not difference.key.startswith("constraint:"):
        return difference.describe()
    shown = [
        v.split(" ", 1)[1] if v and v[1:2] == " " else v for v in (difference.found, difference.expected)
    ]
    return Difference(difference.key, difference.change, *shown).describe()


def _not_null_repeat(difference: Difference) -> bool:
    value = difference.found if difference.found is not None else difference.expected
    return difference.key.startswith("constraint:") and str(value).startswith("n NOT NULL")


def _block_state(block: Block, found: list[Difference], seed: dict[str, str], result: Classification) -> None:
    made = [k for k in seed if block.owns(k) and not _not_null_key(k, seed)]
    missing = [d for d in found if d.change == "missing"]
    changed = [d for d in found if d.change != "missing"]
    where = f"'{block.heading}'"
    if block.tables == (ARCHIVE,):
        _archive_state(block, found, made, result)
        return
    if changed and block.at_head != DROPPED:
        for difference in changed:
            result.conflicts.append(
                Conflict(
                    difference.key,
                    _describe(difference),
                    f"head keeps what {where} makes, as the document writes it: put the document's "
                    f"definition back ({difference.expected or 'drop this one'}), then adopt again",
                )
            )
        changed = []
    parts = []
    if missing:
        parts.append(
            "absent"
            if len(missing) >= len(made)
            else f"partly present ({len(made) - len(missing)}"
            f" of {len(made)}: {', '.join(_name(d.key) for d in missing)} missing)"
        )
    if changed:
        parts.append(f"changed by hand ({', '.join(_name(d.key) for d in changed)})")
    if parts:
        result.variants.append(Variant(f"{block.name} {' and '.join(parts)}", f"{where}: {block.resolution}"))


def _not_null_key(key: str, facts: dict[str, str]) -> bool:
    return key.startswith("constraint:") and facts[key].startswith("n NOT NULL")


def _archive_state(block: Block, found: list[Difference], made: list[str], result: Classification) -> None:
    columns = [d for d in found if d.key.startswith("column:")]
    extra_columns = [d for d in columns if d.change == "extra"]
    retyped = [d for d in columns if d.change == "differs" and _type(d.found) != _type(d.expected)]
    for difference in extra_columns + retyped:
        result.conflicts.append(
            Conflict(
                difference.key,
                _describe(difference),
                "fix09 rebuilds the archive with the request columns only, as the document's LIKE made "
                "them: copy this column's values somewhere of your own and drop it (or change it back), "
                "then adopt again",
            )
        )
    if f"table:{ARCHIVE}" in {d.key for d in found if d.change == "missing"}:
        state = "absent"
    else:
        # Its indexes and CHECKs follow from the blocks run before its LIKE: nothing of its own.
        missing_columns = [_name(d.key).split(".")[1] for d in columns if d.change == "missing"]
        if not missing_columns:
            return
        state = (
            f"present without {', '.join(missing_columns)} (made by LIKE before that block ran, or by hand)"
        )
    result.variants.append(Variant(f"{block.name} {state}", f"'{block.heading}': {block.resolution}"))


def _type(description: str | None) -> str:
    text = description or ""
    for marker in (" not null", " default ", " generated as "):
        text = text.split(marker)[0]
    return text


def _vehicle_services(
    found: list[Difference], live: dict[str, str], reference: Reference, result: Classification
) -> None:
    """vehicle_services made by hand (the document's CREATE fails): fine if it is fix01's table."""
    expected = reference.vehicle_services_facts
    accepted = reference.hand_fix_checks
    check = "constraint:vehicle_services.chk_costs_non_negative"
    conflicts = []
    for key in sorted(set(expected) | {d.key for d in found}):
        if _not_null_key(key, expected if key in expected else live):
            continue
        have, want = live.get(key), expected.get(key)
        if have == want or (key == check and (have is None or have in accepted.get(key, set()))):
            continue
        if have is None and key.startswith("index:"):
            continue  # fix01 / fix09 create it if not exists
        if have is not None and reference.head_facts.get(key) == have:
            continue  # built ahead under head's name and definition
        conflicts.append(
            Conflict(key, _describe(Difference(key, _change(have, want), have, want)), _vs_fix(key, want))
        )
    if conflicts:
        result.conflicts.extend(conflicts)
        return
    how = {
        None: "without chk_costs_non_negative: fix01 adds it",
        expected.get(check): "with the CHECK as fix01 writes it",
    }.get(live.get(check), "with AND between its CHECK's conditions, unbracketed: fix01 puts the brackets in")
    result.variants.append(
        Variant(
            "vehicle_services made by hand",
            f"the document's CREATE TABLE fails (seed-notes 1); this one has its columns, {how}; "
            "rows that break the CHECK are listed before anything changes",
        )
    )


def _change(have: str | None, want: str | None) -> str:
    return "missing" if have is None else "extra" if want is None else "differs"


def _vs_fix(key: str, want: str | None) -> str:
    if want is None:
        return (
            "fix01 makes vehicle_services as the document writes it (with AND): drop this addition or "
            "move it to a table of your own, then adopt again"
        )
    return (
        f"fix01 makes vehicle_services as the document writes it (with AND): make it {want}, then adopt again"
    )


def _loose(
    difference: Difference,
    live: dict[str, str],
    seed: dict[str, str],
    head: dict[str, str],
    extra_relations: set[str],
    result: Classification,
) -> None:
    key, kind, name = difference.key, *difference.key.partition(":")[::2]
    if difference.change == "extra":
        if key in head:
            if head[key] == difference.found and kind == "index":
                result.variants.append(
                    Variant(
                        f"index {name} built ahead",
                        "it has the name and definition head gives it: the migration that makes it "
                        "finds it (IF NOT EXISTS)",
                    )
                )
                return
            result.conflicts.append(
                Conflict(key, _describe(difference), f"a gmctl migration creates {kind} {name}: rename yours")
            )
            return
        if kind == "table" and name in extra_relations:
            result.extras.append(Extra(_relation_kind(difference.found), name, _relation_detail(name, live)))
            return
        if kind in ("function", "type"):
            result.extras.append(Extra(kind, name, "kept as it is; no migration touches it"))
            return
        if kind == "index" and " UNIQUE INDEX " not in f" {difference.found}":
            result.extras.append(Extra("index", name, f"kept: {difference.found}"))
            return
        what = {
            "column": "gmctl's models own the columns of its tables: move it to a table of your own, or drop it",
            "index": "a unique index can refuse rows gmctl writes: make it a plain index, or drop it",
        }.get(
            kind,
            "it can refuse or change rows gmctl writes: drop it, or move the rule into a table of your own",
        )
        result.conflicts.append(Conflict(key, _describe(difference), f"{what}; then adopt again"))
        return
    section = _relation(key)
    if difference.change == "missing":
        fix = (
            f"restore it (pg_restore -t {section}) or create it as the document's '{section}' block writes "
            "it, then adopt again"
            if kind == "table"
            else f"create it as the document writes it ({difference.expected}), then adopt again"
        )
    elif kind == "column":
        fix = (
            f"gmctl expects {difference.expected}: ALTER TABLE {section} ALTER COLUMN "
            f"{name.split('.')[1]} back once the data fits, then adopt again"
        )
    elif kind == "constraint":
        fix = (
            "a changed rule lets in rows gmctl refuses, or refuses rows gmctl writes: put the document's "
            "definition (expected, above) back, then adopt again"
        )
    else:
        fix = f"put the document's definition back ({difference.expected}), then adopt again"
    result.conflicts.append(Conflict(key, _describe(difference), fix))


def _relation_kind(description: str | None) -> str:
    text = description or "table"
    return "view" if text.startswith("view ") else text


def _relation_detail(name: str, live: dict[str, str]) -> str:
    columns = sum(1 for k in live if k.startswith(f"column:{name}."))
    indexes = sum(1 for k in live if k.startswith(f"index:{name}."))
    references = sorted(
        {
            v.split("REFERENCES ")[1].split("(")[0]
            for k, v in live.items()
            if k.startswith(f"constraint:{name}.") and "REFERENCES " in v
        }
    )
    detail = f"kept as it is: {columns} column(s), {indexes} index(es)"
    if references:
        detail += f"; refers to {', '.join(references)} (a row it points at cannot be deleted or archived)"
    return detail

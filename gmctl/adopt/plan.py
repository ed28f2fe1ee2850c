"""Inspecting a live database for adoption, and adopting it in one transaction."""

from __future__ import annotations

import json

from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from gmctl.adopt.catalog import catalog_facts, fingerprint
from gmctl.adopt.prechecks import BLOCK, CONFIRM, Finding, data_findings, new_rules, rule_findings
from gmctl.adopt.reference import SEED_HEAD, SEED_VERSIONS, build_reference
from gmctl.adopt.variants import Conflict, Extra, Variant, classify
from gmctl.errors import GmctlError, InvalidInput, NotFound

BACKUP_ROLE = "backup_user"


@dataclass
class AdoptionPlan:
    """What adopt found (gmctl.adopt.variants for the three kinds) and the data pre-checks."""

    database: str
    schema: str
    refusals: list[str] = field(default_factory=list)
    variants: list[Variant] = field(default_factory=list)
    extras: list[Extra] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)

    @property
    def blockers(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == BLOCK]

    @property
    def to_confirm(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == CONFIRM]

    @property
    def refused(self) -> bool:
        return bool(self.refusals or self.conflicts or self.blockers)

    def summary(self) -> str:
        """Three lines, one per kind: "variants (2): enum types absent, ...", "extras kept (0): none",
        "conflicts: none" (or their number; the rows above list them)."""
        variants = ", ".join(v.name for v in self.variants) or "none (the document as written)"
        extras = ", ".join(f"{e.kind} {e.name}" for e in self.extras) or "none"
        conflicts = f"{len(self.conflicts)}, listed above" if self.conflicts else "none"
        return (
            f"variants ({len(self.variants)}): {variants}\n"
            f"extras kept ({len(self.extras)}): {extras}\n"
            f"conflicts: {conflicts}"
        )

    @property
    def kept(self) -> list[str]:
        return sorted(e.record for e in self.extras)

    @property
    def fingerprint(self) -> str:
        return fingerprint([f.detail for f in self.to_confirm])

    def rows(self) -> list[dict[str, str]]:
        """One row per thing found: kind (refusal, variant, extra, conflict, block, confirm, info)."""
        rows = [{"kind": "refusal", "subject": "schema_migrations", "detail": r} for r in self.refusals]
        rows += [{"kind": "variant", "subject": v.name, "detail": v.detail} for v in self.variants]
        rows += [{"kind": "extra", "subject": f"{e.kind} {e.name}", "detail": e.detail} for e in self.extras]
        rows += [
            {"kind": "conflict", "subject": c.subject, "detail": f"{c.detail}; to do: {c.fix}"}
            for c in self.conflicts
        ]
        rows += [
            {"kind": f.severity, "subject": f"{f.table}: {f.rule}", "detail": f.detail} for f in self.findings
        ]
        return rows


@dataclass(frozen=True)
class AdoptResult:
    database: str
    before: str
    after: str
    revisions: list[str]
    tables: int
    rows_before: int
    rows_after: int


def inspect_database(engine: Engine) -> AdoptionPlan:
    """Everything adopt would check, without changing anything (the transaction is rolled back)."""
    with engine.connect() as conn:
        try:
            return _inspect(conn)
        finally:
            conn.rollback()


def _inspect(conn: Connection) -> AdoptionPlan:
    schema = _recognise(conn)
    plan = AdoptionPlan(str(conn.execute(text("SELECT current_database()")).scalar()), schema)
    plan.refusals = _version_problems(conn)
    reference = build_reference(conn)
    live = catalog_facts(conn, schema)
    found = classify(live, reference)
    plan.variants = found.variants + _outside_the_database(conn)
    plan.extras, plan.conflicts = found.extras, found.conflicts
    if not plan.conflicts:
        plan.findings = rule_findings(conn, new_rules(reference.rules, live)) + data_findings(conn)
    plan.pending = _pending_after_seed()
    return plan


def _outside_the_database(conn: Connection) -> list[Variant]:
    """Blocks that made nothing in this schema: the backup role (cluster-wide) and pg_cron's job."""
    variants = []
    if conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": BACKUP_ROLE}).first():
        variants.append(
            Variant(
                "backup role present",
                f"'Backup Strategy': role {BACKUP_ROLE} belongs to the cluster, so gmctl leaves it; its "
                "password is printed in the schema document (seed-notes 13): give it a new one "
                f"(ALTER ROLE {BACKUP_ROLE} PASSWORD ...) or drop it; `gmctl db backup` does not need it",
            )
        )
    if conn.execute(text("SELECT to_regclass('cron.job')")).scalar() is not None:
        savepoint = conn.begin_nested()
        try:
            jobs = conn.execute(
                text(
                    "SELECT count(*) FROM cron.job WHERE command ILIKE '%perform_maintenance()%'"
                    " AND database = current_database()"
                )
            ).scalar()
        except DBAPIError:
            jobs = None
        savepoint.rollback()
        if jobs is None or jobs:
            variants.append(
                Variant(
                    "pg_cron schedule present",
                    "'Maintenance Scripts': fix06 unschedules the job that calls perform_maintenance() "
                    "when it drops the function (or warns when this role may not); "
                    "`gmctl db maintenance` does that work",
                )
            )
    return variants


def _recognise(conn: Connection) -> str:
    if conn.execute(text("SELECT to_regclass('alembic_version')")).scalar() is not None:
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        if revision is not None:
            raise InvalidInput(
                f"this database is already managed by gmctl (revision {revision})",
                hint="`gmctl db upgrade` brings it to head",
            )
    schema = conn.execute(
        text(
            "SELECT relnamespace::regnamespace::text FROM pg_class"
            " WHERE oid = to_regclass('schema_migrations')"
        )
    ).scalar()
    if schema is None:
        raise NotFound(
            "no schema_migrations table: this is not a database built from the schema document",
            hint="a new, empty database is set up with `gmctl db init`",
        )
    return str(schema)


def _version_problems(conn: Connection) -> list[str]:
    rows = conn.execute(text("SELECT version, dirty FROM schema_migrations ORDER BY version")).all()
    problems = [
        f"version {v} is marked dirty: a migration stopped half-way; finish or undo it by hand, "
        "then set dirty = false"
        for v, dirty in rows
        if dirty
    ]
    versions = [str(v) for v, _ in rows]
    if versions != list(SEED_VERSIONS):
        missing = sorted(set(SEED_VERSIONS) - set(versions))
        extra = sorted(set(versions) - set(SEED_VERSIONS))
        problems.append(
            "schema_migrations should hold exactly the document's five versions"
            + (f"; missing {', '.join(missing)}" if missing else "")
            + (f"; unknown {', '.join(extra)}" if extra else "")
        )
    return problems


def _pending_after_seed() -> list[str]:
    from gmctl import schema

    revisions = [rev.revision for rev in reversed(list(schema.script_directory().walk_revisions()))]
    return revisions[revisions.index(SEED_HEAD) + 1 :]


def refusal_message(plan: AdoptionPlan) -> str:
    parts = []
    if plan.refusals:
        parts.append(f"{len(plan.refusals)} problem(s) with schema_migrations")
    if plan.conflicts:
        parts.append(
            f"{len(plan.conflicts)} conflict(s) with the schema document that gmctl's migrations"
            " cannot resolve"
        )
    if plan.blockers:
        parts.append(f"{len(plan.blockers)} rule(s) the live data breaks")
    return "cannot adopt: " + ", ".join(parts)


def adopt(engine: Engine, *, confirmed: str | None, lock_wait: float | None = None,
          on_wait: Callable[[str], None] | None = None) -> AdoptResult:
    """Stamp the seed revision and upgrade to head in one transaction; roll back unless every row is kept.

    Holds the schema lock (gmctl.schema.schema_lock) shared with upgrade, downgrade and init; waits up
    to lock_wait seconds (default gmctl.schema.DEFAULT_LOCK_WAIT) for it, else raises Busy (exit 75).
    """
    from alembic import command

    from gmctl import schema
    from gmctl.db.drift import schema_drift

    wait = schema.DEFAULT_LOCK_WAIT if lock_wait is None else lock_wait
    with schema.schema_lock(engine, wait, on_wait), engine.begin() as conn:
        plan = _inspect(conn)
        if plan.refused:
            raise GmctlError(refusal_message(plan), hint="`gmctl db adopt --dry-run` lists them")
        if plan.to_confirm and confirmed != plan.fingerprint:
            raise GmctlError(
                "the rows to confirm changed since they were listed", hint="run `gmctl db adopt` again"
            )
        before = _counts(conn, plan.schema)
        command.stamp(schema.alembic_config(conn), SEED_HEAD)
        command.upgrade(schema.alembic_config(conn), "head")
        after = _counts(conn, plan.schema)
        _check_rows_kept(before, after, plan)
        head = schema.current_revision(conn) or "?"
        _audit(conn, plan, head)
        drift = schema_drift(conn, kept=frozenset(plan.kept))
        if drift:
            raise GmctlError(
                f"after the upgrade the schema still differs from the models in {len(drift)} way(s); "
                "nothing was changed",
                hint="`gmctl db check` on a copy shows them",
            )
    return AdoptResult(
        plan.database,
        SEED_HEAD,
        head,
        plan.pending,
        len(before),
        sum(before.values()),
        sum(after.get(t, 0) for t in before),
    )


def _counts(conn: Connection, schema: str) -> dict[str, int]:
    tables = (
        conn.execute(
            text(
                "SELECT relname FROM pg_class WHERE relnamespace = CAST(:s AS regnamespace)"
                " AND relkind IN ('r', 'p')"
                " AND relname <> 'alembic_version' ORDER BY 1"
            ),
            {"s": schema},
        )
        .scalars()
        .all()
    )
    return {
        t: int(conn.execute(text(f'SELECT count(*) FROM "{schema}"."{t}"')).scalar() or 0) for t in tables
    }


def _check_rows_kept(before: dict[str, int], after: dict[str, int], plan: AdoptionPlan) -> None:
    """Migrations may add rows (default permissions), never lose any but the confirmed ones."""
    allowed = {f.table: f.rows for f in plan.to_confirm}
    lost = [
        f"{t}: {n} -> {after.get(t, 0)}" for t, n in before.items() if after.get(t, 0) < n - allowed.get(t, 0)
    ]
    if lost:
        raise GmctlError(f"the upgrade would lose rows ({'; '.join(lost)}); nothing was changed")


def _audit(conn: Connection, plan: AdoptionPlan, head: str) -> None:
    conn.execute(
        text(
            "INSERT INTO system_logs (level, message, action, target_type, target_id, changes)"
            " VALUES ('INFO', :m, 'db.adopt', 'database', :d, CAST(:c AS jsonb))"
        ),
        {
            "m": f"adopted {plan.database}: stamped {SEED_HEAD}, upgraded to {head}",
            "d": plan.database,
            "c": json.dumps(
                {
                    "revision": {"old": SEED_HEAD, "new": head},
                    "variants": {"old": None, "new": [v.name for v in plan.variants]},
                    "kept": {"old": None, "new": plan.kept},
                }
            ),
        },
    )

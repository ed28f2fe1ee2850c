"""Inspecting a live database for adoption, and adopting it in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from gmctl.adopt.catalog import Difference, catalog_facts, compare_facts, fingerprint
from gmctl.adopt.prechecks import BLOCK, CONFIRM, Finding, data_findings, new_rules, rule_findings
from gmctl.adopt.reference import SEED_HEAD, SEED_VERSIONS, build_reference
from gmctl.errors import GmctlError, InvalidInput, NotFound

# Differences between a live database and revision 20240101000005 that a fix revision accounts for.
EXPLAINED: dict[tuple[str, str], str] = {
    (
        "index:payment_methods.uq_payment_methods_default",
        "missing",
    ): "its CREATE failed on live data; fix04 creates it (pre-checked below: one default method per user)",
}


@dataclass
class AdoptionPlan:
    database: str
    schema: str
    refusals: list[str] = field(default_factory=list)
    differences: list[Difference] = field(default_factory=list)
    explained: list[tuple[Difference, str]] = field(default_factory=list)
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
        return bool(self.refusals or self.differences or self.blockers)

    @property
    def fingerprint(self) -> str:
        return fingerprint([f.detail for f in self.to_confirm])

    def rows(self) -> list[dict[str, str]]:
        rows = [{"kind": "refusal", "subject": "schema_migrations", "detail": r} for r in self.refusals]
        rows += [{"kind": "difference", "subject": d.key, "detail": d.describe()} for d in self.differences]
        rows += [{"kind": "explained", "subject": d.key, "detail": why} for d, why in self.explained]
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
    for difference in compare_facts(live, reference.seed_facts):
        why = EXPLAINED.get((difference.key, difference.change))
        if why:
            plan.explained.append((difference, why))
        else:
            plan.differences.append(difference)
    if not plan.differences:
        plan.findings = rule_findings(conn, new_rules(reference.rules, live)) + data_findings(conn)
    plan.pending = _pending_after_seed()
    return plan


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
    if plan.differences:
        parts.append(
            f"{len(plan.differences)} schema difference(s) from revision {SEED_HEAD}"
            " that gmctl cannot explain"
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
        drift = schema_drift(conn)
        if drift:
            raise GmctlError(
                f"after the upgrade the schema still differs from the models in {len(drift)} way(s); "
                "nothing was changed",
                hint="`gmctl db check` on a copy shows them",
            )
        head = schema.current_revision(conn) or "?"
        _audit(conn, plan, head)
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
            "c": '{"revision": {"old": "%s", "new": "%s"}}' % (SEED_HEAD, head),
        },
    )

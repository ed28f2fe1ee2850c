"""The schema's lifecycle: upgrade, downgrade, where the database is, and whether it matches the models.

Each operation runs in one transaction on the connection it is given, so a failed upgrade leaves
the database exactly where it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

from gmctl.errors import InvalidInput, NotFound, shown

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS_DIR = ROOT / "migrations"


@dataclass(frozen=True)
class Revision:
    revision: str
    down_revision: str | None
    description: str
    applied: bool
    is_head: bool


def alembic_config(connection: Connection | None = None) -> Config:
    if not MIGRATIONS_DIR.is_dir():
        raise NotFound(f"the migrations directory {MIGRATIONS_DIR} is missing",
                       hint="install gmctl from its repository with `pip install -e .`")
    config = Config(str(ROOT / "alembic.ini") if (ROOT / "alembic.ini").exists() else None)
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def script_directory() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    heads = script_directory().get_heads()
    if len(heads) != 1:
        raise InvalidInput(f"the migrations have {len(heads)} heads: {', '.join(heads)}")
    return heads[0]


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def resolve_revision(target: str) -> str:
    """A full revision id for what the user typed: head, base, an id or a unique prefix of one."""
    import re

    if target in ("head", "heads", "base") or re.fullmatch(r"[+-][0-9]{1,4}", target, re.ASCII):
        return target  # alembic's own names and relative steps (-1, +2)
    if not target.strip() or not re.fullmatch(r"[0-9A-Za-z_]{1,64}", target, re.ASCII):
        raise InvalidInput(f"{shown(target)} is not a migration revision",
                           hint="give head, base, a revision id (or its start) or a step like -1; "
                                "`gmctl db history` lists them")
    script = script_directory()
    matches = [rev.revision for rev in script.walk_revisions() if rev.revision.startswith(target)]
    if not matches:
        raise NotFound(f"no migration revision {target!r}", hint="`gmctl db history` lists them")
    if len(matches) > 1:
        raise InvalidInput(f"revision {target!r} is ambiguous: {', '.join(sorted(matches))}")
    return matches[0]


def upgrade(engine: Engine, target: str = "head") -> tuple[str | None, str | None]:
    """Migrate up in one transaction. Returns (before, after)."""
    revision = resolve_revision(target)
    with engine.begin() as conn:
        before = current_revision(conn)
        command.upgrade(alembic_config(conn), revision)
        return before, current_revision(conn)


def downgrade(engine: Engine, target: str) -> tuple[str | None, str | None]:
    revision = resolve_revision(target)
    with engine.begin() as conn:
        before = current_revision(conn)
        command.downgrade(alembic_config(conn), revision)
        return before, current_revision(conn)


def history(connection: Connection) -> list[Revision]:
    script = script_directory()
    current = current_revision(connection)
    applied = set()
    if current is not None:
        applied = {rev.revision for rev in script.iterate_revisions(current, "base")}
    heads = set(script.get_heads())
    revisions = list(script.walk_revisions())
    revisions.reverse()
    return [
        Revision(rev.revision, _single(rev.down_revision), (rev.doc or "").splitlines()[0] if rev.doc else "",
                 rev.revision in applied, rev.revision in heads)
        for rev in revisions
    ]


def pending(connection: Connection) -> list[Revision]:
    return [rev for rev in history(connection) if not rev.applied]


def _single(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return ",".join(value)  # type: ignore[arg-type]


@dataclass(frozen=True)
class InitResult:
    before: str | None
    after: str | None
    reference_rows_added: int


def initialise(engine: Engine) -> InitResult:
    """Upgrade to head and make sure the default roles and permissions exist. Safe to repeat."""
    from gmctl.db.reference_data import ensure_reference_data

    with engine.begin() as conn:
        before = current_revision(conn)
        command.upgrade(alembic_config(conn), "head")
        added = ensure_reference_data(conn)
        return InitResult(before, current_revision(conn), added)


def drift(engine: Engine) -> list[str]:
    """Differences between the models and the database, as autogenerate would see them."""
    from gmctl.db.drift import schema_drift

    with engine.connect() as conn:
        return [describe_difference(diff) for diff in schema_drift(conn)]


def describe_difference(diff: object) -> str:
    """One line per autogenerate difference, e.g. `remove_column: users.nickname`."""
    if isinstance(diff, list):
        return "; ".join(describe_difference(d) for d in diff)
    if not isinstance(diff, tuple) or not diff:
        return str(diff)
    kind = str(diff[0])
    if kind.startswith("modify_"):  # (kind, schema, table, column, existing, old, new)
        return f"{kind}: {diff[2]}.{diff[3]} ({diff[5]!r} -> {diff[6]!r})"
    if kind in ("add_column", "remove_column"):  # (kind, schema, table, Column)
        return f"{kind}: {diff[2]}.{diff[3].name}"
    subject = diff[1]
    table = getattr(getattr(subject, "table", None), "name", None)
    name = getattr(subject, "name", None) or str(subject)
    return f"{kind}: {table + '.' if table else ''}{name}"

"""The schema's lifecycle: upgrade, downgrade, where the database is, and whether it matches the models.

Each operation runs in one transaction on the connection it is given, so a failed upgrade leaves
the database exactly where it was.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

from gmctl.errors import InvalidInput, NotFound, shown

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent


def migrations_dir() -> Path:
    """Where the alembic revisions are: inside the package when installed from a wheel (pip, pipx),
    else the repository's top-level migrations/ (an editable install or a checkout).

    There is one copy of each revision: setup.py maps migrations/ into the wheel as gmctl/migrations.
    A checkout is recognised by its alembic.ini beside pyproject.toml, so a stray top-level
    `migrations` directory of some other package in site-packages is never taken for ours.
    """
    inside = PACKAGE / "migrations"
    if (inside / "env.py").is_file():
        return inside
    return ROOT / "migrations"


def _repository_ini() -> Path | None:
    ini = ROOT / "alembic.ini"
    return ini if ini.is_file() and (ROOT / "pyproject.toml").is_file() else None


MIGRATIONS_DIR = migrations_dir()


@dataclass(frozen=True)
class Revision:
    revision: str
    down_revision: str | None
    description: str
    applied: bool
    is_head: bool


def alembic_config(connection: Connection | None = None) -> Config:
    """alembic's Config for gmctl's revisions; with a connection, migrations run on it (env.py)."""
    location = migrations_dir()
    if not (location / "env.py").is_file():
        raise NotFound(f"gmctl's migrations are missing (looked in {location})",
                       hint="reinstall gmctl: `pipx install --force <wheel or checkout>`, or "
                       "`pip install -e .` in the repository")
    ini = _repository_ini()
    config = Config(str(ini) if ini else None)
    config.set_main_option("script_location", str(location))
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


# How long a schema change waits for another one to finish (seconds): `--lock-wait`, [schema] lock_wait.
DEFAULT_LOCK_WAIT = 60.0
LOCK_BUSY_HINT = ("nothing was changed. Run it again when the other schema change ends, "
                  "or wait longer with --lock-wait (e.g. --lock-wait 10m)")


@contextmanager
def schema_lock(engine: Engine, wait: float = DEFAULT_LOCK_WAIT,
                on_wait: Callable[[str], None] | None = None) -> Iterator[float]:
    """Serialise schema changes on this database (gmctl.retention.lock, job "schema").

    Waits up to `wait` seconds for another upgrade/downgrade/init/adopt, then raises Busy (exit 75).
    Yields the seconds waited. The caller reads the revision only after taking the lock, so a run
    that waited behind an identical upgrade finds the database already at head and does nothing.
    """
    from gmctl.retention.lock import exclusive_run

    with exclusive_run(engine, "schema", leftover_wait=0.0, wait=wait, on_wait=on_wait,
                       busy_hint=LOCK_BUSY_HINT) as waited:
        yield waited


def upgrade(engine: Engine, target: str = "head", *, lock_wait: float = DEFAULT_LOCK_WAIT,
            on_wait: Callable[[str], None] | None = None) -> tuple[str | None, str | None]:
    """Migrate up in one transaction, holding the schema lock. Returns (before, after).

    Raises Busy (exit 75) when another schema change holds the lock for longer than lock_wait s.
    """
    revision = resolve_revision(target)
    with schema_lock(engine, lock_wait, on_wait), engine.begin() as conn:
        before = current_revision(conn)
        command.upgrade(alembic_config(conn), revision)
        return before, current_revision(conn)


def downgrade(engine: Engine, target: str, *, lock_wait: float = DEFAULT_LOCK_WAIT,
              on_wait: Callable[[str], None] | None = None) -> tuple[str | None, str | None]:
    """Migrate down in one transaction, holding the schema lock. Returns (before, after)."""
    revision = resolve_revision(target)
    with schema_lock(engine, lock_wait, on_wait), engine.begin() as conn:
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


def initialise(engine: Engine, *, lock_wait: float = DEFAULT_LOCK_WAIT,
               on_wait: Callable[[str], None] | None = None) -> InitResult:
    """Upgrade to head and make sure the default roles and permissions exist, under the schema lock.

    Safe to repeat, and to run several at once: the others wait, then find the work done.
    """
    from gmctl.db.reference_data import ensure_reference_data

    with schema_lock(engine, lock_wait, on_wait), engine.begin() as conn:
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

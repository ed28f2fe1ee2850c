"""The bad-input sweep: every parameter of every command, given bad values, on a demo database.

The command tree is read from the real Typer/Click objects (every lazily registered group loaded),
so a new command or option is swept with no edit here. For each parameter that takes a value, the
values of tests/sweep/values.py for its kind are tried, one at a time, with the command's other
required parameters filled with ordinary values and `--yes` given (a refused input must still refuse
when confirmation is not what stops it). Each case runs in-process against a demo-seeded database
that commits for real, signed in as the demo admin (given super_admin here so that no permission
check hides the parsing), and must:

- end with no traceback and no "unexpected" in its output, and no exception escaping the command;
- exit with a documented code (gmctl.errors.EXIT_CODES);
- when it exits non-zero, leave every row as it was: a fingerprint of all tables (row count and the
  sum of each row's hashtext) is compared before and after.

Skipped (SKIP below): `users mfa enable`, which needs a terminal to do anything (it shows a QR code
and reads a code; it has no parameters to sweep either). Stdin is always empty, so
no prompt can block; each case also has a time limit, so a command that hangs fails instead.
Flags (options without a value) get no bad values: they have none.
"""

from __future__ import annotations

import os
import shutil
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import psycopg
import pytest

from gmctl.errors import EXIT_CODES
from tests.conftest import FIXED_NOW
from tests.sweep.values import values_for

# Commands the sweep does not run, and why. Everything else in the tree is swept.
SKIP: dict[tuple[str, ...], str] = {
    ("users", "mfa", "enable"): "needs a terminal: shows a QR code and reads a code from the person",
}
# Faults of kinds another branch of issue 15 fixes (the owner is named); a failure there is expected
# until that branch is merged, and a pass is fine. Keys are case labels up to "=".
OWNED_ELSEWHERE: dict[str, str] = {
    "users export --output": "failures to write output (/dev/full): the output branch",
    "db restore --target-url": "database URL validation: the prodinstall branch",
    "db restore --create-db": "database names: the prodinstall branch",
    "db create-backup-role --name": "reserved role names: the prodinstall branch",
    "root --database-url": "database URL validation: the prodinstall branch",
}
CASE_SECONDS = 30  # one case may take this long (a backup runs pg_dump) before it counts as hung

# Ordinary values for the parameters a case is not testing, by parameter name; then by kind.
FILL_BY_NAME: dict[str, str] = {
    "email": "sweep.person@example.com",
    "username": "sweep_person",
    "new_status": "confirmed",
    "level": "high",
    "permission": "view_reports",
    "role": "staff",
    "name": "sweep_role",
    "display_name": "Sweep Role",
    "text": "swept text",
    "words": "generator",
    "revision": "head",
    "keep": "3",
}
DEEP_FILL = {"role"}  # beside every option naming a person (see _companion)
REQUEST, CUSTOMER = "{request}", "{customer}"


@dataclass(frozen=True)
class Case:
    path: tuple[str, ...]
    argv: tuple[str, ...]
    label: str


def _command_tree() -> Iterator[tuple[tuple[str, ...], Any]]:
    import typer.main

    from gmctl.cli import build_app

    root = typer.main.get_command(build_app([], load_all=True))
    yield (), root
    stack: list[tuple[tuple[str, ...], Any]] = [((), root)]
    while stack:
        path, group = stack.pop()
        for name, command in sorted(getattr(group, "commands", {}).items()):
            yield (*path, name), command
            stack.append(((*path, name), command))


def _takes_value(param: Any) -> bool:
    """An option that is followed by a value (not a flag, not hidden)."""
    return param.param_type_name == "option" and not param.is_flag and not param.count and not param.hidden


def _companion(param: Any) -> bool:
    """An optional option filled anyway, because commands often need it to get as far as the value
    under test (`roles grant` refuses before --expires without --user and --role): people and roles."""
    return getattr(param.type, "name", "") == "user" or param.name in DEEP_FILL


def _fill(param: Any) -> str:
    type_name = getattr(param.type, "name", "").lower()
    if type_name == "id":
        return REQUEST
    if type_name == "user":
        return CUSTOMER
    if type_name == "path":
        return "{tmp}/missing.backup"
    if hasattr(param.type, "choices"):
        return str(list(param.type.choices)[0])
    if type_name in ("integer", "int", "int range"):
        return "1"
    return FILL_BY_NAME.get(param.name, "sweep")


def _argv(path: tuple[str, ...], command: Any, tested: Any, value: str) -> list[str]:
    arguments: list[str] = []
    options: list[str] = []
    for param in command.params:
        if param.param_type_name == "argument":
            if param is tested:
                arguments.append(value)
            elif param.required:
                arguments.append(_fill(param))
        elif param is tested:
            options += [param.opts[0], value]
        elif _takes_value(param) and (param.required or _companion(param)):
            options += [param.opts[0], _fill(param)]
    return [*path, *options, "--yes", "--", *arguments] if arguments else [*path, *options, "--yes"]


def build_cases(tmp: Path) -> list[Case]:
    cases: list[Case] = []
    for path, command in _command_tree():
        if path in SKIP or (path and getattr(command, "commands", None) and not command.params):
            continue
        target = path or ("roles", "list")  # the root's own options, given to a harmless command
        for param in command.params:
            if param.param_type_name != "argument" and not _takes_value(param):
                continue
            if param.name in ("install_completion", "show_completion"):
                continue
            for label, value in values_for(param, tmp):
                if path:
                    argv = _argv(path, command, param, value)
                else:
                    argv = [param.opts[0], value, *target]
                name = param.opts[0] if param.param_type_name == "option" else param.human_readable_name
                cases.append(Case(path or ("(root)",), tuple(argv), f"{' '.join(path) or 'root'} {name}={label}"))
    return cases


SWEEP_TMP = Path(os.environ.get("TMPDIR", "/tmp")) / f"gmctl-sweep-{os.getpid()}"
CASES = build_cases(SWEEP_TMP)


# -- the database ----------------------------------------------------------------------------------
@dataclass
class SweepDb:
    url: str
    engine: Any
    operator: Any
    fills: dict[str, str]
    fingerprint_sql: str
    conn: psycopg.Connection
    known: list[tuple] | None = None  # the fingerprint after the last case, unless that case succeeded

    def fingerprint(self) -> list[tuple]:
        """Per table: (name, row count, sum of hashtext(row::text)): any insert, update or delete shows."""
        self.known = self.conn.execute(self.fingerprint_sql).fetchall()
        return self.known

    def before_case(self) -> list[tuple]:
        # Nothing else writes to this database: after a refused case, its "after" is the next "before".
        return self.known if self.known is not None else self.fingerprint()


def _fingerprint_sql(conn: psycopg.Connection) -> str:
    tables = [row[0] for row in conn.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
        "AND table_type = 'BASE TABLE' ORDER BY 1")]
    return " UNION ALL ".join(
        f"SELECT '{t}', count(*), coalesce(sum(hashtext(x::text)::bigint), 0) FROM public.\"{t}\" x"
        for t in tables) + " ORDER BY 1"


@pytest.fixture(scope="module")
def sweep_db(pg_server, template_db) -> Iterator[SweepDb]:
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from gmctl.auth.permissions import load_operator
    from gmctl.db.engine import make_engine
    from gmctl.db.url import libpq_url
    from gmctl.seed.demo import seed_demo

    name = pg_server.clone(template_db, f"gmctl_sweep_{os.getpid()}")
    url = pg_server.url_for(name)
    engine = make_engine(url)
    with Session(engine) as session:
        result = seed_demo(session, FIXED_NOW)
        admin = result.admin_user_id
        # super_admin too, so that no permission check hides how a value is parsed
        session.execute(text("INSERT INTO user_roles (user_id, role_id, assigned_at) SELECT :u, id, now() "
                             "FROM roles WHERE name = 'super_admin' ON CONFLICT DO NOTHING"), {"u": admin})
        session.commit()
        operator = load_operator(session, admin, FIXED_NOW)
        request = session.scalar(text("SELECT min(id) FROM service_requests WHERE status = 'pending'"))
        customer = session.scalar(text(
            "SELECT min(username) FROM users WHERE NOT is_staff AND NOT is_superuser AND erased_at IS NULL"))
    roles_before = _server_roles(pg_server)
    conn = psycopg.connect(libpq_url(url), autocommit=True)
    db = SweepDb(url, engine, operator, {REQUEST: str(request), CUSTOMER: customer},
                 _fingerprint_sql(conn), conn)
    try:
        yield db
    finally:
        conn.close()
        engine.dispose()
        _drop_new_roles(pg_server, name, roles_before)
        pg_server.drop(name)


def _server_roles(pg_server) -> set[str]:
    from gmctl.db.url import libpq_url

    with psycopg.connect(libpq_url(pg_server.admin_url)) as conn:
        return {row[0] for row in conn.execute("SELECT rolname FROM pg_roles")}


def _drop_new_roles(pg_server, database: str, before: set[str]) -> None:
    """create-backup-role makes server-wide roles: drop any the sweep made, so the server is as found."""
    from psycopg import sql

    from gmctl.db.url import libpq_url

    new = _server_roles(pg_server) - before
    if not new:
        return
    with psycopg.connect(libpq_url(pg_server.url_for(database)), autocommit=True) as conn:
        for role in new:
            conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
    for role in new:
        pg_server.execute(f'DROP ROLE IF EXISTS "{role}"')


class CaseTimeout(BaseException):
    """Raised in a case that runs past CASE_SECONDS (a BaseException: no handler in gmctl catches it)."""


@pytest.fixture(scope="module")
def runner(sweep_db, tmp_path_factory):
    import typer.main
    from typer.testing import CliRunner

    from gmctl.cli import build_app, hoist_global_options

    SWEEP_TMP.mkdir(parents=True, exist_ok=True)
    home = tmp_path_factory.mktemp("sweep-home")
    import typer.testing

    command = typer.main.get_command(build_app([], load_all=True))
    cli = CliRunner()
    # Build the Click tree once, not once a case: typer's runner converts only what it is given.
    convert = typer.testing._get_command
    typer.testing._get_command = lambda app: app if app is command else convert(app)
    previous = os.getcwd()
    os.chdir(SWEEP_TMP)  # relative paths the sweep gives (a name that is only control characters) land here
    timings: list[float] = []

    def run(argv: tuple[str, ...]):
        from gmctl.context import Env

        env = Env(environ={"GMCTL_HOME": str(home), "NO_COLOR": "1"}, home=home, clock=lambda: FIXED_NOW,
                  engine=sweep_db.engine, operator=sweep_db.operator)
        args = [a.replace("{tmp}", str(SWEEP_TMP)) for a in argv]
        args = [sweep_db.fills.get(a, a) for a in args]

        def hung(*_: Any) -> None:
            raise CaseTimeout(f"no answer after {CASE_SECONDS} s")

        old = signal.signal(signal.SIGALRM, hung)
        signal.setitimer(signal.ITIMER_REAL, CASE_SECONDS)
        started = time.perf_counter()
        try:
            return cli.invoke(command, hoist_global_options(args), obj=env, catch_exceptions=True)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)
            timings.append(time.perf_counter() - started)

    yield run
    typer.testing._get_command = convert
    os.chdir(previous)
    shutil.rmtree(SWEEP_TMP, ignore_errors=True)  # the backups and exports the accepted cases wrote
    if timings:
        print(f"\nbad-input sweep: {len(timings)} cases, {sum(timings):.1f} s in the commands")


def test_the_sweep_is_big_enough():
    groups = {case.path[0] for case in CASES}
    assert len(CASES) >= 1000, len(CASES)
    assert {"requests", "users", "roles", "db", "(root)"} <= groups


@pytest.mark.parametrize("case", CASES, ids=[c.label for c in CASES])
def test_bad_input(case: Case, runner, sweep_db):
    owner = OWNED_ELSEWHERE.get(case.label.split("=", 1)[0])
    try:
        _check(case, runner, sweep_db)
    except AssertionError:
        if owner is None:
            raise
        pytest.xfail(f"fixed by another branch: {owner}")


def _check(case: Case, runner, sweep_db) -> None:
    before = sweep_db.before_case()
    sweep_db.known = None  # until this case is known to have been refused
    result = runner(case.argv)
    output = result.stdout + (result.stderr if result.stderr_bytes is not None else "")
    shown = f"gmctl {' '.join(a[:60] for a in case.argv)!r} -> exit {result.exit_code}\n{output[-2000:]}"
    escaped = result.exception if not isinstance(result.exception, SystemExit) else None
    assert escaped is None, f"{type(escaped).__name__}: {escaped}\n{shown}"
    assert "Traceback" not in output, shown
    assert "unexpected" not in output.lower(), shown
    assert result.exit_code in EXIT_CODES, shown
    if result.exit_code != 0:
        after = sweep_db.fingerprint()
        changed = [a[0] for a, b in zip(after, before) if a != b] or ["(tables added or dropped)"]
        assert after == before, f"refused, yet rows changed in {changed}\n{shown}"


def test_every_number_and_id_is_parsed_by_the_shared_parameter_types():
    """Click's own int takes `١٢٣`, `1_000` and numbers past any column: every number goes through
    gmctl.cli.params (bounded, id, count) instead, and every id through its id type."""
    loose, ids = [], []
    for path, command in _command_tree():
        for param in command.params:
            kind = type(param.type).__name__
            where = f"{' '.join(path) or 'gmctl'} {param.human_readable_name}"
            if kind in ("IntParamType", "IntRange", "FloatParamType", "FloatRange"):
                loose.append(where)
            named_id = param.name.endswith("_id") or (param.metavar or "") == "ID"
            if named_id and getattr(param.type, "name", "") != "id":
                ids.append(where)
    assert not loose, f"use gmctl.cli.params.bounded/count for: {loose}"
    assert not ids, f"use gmctl.cli.params.id_argument/id_option for: {ids}"

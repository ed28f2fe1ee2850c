"""Which commands may read the replica, the pooler URL parameter, and the two global options (no server)."""

from __future__ import annotations

import pytest
import typer

from gmctl.cli import build_app
from gmctl.context import Env
from gmctl.db.pooler import split_pooler
from gmctl.db.replica import read_target
from gmctl.errors import InvalidInput
from tests.conftest import invoke

# The documented list (docs/production-pooling.part.md): everything else reads and writes the primary.
READS_FROM_REPLICA = {
    "requests list", "requests show", "requests search", "requests stats", "requests export",
    "users list", "users show",
    "roles list", "roles show", "roles permissions",
    "db stats tables", "db stats duplicates", "db stats bloat",
    "loans list", "loans show", "loans stats", "loans schedule", "loans key-facts",
    "payments list", "payments show", "payments summary",
    "files list", "files show", "files duplicates",
}


def walk(command, prefix=()):
    if hasattr(command, "commands"):  # a group
        for name, child in command.commands.items():
            yield from walk(child, (*prefix, name))
    elif command.callback is not None:
        yield " ".join(prefix), command.callback


def test_the_commands_marked_as_reads_are_the_documented_ones():
    app = typer.main.get_command(build_app([], load_all=True))
    marked = {name for name, callback in walk(app) if getattr(callback, "__gmctl_replica__", False)}
    assert marked == READS_FROM_REPLICA


@pytest.mark.parametrize("url, expected", [
    ("postgresql://ops@pgb:6432/gm?gmctl_pooler=transaction", ("postgresql://ops@pgb:6432/gm", "transaction")),
    ("postgresql://ops@pgb:6432/gm?sslmode=require&gmctl_pooler=transaction",
     ("postgresql://ops@pgb:6432/gm?sslmode=require", "transaction")),
    ("postgresql://postgres@/gm?host=/run/pg&gmctl_pooler=none", ("postgresql://postgres@/gm?host=/run/pg", "none")),
    ("postgresql://ops@db/gm?sslmode=require", ("postgresql://ops@db/gm?sslmode=require", None)),
])
def test_the_pooler_parameter_is_taken_out_of_the_url(url, expected):
    assert split_pooler(url) == expected


def test_an_unknown_pooler_is_invalid_input():
    with pytest.raises(InvalidInput) as caught:
        split_pooler("postgresql://ops@pgb/gm?gmctl_pooler=statement")
    assert caught.value.exit_code == 2 and "'statement'" in caught.value.message


def test_read_url_option_beats_the_environment_which_beats_the_profile(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text(
        'active_profile = "live"\n[profiles.live]\ndatabase_url = "postgresql://ops@primary/gm"\n'
        'read_url = "postgres://ops@replica/gm"\n'
    )
    env = Env(environ={"GMCTL_HOME": str(home)}, home=home)
    assert (read_target(env).url, read_target(env).source) == ("postgresql://ops@replica/gm", "profile live")
    env.environ = {"GMCTL_HOME": str(home), "GMCTL_READ_DATABASE_URL": "postgresql://ops@other/gm"}
    assert read_target(env).source == "GMCTL_READ_DATABASE_URL"
    env.read_url = "postgresql://ops@third/gm"
    assert read_target(env).url == "postgresql://ops@third/gm"
    # A database URL from elsewhere: the profile is not in use, nor its read_url.
    plain = Env(environ={"GMCTL_HOME": str(home), "GMCTL_DATABASE_URL": "postgresql://ops@x/gm"}, home=home)
    assert read_target(plain) is None


def test_the_global_options_reach_the_env(tmp_path):
    env = Env(environ={"GMCTL_HOME": str(tmp_path)}, home=tmp_path)
    result = invoke(env, "--read-url", "postgresql://ops@replica/gm", "--primary", "db", "--help")
    assert result.exit_code == 0, result.stderr
    assert env.read_url == "postgresql://ops@replica/gm" and env.primary is True

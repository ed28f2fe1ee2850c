"""Issue 14 part 1: a wheel install (pip install ., pipx install) carries the migrations and migrates.

The top-level migrations/ and alembic.ini stay for work in the repository, with one copy of each
revision: setup.py maps migrations/ into the wheel as gmctl/migrations.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.production.conftest import REPO

pytestmark = pytest.mark.slow

REVISIONS = sorted(p.name for p in (REPO / "migrations" / "versions").glob("*.py"))


def test_the_wheel_carries_every_revision_and_every_module(installed_gmctl):
    names = set(zipfile.ZipFile(installed_gmctl.wheel).namelist())
    assert {f"gmctl/migrations/versions/{r}" for r in REVISIONS} <= names
    assert {"gmctl/migrations/env.py", "gmctl/migrations/script.py.mako"} <= names
    tracked = subprocess.run(["git", "ls-files", "gmctl"], cwd=REPO, capture_output=True, text=True,
                             check=True).stdout.split()
    missing = [m for m in tracked if m.endswith(".py") and m not in names]
    assert missing == [], "modules left out of the wheel (a package without __init__.py?)"
    assert not any(n.startswith(("migrations/", "tests/")) for n in names), "no stray top-level packages"


def test_one_copy_of_each_revision_in_the_repository():
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True,
                             check=True).stdout.split()
    for revision in REVISIONS:
        copies = [t for t in tracked if t.endswith("/" + revision)]
        assert copies == [f"migrations/versions/{revision}"], copies
    assert not (REPO / "gmctl" / "migrations").exists()


def test_installed_gmctl_is_the_wheel_not_the_source_tree(installed_gmctl):
    done = subprocess.run([str(installed_gmctl.python), "-c",
                           "import gmctl, gmctl.schema as s; print(gmctl.__file__); print(s.migrations_dir())"],
                          cwd=installed_gmctl.workdir, env=installed_gmctl.environ(),
                          capture_output=True, text=True, check=True)
    module, migrations = done.stdout.split()
    assert Path(module).is_relative_to(installed_gmctl.prefix)
    assert Path(migrations) == Path(module).parent / "migrations"
    assert not Path(module).is_relative_to(REPO)


def test_installed_gmctl_migrates_an_empty_database(installed_gmctl, empty_url):
    upgraded = installed_gmctl.run("db", "upgrade", url=empty_url)
    assert upgraded.returncode == 0, upgraded.stderr
    assert "(was empty)" in upgraded.stderr + upgraded.stdout
    current = installed_gmctl.run("--format", "json", "db", "current", url=empty_url)
    assert current.returncode == 0, current.stderr
    state = json.loads(current.stdout)
    assert state["at_head"] is True and state["revision"]
    history = installed_gmctl.run("--format", "json", "db", "history", url=empty_url)
    assert len(json.loads(history.stdout)) == len(REVISIONS)
    check = installed_gmctl.run("db", "check", url=empty_url)
    assert check.returncode == 0, check.stdout + check.stderr
    again = installed_gmctl.run("db", "init", url=empty_url)
    assert again.returncode == 0 and "already at head" in again.stderr + again.stdout


def test_editable_install_reads_the_repository_migrations():
    import gmctl
    from gmctl import schema

    if not Path(gmctl.__file__).resolve().is_relative_to(REPO):
        pytest.skip("the test venv's gmctl is not an editable install of this checkout")
    assert schema.migrations_dir() == REPO / "migrations"


def test_plain_alembic_from_the_repository_root(empty_url):
    alembic = Path(sys.executable).with_name("alembic")
    command = [str(alembic)] if alembic.exists() else [sys.executable, "-m", "alembic"]
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("GMCTL_")}
    env["GMCTL_DATABASE_URL"] = empty_url
    done = subprocess.run([*command, "upgrade", "head"], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, done.stderr
    current = subprocess.run([*command, "current"], cwd=REPO, env=env, capture_output=True, text=True,
                             timeout=60)
    assert "(head)" in current.stdout

"""Issue 15 part 4 (URLs): every bad database URL is exit 2 naming where it came from and what to do.

Examples from the issue's sweep: not-a-url, sqlite:///x.db, mysql://u@h/db, postgresql://u@h:abc/db
(each gave a different "unexpected ..."), `db restore --target-url '[/]'`, `--create-db ''` and
`--create-db %` (raw driver errors), `db create-backup-role --name public` (unexpected ReservedName).
"""

from __future__ import annotations

import uuid
from pathlib import Path

import psycopg
import pytest

from gmctl.context import Env
from gmctl.db.url import check_url, libpq_url
from gmctl.errors import InvalidInput
from tests.conftest import FIXED_NOW, invoke

BAD_URLS = {
    "not-a-url": "is not a database URL",
    "sqlite:///x.db": "is a sqlite:// URL; gmctl works with PostgreSQL only",
    "mysql://u@h/db": "is a mysql:// URL; gmctl works with PostgreSQL only",
    "postgresql://u@h:abc/db": "the port 'abc' in",
    "postgresql+psycopg2://u@h/db": "asks for the driver 'psycopg2'",
    "host=db.internal dbname=gm": "is a keyword=value connection string",
    "postgresql://u@[::1/db": "is not closed with ']'",
    "postgresql://u@h/db?sslmdoe=require": "the URL parameter 'sslmdoe'",
    "postgresql://u@h/db?sslmode": "is not name=value",
    "postgresql://u@h:70000/db": "is not a number from 1 to 65535",
    "   ": "is empty",
}


def run(tmp_path: Path, *args: str, environ: dict[str, str] | None = None, config: str | None = None):
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    if config is not None:
        (home / "config.toml").write_text(config)
    env = Env(environ={"GMCTL_HOME": str(home), "NO_COLOR": "1", **(environ or {})}, home=home,
              clock=lambda: FIXED_NOW)
    return invoke(env, *args)


def assert_clear_usage_error(result, *expected: str) -> None:
    assert result.exit_code == 2, result.output
    assert "unexpected" not in result.stderr and "Traceback" not in result.stderr
    assert "\nhint: " in result.stderr, "says what to do"
    for text in expected:
        assert text in result.stderr, result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("url", list(BAD_URLS))
@pytest.mark.parametrize("source", ["--database-url", "GMCTL_DATABASE_URL", "DATABASE_URL", "profile"])
def test_bad_url_names_its_source(tmp_path, url, source):
    if source == "--database-url":
        result = run(tmp_path, "--database-url", url, "db", "current")
        named = "--database-url"
    elif source == "profile":
        escaped = url.replace("\\", "\\\\").replace('"', '\\"')
        result = run(tmp_path, "db", "current",
                     config=f'active_profile = "prod"\n[profiles.prod]\ndatabase_url = "{escaped}"\n')
        named = "database_url of profile prod in "
    else:
        result = run(tmp_path, "db", "current", environ={source: url})
        named = source
    assert_clear_usage_error(result, named, BAD_URLS[url])
    assert not (tmp_path / "home" / "pgdata").exists(), "refused before any server was started"


def test_installed_gmctl_with_each_example(installed_gmctl):
    for url in ("not-a-url", "sqlite:///x.db", "mysql://u@h/db", "postgresql://u@h:abc/db"):
        done = installed_gmctl.run("db", "current", url=url, timeout=60)
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith("error: ") and "GMCTL_DATABASE_URL" in done.stderr, done.stderr
        assert "hint: " in done.stderr and "unexpected" not in done.stderr


@pytest.mark.parametrize("url", [
    "postgresql://ops@db.internal:5432/gm",
    "postgres://ops@db.internal/gm",
    "postgresql+psycopg://ops:s3cr%40t@db.internal/gm?sslmode=require&connect_timeout=10",
    "postgresql://postgres@/postgres?host=/tmp/gmctl-pg15.X",
    "postgresql://ops:p&ss:w0rd@[::1]:5432/gm",
    "postgresql://ops@h1,h2/gm?target_session_attrs=read-write",
])
def test_good_urls_pass_unchanged_but_for_the_scheme(url):
    checked = check_url(url, "X")
    assert checked.startswith("postgresql://")
    assert checked.split("://", 1)[1] == url.split("://", 1)[1]


def test_restore_target_url_is_checked_before_anything_is_read(tmp_path):
    result = run(tmp_path, "db", "restore", str(tmp_path / "missing.backup"), "--target-url", "[/]")
    assert_clear_usage_error(result, "--target-url is not a database URL")


@pytest.mark.parametrize("name,expected", [("", "the new database's name is empty"),
                                           ("   ", "the new database's name is empty"),
                                           ("a\tb", "control character"),
                                           ("x" * 64, "PostgreSQL keeps at most 63")])
def test_restore_create_db_name_is_checked(tmp_path, name, expected):
    result = run(tmp_path, "db", "restore", str(tmp_path / "missing.backup"), "--create-db", name)
    assert_clear_usage_error(result, expected)
    assert not (tmp_path / "home" / "pgdata").exists(), "refused before any server was started"


@pytest.mark.parametrize("name", ["public", "none", "current_user", "pg_backup"])
def test_backup_role_reserved_names(tmp_path, name):
    result = run(tmp_path, "db", "create-backup-role", "--name", name)
    assert_clear_usage_error(result, f"'{name}' is reserved by PostgreSQL")
    assert not (tmp_path / "home" / "pgdata").exists(), "refused before any server was started"


@pytest.mark.slow
def test_restore_into_databases_named_with_url_characters(tmp_path, scratch_url, pg_server):
    """`--create-db %` used to leak "invalid percent-encoded token": such a name is legal and works."""
    environ = {"GMCTL_DATABASE_URL": scratch_url}
    made = run(tmp_path, "db", "backup", "--dir", str(tmp_path / "backups"), environ=environ)
    assert made.exit_code == 0, made.output
    backup = next((tmp_path / "backups").glob("*.backup"))
    for name in ("%", f"month end {uuid.uuid4().hex[:6]}", f"a/b?c#{uuid.uuid4().hex[:6]}"):
        try:
            result = run(tmp_path, "db", "restore", str(backup), "--create-db", name, environ=environ)
            assert result.exit_code == 0, result.output
            with psycopg.connect(libpq_url(pg_server.admin_url), autocommit=True) as conn:
                assert conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        finally:
            pg_server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_check_url_never_echoes_a_value_that_is_not_a_url():
    with pytest.raises(InvalidInput) as caught:
        check_url("Kx7qPz9w-my-password", "GMCTL_DATABASE_URL")
    assert "Kx7q" not in caught.value.message + (caught.value.hint or "")

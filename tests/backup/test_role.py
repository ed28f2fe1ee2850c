"""The backup role: read-only, readable future tables, a generated password, never the document's."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone

import psycopg
import pytest
from sqlalchemy.engine import make_url

from gmctl.backup import dump
from gmctl.backup.role import SEED_PASSWORD
from gmctl.db.url import libpq_url


@pytest.fixture
def role_db(pg_server, template_db):
    name = pg_server.clone(template_db)
    url = pg_server.url_for(name)
    roles: list[str] = []
    yield url, roles
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        for role in roles:
            if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
                conn.execute(f'DROP OWNED BY "{role}"')
    pg_server.drop(name)
    for role in roles:
        pg_server.execute(f'DROP ROLE IF EXISTS "{role}"')


def as_role(url: str, role: str) -> str:
    return make_url(url).set(username=role, password=None).render_as_string(hide_password=False)


def test_generated_password_is_shown_once_and_the_role_can_only_read(gm, role_db):
    url, roles = role_db
    role = f"gmctl_t_backup_{uuid.uuid4().hex[:8]}"
    roles.append(role)
    result = gm(url, "db", "create-backup-role", "--name", role)
    assert result.exit_code == 0, result.stderr
    fields = dict(line.split("\t", 1) for line in result.stdout.strip().splitlines()[1:])
    assert fields["role"] == role and fields["created"] == "true"
    assert len(fields["password"]) >= 32 and fields["password"] != SEED_PASSWORD
    assert "will not show it again" in result.stderr
    with psycopg.connect(libpq_url(url)) as conn:
        stored = conn.execute("SELECT rolpassword FROM pg_authid WHERE rolname = %s", (role,)).fetchone()[0]
        assert stored.startswith("SCRAM-SHA-256$")  # only a verifier reached the server
        attributes = conn.execute(
            "SELECT rolsuper, rolcreatedb, rolcreaterole, rolcanlogin FROM pg_roles WHERE rolname = %s",
            (role,),
        ).fetchone()
        assert attributes == (False, False, False, True)
        conn.execute("CREATE TABLE later_table (id int)")  # made after the grant, by the owner
        conn.execute("INSERT INTO later_table VALUES (1)")
    with psycopg.connect(libpq_url(as_role(url, role))) as conn:
        assert conn.execute("SELECT count(*) FROM users").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM later_table").fetchone()[0] == 1  # default privileges
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO roles (name, display_name) VALUES ('hacker', 'H')")


def test_the_backup_role_can_back_up_but_restoring_needs_createdb(gm, role_db, tmp_path):
    url, roles = role_db
    role = f"gmctl_t_backup_{uuid.uuid4().hex[:8]}"
    roles.append(role)
    assert gm(url, "db", "create-backup-role", "--name", role).exit_code == 0
    reader = as_role(url, role)
    [made] = dump.make_backups(reader, ["full"], tmp_path, datetime.now(timezone.utc))
    assert made.manifest.tables["public.users"] == 0 and made.manifest.size > 0
    restore = gm(reader, "db", "restore", str(made.path), "--create-db", "gmctl_t_never_made")
    assert (
        restore.exit_code == 4
        and "may not create databases" in restore.stderr
        and "CREATEDB" in restore.stderr
    )
    verify = gm(reader, "--format", "json", "db", "backup", "verify", "--restore", str(made.path))
    assert verify.exit_code == 1
    [failed] = [row for row in json.loads(verify.stdout) if not row["ok"]]
    assert failed["check"] == "restore" and "CREATEDB" in failed["detail"]


def test_the_documents_password_is_refused(gm, role_db):
    url, roles = role_db
    role = f"gmctl_t_backup_{uuid.uuid4().hex[:8]}"
    roles.append(role)
    result = gm(
        url, "db", "create-backup-role", "--name", role, "--password-stdin", input=SEED_PASSWORD + "\n"
    )
    assert result.exit_code == 2 and "schema document" in result.stderr
    with psycopg.connect(libpq_url(url)) as conn:
        assert conn.execute("SELECT count(*) FROM pg_roles WHERE rolname = %s", (role,)).fetchone()[0] == 0


def test_password_from_stdin_is_not_echoed_and_an_existing_role_gets_a_new_one(gm, role_db):
    url, roles = role_db
    role = f"gmctl_t_backup_{uuid.uuid4().hex[:8]}"
    roles.append(role)
    secret = "correct-horse-battery-staple"
    first = gm(url, "db", "create-backup-role", "--name", role, "--password-stdin", input=secret + "\n")
    assert first.exit_code == 0, first.stderr
    assert secret not in first.stdout + first.stderr
    again = gm(url, "--format", "json", "db", "create-backup-role", "--name", role)
    assert again.exit_code == 0 and '"created": false' in again.stdout
    assert "given a new password" in again.stderr


def test_bad_names_and_short_passwords_are_invalid_input(gm, role_db):
    url, _ = role_db
    assert gm(url, "db", "create-backup-role", "--name", "Robert'); DROP").exit_code == 2
    short = gm(
        url, "db", "create-backup-role", "--name", "gmctl_t_short", "--password-stdin", input="short\n"
    )
    assert short.exit_code == 2 and "at least" in short.stderr

"""A seeded demo database for the tests that run the installed gmctl (pseudo-terminals, streams)."""

from __future__ import annotations

import json
import os
import subprocess
import uuid

import psycopg
import pytest

from gmctl.db.url import libpq_url
from tests.e2e.conftest import gmctl_executable

EVIL_NAME = "\x1b[31mRed\x1b[0m\x1b]0;owned\x07"
YORUBA_NAME = ("Ọláníyì", "Adébáyọ̀")


@pytest.fixture(scope="package")
def demo(pg_server, template_db, tmp_path_factory):
    """A clone of the template with the demo data, a signed-in demo admin, and hostile rows."""
    name = pg_server.clone(template_db, f"gmctl_pty_{uuid.uuid4().hex[:8]}")
    url = pg_server.url_for(name)
    home = tmp_path_factory.mktemp("pty-home")
    environ = {k: v for k, v in os.environ.items()
               if k not in ("GMCTL_DATABASE_URL", "DATABASE_URL", "GMCTL_PROFILE", "COLUMNS", "LINES")}
    environ.update(GMCTL_HOME=str(home), GMCTL_DATABASE_URL=url, NO_COLOR="1", TERM="xterm")
    seeded = subprocess.run([*gmctl_executable(), "--format", "json", "db", "seed", "--demo"], env=environ,
                            capture_output=True, text=True, timeout=300)
    assert seeded.returncode == 0, seeded.stderr
    admin = next(a for a in json.loads(seeded.stdout)["accounts"] if a["role"] == "admin")
    login = subprocess.run([*gmctl_executable(), "login", "--username", admin["username"], "--password-stdin"],
                           env=environ, input=admin["password"] + "\n", capture_output=True, text=True, timeout=60)
    assert login.returncode == 0, login.stderr
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute("UPDATE users SET first_name = %s WHERE username = 'demo_staff_zainab'", (EVIL_NAME,))
        conn.execute("UPDATE users SET first_name = %s, last_name = %s WHERE id = (SELECT min(id) FROM users "
                     "WHERE NOT is_staff)", YORUBA_NAME)
        conn.execute("UPDATE service_requests SET title = %s WHERE id = (SELECT min(id) FROM service_requests "
                     "WHERE status = 'pending')", ("Title\twith a tab\nand a newline " + EVIL_NAME,))
    yield environ
    pg_server.drop(name)

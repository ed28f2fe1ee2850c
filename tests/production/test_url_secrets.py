"""Issue 14 part 6: no part of a password is ever printed, however malformed the URL.

Passwords hold each of @ : / % # ? &, a space, and non-ASCII letters, typed raw or percent-encoded.
Every place a URL can reach a person is checked for every fragment of the password: errors,
--debug tracebacks, `db server status`, `db doctor`, and logs (Python logging at DEBUG, alembic's
log, the PostgreSQL server log).
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy.engine import make_url

from gmctl.context import Env
from gmctl.db.url import mask_url
from tests.conftest import FIXED_NOW, invoke
from tests.production.conftest import REPO

SPECIALS = ["@", ":", "/", "%", "#", "?", "&", " ", "ẹ", "ọ̀"]
# The characters that may stand raw in a password; the others must be percent-encoded.
RAW_ALLOWED = {":", "&", "ẹ", "ọ̀"}
CASES = [(ch, form) for ch in SPECIALS for form in ("raw", "encoded")]
UNREACHABLE = "127.0.0.1:1"  # nothing listens on port 1


def password_for(ch: str) -> str:
    return f"Kx7q{ch}Pz9w"


def fragments(password: str) -> list[str]:
    """The password and every run of it between URL delimiters (what a bad mask used to show)."""
    pieces = [p for p in re.split(r"[@:/%#?& ]", password) if p]
    return [password, quote(password, safe=""), *pieces]


def assert_no_fragment(password: str, *outputs: str) -> None:
    shown = "\n".join(outputs)
    for piece in fragments(password):
        assert piece not in shown, f"password fragment {piece!r} printed:\n{shown}"


def url_with(password: str, form: str, hostport: str = UNREACHABLE, database: str = "gm",
             query: str = "") -> str:
    secret = password if form == "raw" else quote(password, safe="")
    return f"postgresql://ops:{secret}@{hostport}/{database}{query}"


def run(tmp_path: Path, *args: str, url: str):
    home = tmp_path / "home"
    env = Env(environ={"GMCTL_HOME": str(home), "GMCTL_DATABASE_URL": url, "NO_COLOR": "1"}, home=home,
              clock=lambda: FIXED_NOW)
    return invoke(env, *args)


def expect_refusal(ch: str, form: str) -> bool:
    return form == "raw" and ch not in RAW_ALLOWED


@pytest.mark.parametrize("ch,form", CASES)
def test_mask_hides_every_fragment(ch, form):
    password = password_for(ch)
    masked = mask_url(url_with(password, form))
    assert masked == f"postgresql://ops:***@{UNREACHABLE}/gm"
    query = mask_url(f"postgresql://ops@h/gm?sslmode=require&password={password}&application_name=x")
    assert_no_fragment(password, query)


def test_the_issue_example():
    url = "postgresql://ops:Eko@2024@host/db"
    assert mask_url(url) == "postgresql://ops:***@host/db"


@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
@pytest.mark.parametrize("ch,form", CASES)
def test_connection_errors(tmp_path, ch, form, debug):
    password = password_for(ch)
    result = run(tmp_path, *(["--debug"] if debug else []), "db", "current", url=url_with(password, form))
    assert_no_fragment(password, result.stdout, result.stderr)
    assert "unexpected" not in result.stderr
    if expect_refusal(ch, form):
        assert result.exit_code == 2, result.stderr
        assert "GMCTL_DATABASE_URL (postgresql://ops:***@" in result.stderr
        assert "percent-encode the user name and password" in result.stderr
    else:
        assert result.exit_code == 1, result.stderr
        assert f"cannot connect to the database at postgresql://ops:***@{UNREACHABLE}/gm" in result.stderr
        if debug:
            assert "Traceback" in result.stderr


def test_raw_at_sign_hint_says_to_percent_encode(tmp_path):
    result = run(tmp_path, "db", "current", url="postgresql://ops:Eko@2024@host/db")
    assert result.exit_code == 2
    assert "the host part of GMCTL_DATABASE_URL (postgresql://ops:***@host/db) contains '@'" in result.stderr
    assert "percent-encode" in result.stderr and "@ is %40" in result.stderr
    assert "2024" not in result.stdout + result.stderr and "Eko" not in result.stdout + result.stderr


@pytest.mark.parametrize("ch,form", CASES)
def test_server_status(tmp_path, ch, form):
    password = password_for(ch)
    result = run(tmp_path, "--format", "json", "db", "server", "status", url=url_with(password, form))
    assert_no_fragment(password, result.stdout, result.stderr)
    if expect_refusal(ch, form):
        assert result.exit_code == 2
    else:
        assert result.exit_code == 0, result.stderr
        assert f'"configured_url": "postgresql://ops:***@{UNREACHABLE}/gm"' in result.stdout


def working_url(base_url: str, password: str, form: str) -> str:
    """The test server's database as the superuser with a password (trust auth ignores it)."""
    parsed = make_url(base_url)
    hostport = (parsed.host or "") + (f":{parsed.port}" if parsed.port else "")
    query = "&".join(f"{k}={quote(str(v), safe='/')}" for k, v in parsed.query.items())
    return url_with(password, form, hostport=hostport, database=parsed.database or "",
                    query=f"?{query}" if query else "").replace("ops:", f"{parsed.username}:", 1)


@pytest.mark.slow
@pytest.mark.parametrize("ch,form", CASES)
def test_doctor(tmp_path, scratch_url, ch, form):
    password = password_for(ch)
    result = run(tmp_path, "db", "doctor", url=working_url(scratch_url, password, form))
    assert_no_fragment(password, result.stdout, result.stderr)
    assert "unexpected" not in result.stderr
    if expect_refusal(ch, form):
        assert result.exit_code == 2
    else:
        assert "checking postgresql://" in result.stderr and ":***@" in result.stderr
        assert "connection\tfail" not in result.stdout, result.stdout
    unreachable = run(tmp_path, "db", "doctor", url=url_with(password, form))
    assert_no_fragment(password, unreachable.stdout, unreachable.stderr)


LOGGED_RUN = """
import logging, sys
logging.basicConfig(level=logging.DEBUG, stream=sys.stderr, format="%(name)s %(message)s")
for name in ("sqlalchemy.engine", "sqlalchemy.pool", "psycopg", "alembic"):
    logging.getLogger(name).setLevel(logging.DEBUG)
from gmctl.cli import main
sys.argv = ["gmctl", *sys.argv[1:]]
main()
"""


LOGGERS = ("sqlalchemy.engine", "sqlalchemy.pool", "psycopg", "alembic", "gmctl")


@pytest.mark.slow
@pytest.mark.parametrize("ch,form", CASES)
def test_logs_in_process(tmp_path, scratch_url, caplog, ch, form):
    """Python logging at DEBUG for sqlalchemy, psycopg, alembic and gmctl, through --debug runs."""
    password = password_for(ch)
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    outputs = []
    for url in (working_url(scratch_url, password, form), url_with(password, form)):
        for args in (["--debug", "db", "current"], ["--debug", "db", "upgrade"]):
            result = run(tmp_path, *args, url=url)
            outputs += [result.stdout, result.stderr]
    assert_no_fragment(password, caplog.text, *outputs)
    if not expect_refusal(ch, form):
        assert "sqlalchemy.engine" in caplog.text or "sqlalchemy.pool" in caplog.text, "the DEBUG logs were on"


ALL_SPECIALS = "Kx7q" + "".join(SPECIALS) + "Pz9w"


@pytest.mark.slow
def test_logs_of_alembic_a_logged_subprocess_and_the_server(tmp_path, scratch_url, pg_server):
    """alembic's own log (repository root), a separate gmctl process logging at DEBUG, and the
    PostgreSQL server's log, for one password that holds every special character at once."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GMCTL_")}
    env["GMCTL_HOME"] = str(tmp_path / "home")
    outputs = []
    for form in ("raw", "encoded"):
        env["GMCTL_DATABASE_URL"] = working_url(scratch_url, ALL_SPECIALS, form)
        done = subprocess.run([sys.executable, "-c", LOGGED_RUN, "--debug", "db", "upgrade"], env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == (2 if form == "raw" else 0), done.stderr
        outputs += [done.stdout, done.stderr]
    alembic = subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], cwd=REPO, env=env,
                             capture_output=True, text=True, timeout=120)
    assert alembic.returncode == 0, alembic.stderr
    outputs += [alembic.stdout, alembic.stderr]
    logged = "\n".join(outputs)
    assert "sqlalchemy.engine" in logged and "alembic.runtime.migration" in logged, "the logs were on"
    server_log = embedded_server_log(pg_server)
    if not os.environ.get("GMCTL_TEST_DATABASE_URL"):
        assert server_log is not None, "the embedded test server's log was found"
    if server_log is not None:
        outputs.append(server_log.read_text(errors="replace"))
    assert_no_fragment(ALL_SPECIALS, *outputs)


def embedded_server_log(pg_server) -> Path | None:
    """The log of the test session's embedded server (None for GMCTL_TEST_DATABASE_URL servers)."""
    host = make_url(pg_server.admin_url).query.get("host")
    if not host or os.environ.get("GMCTL_TEST_DATABASE_URL"):
        return None
    log = Path(str(host)) / "log"
    return log if log.is_file() else None

"""Start-up is a feature: the requests commands import only what they use."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("sqlalchemy", "psycopg", "alembic", "questionary", "tabulate", "gmctl.requests", "gmctl.db.models")


def loaded_after(code: str) -> set[str]:
    probe = code + "\nimport sys\nprint(' '.join(sorted(sys.modules)))\n"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(done.stdout.split())


def test_requests_help_imports_nothing_heavy():
    loaded = loaded_after(
        "from gmctl.cli import main\ntry:\n    main(['requests', 'list', '--help'])\n"
        "except SystemExit:\n    pass"
    )
    assert not {m for m in loaded if m.startswith(HEAVY)}


def test_the_queue_query_needs_neither_the_orm_nor_the_models():
    loaded = loaded_after("import gmctl.requests.queue")
    assert "sqlalchemy" in loaded
    assert not {
        m for m in loaded if m.startswith(("sqlalchemy.orm", "gmctl.db.models", "questionary", "rich"))
    }


def test_requests_list_signs_in_and_lists_without_the_orm_or_the_models(
    scratch_url, scratch_engine, tmp_path
):
    """The whole read path, token check included, in a fresh process: Core only (issue 5)."""
    import json
    import os

    from sqlalchemy.orm import Session

    from gmctl.auth.sessions import start_session
    from gmctl.context import Env
    from tests.helpers.accounts import make_user

    home = tmp_path / "home"
    with Session(scratch_engine) as session:
        start_session(
            Env(environ={}, home=home), session, make_user(session, "ada", staff=True, roles=("staff",))
        )
        session.commit()
    report = tmp_path / "modules.txt"
    probe = (
        "import sys\nfrom gmctl.cli import main\n"
        "try:\n    main(['requests', 'list', '--limit', '5', '--format', 'json'])\n"
        "except SystemExit as exit:\n    code = exit.code\n"
        f"open({str(report)!r}, 'w').write(f'{{code}} ' + ' '.join(sorted(sys.modules)))\n"
    )
    environ = {**os.environ, "GMCTL_HOME": str(home), "GMCTL_DATABASE_URL": scratch_url}
    done = subprocess.run(
        [sys.executable, "-c", probe], env=environ, capture_output=True, text=True, timeout=60
    )
    code, *loaded = report.read_text().split()
    assert code == "0", done.stderr
    assert json.loads(done.stdout) == []
    assert "sqlalchemy" in loaded and "psycopg" in loaded  # it did reach the database
    assert not {m for m in loaded if m.startswith(("sqlalchemy.orm", "gmctl.db.models"))}

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

"""Build a database the way production was built: the schema document's SQL, block by block.

Each ```sql block of the document goes through psql as written, one statement at a time, and a
statement that fails is skipped (ON_ERROR_STOP off), which is what happened on the live server.
One statement is left out: `CREATE USER backup_user WITH PASSWORD '...'` acts on the whole cluster,
not on the database, and must not leave a role with a published password on a shared test server;
the GRANTs to it then fail, which changes nothing in the schema.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import psycopg

from gmctl.backup.conninfo import for_tools
from gmctl.db.tools import find_pg_tool
from gmctl.db.url import libpq_url

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT_CANDIDATES = [
    *sorted((ROOT / "docs" / "seed").glob("*.txt")),
    Path("/work/shared/seed/000_7f5a9904fd021492.txt"),
]
CLUSTER_STATEMENTS = re.compile(r"^CREATE USER [^;]*;\s*$", re.M)


def seed_document() -> str | None:
    for candidate in DOCUMENT_CANDIDATES:
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    return None


def sql_blocks(document: str) -> list[str]:
    return re.findall(r"```sql\n(.*?)```", document, flags=re.DOTALL)


def apply_document(url: str, document: str) -> None:
    with psycopg.connect(libpq_url(url)) as conn:
        major = int(conn.execute("SHOW server_version_num").fetchone()[0]) // 10000
    psql = find_pg_tool("psql", major)
    target = for_tools(url)
    for block in sql_blocks(document):
        subprocess.run(
            [str(psql.path), "-X", "-q", "-v", "ON_ERROR_STOP=0", f"--dbname={target.conninfo}", "-f", "-"],
            input=CLUSTER_STATEMENTS.sub("", block),
            text=True,
            capture_output=True,
            env=target.environ,
            check=True,
        )

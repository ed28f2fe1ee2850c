"""Build a database the way production was built: the schema document's SQL, block by block.

Each ```sql block of the document goes through psql as written, one statement at a time, and a
statement that fails is skipped (ON_ERROR_STOP off), which is what happened on the live server.
One statement is left out: `CREATE USER backup_user WITH PASSWORD '...'` acts on the whole cluster,
not on the database, and must not leave a role with a published password on a shared test server;
the GRANTs to it then fail, which changes nothing in the schema.

A live database is rarely the document exactly: a `LiveVariant` names the blocks (by the heading
above them) that its team never ran, and the blocks they ran after mending them by hand.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
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
BLOCKS = re.compile(r"^(#{2,4}) ([^\n]*)$|^```sql\n(.*?)^```", re.M | re.S)

# vehicle_services' CHECK as the document writes it (commas: a syntax error) and as teams mended it.
COMMA_CHECK = """    CONSTRAINT chk_costs_non_negative CHECK (
        cost IS NULL OR cost >= 0,
        parts_cost >= 0,
        labor_cost >= 0
    )"""
AND_CHECK = """    CONSTRAINT chk_costs_non_negative CHECK (
        cost IS NULL OR cost >= 0 AND
        parts_cost >= 0 AND
        labor_cost >= 0
    )"""
PARENTHESISED_CHECK = """    CONSTRAINT chk_costs_non_negative CHECK (
        (cost IS NULL OR cost >= 0) AND
        parts_cost >= 0 AND
        labor_cost >= 0
    )"""


@dataclass(frozen=True)
class LiveVariant:
    """How one live database departs from the document: blocks left out, blocks mended by hand."""

    name: str
    omit: frozenset[str] = frozenset()
    mend: tuple[tuple[str, str, str], ...] = ()  # (heading, text as written, text as run)
    after: tuple[str, ...] = field(default=())  # the team's own SQL, run after the document
    before: tuple[str, ...] = field(default=())  # SQL run before it (what the server already had)

    def blocks(self, document: str) -> list[str]:
        chosen = []
        for heading, sql in sql_blocks_by_heading(document):
            if heading in self.omit:
                continue
            for where, written, run in self.mend:
                if where == heading:
                    assert written in sql, f"{written!r} is not in block {heading!r}"
                    sql = sql.replace(written, run)
            chosen.append(sql)
        return [f"{s};" for s in self.before] + chosen + [f"{s};" for s in self.after]


def seed_document() -> str | None:
    for candidate in DOCUMENT_CANDIDATES:
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    return None


def sql_blocks_by_heading(document: str) -> list[tuple[str, str]]:
    """Every ```sql block with the nearest heading above it, in document order."""
    blocks, heading = [], ""
    for match in BLOCKS.finditer(document):
        if match.group(1):
            heading = match.group(2).strip()
        elif match.group(3) is not None:
            blocks.append((heading, match.group(3)))
    return blocks


def sql_blocks(document: str) -> list[str]:
    return [sql for _, sql in sql_blocks_by_heading(document)]


def apply_document(url: str, document: str, variant: LiveVariant | None = None) -> None:
    with psycopg.connect(libpq_url(url)) as conn:
        major = int(conn.execute("SHOW server_version_num").fetchone()[0]) // 10000
    psql = find_pg_tool("psql", major)
    target = for_tools(url)
    blocks = variant.blocks(document) if variant else sql_blocks(document)
    subprocess.run(
        [str(psql.path), "-X", "-q", "-v", "ON_ERROR_STOP=0", f"--dbname={target.conninfo}", "-f", "-"],
        input="\n".join(CLUSTER_STATEMENTS.sub("", block) for block in blocks),
        text=True,
        capture_output=True,
        env=target.environ,
        check=True,
    )

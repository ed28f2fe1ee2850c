"""The `gmctl_pooler` URL parameter: gmctl's own, so it is taken out before libpq, psql or pg_dump see the URL.

`postgresql://ops@pgbouncer:6432/gm?gmctl_pooler=transaction` says a transaction pooler is in the way
(as does `pooler = "transaction"` in a profile); gmctl/db/engine.py says what changes then.
No SQLAlchemy here: the backup commands strip the parameter too.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from gmctl.errors import InvalidInput

# The URL query parameter that declares a pooler, and the modes gmctl knows.
POOLER_PARAMETER = "gmctl_pooler"
POOLER_MODES = ("transaction", "session", "none")


def split_pooler(url: str) -> tuple[str, str | None]:
    """(the URL without gmctl_pooler, the pooler mode it named or None).

    Raises InvalidInput for a mode gmctl does not know. Any other query parameter is kept as written.
    """
    if POOLER_PARAMETER not in url:
        return url, None
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    mode = None
    kept = []
    for key, value in pairs:
        if key == POOLER_PARAMETER:
            mode = value
        else:
            kept.append((key, value))
    stripped = urlunsplit(parts._replace(query=urlencode(kept, safe="/:@")))
    return stripped, check_pooler_mode(mode, f"the URL parameter {POOLER_PARAMETER}")


def check_pooler_mode(mode: object, where: str) -> str | None:
    """The pooler mode, or None when nothing was said; InvalidInput (exit 2) when it is not one gmctl knows.

    "transaction": settings per transaction, no prepared statements. "session" (PgBouncer in
    pool_mode = session, which resets each server connection between clients) and "none" behave as a
    direct connection and turn the detection of an undeclared pooler off (for a port-forward or a
    proxy that gmctl would otherwise take for a pooler)."""
    if mode in (None, ""):
        return None
    if mode not in POOLER_MODES:
        raise InvalidInput(f"{where} is {mode!r}: gmctl knows {', '.join(POOLER_MODES)}",
                           hint='write pooler = "transaction" for PgBouncer in pool_mode = transaction')
    return str(mode)



"""The error types gmctl raises, each carrying its documented exit code.

Domain code raises these; the CLI layer turns them into one message on stderr and the exit code.
The table in the README is generated from EXIT_CODES, so the two cannot drift apart.
"""

from __future__ import annotations

import re

OK = 0
FAILURE = 1
USAGE = 2
NOT_FOUND = 3
NOT_PERMITTED = 4
BUSY = 75
INTERRUPTED = 130

EXIT_CODES: dict[int, str] = {
    OK: "success",
    FAILURE: "error (database unreachable, a failed step, an unexpected fault)",
    USAGE: "bad usage or invalid input",
    NOT_FOUND: "the thing named was not found",
    NOT_PERMITTED: "not signed in, or missing the permission",
    BUSY: "busy: another run holds the lock; try again later",
    INTERRUPTED: "interrupted (Ctrl-C)",
}


class GmctlError(Exception):
    """An error a person can act on: a message, an optional hint, an exit code."""

    exit_code: int = FAILURE

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class InvalidInput(GmctlError):
    exit_code = USAGE


class NotFound(GmctlError):
    exit_code = NOT_FOUND


class NotPermitted(GmctlError):
    exit_code = NOT_PERMITTED


class NotSignedIn(NotPermitted):
    pass


class Busy(GmctlError):
    exit_code = BUSY


class Interrupted(GmctlError):
    exit_code = INTERRUPTED


class DatabaseUnavailable(GmctlError):
    exit_code = FAILURE


class SchemaNotReady(GmctlError):
    exit_code = FAILURE


class EmbeddedServerError(GmctlError):
    exit_code = FAILURE


_SURROGATE = re.compile("[\ud800-\udfff]")


def shown(text: str, limit: int = 40) -> str:
    """A value as an error message may quote it: repr, shortened past `limit` characters, and with
    bytes that were not UTF-8 (lone surrogates in a str) written as \\xNN, so the message itself can
    always be printed."""
    short = text if len(text) <= limit else text[:limit] + "…"
    if _SURROGATE.search(short):
        return repr(short.encode("utf-8", "surrogateescape"))[1:]  # '\xff\xfeabc', as bytes
    return repr(short)

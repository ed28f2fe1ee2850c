"""Parameter types every command shares: a bad value is refused where it is parsed, exit 2 naming it.

Typer only passes strings through; these parsers turn them into values the database can hold, or
raise typer.BadParameter, which Click reports as `Invalid value for 'ID': ...` with exit 2 before
the command runs (so nothing is read or written). Declared once here, so a new command group gets
the same checks by using them:

- `id_argument(help)` / `id_option(...)`: a row id, 1 to 2,147,483,647 (PostgreSQL integer, the type
  of every id column in the schema document).
- `user_ref`: a username, email or id as staff type it (digits must be a possible id).
- `bounded(low, high)`: an integer within a range (counts, days, limits), named in the error.

What no single parser can see (text that is not valid UTF-8, NUL characters) is checked for every
parameter at once by `check_arguments`, which the guarded command wrapper calls before the command.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Mapping

import typer

from gmctl.errors import InvalidInput, shown
from gmctl.ids import INT4_MAX

USER_REF_MAX = 254  # the longest email address (RFC 5321 path); usernames are at most 150
_DIGITS = re.compile(r"[0-9]+", re.ASCII)
_SIGNED = re.compile(r"[+-]?[0-9]+", re.ASCII)
_SURROGATE = re.compile("[\ud800-\udfff]")


def parse_id(text: Any, *, what: str = "id") -> int:
    """A row id: digits only, 1 to INT4_MAX. Raises typer.BadParameter otherwise."""
    value = str(text).strip()
    if not _DIGITS.fullmatch(value):
        raise typer.BadParameter(f"{shown(value)} is not an {what}: write a whole number like 42")
    number = int(value)
    if not 1 <= number <= INT4_MAX:
        raise typer.BadParameter(f"{shown(value)} is not an {what}: ids run from 1 to {INT4_MAX:,}")
    return number


def _id(text: Any) -> int:
    return parse_id(text)


_id.__name__ = "id"


def id_argument(help: str, metavar: str = "ID") -> Any:
    """A required positional id (`gmctl requests show ID`)."""
    return typer.Argument(..., metavar=metavar, help=help, parser=_id)


def id_option(*names: str, help: str, metavar: str = "ID", default: Any = None) -> Any:
    """An optional id option (`--after ID`)."""
    return typer.Option(default, *names, metavar=metavar, help=help, parser=_id)


def user_ref(text: Any) -> str:
    """A person as staff name them: username, email or id. Digits must be a possible id."""
    value = str(text).strip()
    if not value:
        raise typer.BadParameter("it is empty: give a username, an email or an id")
    if len(value) > USER_REF_MAX:
        raise typer.BadParameter(
            f"it is {len(value):,} characters long: no username or email is over {USER_REF_MAX}"
        )
    if _DIGITS.fullmatch(value):
        parse_id(value, what="user id")
    return value


user_ref.__name__ = "user"


def bounded(low: int, high: int, *, unit: str = "") -> Callable[[Any], int]:
    """A parser for a whole number from `low` to `high` inclusive (say what the number counts in `unit`)."""
    suffix = f" {unit}" if unit else ""

    def parse(text: Any) -> int:
        value = str(text).strip()
        if not _SIGNED.fullmatch(value):
            raise typer.BadParameter(f"{shown(value)} is not a whole number")
        number = int(value)
        if not low <= number <= high:
            raise typer.BadParameter(f"{shown(value)} is out of range: {low:,} to {high:,}{suffix}")
        return number

    parse.__name__ = "integer"
    return parse


def count(text: Any) -> int:
    """A whole number, ASCII digits only, 0 to INT4_MAX; the command's own rule narrows it further.

    Click's plain int accepts `١٢٣` (Arabic-Indic digits), `1_000` and numbers of any size; this does not.
    """
    return _count(text)


_count = bounded(0, INT4_MAX)
count.__name__ = "integer"


def check_arguments(values: Mapping[str, Any], names: Mapping[str, str]) -> None:
    """Refuse text gmctl cannot store or print faithfully, in any parameter: InvalidInput (exit 2).

    `values` are a command's keyword arguments, `names` maps each to the option or argument as the
    person typed it (`--search`, `USER`). Refused: text that is not valid UTF-8 (Python hands such
    argv bytes over as lone surrogates) and NUL characters (PostgreSQL text cannot hold them).
    """
    for key, value in values.items():
        for item in value if isinstance(value, (list, tuple)) else (value,):
            text = str(item) if item is not None and not isinstance(item, (bool, int, float)) else None
            if text is None:
                continue
            name = names.get(key, key)
            if _SURROGATE.search(text):
                raise InvalidInput(
                    f"{name} {shown(text)} is not valid UTF-8",
                    hint="check the terminal's or script's encoding; gmctl reads arguments as UTF-8",
                )
            if "\x00" in text:
                raise InvalidInput(f"{name} contains a NUL character", hint="remove it")

"""Bad values for a parameter, chosen from what Click knows about it: its type, metavar and name.

Nothing here names a command: a new command's parameters get values by their kind, so the sweep
covers it with no edit. Each value comes with a short label that names the case in pytest's output.
"""

from __future__ import annotations

import base64
import json
from typing import Any

LONG = "x" * 10_000
NOT_UTF8 = b"\xff\xfeabc".decode("utf-8", "surrogateescape")  # what Python makes of argv bytes $'\xff\xfeabc'

# Every free-text parameter gets these.
TEXT: list[tuple[str, str]] = [
    ("empty", ""),
    ("blank", "   "),
    ("whitespace", " \t\n "),
    ("long", LONG),
    ("escape", "\x1b[31mred\x1b[0m\x1b]0;title\x07"),
    ("controls", "a\x01b\x08c\x7fd\x9b"),
    ("newlines", "line one\r\nline two\n"),
    ("markup", "[bold red]x[/] <script>alert(1)</script> **b** {0} %s"),
    ("sql", "'; DROP TABLE users; --"),
    ("like", "%_\\%"),
    ("combining", "e\u0301\u0301\u0301\u0308 Zalgo\u0336"),
    ("emoji", "😀👍🏽👨‍👩‍👧"),
    ("rtl", "\u202eevil\u202c مرحبا שלום"),
    ("not-utf8", NOT_UTF8),
    ("unknown-id", "987654"),
    ("overflow-id", "99999999999999999999"),
    ("unicode-digits", "١٢٣²"),
    ("dash", "-"),
]

NUMBER: list[tuple[str, str]] = [
    ("negative", "-1"),
    ("zero", "0"),
    ("int4-overflow", "2147483648"),
    ("int8-overflow", "9223372036854775808"),
    ("huge", "99999999999999999999"),
    ("exponent", "1e3"),
    ("fraction", "1.5"),
    ("empty", ""),
    ("blank", " "),
    ("word", "ten"),
    ("unicode-digits", "١٢٣"),
    ("not-utf8", NOT_UTF8),
]

ID: list[tuple[str, str]] = NUMBER + [("unknown-id", "987654"), ("int4-max", "2147483647")]

WHEN: list[tuple[str, str]] = [
    ("impossible-date", "2026-02-30"),
    ("month-13", "2026-13-01"),
    ("year-0", "0000-01-01"),
    ("year-1", "0001-01-01"),
    ("year-9999", "9999-12-31"),
    ("year-10000", "10000-01-01"),
    ("far-span", "999999d"),
    ("overflow-span", "99999999999d"),
    ("huge-span", "99999999999999999999999w"),
    ("negative-span", "-7d"),
    ("unknown-unit", "7y"),
    ("edge-offset", "9999-12-31T23:59:59-23:59"),
    ("word", "yesterday"),
    ("empty", ""),
    ("not-utf8", NOT_UTF8),
]

AMOUNT: list[tuple[str, str]] = [
    ("negative", "-100"),
    ("zero", "0"),
    ("too-many-digits", "99999999999999999999"),
    ("exponent", "1e30"),
    ("nan", "NaN"),
    ("infinity", "Infinity"),
    ("sub-kobo", "1.234"),
    ("indian-grouping", "1,00,000"),
    ("symbol-only", "₦"),
    ("empty", ""),
    ("not-utf8", NOT_UTF8),
]

URL: list[tuple[str, str]] = [
    ("not-a-url", "not-a-url"),
    ("sqlite", "sqlite:///x.db"),
    ("mysql", "mysql://u@h/db"),
    ("bad-port", "postgresql://u@h:abc/db"),
    ("brackets", "[/]"),
    ("empty", ""),
    ("not-utf8", NOT_UTF8),
]


def _cursor(*items: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(items)).encode()).decode().rstrip("=")


CURSOR: list[tuple[str, str]] = [
    ("garbage", "!!!not-base64!!!"),
    ("empty", ""),
    ("not-json", base64.urlsafe_b64encode(b"\xff\x00").decode()),
    ("huge-id", _cursor("queue", -5, "2026-11-20T10:31:24+00:00", 10**20)),
    ("bigint-edge", _cursor("newest", "2026-11-20T10:31:24+00:00", 2**63 - 1)),
    ("far-time", _cursor("newest", "9999-12-31T23:59:59-23:59", 5)),
    ("naive-time", _cursor("newest", "2026-11-20T10:31:24", 5)),
    ("float-id", _cursor("newest", "2026-11-20T10:31:24+00:00", 1.5)),
    ("wrong-kind", _cursor("users", 5)),
    ("not-utf8", NOT_UTF8),
]

SLA: list[tuple[str, str]] = [
    ("overflow-span", "pending=99999999999d"),
    ("far-span", "pending=999999d"),
    ("no-span", "pending="),
    ("no-status", "=48h"),
    ("unknown-status", "nosuch=48h"),
    ("no-equals", "pending"),
]


def path_values(tmp: Any) -> list[tuple[str, str]]:
    """Paths that are a directory, missing, unwritable, endless, too long or not UTF-8."""
    return [
        ("directory", str(tmp)),
        ("missing", str(tmp / "missing" / "nothing.backup")),
        ("unwritable", "/proc/gmctl-sweep/nothing"),
        ("dev-full", "/dev/full"),
        ("dev-null", "/dev/null"),
        ("empty", ""),
        ("long", "p" * 10_000),
        ("not-utf8", NOT_UTF8),
    ]


def values_for(param: Any, tmp: Any) -> list[tuple[str, str]]:
    """The bad values to try for one Click parameter, by what its type and metavar say it holds."""
    type_name = getattr(param.type, "name", "").lower()
    metavar = (param.metavar or "").upper()
    name = (param.name or "").lower()
    if type_name in ("path", "file", "filename") or name in ("file", "output_path", "directory"):
        return path_values(tmp)
    if type_name == "choice" or hasattr(param.type, "choices"):
        return [("empty", ""), ("unknown", "nosuch"), ("long", LONG), ("not-utf8", NOT_UTF8)]
    if type_name == "id":
        return ID
    if type_name in ("integer", "int", "int range", "float", "float range"):
        return NUMBER
    if "URL" in metavar:
        return URL
    if "CURSOR" in metavar:
        return CURSOR
    if "AMOUNT" in metavar:
        return AMOUNT
    if "=SPAN" in metavar:
        return SLA + TEXT[:4]
    if any(word in metavar for word in ("WHEN", "DATE", "DURATION", "SPAN")):
        return WHEN + TEXT[3:5]
    return TEXT

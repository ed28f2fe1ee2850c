"""Sizes as people type them (10MB, 512KiB, 2G) and as gmctl shows them (1.5 MiB).

Decimal (SI) units are powers of 1000: kB/KB/K, MB/M, GB/G, TB/T. Binary (IEC) units are powers of
1024: KiB/Ki, MiB/Mi, GiB/Gi, TiB/Ti. This is kubectl's reading of quantities (M is 10^6, Mi is 2^20):
the unit says which is meant, nothing is guessed. A bare number is bytes; case is ignored.
"""

from __future__ import annotations

import re

from gmctl.errors import InvalidInput

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$", re.IGNORECASE)
UNITS = {
    "": 1, "b": 1,
    "k": 10**3, "kb": 10**3, "m": 10**6, "mb": 10**6, "g": 10**9, "gb": 10**9, "t": 10**12, "tb": 10**12,
    "ki": 2**10, "kib": 2**10, "mi": 2**20, "mib": 2**20, "gi": 2**30, "gib": 2**30, "ti": 2**40, "tib": 2**40,
}  # fmt: skip


MAX_SIZE = 2**63 - 1  # file_uploads.file_size is a bigint


def parse_size(text: str, *, what: str = "size") -> int:
    """Bytes, from `10MB` (10,000,000), `512KiB` (524,288), `1.5GiB` or `2048`.

    Raises InvalidInput naming the option when the text is not a size or exceeds MAX_SIZE (the
    column's bigint); fractions of a byte round down.
    """
    match = _SIZE.match(text or "")
    unit = match.group(2).lower() if match else None
    if not match or unit not in UNITS:
        raise InvalidInput(f"{what} {text!r} is not a size",
                           hint="write bytes or a unit: 10MB or 10M (decimal, 10^6), 512KiB or 512Ki (binary, 2^10)")
    from decimal import Decimal

    size = int(Decimal(match.group(1)) * UNITS[unit])
    if size > MAX_SIZE:
        raise InvalidInput(f"{what} {text!r} is larger than any file gmctl can record",
                           hint="file_size is a bigint: at most 8 EiB (9,223,372,036,854,775,807 bytes)")
    return size


def format_size(size: int | None) -> str:
    """A size for a person, in binary units: 512 B, 1.5 KiB, 10.0 MiB."""
    if size is None:
        return "-"
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(value) < 1024 or unit == "TiB":
            return f"{size} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"  # pragma: no cover

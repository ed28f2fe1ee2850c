"""What a single cell may contain, per destination: the one sanitiser for terminals, the formula rule
for spreadsheets, and PostgreSQL's text COPY escaping for TSV.

Pure functions on str, no imports beyond the standard library: gmctl.output calls them on every cell.

- `for_terminal(text)`: control characters shown escaped (as `ls -b` and gh do), so stored data
  cannot recolour, hide or rewrite what staff see. ESC becomes the four characters `\\x1b`.
- `neutralise_formula(text)`: OWASP's CSV-injection rule: a text cell that a spreadsheet would read
  as a formula gets a leading `'`.
- `tsv_field(text)`: one field of a TSV line, escaped as PostgreSQL's text COPY format does.
"""

from __future__ import annotations

import re

# C0 controls, DEL, C1 controls (0x9b is CSI on 8-bit terminals), the bidirectional overrides and
# isolates ("Trojan Source", CVE-2021-42574) that reorder what is shown, and the Unicode line and
# paragraph separators. Tab and newline are in the C0 range: a table cell shows them escaped too.
_TERMINAL_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
_TERMINAL_UNSAFE_KEEP_NEWLINE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def for_terminal(text: str, *, keep_newlines: bool = False) -> str:
    """`text` safe to print on a terminal: control characters as visible escapes.

    `\\t`, `\\n`, `\\r` by name; other C0/C1 controls and DEL as `\\xHH`; bidirectional overrides and
    isolates (U+202A-U+202E, U+2066-U+2069, U+200E/U+200F) and U+2028/U+2029 as `\\uHHHH`.
    Backslashes are left alone (a person reads `C:\\files` as typed). `keep_newlines`: newlines stay
    line breaks (descriptions and messages in `show` screens); table cells never keep them.
    """
    pattern = _TERMINAL_UNSAFE_KEEP_NEWLINE if keep_newlines else _TERMINAL_UNSAFE
    return pattern.sub(_escape, text) if pattern.search(text) else text


# -- spreadsheets (OWASP "CSV Injection") --------------------------------------------------------------
# A cell starting with one of these is read as a formula by Excel, LibreOffice and Google Sheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Leading quotes are counted so the rule is reversible: "'=x" (typed by someone) becomes "''=x".
_FORMULA = re.compile(r"^'*[=+\-@\t\r]")
# A signed amount written as text ("-5000.00", "-1.5"): a spreadsheet reads the number, never a formula.
_NEGATIVE_NUMBER = re.compile(r"^-\d+(\.\d+)?\Z")


def neutralise_formula(text: str) -> str:
    """A text cell a spreadsheet will not run: `'` in front of a cell that starts with = + - @ tab CR.

    The rule (docs/output.md): numeric values (int, Decimal) are never text cells and are never
    changed, so amounts, ids and counts stay numbers, `-5000.00` included. A text cell that is exactly
    a negative decimal (`-5000.00`) is left as it is too: spreadsheets read it as that number. Every
    other text cell starting with a trigger, phone numbers such as `+2348031234567` included, gets a
    leading `'`: a spreadsheet then shows the plus and every digit as text instead of evaluating it
    to 2.34803E+12. Cells already starting with quotes before a trigger get one more, so the rule is
    reversible: strip one leading `'` when it is followed by quotes and a trigger (`restore_formula`).
    """
    if text and _FORMULA.match(text) and not _NEGATIVE_NUMBER.match(text):
        return "'" + text
    return text


def restore_formula(cell: str) -> str:
    """The inverse of `neutralise_formula`, for scripts that read gmctl's csv/tsv back."""
    if cell.startswith("'") and _FORMULA.match(cell[1:]) and not _NEGATIVE_NUMBER.match(cell[1:]):
        return cell[1:]
    return cell


# -- TSV (PostgreSQL text COPY) -----------------------------------------------------------------------
_TSV_SPECIAL = re.compile("[\\\\\x00-\x1f\x7f]")
_TSV_NAMED = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\b": "\\b", "\f": "\\f", "\v": "\\v"}


def _tsv_escape(match: re.Match[str]) -> str:
    char = match.group()
    return _TSV_NAMED.get(char) or f"\\x{ord(char):02x}"


def tsv_field(text: str) -> str:
    """One TSV field: backslash, tab, newline and CR as `\\\\ \\t \\n \\r`, as PostgreSQL's text COPY
    format writes them, so a record is always one line with a fixed number of tab-separated fields.

    The other control characters become COPY's own escapes too (`\\b \\f \\v`, `\\xHH` for the rest,
    ESC as `\\x1b`), which COPY ... FROM reads back to the same text: the output holds no raw control
    character, so it is also safe to show on a terminal. No quoting: `"` is an ordinary character.
    """
    return _TSV_SPECIAL.sub(_tsv_escape, text) if _TSV_SPECIAL.search(text) else text


_TSV_UNESCAPE = re.compile(r"\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)")
_TSV_LETTERS = {"t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f", "v": "\v"}


def read_tsv_field(field: str) -> str:
    """The text a TSV field stands for (PostgreSQL COPY text rules): the inverse of `tsv_field`."""

    def one(match: re.Match[str]) -> str:
        body = match.group(1)
        if body[0] == "x" and len(body) > 1:
            return chr(int(body[1:], 16))
        if body[0] in "01234567":
            return chr(int(body, 8))
        return _TSV_LETTERS.get(body, body)

    return _TSV_UNESCAPE.sub(one, field)

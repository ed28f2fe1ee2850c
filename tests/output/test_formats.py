"""What each format guarantees (docs/output.md), on hostile text: render_rows and render_document."""

from __future__ import annotations

import csv
import errno
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest

from gmctl import output
from gmctl.context import Env
from gmctl.errors import GmctlError
from gmctl.output_cells import read_tsv_field, restore_formula
from tests.conftest import FIXED_NOW, TtyStringIO
from tests.output.test_cells import HOSTILE

ROWS = [{"id": n, "amount": Decimal("-5000.00") if n % 2 else Decimal("125000.50"), "text": text,
         "phone": "+2348031234567", "note": None, "done": bool(n % 2)}
        for n, text in enumerate(HOSTILE)]
COLUMNS = ["id", "amount", "text", "phone", "note", "done"]


def make(fmt=None, tty=False, **kw):
    out = TtyStringIO() if tty else io.StringIO()
    err = io.StringIO()
    kw.setdefault("environ", {})
    return Env(out=out, err=err, format=fmt, clock=lambda: FIXED_NOW, **kw), out, err


def test_csv_is_rfc4180_and_pythons_reader_reads_back_every_cell():
    env, out, _ = make("csv", raw_cells=True)
    output.render_rows(env, ROWS, COLUMNS)
    text = out.getvalue()
    assert text.endswith("\r\n") and text.startswith("id,amount,text,phone,note,done\r\n")
    back = list(csv.reader(io.StringIO(text, newline="")))
    assert back[0] == COLUMNS
    expected = [[str(r["id"]), str(r["amount"]), r["text"], r["phone"], "", "true" if r["done"] else "false"]
                for r in ROWS]
    assert back[1:] == expected


def test_csv_neutralises_formulas_and_the_rule_restores_the_text():
    env, out, _ = make("csv")
    output.render_rows(env, ROWS, COLUMNS)
    back = list(csv.reader(io.StringIO(out.getvalue(), newline="")))[1:]
    assert [row[2] for row in back][:6] == [
        "'" + HOSTILE[0], "'" + HOSTILE[1], "'" + HOSTILE[2], "'" + HOSTILE[3], "'" + HOSTILE[4], "'" + HOSTILE[5]]
    assert [restore_formula(row[2]) for row in back] == HOSTILE
    assert {row[3] for row in back} == {"'+2348031234567"}
    # numbers stay numbers: ids and amounts (negative ones too) are never given a quote
    assert [row[0] for row in back] == [str(n) for n in range(len(HOSTILE))]
    assert {row[1] for row in back} == {"-5000.00", "125000.50"}
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in back for cell in row[2:])


def test_tsv_is_one_record_per_line_with_a_constant_field_count():
    env, out, _ = make("tsv")
    output.render_rows(env, ROWS, COLUMNS)
    lines = out.getvalue().split("\n")
    assert lines[-1] == "" and len(lines) - 1 == len(ROWS) + 1
    assert {line.count("\t") for line in lines[:-1]} == {len(COLUMNS) - 1}
    cells = [[read_tsv_field(f) for f in line.split("\t")] for line in lines[1:-1]]
    assert [restore_formula(row[2]) for row in cells] == HOSTILE
    assert '"' in lines[1 + HOSTILE.index('"quoted", with comma')]  # no quoting


def test_tsv_with_raw_cells_is_exact_after_copy_unescaping():
    env, out, _ = make("tsv", raw_cells=True)
    output.render_rows(env, ROWS, COLUMNS)
    cells = [[read_tsv_field(f) for f in line.split("\t")] for line in out.getvalue().splitlines()[1:]]
    assert [row[2] for row in cells] == HOSTILE and {row[3] for row in cells} == {"+2348031234567"}


def test_raw_cells_from_the_config_file(tmp_path: Path):
    (tmp_path / "config.toml").write_text("[output]\nraw_cells = true\n")
    env, out, _ = make("csv", home=tmp_path)
    output.render_rows(env, [{"name": "=1+1"}])
    assert out.getvalue().splitlines()[1] == "=1+1"


def test_json_is_left_as_it_is_and_safe_on_a_terminal():
    env, out, _ = make("json", tty=True)
    output.render_rows(env, ROWS, COLUMNS)
    text = out.getvalue()
    assert not any(ord(c) < 0x20 and c != "\n" or 0x7f <= ord(c) <= 0x9f for c in text)
    back = json.loads(text)
    assert [r["text"] for r in back] == HOSTILE
    assert back[1]["amount"] == "-5000.00" and back[0]["phone"] == "+2348031234567"


def test_a_stream_that_cannot_encode_gets_escapes_and_one_warning():
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="ascii", errors="strict", newline="")
    err = io.StringIO()
    env = Env(out=stream, err=err, format="csv", clock=lambda: FIXED_NOW, environ={})
    output.render_rows(env, [{"name": "Ọláníyì Adébáyọ̀"}, {"name": "Ṣadé"}])
    written = raw.getvalue().decode("ascii")
    assert "\\u1ecc" in written and "\\u1e62" in written
    assert err.getvalue().count("warning:") == 1 and "ascii" in err.getvalue()


def test_json_on_an_ascii_stream_stays_exact():
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="ascii", errors="strict", newline="")
    env = Env(out=stream, err=io.StringIO(), format="json", clock=lambda: FIXED_NOW, environ={})
    output.render_rows(env, [{"name": "Ọláníyì"}])
    assert json.loads(raw.getvalue().decode("ascii")) == [{"name": "Ọláníyì"}]


class FullStream(io.StringIO):
    def flush(self):
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_refused_write_is_a_clear_error():
    env = Env(out=FullStream(), err=io.StringIO(), format="tsv", clock=lambda: FIXED_NOW, environ={})
    with pytest.raises(GmctlError) as caught:
        output.render_rows(env, [{"a": 1}])
    assert caught.value.exit_code == 1 and "No space left on device" in caught.value.message


def test_write_file_to_dev_full_is_a_clear_error():
    with pytest.raises(GmctlError) as caught:
        output.write_file(Path("/dev/full"), "x" * 10000)
    assert "/dev/full" in caught.value.message and "No space left" in caught.value.message


# -- terminals ----------------------------------------------------------------------------------
PEOPLE = [{"id": n, "status": "in_progress", "service_type": "creative_services",
           "title": "Event flyer and banner design for the annual general meeting " * 2,
           "assignee": "demo_staff_zainab", "urgency": 5} for n in range(1, 4)]


@pytest.mark.parametrize("width", [40, 60, 80, 120, 200])
def test_a_terminal_table_fits_one_line_per_row_and_never_breaks_identifiers(width):
    env, out, err = make(None, tty=True, environ={"COLUMNS": str(width), "NO_COLOR": "1"})
    output.render_rows(env, PEOPLE)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1 + len(PEOPLE)
    assert all(len(line) <= width for line in lines)
    for line in lines[1:]:
        words = line.split()
        assert "in_progress" in words and "creative_services" in words
    header = lines[0].split("  ")
    assert "service type" in [h.strip() for h in header]
    if width >= 120:  # room for the username whole; the title is what gives way
        assert "demo_staff_zainab" in lines[1].split()
    if 60 <= width < 200:
        assert "…" in lines[1]


@pytest.mark.parametrize("columns", ["0", "-3", "99999", "abc", ""])
def test_an_unbelievable_width_means_80(columns):
    env, out, _ = make(None, tty=True, environ={"COLUMNS": columns, "NO_COLOR": "1"})
    assert env.terminal_width == 80
    output.render_rows(env, PEOPLE)
    lines = out.getvalue().splitlines()
    assert len(lines) == 4 and max(len(line) for line in lines) <= 80


def test_wide_shows_every_column_in_full_and_terminal_columns_choose_otherwise():
    env, out, _ = make(None, tty=True, environ={"COLUMNS": "80", "NO_COLOR": "1"})
    output.render_rows(env, PEOPLE, terminal_columns=["id", "title", "status"])
    assert out.getvalue().splitlines()[0].split() == ["id", "title", "status"]
    env, out, _ = make(None, tty=True, environ={"COLUMNS": "80", "NO_COLOR": "1"}, wide=True)
    output.render_rows(env, PEOPLE, terminal_columns=["id", "title", "status"])
    assert PEOPLE[0]["title"].rstrip() in out.getvalue() and "urgency" in out.getvalue()


def test_columns_that_cannot_fit_are_left_out_from_the_right_and_said_so():
    env, out, err = make(None, tty=True, environ={"COLUMNS": "40", "NO_COLOR": "1"})
    output.render_rows(env, PEOPLE, ["id", "status", "service_type", "assignee", "urgency"])
    assert out.getvalue().splitlines()[0].split() == ["id", "status", "service", "type"]
    assert "left out" in err.getvalue() and "--wide" in err.getvalue()


EVIL = "\x1b[31mred\x1b[0m\x1b]0;owned\x07\ttab\nnewline\u202eevil"


def test_control_characters_in_data_are_escaped_on_a_terminal_everywhere():
    env, out, err = make(None, tty=True)
    output.render_rows(env, [{"id": 1, "name": EVIL}])
    output.render_document(env, {"name": EVIL, "items": [EVIL]})
    output.note(env, EVIL)
    output.warn(env, EVIL)
    output.console(env).print(EVIL)  # progress lines and show screens print through this console
    for text in (out.getvalue(), err.getvalue()):
        assert "\x1b]" not in text and "\x1b[31m" not in text and "\x07" not in text and "\u202e" not in text
        assert "\\x1b[31mred" in text


def test_piped_tables_escape_too_but_csv_to_a_file_keeps_the_exact_text():
    env, out, _ = make("table")
    output.render_rows(env, [{"id": 1, "name": EVIL}])
    assert "\x1b" not in out.getvalue() and len(out.getvalue().splitlines()) == 3
    env, out, _ = make("csv")
    output.render_rows(env, [{"id": 1, "name": EVIL}])
    assert list(csv.reader(io.StringIO(out.getvalue(), newline="")))[1][1] == EVIL


def test_export_streaming_uses_the_same_rules():
    env, out, _ = make("tsv")
    count = output.stream_rows(env, iter(ROWS), COLUMNS, "tsv")
    assert count == len(ROWS)
    assert {line.count("\t") for line in out.getvalue().splitlines()} == {len(COLUMNS) - 1}


def test_a_report_can_wrap_its_prose_instead_of_shortening_it():
    hint = "set archive_mode = on and archive_command (or archive_library); take base backups"
    env, out, _ = make(None, tty=True, environ={"COLUMNS": "60", "NO_COLOR": "1"})
    output.render_rows(env, [{"check": "pitr archiving", "status": "warn", "hint": hint}], wrap=True)
    lines = out.getvalue().splitlines()
    assert all(len(line) <= 60 for line in lines) and len(lines) > 2
    assert lines[1].split()[:3] == ["pitr", "archiving", "warn"]
    column = lines[0].index("hint")
    assert " ".join(line[column:].strip() for line in lines[1:]) == hint

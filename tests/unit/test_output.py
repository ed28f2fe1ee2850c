"""The output layer: formats, exact values, streams."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from gmctl import output
from gmctl.context import Env
from tests.conftest import FIXED_NOW, TtyStringIO

ROWS = [
    {"id": 7, "title": "Brake pads, Lekki\tPhase 1", "amount": Decimal("125000.50"),
     "created_at": FIXED_NOW - timedelta(hours=3), "tags": ["a", "b"], "note": None},
]


def make(fmt=None, tty=False):
    out = TtyStringIO() if tty else io.StringIO()
    err = io.StringIO()
    return Env(out=out, err=err, format=fmt, clock=lambda: FIXED_NOW, environ={}), out, err


def test_json_keeps_exact_decimals_and_iso_times():
    env, out, _ = make("json")
    output.render_rows(env, ROWS)
    [row] = json.loads(out.getvalue())
    assert row["amount"] == "125000.50"
    assert row["created_at"] == "2026-11-25T06:00:00+00:00"
    assert row["tags"] == ["a", "b"] and row["note"] is None


def test_empty_json_is_an_empty_list_and_other_formats_note_on_stderr():
    env, out, err = make("json")
    output.render_rows(env, [], empty="No requests.")
    assert json.loads(out.getvalue()) == [] and err.getvalue() == ""
    env, out, err = make("tsv")
    output.render_rows(env, [], empty="No requests.")
    assert out.getvalue() == "" and "No requests." in err.getvalue()


def test_piped_default_is_tsv_with_a_header_and_no_truncation():
    env, out, _ = make(None, tty=False)
    long_title = "x" * 500
    output.render_rows(env, [{"id": 1, "title": long_title}])
    lines = out.getvalue().splitlines()
    assert lines[0] == "id\ttitle"
    assert lines[1] == f"1\t{long_title}"


def test_csv_quotes_embedded_separators():
    env, out, _ = make("csv")
    output.render_rows(env, [{"a": "x,y", "b": Decimal("1.10")}])
    assert out.getvalue().splitlines() == ["a,b", '"x,y",1.10']


def test_table_on_a_terminal_shows_relative_times_and_grouped_money():
    env, out, _ = make(None, tty=True)
    output.render_rows(env, ROWS)
    text = out.getvalue()
    assert "3h ago" in text
    assert "125,000.50" in text


def test_table_when_piped_is_plain_text_and_complete():
    env, out, _ = make("table", tty=False)
    output.render_rows(env, [{"id": 1, "title": "y" * 300}])
    assert "y" * 300 in out.getvalue()
    assert "\x1b[" not in out.getvalue()


def test_relative_time_future_and_old():
    assert output.relative_time(FIXED_NOW + timedelta(minutes=5), FIXED_NOW) == "in 5m"
    old = datetime(2020, 1, 2, tzinfo=timezone.utc)
    assert output.relative_time(old, FIXED_NOW) == "2020-01-02"


def test_no_color_env_disables_colour_even_on_a_terminal():
    env = Env(out=TtyStringIO(), environ={"NO_COLOR": "1"})
    assert env.color is False
    assert Env(out=TtyStringIO(), environ={}).color is True
    assert Env(out=TtyStringIO(), environ={}, no_color=True).color is False

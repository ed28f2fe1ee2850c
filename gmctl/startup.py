"""The garbage collector around one `gmctl` process: off while it starts, frozen before it exits.

Importing Typer, SQLAlchemy and psycopg makes some 70,000 long-lived objects and almost no
cyclic garbage, yet the collector walks them several times during the imports and again during
interpreter teardown: about 35 ms and 60 ms of a 400 ms `gmctl requests list`
(bench/requests_list_e2e.py). So the `gmctl` entry point pauses collection, `make_engine` resumes it
once the database driver is loaded (start-up is over; an export or a seed of millions of rows must
not pile up garbage), freezing what exists then out of later collections, and the entry point
freezes everything again before exit. Only `gmctl.cli.main` pauses: tests and library callers
keep the collector as they have it.
"""

from __future__ import annotations

import gc

_paused = False


def pause_collection() -> None:
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume_collection() -> None:
    """Start-up is over: freeze what exists now out of later collections and collect again."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()


def finish() -> None:
    """The command is over, and the process with it: freeze every object so that teardown does not
    walk them (connections are closed by then, see Env.close), and leave the collector as found."""
    global _paused
    gc.freeze()
    if _paused:
        _paused = False
        gc.enable()

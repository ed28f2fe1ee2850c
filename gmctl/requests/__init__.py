"""The service-request queue: triage rules and queries (issue 5).

Modules, one responsibility each: `states` (the lifecycle rules, no database), `queue` (list,
filters, keyset paging), `detail` (one request on one screen), `lifecycle` (status changes),
`assignment`, `pricing`, `conversation` (notes and replies), `search`, `stats`, `export` and
`triage` (the interactive loop's logic). Nothing here prints or knows about Typer.

Read paths that run on every keystroke of a person (queue, search) build their SQL from the
lightweight tables in `columns` rather than the ORM models: importing the models costs about
80 ms, a quarter of what the whole `requests list` may take.
"""

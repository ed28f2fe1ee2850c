"""The service-request queue: triage rules and queries (issue 5).

One responsibility per module: `states` (the lifecycle rules, no database), `queue` (list,
filters, keyset paging), `detail` (one request on one screen), `locking` (the row lock every
change takes), `lifecycle` (status changes), `assignment`, `pricing` (priority, urgency, cost),
`conversation` (notes and replies), `search`, `stats`, `export`, `triage` (the interactive loop's
rules), and the helpers `people` (finding users), `when` (dates and spans as typed) and `columns`.
Nothing here prints or knows about Typer.

The read paths a person runs all day (queue, search) build their SQL from the lightweight Core
tables in `columns`, not the ORM models: importing the models and sqlalchemy.orm costs about
130 ms, a third of what the whole `requests list` may take.
"""

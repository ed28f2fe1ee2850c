"""Retention: the seed's three policies, run in short batches that cron can trust (issue 7).

- `policies`: periods, cutoffs, which policies run and in what order;
- `archive`: the SQL that moves a completed request and its dependants into the archive tables;
- `deletes`: the two deleting policies;
- `batches`: keyset batches sized by a time budget, each its own transaction;
- `lock`: one run at a time (a session-level advisory lock on a connection of its own);
- `run`: a whole run, its dry run, and its system_logs line.
"""

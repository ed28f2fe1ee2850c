"""Backups you can trust: pg_dump with a manifest, verification, restore, pruning, a backup role.

Modelled on what pgBackRest and WAL-G promise: every backup carries a manifest (checksum, size,
server and schema version, exact per-table row counts taken in the dump's own snapshot), and a
backup only counts as good once it has been checked, at best by restoring it.

Modules: server (connections, server facts, scratch databases), dump, manifest, verify, restore,
prune, role. The package talks to PostgreSQL through psycopg directly and runs the client
programs as subprocesses; it imports no SQLAlchemy, so `gmctl db backup` starts quickly.
"""

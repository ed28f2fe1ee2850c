"""Stats fixtures: the maintenance area's scratch-database CLI runner and helpers serve here too."""

from tests.maintenance.conftest import autocommit, bloat_system_logs, run_cli  # noqa: F401

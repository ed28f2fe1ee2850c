"""gmctl files: Uploaded files."""

from __future__ import annotations

from gmctl.cli.base import new_group

app = new_group("Uploaded files. Commands arrive with a later issue; temporary files are cleaned by `gmctl db retention`.")

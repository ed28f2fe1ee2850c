"""The clamd check of `gmctl db doctor`: reachable, version, and the age of the signatures.

- reachable: PING on the unix socket of `[files] clamd_socket` / GMCTL_CLAMD_SOCKET (default
  /run/clamav/clamd.ctl). Unreachable is a fail when a socket was configured, a warning when only the
  default was tried (the site may scan elsewhere, or not yet);
- version: VERSION's engine, signature version and date;
- signatures: ok up to 2 days old (freshclam updates several times a day), warn up to 7, fail older;
  a warning when only unofficial signatures are loaded (no signature version: freshclam never ran).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from gmctl.health import FAIL, OK, WARN, Check

if TYPE_CHECKING:
    from gmctl.context import Env

FRESH, STALE = timedelta(days=2), timedelta(days=7)


def check_clamd(env: "Env") -> list[Check]:
    from gmctl.files.clamd import Clamd, ClamdUnavailable
    from gmctl.files.storage import files_settings

    settings = files_settings(env)
    configured = bool(env.environ.get("GMCTL_CLAMD_SOCKET") or env.config.section("files").get("clamd_socket"))
    clamd = Clamd(settings.clamd_socket, timeout=10.0)
    try:
        clamd.ping()
        version = clamd.version()
    except ClamdUnavailable as exc:
        return [Check("clamd", FAIL if configured else WARN, exc.message.replace(", so no file was scanned or marked", ""),
                      "start clamd (systemctl start clamav-daemon); set [files] clamd_socket if it listens elsewhere")]
    found = [Check("clamd", OK, f"answering on {settings.clamd_socket}: {version.raw}")]
    if version.signatures is None or version.signatures_date is None:
        found.append(Check("clamd signatures", WARN, "no official signature version: only local signatures are loaded",
                           "run freshclam (the clamav-freshclam service) so clamd has the official databases"))
        return found
    age = env.clock() - version.signatures_date
    days = age.total_seconds() / 86400
    status = OK if age <= FRESH else WARN if age <= STALE else FAIL
    found.append(Check("clamd signatures", status, f"version {version.signatures}, {days:.1f} day(s) old",
                       None if status == OK else "check that freshclam runs and can reach its mirror"))
    return found

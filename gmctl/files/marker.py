"""The project's harmless test marker and the ClamAV signature that names it.

The marker is a few bytes of plain text, not the EICAR string: EICAR is detected by every real
antivirus, so a copy in a source tree or a seeded files root gets quarantined by the developer's own
scanner. Instead gmctl makes its own signature, an `.hdb` line `md5:size:name` (ClamAV's hash
signature format, "Creating signatures for ClamAV", hash-based signatures), which clamd loads from any
database directory and reports as `GMCTL.Test.Marker.UNOFFICIAL FOUND`. A real clamd knows nothing
of it unless `gmctl-marker.hdb` is added to its database directory (docs/files.md).
"""

from __future__ import annotations

import hashlib

MARKER = (b"GMCTL-TEST-MARKER: a harmless file that gmctl's own ClamAV signature detects.\n"
          b"It is not malware. See docs/files.md.\n")
SIGNATURE_NAME = "GMCTL.Test.Marker"
# clamd appends .UNOFFICIAL to the name of a signature outside the official databases.
REPORTED_NAME = f"{SIGNATURE_NAME}.UNOFFICIAL"
SIGNATURE_FILENAME = "gmctl-marker.hdb"


def signature_line() -> str:
    """The `.hdb` line for the marker: md5 hex, size in bytes, signature name."""
    return f"{hashlib.md5(MARKER).hexdigest()}:{len(MARKER)}:{SIGNATURE_NAME}\n"

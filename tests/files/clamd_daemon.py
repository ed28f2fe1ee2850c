"""A private, real clamd (Debian's clamav-daemon) for tests and benchmarks: no freshclam, no network.

Its database directory holds only the project's own signature (gmctl.files.marker: one `.hdb` line),
so it starts in well under a second. It listens on a unix socket in a fresh temporary directory, runs
as an unprivileged user (the `clamav` user when we are root; ourselves otherwise), logs every stream
it scans (LogClean) so tests can count scans, and has a small StreamMaxLength so the over-limit path
is cheap to reach. `stop()` ends it by its own pid and removes the directory.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from gmctl.files.marker import SIGNATURE_FILENAME, signature_line

CLAMD_CANDIDATES = ("/usr/sbin/clamd", "/usr/bin/clamd")
STREAM_MAX = "1M"  # clamd reads M as MiB: 1,048,576 bytes
STREAM_MAX_BYTES = 1024 * 1024


def clamd_binary() -> str | None:
    found = shutil.which("clamd")
    if found:
        return found
    return next((c for c in CLAMD_CANDIDATES if os.access(c, os.X_OK)), None)


@dataclass
class ClamdDaemon:
    directory: Path
    process: subprocess.Popen

    @property
    def socket(self) -> Path:
        return self.directory / "clamd.sock"

    @property
    def log(self) -> Path:
        return self.directory / "clamd.log"

    def scans_logged(self) -> list[str]:
        """The INSTREAM results clamd logged, one line per stream scanned."""
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return []
        return [line for line in text.splitlines() if "instream(" in line]

    def stop(self) -> None:
        if self.process.poll() is None:
            # Its own process group (start_new_session): runuser and the clamd under it, nothing else.
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)


def start_clamd(*, stream_max: str = STREAM_MAX, timeout: float = 60.0) -> ClamdDaemon:
    """Start clamd and wait until it answers PING. RuntimeError with its log if it does not."""
    binary = clamd_binary()
    if binary is None:
        raise FileNotFoundError("clamd is not installed (apt-get install clamav-daemon)")
    directory = Path(tempfile.mkdtemp(prefix="gmctl-clamd-"))
    database = directory / "db"
    database.mkdir()
    (database / SIGNATURE_FILENAME).write_text(signature_line())
    config = directory / "clamd.conf"
    config.write_text("\n".join([
        f"LocalSocket {directory / 'clamd.sock'}",
        "LocalSocketMode 666",
        f"DatabaseDirectory {database}",
        f"LogFile {directory / 'clamd.log'}",
        "LogTime yes",
        "LogClean yes",
        "Foreground yes",
        f"TemporaryDirectory {directory}",
        f"StreamMaxLength {stream_max}",
        "MaxThreads 4",
        "",
    ]))
    argv = [binary, "-c", str(config)]
    if os.geteuid() == 0:
        user = pwd.getpwnam("clamav") if _has_user("clamav") else pwd.getpwnam("nobody")
        os.chmod(directory, 0o755)
        for path in (directory, database, database / SIGNATURE_FILENAME, config):
            os.chown(path, user.pw_uid, user.pw_gid)
        argv = ["runuser", "-u", user.pw_name, "--", *argv]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    daemon = ClamdDaemon(directory, process)
    from gmctl.files.clamd import Clamd, ClamdUnavailable

    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            error = process.stderr.read().decode(errors="replace") if process.stderr else ""
            log = daemon.log.read_text(errors="replace") if daemon.log.exists() else ""
            daemon.stop()
            raise RuntimeError(f"clamd exited at start: {error.strip()} {log[-2000:]}")
        if daemon.socket.exists():
            try:
                Clamd(daemon.socket).ping()
                return daemon
            except ClamdUnavailable:
                pass
        if time.monotonic() > deadline:
            daemon.stop()
            raise RuntimeError(f"clamd did not answer within {timeout:.0f} s")
        time.sleep(0.1)


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False

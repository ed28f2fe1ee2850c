"""A clamd client that speaks the documented protocol directly over the unix socket.

The protocol (ClamAV manual, "Clamd protocol"; clamd(8)) is small: a command prefixed with `z` and
ended by NUL; INSTREAM then sends chunks, each a 4-byte big-endian length and the bytes, and a zero
length to finish; the reply is `stream: OK`, `stream: NAME FOUND` or `... ERROR` (over the stream
limit: `INSTREAM size limit exceeded. ERROR`, after which clamd closes the socket, so a send may
fail with a broken pipe before the reply is read). PING answers PONG; VERSION answers
`ClamAV 1.4.6/27123/Wed Dec  3 09:24:01 2026` (engine/signature version/signature date), or just
`ClamAV 1.4.6` when only unofficial signatures are loaded.

Why not a library: `clamd` (2014) is unmaintained and raises BrokenPipe on a file over the limit,
losing clamd's own reason; clamdpy and clamav-client are young forks that add a dependency for
about a hundred lines that gmctl must get exactly right anyway (the no-false-clean rule depends on
reading the over-limit reply). Only the unix socket is supported: clamd's TCP socket has no
authentication.
"""

from __future__ import annotations

import os
import socket
import struct
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from gmctl.errors import GmctlError

CHUNK = 256 * 1024  # bytes per INSTREAM chunk; clamd wants each chunk under its StreamMaxLength
CONNECT_TIMEOUT = 5.0  # seconds
SCAN_TIMEOUT = 150.0  # seconds: clamd's own MaxScanTime defaults to 120 s
CLEAN, INFECTED, FAILED = "clean", "infected", "failed"


class ClamdUnavailable(GmctlError):
    """clamd cannot be reached or stopped answering: nothing about any file may be concluded (exit 1)."""


@dataclass(frozen=True)
class Verdict:
    """What clamd said of one stream: status clean/infected/failed, the signature or the reason."""

    status: str
    signature: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class EngineVersion:
    """`VERSION`'s answer: engine ("ClamAV 1.4.6"), signature version and date (None if unofficial only)."""

    engine: str
    signatures: int | None
    signatures_date: datetime | None  # as clamd prints it, read as UTC
    raw: str

    @property
    def label(self) -> str:
        return self.raw


def parse_version(raw: str) -> EngineVersion:
    """`ClamAV 1.4.6/27123/Wed Dec  3 09:24:01 2026` -> engine, signature version and date."""
    parts = raw.strip().split("/", 2)
    signatures = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
    date = None
    if len(parts) > 2:
        try:
            date = datetime.strptime(" ".join(parts[2].split()), "%a %b %d %H:%M:%S %Y").replace(tzinfo=timezone.utc)
        except ValueError:
            date = None
    return EngineVersion(parts[0], signatures, date, raw.strip())


def parse_reply(reply: str) -> Verdict:
    """One INSTREAM reply as a verdict. Anything but `stream: OK` or `... FOUND` is failed, never clean."""
    text = reply.strip()
    if text.startswith("stream: "):
        body = text[len("stream: "):]
        if body == "OK":
            return Verdict(CLEAN)
        if body.endswith(" FOUND"):
            return Verdict(INFECTED, signature=body[: -len(" FOUND")].strip())
        text = body
    if "size limit exceeded" in text:
        return Verdict(FAILED, reason="over clamd's stream limit (StreamMaxLength): not scanned")
    return Verdict(FAILED, reason=f"clamd: {text.removesuffix(' ERROR').strip() or 'empty reply'}")


class Clamd:
    """One clamd daemon on a unix socket. Each call opens its own connection (clamd's simple mode)."""

    def __init__(self, socket_path: Path, *, timeout: float = SCAN_TIMEOUT) -> None:
        self.socket_path = Path(socket_path)
        self.timeout = timeout

    def _connect(self) -> socket.socket:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(CONNECT_TIMEOUT)
        try:
            sock.connect(str(self.socket_path))
        except OSError as exc:
            sock.close()
            raise self.unavailable(exc) from None
        sock.settimeout(self.timeout)
        return sock

    def unavailable(self, exc: BaseException) -> ClamdUnavailable:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc) or type(exc).__name__
        return ClamdUnavailable(
            f"clamd is not answering on {self.socket_path} ({reason}), so no file was scanned or marked.",
            hint="start clamd (systemctl start clamav-daemon) or set [files] clamd_socket / GMCTL_CLAMD_SOCKET",
        )

    def _command(self, command: bytes) -> str:
        sock = self._connect()
        try:
            sock.sendall(b"z" + command + b"\0")
            return _read_reply(sock)
        except OSError as exc:
            raise self.unavailable(exc) from None
        finally:
            sock.close()

    def ping(self) -> None:
        """ClamdUnavailable unless clamd answers PONG."""
        answer = self._command(b"PING")
        if answer != "PONG":
            raise self.unavailable(RuntimeError(f"PING answered {answer!r}"))

    def version(self) -> EngineVersion:
        return parse_version(self._command(b"VERSION"))

    def scan_fd(self, fd: int) -> Verdict:
        """Stream an open file to clamd (INSTREAM) and return its verdict.

        A read error is a failed verdict with the reason; a lost connection before any reply is
        ClamdUnavailable (the daemon's fault, not the file's: nothing is concluded).
        """
        sock = self._connect()
        try:
            try:
                sock.sendall(b"zINSTREAM\0")
                while True:
                    try:
                        data = os.read(fd, CHUNK)
                    except OSError as exc:
                        return Verdict(FAILED, reason=f"cannot read the file: {exc.strerror or exc}")
                    if not data:
                        break
                    sock.sendall(struct.pack(">I", len(data)) + data)
                sock.sendall(struct.pack(">I", 0))
            except (BrokenPipeError, ConnectionResetError):
                pass  # clamd stopped reading (over its limit): its reply says why
            try:
                reply = _read_reply(sock)
            except OSError as exc:
                raise self.unavailable(exc) from None
            if not reply:
                raise self.unavailable(RuntimeError("the connection closed without a reply"))
            return parse_reply(reply)
        except OSError as exc:
            raise self.unavailable(exc) from None
        finally:
            sock.close()


def _read_reply(sock: socket.socket) -> str:
    data = b""
    while not data.endswith(b"\0"):
        try:
            chunk = sock.recv(4096)
        except ConnectionResetError:
            break
        if not chunk:
            break
        data += chunk
    return data.rstrip(b"\0").decode("utf-8", "replace").strip()

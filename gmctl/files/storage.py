"""The storage root, the quarantine directory and the clamd socket; and path containment.

A record's `file_path` is relative to the storage root. Whatever the table says (the platform writes
it), a path that leaves the root is refused and never opened:
- `..` that climbs out, or an absolute path anywhere but under the root;
- a symlink at any step below the root (a link inside the root that points inside it is refused
  too: the platform never writes links, so one is a sign of tampering).
`open_contained` walks the path one component at a time from a descriptor of the root with
O_NOFOLLOW (openat), so a link swapped in between a check and the open cannot redirect it.

Settings, first set wins: the environment (GMCTL_FILES_ROOT, GMCTL_CLAMD_SOCKET,
GMCTL_FILES_QUARANTINE), then `[files] root`, `clamd_socket`, `quarantine_dir` in config.toml, then
the defaults $GMCTL_HOME/files, /run/clamav/clamd.ctl (Debian's clamd socket) and
$GMCTL_HOME/quarantine.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from gmctl.errors import GmctlError

if TYPE_CHECKING:
    from gmctl.context import Env

DEFAULT_CLAMD_SOCKET = "/run/clamav/clamd.ctl"


class PathRefused(GmctlError):
    """A record's path leaves the storage root (`..`, absolute elsewhere, a symlink): never opened."""

    def __init__(self, file_path: str, reason: str) -> None:
        super().__init__(f"path {file_path!r} {reason}: refused, not opened",
                         hint="the record's file_path must name a regular file under the storage root")
        self.file_path = file_path
        self.reason = reason


@dataclass(frozen=True)
class FilesSettings:
    """Where uploads live (`root`), where quarantined files go, and clamd's unix socket. Absolute paths."""

    root: Path
    quarantine_dir: Path
    clamd_socket: Path


def files_settings(env: "Env") -> FilesSettings:
    """The settings for this Env: environment, then `[files]` in config.toml, then the defaults."""
    section = env.config.section("files")

    def pick(variable: str, key: str, default: Path) -> Path:
        value = env.environ.get(variable) or section.get(key)
        return Path(str(value)).expanduser().absolute() if value else default.absolute()

    home = env.gmctl_home
    return FilesSettings(
        root=pick("GMCTL_FILES_ROOT", "root", home / "files"),
        quarantine_dir=pick("GMCTL_FILES_QUARANTINE", "quarantine_dir", home / "quarantine"),
        clamd_socket=pick("GMCTL_CLAMD_SOCKET", "clamd_socket", Path(DEFAULT_CLAMD_SOCKET)),
    )


def relative_parts(file_path: str, root: Path) -> list[str]:
    """The components of `file_path` below `root`, or PathRefused when it would leave the root.

    `uploads/2026/11/a.pdf` -> ['uploads', '2026', '11', 'a.pdf']; an absolute path is accepted only
    when it lies under `root`. Nothing on disk is read: symlinks are caught by `open_contained`.
    """
    if not file_path or "\x00" in file_path:
        raise PathRefused(file_path, "is empty or holds a NUL byte")
    if os.path.isabs(file_path):
        absolute = os.path.normpath(file_path)
        base = os.path.normpath(str(root))
        if absolute != base and not absolute.startswith(base.rstrip("/") + "/"):
            raise PathRefused(file_path, f"is an absolute path outside the storage root {root}")
        file_path = os.path.relpath(absolute, base)
    parts: list[str] = []
    for part in file_path.replace("\\", "/").split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                raise PathRefused(file_path, "climbs out of the storage root with '..'")
            parts.pop()
            continue
        parts.append(part)
    if not parts:
        raise PathRefused(file_path, "names the storage root itself, not a file")
    return parts


def contained_path(file_path: str, root: Path) -> Path:
    """Where the record's file would be, lexically under `root` (PathRefused if it leaves it)."""
    return root.joinpath(*relative_parts(file_path, root))


def open_contained(file_path: str, root: Path) -> int:
    """A read-only descriptor of the record's regular file, reached without following any symlink.

    Raises PathRefused (the path leaves the root, or a component is a symlink or not a directory or
    the file is not a regular file), FileNotFoundError when it is not there, PermissionError/OSError
    when it cannot be read. The caller closes the descriptor.
    """
    parts = relative_parts(file_path, root)
    flags = os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    directory = os.open(root, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
    try:
        for part in parts[:-1]:
            try:
                step = os.open(part, flags | os.O_DIRECTORY, dir_fd=directory)
            except OSError as exc:
                _refuse_link(exc, directory, part, file_path)
                raise
            os.close(directory)
            directory = step
        try:
            fd = os.open(parts[-1], flags | getattr(os, "O_NONBLOCK", 0), dir_fd=directory)
        except OSError as exc:
            _refuse_link(exc, directory, parts[-1], file_path)
            raise
    finally:
        os.close(directory)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise PathRefused(file_path, "is not a regular file")
    os.set_blocking(fd, True)
    return fd


def _refuse_link(exc: OSError, directory: int, part: str, file_path: str) -> None:
    """Turn the open's failure on a symlink (ELOOP, or ENOTDIR for a link to a directory) into PathRefused."""
    try:
        mode = os.lstat(part, dir_fd=directory).st_mode
    except OSError:
        return
    if stat.S_ISLNK(mode):
        raise PathRefused(file_path, f"goes through the symlink {part!r}") from None
    if isinstance(exc, NotADirectoryError):
        raise PathRefused(file_path, f"has {part!r}, which is not a directory, as a directory") from None


def stat_contained(file_path: str, root: Path) -> os.stat_result | None:
    """The file's stat when it is a regular file reached without symlinks; None when it is absent.

    PathRefused as `open_contained`; for where only existence and size matter (show, orphans).
    """
    try:
        fd = open_contained(file_path, root)
    except FileNotFoundError:
        return None
    try:
        return os.fstat(fd)
    finally:
        os.close(fd)

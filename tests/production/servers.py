"""Real servers for the production tests: Debian's pgbouncer, and PostgreSQL 15 primary/standby pairs.

PostgreSQL and pgbouncer both refuse to run as root: as root these run them as the postgres user
(runuser), as .ci/run does for its PostgreSQL 15 run; as anyone else, as that user.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict

from gmctl.db.url import libpq_url

PG15 = Path("/usr/lib/postgresql/15/bin")
PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"


def as_server_user(argv: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run a server program as the postgres user when we are root, else as ourselves."""
    if os.geteuid() == 0:
        argv = ["runuser", "-u", "postgres", "--", *argv]
    return subprocess.run(argv, check=True, capture_output=True, text=True, timeout=120, **kwargs)


def hand_to_server_user(path: Path, user: str = "postgres") -> None:
    """Let the server's user own a directory we made (no-op unless we are root)."""
    if os.geteuid() == 0:
        shutil.chown(path, user, user)
        for child in path.rglob("*"):
            shutil.chown(child, user, user)


def socket_owner(host: str) -> str:
    """Who may reach a server: the owner of its socket directory (the embedded server runs as its own
    user, in a private data directory), else postgres."""
    import pwd

    if host.startswith("/") and Path(host).is_dir():
        return pwd.getpwuid(Path(host).stat().st_uid).pw_name
    return "postgres"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_address(url: str) -> dict[str, str]:
    """host (socket directory or name), port and user of a libpq URL, with libpq's defaults filled in."""
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        info = conn.info
        return {"host": info.host, "port": str(info.port), "user": info.user}


@dataclass
class PgBouncer:
    """A pgbouncer in pool_mode = transaction, default startup-parameter rules, in front of one server."""

    directory: Path
    port: int
    process: subprocess.Popen

    def url(self, database: str, user: str, **query: str) -> str:
        extra = "".join(f"&{k}={v}" for k, v in query.items())
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}?connect_timeout=5{extra}"

    def log(self) -> str:
        path = self.directory / "pgbouncer.log"
        return path.read_text() if path.exists() else ""

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)


def start_pgbouncer(directory: Path, server_url: str) -> PgBouncer:
    address = server_address(server_url)
    port = free_port()
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o755)
    (directory / "userlist.txt").write_text(f'"{address["user"]}" ""\n')
    # No ignore_startup_parameters: the default rules, under which a startup `options` is refused.
    (directory / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"* = host={address['host']} port={address['port']} user={address['user']}\n"
        "[pgbouncer]\n"
        "listen_addr = 127.0.0.1\n"
        f"listen_port = {port}\n"
        "unix_socket_dir =\n"
        "auth_type = trust\n"
        f"auth_file = {directory / 'userlist.txt'}\n"
        "pool_mode = transaction\n"
        "default_pool_size = 4\n"
        "max_client_conn = 50\n"
        f"logfile = {directory / 'pgbouncer.log'}\n"
        f"pidfile = {directory / 'pgbouncer.pid'}\n"
    )
    user = socket_owner(address["host"])
    hand_to_server_user(directory, user)
    argv = [PGBOUNCER, str(directory / "pgbouncer.ini")]
    if os.geteuid() == 0:
        argv = ["runuser", "-u", user, "--", *argv]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    bouncer = PgBouncer(directory, port, process)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"pgbouncer exited: {process.stderr.read().decode()} {bouncer.log()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return bouncer
        except OSError:
            time.sleep(0.05)
    bouncer.stop()
    raise RuntimeError(f"pgbouncer did not listen on {port}: {bouncer.log()}")


def database_of(url: str) -> str:
    return conninfo_to_dict(libpq_url(url)).get("dbname", "postgres")


@dataclass
class Cluster:
    """A PostgreSQL 15 cluster in `data`, listening only on a unix socket in `socket_dir` at `port`."""

    data: Path
    socket_dir: Path
    port: int

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@/{database}?host={self.socket_dir}&port={self.port}"

    def start(self) -> None:
        options = (f"-k {self.socket_dir} -p {self.port} -c listen_addresses='' -c fsync=off"
                   " -c shared_buffers=16MB -c max_connections=30 -c wal_keep_size=64MB")
        as_server_user([str(PG15 / "pg_ctl"), "-D", str(self.data), "-l", str(self.data.parent / f"{self.data.name}.log"),
                        "-w", "-t", "60", "start", "-o", options])

    def stop(self) -> None:
        subprocess.run(
            (["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else [])
            + [str(PG15 / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"],
            capture_output=True, timeout=60,
        )


def make_primary_and_standby(directory: Path) -> tuple[Cluster, Cluster]:
    """A tiny primary, and a streaming standby made from it with pg_basebackup -R (both started)."""
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o755)
    hand_to_server_user(directory)
    primary = Cluster(directory / "primary", directory, free_port())
    as_server_user([str(PG15 / "initdb"), "-D", str(primary.data), "-A", "trust", "-U", "postgres", "--no-sync"])
    primary.start()
    standby = Cluster(directory / "standby", directory, free_port())
    as_server_user([str(PG15 / "pg_basebackup"), "-D", str(standby.data), "-R", "-X", "stream", "-c", "fast",
                    "--no-sync", "-h", str(directory), "-p", str(primary.port), "-U", "postgres"])
    standby.start()
    return primary, standby


def wait_for_replay(primary_url: str, standby_url: str, timeout: float = 30) -> None:
    """Until the standby has replayed everything the primary has written so far."""
    with psycopg.connect(libpq_url(primary_url), autocommit=True) as conn:
        target = conn.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
    deadline = time.monotonic() + timeout
    with psycopg.connect(libpq_url(standby_url), autocommit=True) as conn:
        while time.monotonic() < deadline:
            if conn.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (str(target),)).fetchone()[0]:
                return
            time.sleep(0.05)
    raise TimeoutError("the standby did not catch up")

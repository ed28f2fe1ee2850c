"""Files: verify throughput against `sha256sum`, and scan throughput against `clamdscan --stream`.

Same files, same run, interleaved rounds, medians (bench/_timing.py's method):
- verify: gmctl's per-record check (containment walk with O_NOFOLLOW, fstat, 1 MiB reads into one
  buffer, sha256) over every file, against `sha256sum` over the same files. Page cache warm for both
  (each file is read once before timing), so the figure is hashing, not the disk. Goal: >= 0.8x.
- scan: gmctl's INSTREAM client against `clamdscan --stream` (clamd's own client, same INSTREAM
  protocol) on a private clamd (tests/files/clamd_daemon.py) holding only the project's signature,
  so the figure is transport plus clamd's file-type scanning, not a signature database.

    .venv/bin/python bench/files.py [--files 24] [--mib 16] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gmctl.files.clamd import Clamd  # noqa: E402
from gmctl.files.storage import open_contained  # noqa: E402
from gmctl.files.verify import check_file  # noqa: E402


def make_files(root: Path, count: int, mib: int) -> list[str]:
    names = []
    block = os.urandom(1024 * 1024)
    for index in range(count):
        name = f"bench/{index:03d}.bin"
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as out:
            for part in range(mib):
                out.write(block[part % 7:] + block[: part % 7])  # distinct content per MiB, cheaply
        names.append(name)
    return names


def gmctl_verify(root: Path, names: list[str], sizes: dict[str, int]) -> float:
    buffer = bytearray(1024 * 1024)
    started = time.perf_counter()
    for number, name in enumerate(names):
        result = check_file(number, name, sizes[name], None, root, buffer=buffer)
        assert result.status == "ok", result
    return time.perf_counter() - started


def sha256sum(root: Path, names: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(["sha256sum", *names], cwd=root, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def gmctl_scan(clamd: Clamd, root: Path, names: list[str]) -> float:
    started = time.perf_counter()
    for name in names:
        fd = open_contained(name, root)
        try:
            verdict = clamd.scan_fd(fd)
        finally:
            os.close(fd)
        assert verdict.status == "clean", verdict
    return time.perf_counter() - started


def clamdscan(config: Path, root: Path, names: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(["clamdscan", "--stream", "--no-summary", "--quiet", "-c", str(config), *names], cwd=root,
                   stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def interleave(rounds: int, runs: dict) -> dict[str, float]:
    samples: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            samples[name].append(run())
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=24)
    parser.add_argument("--mib", type=int, default=16, help="MiB per file")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="gmctl-bench-files-"))
    os.chmod(work, 0o755)
    try:
        root = work / "files"
        names = make_files(root, args.files, args.mib)
        sizes = {name: (root / name).stat().st_size for name in names}
        total_mib = sum(sizes.values()) / 2**20
        sha256sum(root, names)  # warm the page cache
        verify = interleave(args.rounds, {"gmctl verify": lambda: gmctl_verify(root, names, sizes),
                                          "sha256sum": lambda: sha256sum(root, names)})
        print(f"verify: {args.files} files x {args.mib} MiB = {total_mib:.0f} MiB, median of {args.rounds}")
        for name, seconds in verify.items():
            print(f"  {name:<14} {seconds:7.3f} s  {total_mib / seconds:8.1f} MiB/s")
        print(f"  gmctl / sha256sum throughput: {verify['sha256sum'] / verify['gmctl verify']:.2f}x (goal >= 0.80x)")

        from tests.files.clamd_daemon import start_clamd

        for path in [work, root, *{(root / n).parent for n in names}]:
            os.chmod(path, 0o755)
        daemon = start_clamd(stream_max=f"{args.mib + 1}M")
        try:
            clamd = Clamd(daemon.socket)
            config = daemon.directory / "clamd.conf"
            scan = interleave(args.rounds, {"gmctl scan": lambda: gmctl_scan(clamd, root, names),
                                            "clamdscan": lambda: clamdscan(config, root, names)})
        finally:
            daemon.stop()
        print(f"scan (clamd {clamd.socket_path.name}, project signature only), median of {args.rounds}")
        for name, seconds in scan.items():
            print(f"  {name:<14} {seconds:7.3f} s  {total_mib / seconds:8.1f} MiB/s  {args.files / seconds:6.1f} files/s")
        print(f"  gmctl / clamdscan throughput: {scan['clamdscan'] / scan['gmctl scan']:.2f}x")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

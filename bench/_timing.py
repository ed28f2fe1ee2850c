"""Shared timing helpers for the bench scripts: medians of repeated subprocess runs."""

from __future__ import annotations

import statistics
import subprocess
import time
from typing import Sequence


def time_command(argv: Sequence[str], *, repeat: int = 15, warmup: int = 2, env: dict | None = None) -> float:
    """Median wall time in seconds of running argv to completion (output discarded)."""
    for _ in range(warmup):
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def interleaved(commands: dict[str, Sequence[str]], *, rounds: int = 15, env: dict | None = None) -> dict[str, float]:
    """Median times of several commands, run alternately so machine noise hits them all alike."""
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for argv in commands.values():
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
    for _ in range(rounds):
        for name, argv in commands.items():
            start = time.perf_counter()
            subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
            samples[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in samples.items()}

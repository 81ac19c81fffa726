"""Timing shared by the benchmarks."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def best_of(runs: int, *subjects: Callable[[], Any]) -> list[tuple[Any, float]]:
    """Each subject's last result and best wall time in seconds over ``runs`` rounds.

    The subjects take turns within each round, so that a busy neighbour slows them all alike and
    their ratio holds even on a noisy machine.
    """
    results: list[Any] = [None] * len(subjects)
    best = [float("inf")] * len(subjects)
    for _ in range(runs):
        for i, subject in enumerate(subjects):
            start = time.perf_counter()
            results[i] = subject()
            best[i] = min(best[i], time.perf_counter() - start)
    return list(zip(results, best, strict=True))

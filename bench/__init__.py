"""leadloop benchmarks: ``python -m bench`` runs every ``bench/bench_<name>.py`` and prints one table.

A benchmark module exposes ``run(quick: bool) -> list[Figure]``; each :class:`Figure` is a measured
value beside its reference (the bare floor or the minimum it is compared with) and the goal the
pair must meet. ``run`` raises :class:`Skip` when the benchmark cannot run on this machine.
"""

from .figure import Figure, Skip

__all__ = ["Figure", "Skip"]

"""What a benchmark reports: a figure beside its reference, and the goal the pair must meet."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal


class Skip(Exception):
    """Raised by ``run`` when the benchmark cannot run here; the message says why (missing service...)."""


@dataclass(frozen=True)
class Figure:
    """One measured figure, e.g. 437,000 rows/s beside bare csv.reader's 480,000 rows/s.

    ``ratio`` is ``value / reference_value``. The goal is either ``goal_ratio``, met when the ratio is
    at least that (``better="higher"``) or at most that (``better="lower"``), or ``meets``, a
    predicate over ``value`` for an absolute goal, which ``goal`` then describes ("<= 100 ms").
    ``goal`` defaults to the ratio goal written out. A figure with ``skipped`` set carries the reason
    instead of a value.
    """

    name: str
    value: float | None
    unit: str
    reference_name: str = ""
    reference_value: float | None = None
    goal_ratio: float | None = None
    better: Literal["higher", "lower"] = "higher"
    meets: Callable[[float], bool] | None = None
    goal: str = ""
    skipped: str = ""

    def __post_init__(self) -> None:
        if self.skipped:
            return
        if self.value is None:
            raise ValueError(f"figure {self.name!r}: no value and not skipped")
        if (self.goal_ratio is None) == (self.meets is None):
            raise ValueError(f"figure {self.name!r}: give exactly one of goal_ratio and meets")
        if self.goal_ratio is not None and not self.reference_value:
            raise ValueError(f"figure {self.name!r}: a goal_ratio needs a reference_value")
        if self.meets is not None and not self.goal:
            raise ValueError(f"figure {self.name!r}: a meets predicate needs its goal text")

    @classmethod
    def skip(cls, name: str, reason: str) -> Figure:
        return cls(name, None, "", skipped=reason)

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.reference_value:
            return None
        return self.value / self.reference_value

    @property
    def goal_text(self) -> str:
        if self.goal or self.goal_ratio is None:
            return self.goal
        return f"{'>=' if self.better == 'higher' else '<='} {self.goal_ratio:.2f}x"

    @property
    def verdict(self) -> str:
        if self.skipped:
            return f"skipped ({self.skipped})"
        assert self.value is not None
        if self.meets is not None:
            met = self.meets(self.value)
        else:
            ratio, goal = self.ratio, self.goal_ratio
            assert ratio is not None and goal is not None
            met = ratio >= goal if self.better == "higher" else ratio <= goal
        return "met" if met else "not met"

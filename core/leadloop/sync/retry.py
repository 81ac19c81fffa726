"""Backoff for retriable failures: exponential with full jitter, ``Retry-After`` honoured."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import RetriableError


@dataclass
class RetryPolicy:
    """How often and how long to retry a :class:`RetriableError`.

    The delay before attempt ``n`` (1-based) is a random value in ``[0, min(cap, base * 2**n))``
    (full jitter spreads the retries of many workers), raised to the source's ``Retry-After`` when
    it gave one: the source knows better than our guess.
    """

    attempts: int = 8
    base: float = 0.5
    cap: float = 60.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    rng: random.Random = field(default_factory=random.Random, repr=False)

    def delay(self, attempt: int, error: RetriableError) -> float:
        jittered = self.rng.uniform(0, min(self.cap, self.base * 2**attempt))
        if error.retry_after is not None:
            return max(jittered, error.retry_after)
        return jittered

    def wait(self, attempt: int, error: RetriableError) -> None:
        """Sleep before the next attempt, or re-raise once ``attempts`` are spent."""
        if attempt >= self.attempts:
            raise error
        self.sleep(self.delay(attempt, error))

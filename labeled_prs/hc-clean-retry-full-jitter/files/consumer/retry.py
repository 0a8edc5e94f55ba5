"""Retry policy for queue consumers."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    base_delay: float = 1.0
    max_delay: float = 300.0
    jitter: bool = True

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds to wait before retry number `attempt` (1-based).

        With jitter ("full jitter"), the delay is uniform in [0, capped exponential delay],
        which spreads out consumers that failed at the same moment.
        """
        capped = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        if not self.jitter:
            return capped
        return (rng or random).uniform(0, capped)

    def should_retry(self, attempt: int) -> bool:
        return attempt < self.max_attempts

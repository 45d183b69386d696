"""When to try a failed send again: exponential backoff with jitter and a cap. Pure.

Defaults: about 30 s, 1 min, 2 min, 4 min … then at most an hour apart, 20 attempts in all
(roughly 14 hours of trying) before a delivery is given up as failed. Jitter spreads retries of
many deliveries to one recovering service instead of sending them all in the same second.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class RetryPolicy:
    first_delay: timedelta = timedelta(seconds=30)
    factor: float = 2.0
    max_delay: timedelta = timedelta(hours=1)
    max_attempts: int = 20
    # Each delay is shortened by up to this fraction, at random.
    jitter: float = 0.25

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if not 0 <= self.jitter < 1:
            raise ValueError("jitter must be in [0, 1)")
        if self.factor < 1:
            raise ValueError("factor must be at least 1")

    def delay(self, attempts: int, fraction: float) -> timedelta:
        """The wait after the `attempts`-th failed attempt; `fraction` in [0, 1) draws jitter."""
        if attempts < 1:
            raise ValueError("attempts counts the failed attempts so far: at least 1")
        # In float seconds: a timedelta would overflow long before attempt 200 is reached.
        growth = self.factor ** min(attempts - 1, 256)
        base = min(self.first_delay.total_seconds() * growth, self.max_delay.total_seconds())
        return timedelta(seconds=base * (1 - self.jitter * fraction))

    def retry_at(self, attempts: int, now: datetime, fraction: float) -> datetime | None:
        """When to try again after `attempts` failed attempts, or None: give up."""
        if attempts >= self.max_attempts:
            return None
        return now + self.delay(attempts, fraction)

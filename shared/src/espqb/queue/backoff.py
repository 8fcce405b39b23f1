"""How long a retryable failure waits before the next attempt: capped exponential backoff with full
jitter (the delay is uniform between zero and the ceiling), so that many jobs failing together —
QuickBooks Online throttling a realm, say — do not all come back at the same instant."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from espqb.config import DEFAULT_JOB_BACKOFF_BASE_SECONDS, DEFAULT_JOB_BACKOFF_MAX_SECONDS, Settings

# 2**60 seconds is far beyond any cap; stopping the exponent there keeps the float finite.
_MAX_EXPONENT = 60


@dataclass(frozen=True)
class BackoffPolicy:
    """`BackoffPolicy()` is the settings' default (`espqb.config`); a process builds its own with
    `from_settings`."""

    base_seconds: float = DEFAULT_JOB_BACKOFF_BASE_SECONDS
    max_seconds: float = DEFAULT_JOB_BACKOFF_MAX_SECONDS
    # Returns a number in [0, 1]; injectable so tests can pin the jitter.
    jitter: Callable[[], float] = field(default=random.random, compare=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> BackoffPolicy:
        return cls(settings.job_backoff_base_seconds, settings.job_backoff_max_seconds)

    def ceiling(self, attempt: int) -> float:
        """The longest wait after `attempt` (1-based) has failed: base, 2·base, 4·base, … up to the cap."""
        exponent = min(max(attempt, 1) - 1, _MAX_EXPONENT)
        return min(self.max_seconds, self.base_seconds * 2.0**exponent)

    def delay(self, attempt: int) -> timedelta:
        return timedelta(seconds=self.jitter() * self.ceiling(attempt))

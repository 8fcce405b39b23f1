"""How long to wait before trying a failed call again, and how often to try.

* 429: Intuit's ``Retry-After`` when it sends one, else the 60 s its limits page asks for
  (docs/quickbooks-online.md §2.11);
* 5xx, gateway timeouts, our own timeouts, network errors: exponential backoff with full jitter
  (a random wait between 0 and base·2ⁿ, capped), or ``Retry-After`` when given, so that many
  workers failing together do not come back together.

Every write carries a ``requestid``, so repeating it never writes twice (docs/quickbooks-online.md §2.8).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from qbo_gateway.client.errors import QboFault, Throttled

__all__ = ["RetryPolicy"]

_RNG = random.Random()


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 5  # the first try included
    base_seconds: float = 0.5
    max_seconds: float = 30.0
    throttle_seconds: float = 60.0
    max_retry_after_seconds: float = 300.0

    def should_retry(self, error: QboFault, attempt: int) -> bool:
        """``attempt`` is the number of tries made so far (1 after the first)."""
        return error.retryable and attempt < self.max_attempts

    def delay(self, error: QboFault, attempt: int, rng: random.Random | None = None) -> float:
        rng = rng or _RNG
        if error.retry_after is not None:
            wait = min(error.retry_after, self.max_retry_after_seconds)
            # A little spread so callers told the same Retry-After do not return in one burst.
            return wait + rng.uniform(0.0, min(1.0, wait * 0.1))
        if isinstance(error, Throttled):
            return self.throttle_seconds + rng.uniform(0.0, 1.0)
        ceiling = min(self.max_seconds, self.base_seconds * 2 ** max(0, attempt - 1))
        return rng.uniform(0.0, ceiling)

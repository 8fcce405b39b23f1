"""Failures the sandbox can be told to produce, so clients can be tested against a bad day at Intuit.

Two sources, checked in this order for every QBO API call:

1. one-shot injections queued per realm with ``inject_next(realm, fault)``, consumed first in, first out;
2. random failures drawn from a seeded ``random.Random``: ``p_429``, ``p_500``, ``p_timeout``.

A fault is an HTTP status (429, 500, 503, 401, 403, 504), ``"timeout"`` (the sandbox sleeps
``timeout_delay_s`` before answering, longer than the client's timeout, and does nothing),
``"timeout_after_write"`` (the write is done, then the answer stalls the same way: the case ``requestid``
exists for, docs/quickbooks-online.md §2.8), or a ready ``QboFault``. ``latency_s`` adds a delay to every
call.

Injected faults apply to calls that have passed authentication and throttling. The token endpoint has
its own queue, ``TOKEN_ENDPOINT``, which only takes one-shot injections.
"""

from __future__ import annotations

import random
from collections import defaultdict, deque
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

from .faults import QboFault

Fault = int | Literal["timeout", "timeout_after_write"] | QboFault
TIMEOUT_FAULTS = ("timeout", "timeout_after_write")
TOKEN_ENDPOINT = "oauth2/v1/tokens/bearer"

# Intuit cuts requests off at 120 s (docs/quickbooks-online.md §2.11), so a default stall just past it is a
# timeout for any client; tests configure a short delay and a shorter client timeout.
DEFAULT_TIMEOUT_DELAY_S = 125.0


@dataclass(frozen=True, slots=True)
class FaultSettings:
    latency_s: float = 0.0
    p_429: float = 0.0
    p_500: float = 0.0
    p_timeout: float = 0.0
    timeout_delay_s: float = DEFAULT_TIMEOUT_DELAY_S
    seed: int = 0

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


class FaultInjector:
    def __init__(self, settings: FaultSettings | None = None) -> None:
        self.settings = settings or FaultSettings()
        self._rng = random.Random(self.settings.seed)
        self._queued: defaultdict[str, deque[Fault]] = defaultdict(deque)

    def configure(self, **changes: Any) -> FaultSettings:
        """Change some settings; giving ``seed`` restarts the random sequence."""
        for name in ("p_429", "p_500", "p_timeout"):
            value = changes.get(name)
            if value is not None and not 0.0 <= float(value) <= 1.0:
                raise ValueError(f"{name} must be a probability between 0 and 1")
        self.settings = replace(self.settings, **changes)
        if "seed" in changes:
            self._rng = random.Random(self.settings.seed)
        return self.settings

    def inject_next(self, realm_id: str, fault: Fault) -> None:
        if isinstance(fault, str) and fault not in TIMEOUT_FAULTS:
            raise ValueError(
                f"unknown fault {fault!r}; use an HTTP status, {' or '.join(TIMEOUT_FAULTS)}, or a QboFault"
            )
        self._queued[realm_id].append(fault)

    def queued(self, realm_id: str) -> list[Fault]:
        return list(self._queued[realm_id])

    def next_fault(self, realm_id: str, *, random_faults: bool = True) -> Fault | None:
        queue = self._queued[realm_id]
        if queue:
            return queue.popleft()
        s = self.settings
        if not random_faults:
            return None
        if s.p_429 == s.p_500 == s.p_timeout == 0.0:
            return None
        draw = self._rng.random()
        if draw < s.p_429:
            return 429
        if draw < s.p_429 + s.p_500:
            return 500
        if draw < s.p_429 + s.p_500 + s.p_timeout:
            return "timeout"
        return None

"""What a repair policy is: the fault it answers, the writes it applies to, and the repair."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from qbo_gateway.client import QboFault
from qbo_gateway.sender.attempt import Attempt
from qbo_gateway.sender.writes import Write

__all__ = ["Policy"]


@dataclass(frozen=True, slots=True)
class Policy:
    fault: type[QboFault]
    applies: Callable[[Write], bool]
    repair: Callable[[Attempt, Write, QboFault], Awaitable[None]]

"""Where the queue's "now" comes from.

Every function that compares against a lease expiry or a `run_after` takes a `clock`, so tests move
time forward instead of sleeping until a lease runs out.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from espqb.db.types import utcnow

Clock = Callable[[], datetime]
"""Returns the current time as a timezone-aware UTC datetime."""

__all__ = ["Clock", "utcnow"]

"""The number receiveResponseXML returns: honest progress (pure).

0-99 while work remains, 100 when there is none, negative on failure (docs/web-connector.md §1.6). Never 100
early: the Web Connector stops calling sendRequestXML at 100, so capping at 99 keeps the session
alive until the last order is written (the same rule peers follow, docs/web-connector.md §1.6).
"""

from __future__ import annotations

DONE = 100
# Negative values are custom error codes; the Web Connector then calls getLastError
# (docs/web-connector.md §1.6).
QUICKBOOKS_FAILED = -101
UNREADABLE_RESPONSE = -102


def progress(*, finished: int, remaining: int, floor: int = 0) -> int:
    """Percent of work done: ``finished`` units out of ``finished + remaining``; 100 only when
    nothing remains. ``floor`` (the last value reported) keeps the bar from moving backwards when
    new work arrives during the session."""
    if remaining <= 0:
        return DONE
    total = finished + remaining
    percent = (100 * finished) // total
    return max(0, min(99, max(percent, floor)))

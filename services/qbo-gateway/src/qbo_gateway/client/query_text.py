"""Writing QBO query statements safely (docs/quickbooks-online.md §2.6).

Strings go in single quotes with a backslash before a quote or a backslash; a user's search text
becomes a ``LIKE '%…%'`` whose only wildcard is ours (``%`` is QBO's one wildcard, so a ``%`` typed by
the user is dropped rather than passed on as a pattern).
"""

from __future__ import annotations

__all__ = ["MAX_PAGE", "contains", "page", "quote"]

MAX_PAGE = 1000  # QBO answers at most 1000 entities per query


def quote(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"


def contains(text: str) -> str:
    """A LIKE pattern matching names that contain ``text``."""
    cleaned = text.replace("%", "").strip()
    return quote(f"%{cleaned}%")


def page(statement: str, *, start: int, size: int) -> str:
    """``statement`` with QBO's paging clause; ``start`` is 1-based, as in QBO."""
    if not 1 <= size <= MAX_PAGE:
        raise ValueError(f"a QBO query page holds 1 to {MAX_PAGE} entities")
    if start < 1:
        raise ValueError("STARTPOSITION counts from 1")
    return f"{statement} STARTPOSITION {start} MAXRESULTS {size}"

"""One pass over the cached lists, possibly spread over several round trips (pure).

A refresh is ``full`` the first time (everything, page by page) and ``incremental`` afterwards
(what changed since the last one began, minus the clock-skew minute). Its progress lives in the
session state as JSON, so a server restart between two pages loses nothing but the page in flight.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from ..encoder.xml_build import Element
from ..responses import QbResponse, decide
from ..responses.decisions import Decision
from .lists import SPECS_BY_NAME, list_query, lists_to_read, watermark
from .records import CachedEntry, cached_entry

RefreshMode = Literal["full", "incremental"]
REQUEST_PREFIX = "cache."
# the iterator expired or is unknown: start that list again (docs/web-connector.md §3.2)
INVALID_ITERATOR = 3391


@dataclass
class ListProgress:
    state: Literal["pending", "paging", "done"] = "pending"
    iterator_id: str | None = None
    restarts: int = 0
    read: int = 0
    remaining: int = 0  # QuickBooks' iteratorRemainingCount after the last page


@dataclass
class CacheRefresh:
    mode: RefreshMode
    started_at: datetime
    since: datetime | None
    lists: dict[str, ListProgress] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @classmethod
    def begin(
        cls,
        *,
        now: datetime,
        last_refreshed_at: datetime | None,
        sales_tax_on: bool,
        multi_currency_on: bool = False,
    ) -> CacheRefresh:
        mode: RefreshMode = "full" if last_refreshed_at is None else "incremental"
        return cls(
            mode=mode,
            started_at=now,
            since=None if last_refreshed_at is None else watermark(last_refreshed_at),
            lists={
                spec.name: ListProgress()
                for spec in lists_to_read(sales_tax_on=sales_tax_on, multi_currency_on=multi_currency_on)
            },
        )

    @property
    def done(self) -> bool:
        return all(p.state == "done" for p in self.lists.values())

    @property
    def fraction_done(self) -> float:
        """How much of the lists has been read, from QuickBooks' own remaining counts; below 1
        until the last page is in."""
        if self.done:
            return 1.0
        read = sum(p.read for p in self.lists.values())
        remaining = sum(p.remaining for p in self.lists.values() if p.state == "paging")
        return min(read / (read + remaining), 0.99) if read + remaining else 0.0

    def next_queries(self) -> list[Element]:
        """One query per list not finished yet: independent, so they share one message set."""
        return [
            list_query(
                SPECS_BY_NAME[name], REQUEST_PREFIX + name, since=self.since, iterator_id=progress.iterator_id
            )
            for name, progress in self.lists.items()
            if progress.state != "done"
        ]

    def absorb(self, list_name: str, response: QbResponse) -> list[CachedEntry]:
        """Take one page; returns the records it carried."""
        progress = self.lists.get(list_name)
        if progress is None:
            return []
        decision = decide(response.status, is_query=True)
        if decision is Decision.EMPTY:
            progress.state, progress.iterator_id = "done", None
            return []
        if decision is not Decision.STORE:
            if response.status.code == INVALID_ITERATOR and progress.restarts < 1:
                progress.state, progress.iterator_id, progress.restarts = (
                    "pending",
                    None,
                    progress.restarts + 1,
                )
            else:
                # The lookups keep what they had for this list; the next refresh tries again.
                progress.state, progress.iterator_id = "done", None
                self.problems.append(f"{list_name}: {response.status.message} ({response.status.code})")
            return []
        entries = [entry for entry in (cached_entry(ret) for ret in response.rets) if entry is not None]
        remaining = response.iterator_remaining or 0
        progress.read += len(entries)
        if SPECS_BY_NAME[list_name].paged and remaining > 0 and response.iterator_id:
            progress.state, progress.iterator_id, progress.remaining = (
                "paging",
                response.iterator_id,
                remaining,
            )
        else:
            progress.state, progress.iterator_id, progress.remaining = "done", None, 0
        return entries

    def to_json(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "started_at": self.started_at.isoformat(),
            "since": self.since.isoformat() if self.since else None,
            "lists": {
                name: {
                    "state": p.state,
                    "iterator_id": p.iterator_id,
                    "restarts": p.restarts,
                    "read": p.read,
                    "remaining": p.remaining,
                }
                for name, p in self.lists.items()
            },
            "problems": list(self.problems),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CacheRefresh:
        return cls(
            mode=data["mode"],
            started_at=datetime.fromisoformat(data["started_at"]),
            since=datetime.fromisoformat(data["since"]) if data.get("since") else None,
            lists={name: ListProgress(**value) for name, value in data["lists"].items()},
            problems=list(data.get("problems", [])),
        )


def list_name_of(request_id: str) -> str | None:
    return request_id.removeprefix(REQUEST_PREFIX) if request_id.startswith(REQUEST_PREFIX) else None

"""Intuit's per-company request limits, as sliding windows on the sandbox clock
(docs/quickbooks-online.md §2.11).

- 500 requests per minute per realm;
- at most 10 concurrent requests per realm and app;
- 40 batch requests per minute per realm and app, 120 per realm;
- 10 requests per second per realm and app: published, but off by default here (``per_second_app=None``)
  so that unit tests which fire a quick burst of requests are not throttled; turn it on to test pacing.

Only admitted requests count towards a window. A refused request raises ``Throttled``.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

_MINUTE = timedelta(minutes=1)
_SECOND = timedelta(seconds=1)


@dataclass(frozen=True, slots=True)
class ThrottleLimits:
    per_minute_realm: int | None = 500
    concurrent_app: int | None = 10
    batch_per_minute_app: int | None = 40
    batch_per_minute_realm: int | None = 120
    per_second_app: int | None = None


class Throttled(Exception):
    def __init__(self, limit: str) -> None:
        super().__init__(limit)
        self.limit = limit


class _Window:
    def __init__(self, span: timedelta) -> None:
        self.span = span
        self.hits: deque[datetime] = deque()

    def count(self, now: datetime) -> int:
        while self.hits and now - self.hits[0] >= self.span:
            self.hits.popleft()
        return len(self.hits)


class RequestThrottle:
    def __init__(self, now: Callable[[], datetime], limits: ThrottleLimits | None = None) -> None:
        self._now = now
        self.limits = limits or ThrottleLimits()
        self._windows: dict[tuple[str, ...], _Window] = {}
        self._in_flight: defaultdict[tuple[str, str], int] = defaultdict(int)

    def _window(self, key: tuple[str, ...], span: timedelta) -> _Window:
        window = self._windows.get(key)
        if window is None:
            window = self._windows[key] = _Window(span)
        return window

    def in_flight(self, realm_id: str, app: str) -> int:
        return self._in_flight[(realm_id, app)]

    @contextmanager
    def admit(self, realm_id: str, app: str, *, is_batch: bool) -> Iterator[None]:
        """Hold a slot for the duration of one request, or raise ``Throttled``."""
        now = self._now()
        limits = self.limits
        checks: list[tuple[str, tuple[str, ...], timedelta, int | None]] = [
            ("500 requests per minute per realm", ("minute", realm_id), _MINUTE, limits.per_minute_realm),
            (
                "requests per second per realm and app",
                ("second", realm_id, app),
                _SECOND,
                limits.per_second_app,
            ),
        ]
        if is_batch:
            checks += [
                (
                    "batch requests per minute per realm and app",
                    ("batch", realm_id, app),
                    _MINUTE,
                    limits.batch_per_minute_app,
                ),
                (
                    "batch requests per minute per realm",
                    ("batch", realm_id),
                    _MINUTE,
                    limits.batch_per_minute_realm,
                ),
            ]
        for label, key, span, limit in checks:
            if limit is not None and self._window(key, span).count(now) >= limit:
                raise Throttled(label)
        if limits.concurrent_app is not None and self._in_flight[(realm_id, app)] >= limits.concurrent_app:
            raise Throttled("concurrent requests per realm and app")
        for _, key, span, limit in checks:
            if limit is not None:
                self._window(key, span).hits.append(now)
        self._in_flight[(realm_id, app)] += 1
        try:
            yield
        finally:
            self._in_flight[(realm_id, app)] -= 1

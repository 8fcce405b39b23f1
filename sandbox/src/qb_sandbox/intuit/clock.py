"""The sandbox's sense of time: injectable, and advanceable so tests can expire tokens and windows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

# QBO renders times in the company's time zone; Intuit's own servers answer in US Pacific time
# (e.g. "2019-08-02T04:48:37.097-07:00" in the faults quoted in docs/quickbooks-online.md §2.10).
PACIFIC = ZoneInfo("America/Los_Angeles")


def system_now() -> datetime:
    return datetime.now(UTC)


class SandboxClock:
    """``now()`` = the source clock plus an offset that ``advance()`` moves forward."""

    def __init__(self, source: Callable[[], datetime] | None = None) -> None:
        self._source = source or system_now
        self._offset = timedelta()

    def now(self) -> datetime:
        current = self._source()
        if current.tzinfo is None:
            current = current.replace(tzinfo=UTC)
        return current + self._offset

    def advance(self, seconds: float) -> datetime:
        self._offset += timedelta(seconds=seconds)
        return self.now()

    def __call__(self) -> datetime:
        return self.now()


def response_time(moment: datetime) -> str:
    """The ``time`` of a response envelope: Pacific time with milliseconds."""
    return moment.astimezone(PACIFIC).isoformat(timespec="milliseconds")


def metadata_time(moment: datetime) -> str:
    """``MetaData.CreateTime`` / ``LastUpdatedTime``: Pacific time to the second."""
    return moment.astimezone(PACIFIC).isoformat(timespec="seconds")


def company_date(moment: datetime) -> date:
    return moment.astimezone(PACIFIC).date()


def epoch_millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)

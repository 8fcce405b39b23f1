"""Slowing down wrong Web Connector passwords per source address, without locking anyone out.

A wrong password never blocks the user name: the rightful Web Connector, calling from its own
address, keeps authenticating whatever a stranger tries elsewhere. What is throttled is the pair
(source address, user name), and the source address on its own (a stranger trying many user names):
a few failures are free, after that each further attempt must wait a delay that doubles up to a
maximum. An attempt inside the delay is refused at once — no database query, no password hash — and
is not counted, so refusing costs a dictionary lookup.

The record lives in the process's memory, bounded (the oldest records are forgotten first): with
several gateway replicas each keeps its own. IPv6 sources count per /64, the block one host gets.
The source address is the client address uvicorn reports (with ``--proxy-headers`` behind a proxy).
"""

from __future__ import annotations

import ipaddress
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

ANY_USER = ""


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    free_failures: int
    first_delay: timedelta
    max_delay: timedelta

    def delay(self, failures: int) -> timedelta:
        """How long to wait after the last failure, having had ``failures`` in a row."""
        if failures < self.free_failures:
            return timedelta(0)
        return min(self.first_delay * 2 ** (failures - self.free_failures), self.max_delay)


# A Web Connector with a stale password polls every few minutes: it never waits longer than a minute
# once the right password is pasted. A source trying many user names waits up to a quarter of an hour.
PER_USER = ThrottlePolicy(free_failures=5, first_delay=timedelta(seconds=1), max_delay=timedelta(minutes=1))
PER_SOURCE = ThrottlePolicy(
    free_failures=20, first_delay=timedelta(seconds=1), max_delay=timedelta(minutes=15)
)


@dataclass(slots=True)
class _Failures:
    count: int
    last: datetime


def source_key(address: str | None) -> str:
    """The unit a source is counted in: the IPv4 address, or the IPv6 /64."""
    if not address:
        return "unknown"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


class LoginThrottle:
    def __init__(
        self,
        *,
        per_user: ThrottlePolicy = PER_USER,
        per_source: ThrottlePolicy = PER_SOURCE,
        capacity: int = 50_000,
    ) -> None:
        self.per_user = per_user
        self.per_source = per_source
        self.capacity = capacity
        self._records: OrderedDict[tuple[str, str], _Failures] = OrderedDict()

    def _policy(self, username: str) -> ThrottlePolicy:
        return self.per_source if username == ANY_USER else self.per_user

    def _waiting(self, key: tuple[str, str], now: datetime) -> bool:
        record = self._records.get(key)
        if record is None:
            return False
        policy = self._policy(key[1])
        if now - record.last > policy.max_delay * 2:
            del self._records[key]  # quiet long enough: start afresh
            return False
        return now < record.last + policy.delay(record.count)

    def refused(self, source: str | None, username: str, now: datetime) -> bool:
        """True: refuse this attempt without looking at the password."""
        where = source_key(source)
        return self._waiting((where, ANY_USER), now) or self._waiting((where, username), now)

    def failed(self, source: str | None, username: str, now: datetime) -> None:
        where = source_key(source)
        for key in ((where, ANY_USER), (where, username)):
            record = self._records.pop(key, None) or _Failures(0, now)
            record.count, record.last = record.count + 1, now
            self._records[key] = record  # most recent last: the oldest are forgotten first
        while len(self._records) > self.capacity:
            self._records.popitem(last=False)

    def succeeded(self, source: str | None, username: str) -> None:
        """The right password: that pair starts afresh. The source's own count stays, so a stranger
        cannot wipe it by logging in to a company of their own between guesses."""
        self._records.pop((source_key(source), username), None)

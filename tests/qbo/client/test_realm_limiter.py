"""The per-realm limiter keeps every realm inside Intuit's limits (docs/quickbooks-online.md §2.11) under
load: 500 requests per minute, 10 per second, 10 at once, 40 batch requests per minute."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from qb_sandbox.intuit import DEMO_REALM_ID, ThrottleLimits
from qbo_gateway.client import BatchItem, RealmLimiter, RealmLimits
from tests.qbo.client.support import FakeTime, SandboxTokens, new_sandbox, sandbox_client


def _most_in_any_window(times: Sequence[float], span: float) -> int:
    ordered = sorted(times)
    best, start = 0, 0
    for end, moment in enumerate(ordered):
        while moment - ordered[start] >= span:
            start += 1
        best = max(best, end - start + 1)
    return best


async def test_admissions_never_exceed_a_window_or_the_concurrency_limit() -> None:
    time = FakeTime()
    limiter = RealmLimiter(RealmLimits(), clock=time.monotonic, sleep=time.sleep)
    admitted: list[float] = []
    batches: list[float] = []
    in_flight = peak = 0

    async def call(n: int) -> None:
        nonlocal in_flight, peak
        batch = n % 5 == 0
        async with limiter.slot("realm-1", batch=batch):
            admitted.append(time.monotonic())
            if batch:
                batches.append(time.monotonic())
            in_flight += 1
            peak = max(peak, in_flight)
            await asyncio.sleep(0)
            in_flight -= 1

    await asyncio.gather(*(call(n) for n in range(1500)))

    assert len(admitted) == 1500
    assert _most_in_any_window(admitted, 60.0) <= 500
    assert _most_in_any_window(admitted, 1.0) <= 10
    assert _most_in_any_window(batches, 60.0) <= 40
    assert peak <= 10


async def test_realms_do_not_share_their_limits() -> None:
    time = FakeTime()
    limiter = RealmLimiter(RealmLimits(per_minute=5, per_second=None), clock=time.monotonic, sleep=time.sleep)

    async def one(realm: str) -> None:
        async with limiter.slot(realm):
            pass

    await asyncio.gather(*(one(realm) for realm in ("a", "b") for _ in range(5)))
    assert time.seconds == 0.0  # five each fit at once; nobody waited for the other realm


async def test_under_load_the_sandbox_enforcing_intuits_limits_never_throttles_us() -> None:
    time = FakeTime()
    sandbox = new_sandbox(time, throttle=ThrottleLimits(per_second_app=10))
    client = sandbox_client(sandbox, SandboxTokens(sandbox), time=time)
    try:
        calls = [
            client.batch("acme", [BatchItem.select("q", "SELECT * FROM Item")], request_id=f"b-{n}")
            if n % 19 == 0
            else client.query("acme", "SELECT * FROM Account MAXRESULTS 1")
            for n in range(1160)
        ]
        await asyncio.gather(*calls)
    finally:
        await client.http.aclose()

    assert sandbox.status_counts.get(429, 0) == 0
    assert sandbox.api_calls[DEMO_REALM_ID] == 1160
    # At Intuit's exact limits the last of 1160 requests goes out at 135 s (10 a second; each minute's
    # 500 are sent in 50 s, then the minute window is full). The safety margins cost under 5 %.
    assert 135.0 <= time.seconds <= 135.0 / 0.95


async def test_a_429_pauses_every_caller_of_the_realm() -> None:
    time = FakeTime()
    limiter = RealmLimiter(clock=time.monotonic, sleep=time.sleep)
    limiter.pause("realm-1", 60.0)
    async with limiter.slot("realm-1"):
        assert time.seconds == 60.0
    async with limiter.slot("realm-2"):
        assert time.seconds == 60.0  # another realm was never paused

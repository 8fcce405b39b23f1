"""A request that takes long to reach Intuit still counts against Intuit's windows when it lands: the
limiter counts each request until a window after its answer, and for ever while it is on its way."""

from __future__ import annotations

import asyncio

from qbo_gateway.client import RealmLimiter, RealmLimits


class ManualTime:
    """Monotonic seconds that move only when the test says so; sleeping jumps to the wake-up time."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def monotonic(self) -> float:
        return self.seconds

    async def sleep(self, seconds: float) -> None:
        self.seconds += max(0.0, seconds)
        await asyncio.sleep(0)


ONE_A_SECOND = RealmLimits(per_minute=None, per_second=1, concurrent=None, batch_per_minute=None)


async def test_a_quick_answer_frees_the_one_second_window_after_the_margin() -> None:
    time = ManualTime()
    limiter = RealmLimiter(ONE_A_SECOND, clock=time.monotonic, sleep=time.sleep)
    async with limiter.slot("r"):
        pass
    async with limiter.slot("r"):
        assert time.seconds == 1.2  # a second and the margin after the first was admitted


async def test_a_slow_request_counts_until_a_second_after_its_answer() -> None:
    time = ManualTime()
    limiter = RealmLimiter(ONE_A_SECOND, clock=time.monotonic, sleep=time.sleep)
    admitted: list[float] = []
    first_on_its_way = asyncio.Event()
    answer_first = asyncio.Event()

    async def first() -> None:
        async with limiter.slot("r"):
            admitted.append(time.seconds)
            first_on_its_way.set()
            await answer_first.wait()

    async def second() -> None:
        await first_on_its_way.wait()
        async with limiter.slot("r"):
            admitted.append(time.seconds)

    tasks = [asyncio.create_task(first()), asyncio.create_task(second())]
    await first_on_its_way.wait()
    for _ in range(20):
        await asyncio.sleep(0)
    assert admitted == [0.0]  # the first is still on its way: it may reach Intuit any moment
    time.seconds = 3.0  # it took three seconds to be answered
    answer_first.set()
    await asyncio.gather(*tasks)
    # Intuit may have counted it just before answering: the next one goes a second after the answer.
    assert admitted == [0.0, 4.0]

"""An idle scheduler is quiet: APScheduler's "Running job" / "executed successfully" lines, written at
every tick, stay out of the logs, while a job that fails is still reported."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Iterator

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from espqb.observability.logging import configure_logging


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    yield
    configure_logging(json_logs=False)  # back to the development default for the tests after these


async def _tick(job: object, seconds: float) -> None:
    scheduler = AsyncIOScheduler()
    scheduler.add_job(job, "interval", seconds=0.05, id="tick")
    scheduler.start()
    try:
        await asyncio.sleep(seconds)
    finally:
        scheduler.shutdown(wait=False)


@pytest.mark.parametrize("level", ["INFO", "DEBUG"])
def test_an_idle_scheduler_writes_nothing_at_each_tick(level: str) -> None:
    out = io.StringIO()
    configure_logging(json_logs=True, level=level, stream=out)
    ticks = 0

    async def job() -> None:
        nonlocal ticks
        ticks += 1

    asyncio.run(_tick(job, 0.3))
    assert ticks >= 2  # the jobs really ran
    assert "Running job" not in out.getvalue()
    assert "executed successfully" not in out.getvalue()
    logging.getLogger("espqb.test").info("still here")
    assert "still here" in out.getvalue()  # our own INFO lines are untouched


def test_a_failing_scheduled_job_is_still_logged() -> None:
    out = io.StringIO()
    configure_logging(json_logs=True, stream=out)

    async def job() -> None:
        raise RuntimeError("the notification store is gone")

    asyncio.run(_tick(job, 0.2))
    assert "the notification store is gone" in out.getvalue()
    assert '"level": "error"' in out.getvalue()

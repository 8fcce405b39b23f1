"""Fixtures: the in-memory handler mounted behind ``soap_router``, driven through httpx."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.qbwc.soap.fakes import FakeSessionHandler, HandlerProbe, make_app


@pytest.fixture
def handler() -> FakeSessionHandler:
    return FakeSessionHandler()


@pytest.fixture
def probe() -> HandlerProbe:
    return HandlerProbe()


@pytest.fixture
async def client(handler: FakeSessionHandler, probe: HandlerProbe) -> AsyncIterator[httpx.AsyncClient]:
    app = make_app(handler, probe)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://testserver") as c:
        yield c

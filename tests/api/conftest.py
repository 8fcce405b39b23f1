from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from qbo_gateway.app import create_app
from tests.support.api import running, service_settings


@pytest.fixture
async def client(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with running(create_app, service_settings(database_url)) as (_app, http):
        yield http

"""Fixtures for the qbwc-gateway tests outside the SOAP layer (``tests/qbwc/soap`` has its own)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.qbwc.harness import Office, office


@pytest.fixture
async def desk(database_url: str) -> AsyncIterator[Office]:
    """The qbwc-gateway over the test database, QuickBooks Desktop installed for "acme" with its
    accounts and a Web Connector password, and a demo company file behind the Web Connector."""
    async with office(database_url) as place:
        yield place

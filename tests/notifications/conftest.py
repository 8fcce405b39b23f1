from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.notifications.receivers import SmtpSink, WebhookReceiver, smtp_server, webhook_receiver


@pytest.fixture
async def receiver() -> AsyncIterator[WebhookReceiver]:
    async with webhook_receiver() as running:
        yield running


@pytest.fixture
async def smtp() -> AsyncIterator[SmtpSink]:
    async with smtp_server() as running:
        yield running

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from qb_sandbox.intuit import IntuitSandbox
from qbo_gateway.client import QboClient
from tests.qbo.client.support import FakeTime, SandboxTokens, new_sandbox, sandbox_client


@pytest.fixture
def time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def sandbox(time: FakeTime) -> IntuitSandbox:
    return new_sandbox(time)


@pytest.fixture
def tokens(sandbox: IntuitSandbox) -> SandboxTokens:
    return SandboxTokens(sandbox)


@pytest.fixture
async def client(sandbox: IntuitSandbox, tokens: SandboxTokens, time: FakeTime) -> AsyncIterator[QboClient]:
    qbo = sandbox_client(sandbox, tokens, time=time)
    try:
        yield qbo
    finally:
        await qbo.http.aclose()

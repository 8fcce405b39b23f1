"""Throttling on Intuit's limits, and the failures a test can ask the sandbox for."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from qb_sandbox.intuit import DEMO_REALM_ID, TOKEN_ENDPOINT, IntuitSandbox, ThrottleLimits, create_intuit_app
from qb_sandbox.intuit.throttle import RequestThrottle, Throttled
from tests.sandbox.intuit.intuit_helpers import (
    CLIENT_ID,
    CLIENT_SECRET,
    REDIRECT_URI,
    START,
    QboApi,
    fault_codes,
)


class _Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def _admit(throttle: RequestThrottle, *, batch: bool = False) -> bool:
    try:
        with throttle.admit(DEMO_REALM_ID, CLIENT_ID, is_batch=batch):
            return True
    except Throttled:
        return False


def test_500_requests_per_minute_per_realm_in_a_sliding_window() -> None:
    clock = _Clock()
    throttle = RequestThrottle(clock)
    assert all(_admit(throttle) for _ in range(500))
    assert not _admit(throttle)
    clock.now = clock.now.replace(second=59)
    assert not _admit(throttle)
    clock.now = clock.now.replace(minute=1)
    assert _admit(throttle)


def test_40_batch_requests_per_minute_per_realm_and_app() -> None:
    clock = _Clock()
    throttle = RequestThrottle(clock)
    assert all(_admit(throttle, batch=True) for _ in range(40))
    assert not _admit(throttle, batch=True)
    assert _admit(throttle)  # ordinary calls still pass


def test_ten_per_second_limit_is_available_but_off_by_default() -> None:
    clock = _Clock()
    assert all(_admit(RequestThrottle(clock)) for _ in range(20))
    paced = RequestThrottle(clock, ThrottleLimits(per_second_app=10))
    assert all(_admit(paced) for _ in range(10))
    assert not _admit(paced)


async def _api(sandbox: IntuitSandbox) -> tuple[httpx.AsyncClient, QboApi]:
    http = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_intuit_app(sandbox)), base_url="https://intuit.test"
    )
    return http, QboApi(http, DEMO_REALM_ID, sandbox.connect(CLIENT_ID)["access_token"])


def _sandbox(**kwargs: Any) -> IntuitSandbox:
    sandbox = IntuitSandbox(now=lambda: START, **kwargs)
    sandbox.register_client(CLIENT_ID, CLIENT_SECRET, [REDIRECT_URI])
    return sandbox


async def test_over_the_limit_the_api_answers_429_with_intuits_fault() -> None:
    sandbox = _sandbox(throttle_limits=ThrottleLimits(per_minute_realm=3))
    http, qbo = await _api(sandbox)
    async with http:
        statuses = [(await qbo.read("customer", "1")).status_code for _ in range(3)]
        throttled = await qbo.read("customer", "1")
        assert statuses == [200, 200, 200]
        assert throttled.status_code == 429
        error = throttled.json()["Fault"]["Error"][0]
        assert error["code"] == "3001"
        assert error["Message"] == "message=ThrottleExceeded; errorCode=003001; statusCode=429"
        assert throttled.json()["Fault"]["type"] == "SERVICE"
        # Intuit documents none (docs/quickbooks-online.md §2.11)
        assert "retry-after" not in throttled.headers
        sandbox.advance(60)
        assert (await qbo.read("customer", "1")).status_code == 200
    assert sandbox.status_counts[429] == 1
    assert sandbox.api_calls[DEMO_REALM_ID] == 5


async def test_retry_after_and_an_xml_body_can_be_switched_on() -> None:
    sandbox = _sandbox(
        throttle_limits=ThrottleLimits(per_minute_realm=0), retry_after_seconds=60, throttle_body="xml"
    )
    http, qbo = await _api(sandbox)
    async with http:
        response = await qbo.read("customer", "1")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "60"
    assert response.headers["content-type"].startswith("application/xml")
    assert "ThrottleExceeded" in response.text


async def test_more_than_ten_concurrent_requests_are_throttled(sandbox: IntuitSandbox, qbo: QboApi) -> None:
    sandbox.configure_faults(latency_s=0.2)
    responses = await asyncio.gather(*(qbo.read("customer", "1") for _ in range(11)))
    assert sorted(r.status_code for r in responses) == [200] * 10 + [429]


@pytest.mark.parametrize(("status", "code"), [(500, "10000"), (503, "10000"), (504, "6002")])
async def test_injected_server_errors_answer_once(
    sandbox: IntuitSandbox, qbo: QboApi, status: int, code: str
) -> None:
    sandbox.inject_next(DEMO_REALM_ID, status)
    failed = await qbo.read("customer", "1")
    assert failed.status_code == status
    assert fault_codes(failed) == [code]
    assert (await qbo.read("customer", "1")).status_code == 200


async def test_injected_401_looks_like_an_expired_token(sandbox: IntuitSandbox, qbo: QboApi) -> None:
    sandbox.inject_next(DEMO_REALM_ID, 401)
    response = await qbo.read("customer", "1")
    assert response.status_code == 401
    assert response.json()["fault"]["error"][0]["code"] == "3200"


async def test_injected_timeout_stalls_past_the_clients_timeout(sandbox: IntuitSandbox, qbo: QboApi) -> None:
    sandbox.configure_faults(timeout_delay_s=0.5)
    sandbox.inject_next(DEMO_REALM_ID, "timeout")
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(qbo.post("customer", {"DisplayName": "Never Written"}), timeout=0.1)
    await asyncio.sleep(0.5)  # let the stalled request finish
    assert all(c["DisplayName"] != "Never Written" for c in sandbox.entities(DEMO_REALM_ID, "Customer"))


async def test_timeout_after_write_then_retry_with_the_same_requestid_writes_once(
    sandbox: IntuitSandbox, qbo: QboApi
) -> None:
    sandbox.configure_faults(timeout_delay_s=0.05)
    sandbox.inject_next(DEMO_REALM_ID, "timeout_after_write")
    lost = await qbo.post("customer", {"DisplayName": "Written Once"}, requestid="req-1")
    assert lost.status_code == 504
    retry = await qbo.post("customer", {"DisplayName": "Written Once"}, requestid="req-1")
    assert retry.status_code == 200
    assert retry.json()["Customer"]["DisplayName"] == "Written Once"
    assert sum(c["DisplayName"] == "Written Once" for c in sandbox.entities(DEMO_REALM_ID, "Customer")) == 1


async def test_random_faults_follow_the_seed() -> None:
    def draws(seed: int) -> list[int]:
        sandbox = _sandbox()
        sandbox.configure_faults(p_429=0.3, p_500=0.2, seed=seed)
        return [
            status for _ in range(40) if isinstance(status := sandbox.faults.next_fault(DEMO_REALM_ID), int)
        ]

    first, again, other = draws(7), draws(7), draws(8)
    assert first == again
    assert first != other
    assert {429, 500} <= set(first)
    assert 10 < len(first) < 30


async def test_token_endpoint_failure_can_be_injected(
    sandbox: IntuitSandbox, http: httpx.AsyncClient
) -> None:
    tokens = sandbox.connect(CLIENT_ID)
    sandbox.inject_next(TOKEN_ENDPOINT, 503)
    data = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    failed = await http.post("/oauth2/v1/tokens/bearer", data=data, auth=(CLIENT_ID, CLIENT_SECRET))
    assert failed.status_code == 503
    assert (
        await http.post("/oauth2/v1/tokens/bearer", data=data, auth=(CLIENT_ID, CLIENT_SECRET))
    ).status_code == 200

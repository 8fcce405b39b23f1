"""How the client meets Intuit's refusals: typed errors with plain words, one refresh on 401,
waiting on 429 (Retry-After, else 60 s), backoff with jitter on 5xx and timeouts."""

from __future__ import annotations

import dataclasses
import json

import pytest

from qb_sandbox.intuit import DEMO_REALM_ID, IntuitSandbox
from qb_sandbox.intuit import QboFault as SandboxFault
from qb_sandbox.intuit import faults as sandbox_faults
from qbo_gateway.client import (
    AuthFailed,
    DuplicateName,
    ObjectNotFound,
    QboClient,
    StaleObject,
    Throttled,
    Unavailable,
    ValidationFault,
)
from qbo_gateway.client.errors import error_from_response
from tests.qbo.client.support import Creds, FakeTime, SandboxTokens

ACME = "acme"


async def _customer(client: QboClient, name: str = "Harbor Florists") -> dict[str, object]:
    return await client.create(ACME, "Customer", {"DisplayName": name}, request_id=f"r-{name}")


async def test_a_duplicate_name_is_its_own_error(client: QboClient) -> None:
    with pytest.raises(DuplicateName) as caught:
        await _customer(client, "Acme Promotions")
    assert caught.value.code == "6240"
    assert "already has a record with this name" in caught.value.plain


async def test_a_stale_sync_token_is_its_own_error(client: QboClient) -> None:
    created = await _customer(client)
    await client.update(
        ACME, "Customer", {"Id": created["Id"], "SyncToken": "0", "CompanyName": "A"}, request_id="u1"
    )
    with pytest.raises(StaleObject) as caught:
        await client.update(
            ACME, "Customer", {"Id": created["Id"], "SyncToken": "0", "CompanyName": "B"}, request_id="u2"
        )
    assert caught.value.code == "5010"
    assert "changed this record" in caught.value.plain


async def test_a_missing_record_is_object_not_found(client: QboClient) -> None:
    with pytest.raises(ObjectNotFound) as caught:
        await client.read(ACME, "Invoice", "999")
    assert caught.value.code == "610"


async def test_a_business_validation_fault_keeps_intuits_message(
    client: QboClient, sandbox: IntuitSandbox
) -> None:
    sandbox.inject_next(
        DEMO_REALM_ID, sandbox_faults.business_validation("Account Period Closed", code="6210")
    )
    with pytest.raises(ValidationFault) as caught:
        await _customer(client)
    assert caught.value.code == "6210"
    assert caught.value.plain == "QuickBooks Online did not accept it: Account Period Closed"


async def test_a_401_is_refreshed_once_and_the_call_repeated(
    client: QboClient, sandbox: IntuitSandbox, tokens: SandboxTokens
) -> None:
    sandbox.inject_next(DEMO_REALM_ID, 401)
    created = await _customer(client)
    assert created["DisplayName"] == "Harbor Florists"
    assert tokens.refreshes == 1
    assert tokens.reauth_reasons == []


async def test_a_second_401_marks_the_connection_for_reauthorisation(
    client: QboClient, sandbox: IntuitSandbox, tokens: SandboxTokens
) -> None:
    sandbox.inject_next(DEMO_REALM_ID, 401)
    sandbox.inject_next(DEMO_REALM_ID, 401)
    with pytest.raises(AuthFailed) as caught:
        await _customer(client)
    assert tokens.refreshes == 1
    assert tokens.reauth_reasons == [caught.value.plain]
    assert "reconnect" in caught.value.plain
    assert sandbox.entities(DEMO_REALM_ID, "Customer")[-1]["DisplayName"] != "Harbor Florists"


async def test_a_revoked_token_is_read_from_the_lower_case_auth_envelope(
    client: QboClient, sandbox: IntuitSandbox, tokens: SandboxTokens
) -> None:
    await _customer(client)
    sandbox.disconnect(DEMO_REALM_ID)  # the user disconnected the app in QuickBooks: every token is dead

    async def still_revoked(company_id: str, rejected: str) -> Creds:
        tokens.refreshes += 1
        return Creds(DEMO_REALM_ID, rejected)

    tokens.after_unauthorized = still_revoked  # type: ignore[method-assign]
    with pytest.raises(AuthFailed) as caught:
        await client.read(ACME, "Customer", "1")
    assert (caught.value.code, caught.value.http_status, caught.value.fault_type) == (
        "3200",
        401,
        "AUTHENTICATION",
    )
    assert tokens.refreshes == 1
    assert tokens.reauth_reasons == [caught.value.plain]


async def test_429_waits_for_retry_after(client: QboClient, sandbox: IntuitSandbox, time: FakeTime) -> None:
    sandbox.retry_after_seconds = 7
    sandbox.inject_next(DEMO_REALM_ID, 429)
    await _customer(client)
    assert len(time.slept) == 1
    assert 7.0 <= time.slept[0] <= 7.7


async def test_429_without_retry_after_waits_sixty_seconds(
    client: QboClient, sandbox: IntuitSandbox, time: FakeTime
) -> None:
    sandbox.throttle_body = "xml"  # as Intuit has answered throttling even to JSON clients
    sandbox.inject_next(DEMO_REALM_ID, 429)
    await _customer(client)
    assert len(time.slept) == 1
    assert 60.0 <= time.slept[0] <= 61.0


async def test_5xx_is_retried_with_jittered_exponential_backoff(
    client: QboClient, sandbox: IntuitSandbox, time: FakeTime
) -> None:
    for status in (500, 503, 504):
        sandbox.inject_next(DEMO_REALM_ID, status)
    await _customer(client)
    assert len(time.slept) == 3
    ceilings = [0.5, 1.0, 2.0]  # base·2ⁿ, full jitter: anywhere from 0 up to the ceiling
    assert all(0.0 <= wait <= ceiling for wait, ceiling in zip(time.slept, ceilings, strict=True))


async def test_giving_up_after_the_last_attempt_raises_unavailable(
    client: QboClient, sandbox: IntuitSandbox
) -> None:
    for _ in range(5):
        sandbox.inject_next(DEMO_REALM_ID, 500)
    with pytest.raises(Unavailable) as caught:
        await _customer(client)
    assert caught.value.retryable
    assert sandbox.api_calls[DEMO_REALM_ID] == 5


async def test_throttling_that_persists_raises_throttled(client: QboClient, sandbox: IntuitSandbox) -> None:
    for _ in range(5):
        sandbox.inject_next(DEMO_REALM_ID, 429)
    with pytest.raises(Throttled):
        await _customer(client)


async def test_a_timed_out_write_is_repeated_without_writing_twice(
    client: QboClient, sandbox: IntuitSandbox
) -> None:
    sandbox.configure_faults(timeout_delay_s=2.0)
    client.settings = dataclasses.replace(client.settings, timeout_seconds=0.05)
    sandbox.inject_next(DEMO_REALM_ID, "timeout_after_write")  # written, then no answer
    sandbox.inject_next(DEMO_REALM_ID, "timeout")  # no answer at all
    created = await _customer(client, "Once Only Ltd")
    names = [c["DisplayName"] for c in sandbox.entities(DEMO_REALM_ID, "Customer")]
    assert names.count("Once Only Ltd") == 1
    assert created["DisplayName"] == "Once Only Ltd"
    assert sandbox.api_calls[DEMO_REALM_ID] == 3


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (
            200,
            '{"Fault":{"Error":[{"Message":"m","Detail":"d","code":"6240"}],"type":"ValidationFault"}}',
            DuplicateName,
        ),
        (
            401,
            '{"fault":{"error":[{"message":"m","detail":"d","code":"3200"}],"type":"AUTHENTICATION"}}',
            AuthFailed,
        ),
        (
            403,
            '{"fault":{"error":[{"message":"m","detail":"d","code":"3100"}],"type":"SERVICE"}}',
            AuthFailed,
        ),
        (429, "", Throttled),
        (502, "<html>Bad Gateway</html>", Unavailable),
        (
            400,
            '{"Fault":{"Error":[{"Message":"m","Detail":"d","code":"10000"}],"type":"SystemFault"}}',
            ValidationFault,
        ),
    ],
)
def test_every_envelope_maps_to_a_typed_error(status: int, body: str, expected: type[Exception]) -> None:
    error = error_from_response(status, body)
    assert type(error) is expected


def test_a_success_carries_no_error() -> None:
    assert error_from_response(200, '{"Customer":{"Id":"1"}}') is None


def test_sandbox_fault_envelope_round_trips() -> None:
    fault: SandboxFault = sandbox_faults.object_not_found("CustomerRef")
    error = error_from_response(400, json.dumps(fault.envelope("t")))
    assert isinstance(error, ObjectNotFound)
    assert error.element == "CustomerRef"
    assert "(CustomerRef)" in error.plain

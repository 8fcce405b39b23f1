"""What every QBO v3 call goes through before and after its operation, in Intuit's order.

1. count the call and record the ``minorversion`` it sent;
2. authenticate the bearer token (401/3200) and check it is for this company (403/3100);
3. admit it under the company's limits (429/3001, docs/quickbooks-online.md §2.11);
4. simulated latency, then any injected or random fault;
5. require ``minorversion`` ≥ 75 — strict in this sandbox so tests prove the client always sends it
   (Intuit itself now defaults to 75, docs/quickbooks-online.md §2.2);
6. for a write with ``requestid``: replay the stored response of an earlier request with the same id
   instead of writing again (docs/quickbooks-online.md §2.8);
7. the operation itself, whose ``QboFault`` becomes Intuit's ``Fault`` envelope;
8. webhooks for what was written, when automatic webhooks are on.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fastapi import BackgroundTasks, Request
from fastapi.responses import Response

from . import faults
from .clock import response_time
from .company import Company, StoredResponse
from .oauth_server import AccessDenied
from .responses import QboJSONResponse, auth_response, fault_response, injected_response, throttle_response
from .throttle import Throttled
from .txn_math import to_decimal

if TYPE_CHECKING:
    from .sandbox import IntuitSandbox

MAX_BODY_BYTES = 4 * 1024 * 1024


@dataclass(slots=True)
class Outcome:
    body: dict[str, Any]
    changed: list[tuple[str, str, str]] = field(default_factory=list)  # (entity, id, webhook operation)


Work = Callable[[Company], Awaitable[Outcome]]


async def run_api_call(
    sandbox: IntuitSandbox,
    request: Request,
    realm_id: str,
    work: Work,
    *,
    write: bool,
    batch: bool = False,
    background: BackgroundTasks | None = None,
) -> Response:
    sandbox.counters.api_calls[realm_id] += 1
    sandbox.counters.minor_versions.append(request.query_params.get("minorversion"))
    response = await _authenticated(sandbox, request, realm_id, work, write, batch, background)
    sandbox.counters.status_counts[response.status_code] += 1
    return response


async def _authenticated(
    sandbox: IntuitSandbox,
    request: Request,
    realm_id: str,
    work: Work,
    write: bool,
    batch: bool,
    background: BackgroundTasks | None,
) -> Response:
    try:
        grant = sandbox.oauth.grant_for_access_token(request.headers.get("authorization"))
    except AccessDenied as exc:
        return auth_response(sandbox, faults.AuthFault(str(exc)))
    if grant.realm_id != realm_id or realm_id not in sandbox.companies:
        return auth_response(
            sandbox, faults.AuthFault("The token is not authorized for this company", http_status=403)
        )
    try:
        with sandbox.throttle.admit(realm_id, grant.client_id, is_batch=batch):
            return await _admitted(sandbox, request, sandbox.companies[realm_id], work, write, background)
    except Throttled:
        return throttle_response(sandbox)


async def _admitted(
    sandbox: IntuitSandbox,
    request: Request,
    company: Company,
    work: Work,
    write: bool,
    background: BackgroundTasks | None,
) -> Response:
    settings = sandbox.faults.settings
    if settings.latency_s > 0:
        await asyncio.sleep(settings.latency_s)
    injected = sandbox.faults.next_fault(company.realm_id)
    if injected is not None and injected != "timeout_after_write":
        return await injected_response(sandbox, injected)
    minor_problem = _minor_version_problem(
        request.query_params.get("minorversion"), sandbox.minimum_minor_version
    )
    if minor_problem is not None:
        return fault_response(sandbox, minor_problem)

    request_id = request.query_params.get("requestid") if write else None
    if write:
        sandbox.counters.request_ids.append(request_id)
    if request_id and request_id in company.replays:
        stored = company.replays[request_id]
        return QboJSONResponse(stored.body, status_code=stored.status)

    outcome: Outcome | None = None
    try:
        outcome = await work(company)
        status, body = 200, {**outcome.body, "time": response_time(sandbox.now())}
    except faults.QboFault as fault:
        if fault.http_status == 429:
            return throttle_response(sandbox)
        status, body = fault.http_status, fault.envelope(response_time(sandbox.now()))
    if request_id:
        company.replays[request_id] = StoredResponse(status, body)
    if outcome is not None and background is not None and sandbox.wants_automatic_webhook(company.realm_id):
        for entity, entity_id, operation in outcome.changed:
            background.add_task(sandbox.emit_webhook, company.realm_id, entity, entity_id, operation)
    if injected == "timeout_after_write":
        return await injected_response(sandbox, "timeout")
    return QboJSONResponse(body, status_code=status)


def _minor_version_problem(raw: str | None, minimum: int) -> faults.QboFault | None:
    if raw is None or raw == "":
        return faults.required_param_missing("minorversion")
    try:
        value = to_decimal(raw)
    except ValueError:
        value = None
    if value is None or value != value.to_integral_value() or value < minimum:
        return faults.invalid_property(
            f"minorversion={raw} (this sandbox serves minor version {minimum} and later)", "minorversion"
        )
    return None


async def json_object(request: Request, *, what: str = "request body") -> dict[str, Any]:
    """The request body as a JSON object with Decimal numbers, or the fault Intuit gives for bad JSON."""
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise faults.invalid_property(f"the {what} is larger than {MAX_BODY_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        # docs/quickbooks-online.md §2.1: a non-UTF-8 payload is error 500 "Unsupported Operation".
        raise faults.unsupported_operation("with a request that is not UTF-8") from exc
    try:
        parsed = json.loads(text, parse_float=to_decimal)
    except json.JSONDecodeError as exc:
        raise faults.invalid_property(
            "failed to parse json object; a property specified is unsupported or invalid"
        ) from exc
    if not isinstance(parsed, dict):
        raise faults.invalid_property(f"the {what} must be a JSON object")
    return parsed


async def text_body(request: Request) -> str:
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise faults.invalid_property(f"the request body is larger than {MAX_BODY_BYTES} bytes")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise faults.unsupported_operation("with a request that is not UTF-8") from exc

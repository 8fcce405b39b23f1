"""The QBO v3 API client: one per process, shared by every company.

Every call:

* asks the ``TokenSource`` for the company's realm and access token;
* waits for a slot of the realm's ``RealmLimiter`` (Intuit's limits, docs/quickbooks-online.md §2.11);
* sends ``minorversion`` (75, docs/quickbooks-online.md §2.2) and, on writes, the caller's ``requestid`` so a
  repeated write is replayed rather than done twice (§2.8);
* checks the answer for a ``Fault`` even when the status is 200 (§2.10) and raises a typed error;
* on a 401 asks for a refreshed token once and tries again; a second refusal (or a 403) marks the
  connection as needing re-authorisation;
* on 429, 5xx, timeouts and network errors waits (``RetryPolicy``) and tries again, with the same
  ``requestid``.

Outbound HTTP is an injected ``httpx.AsyncClient``, as are the sleep and the random source, so tests
run against the Intuit sandbox without waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import structlog

from espqb.config import Settings
from espqb.observability.metrics import QBO_CALLS
from qbo_gateway.client import wire
from qbo_gateway.client.auth import Credentials, TokenSource
from qbo_gateway.client.batch import MAX_BATCH_ITEMS, BatchItem, BatchResult, read_batch_response
from qbo_gateway.client.coalescer import Ahead, BatchCoalescer, Ticket
from qbo_gateway.client.errors import (
    AuthFailed,
    QboFault,
    Throttled,
    TransportProblem,
    error_from_response,
    parse_retry_after,
    unavailable,
)
from qbo_gateway.client.limiter import RealmLimiter
from qbo_gateway.client.query_text import MAX_PAGE, page
from qbo_gateway.client.retry import RetryPolicy

__all__ = ["CompanyApi", "QboClient", "QboClientSettings"]

log = structlog.get_logger(__name__)

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class QboClientSettings:
    base_url: str
    minor_version: int = 75
    # Intuit stops any request after 120 s (docs/quickbooks-online.md §2.11): waiting a little longer than
    # that lets its own timeout answer first; after it we give up on the answer and retry.
    timeout_seconds: float = 125.0
    connect_timeout_seconds: float = 10.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> QboClientSettings:
        values: dict[str, Any] = {
            "base_url": settings.intuit_api_base_url.rstrip("/"),
            "minor_version": settings.qbo_minor_version,
        }
        values.update(overrides)
        return cls(**values)


@dataclass(frozen=True, slots=True)
class _Call:
    operation: str  # create / read / update / delete / query / batch (the metric label)
    method: str
    path: str  # below /v3/company/{realm}
    params: dict[str, str]
    body: Any = None
    is_batch: bool = False
    admitted: Callable[[], None] | None = None  # called when the limiter first lets the call through


class QboClient:
    def __init__(
        self,
        http: httpx.AsyncClient,
        tokens: TokenSource,
        settings: QboClientSettings,
        limiter: RealmLimiter | None = None,
        *,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.http = http
        self.tokens = tokens
        self.settings = settings
        self.limiter = limiter or RealmLimiter()
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._wall_clock = wall_clock
        self.calls = 0  # HTTP requests sent, retries included (benchmarks read it)
        self.calls_by_operation: Counter[str] = Counter()  # create / read / update / query / batch …
        self._realms: dict[str, str] = {}  # company -> realm, as the token source last said
        # Shared batch waves: the writes of several send attempts of one company in one batch call.
        self.coalescer = BatchCoalescer(self, sleep=sleep)

    def company(self, company_id: str) -> CompanyApi:
        return CompanyApi(self, company_id)

    # ------------------------------------------------------------------------------ operations

    async def create(
        self, company_id: str, kind: str, body: dict[str, Any], *, request_id: str
    ) -> dict[str, Any]:
        answer = await self._request(
            company_id, _Call("create", "POST", f"/{kind.lower()}", {"requestid": request_id}, body)
        )
        return _entity(answer, kind)

    async def update(
        self, company_id: str, kind: str, body: dict[str, Any], *, request_id: str, sparse: bool = True
    ) -> dict[str, Any]:
        """``body`` carries ``Id`` and ``SyncToken``; sparse: only the fields sent change
        (docs/quickbooks-online.md §2.9)."""
        if "Id" not in body or "SyncToken" not in body:
            raise ValueError("an update names the entity's Id and SyncToken")
        payload = {**body, "sparse": True} if sparse else body
        answer = await self._request(
            company_id, _Call("update", "POST", f"/{kind.lower()}", {"requestid": request_id}, payload)
        )
        return _entity(answer, kind)

    async def delete(
        self, company_id: str, kind: str, entity_id: str, sync_token: str, *, request_id: str
    ) -> dict[str, Any]:
        params = {"operation": "delete", "requestid": request_id}
        answer = await self._request(
            company_id,
            _Call("delete", "POST", f"/{kind.lower()}", params, {"Id": entity_id, "SyncToken": sync_token}),
        )
        return _entity(answer, kind)

    async def read(self, company_id: str, kind: str, entity_id: str) -> dict[str, Any]:
        answer = await self._request(company_id, _Call("read", "GET", f"/{kind.lower()}/{entity_id}", {}))
        return _entity(answer, kind)

    async def query(self, company_id: str, statement: str) -> dict[str, Any]:
        """The ``QueryResponse`` of one statement (one page)."""
        answer = await self._request(company_id, _Call("query", "GET", "/query", {"query": statement}))
        response = answer.get("QueryResponse")
        return response if isinstance(response, dict) else {}

    async def query_all(
        self, company_id: str, entity: str, statement: str, *, page_size: int = MAX_PAGE, max_pages: int = 100
    ) -> list[dict[str, Any]]:
        """Every entity ``statement`` selects, page by page (at most 1000 per page,
        docs/quickbooks-online.md §2.6)."""
        found: list[dict[str, Any]] = []
        for index in range(max_pages):
            response = await self.query(
                company_id, page(statement, start=index * page_size + 1, size=page_size)
            )
            rows = response.get(entity) or []
            found.extend(rows)
            if len(rows) < page_size:
                return found
        raise ValueError(f"more than {max_pages * page_size} {entity} records; narrow the query")

    async def batch(
        self,
        company_id: str,
        items: list[BatchItem],
        *,
        request_id: str,
        admitted: Callable[[], None] | None = None,
    ) -> dict[str, BatchResult]:
        """Run up to 30 independent items in one call; the answers by ``bId``. ``admitted`` is called
        once the limiter has let the call through (it counts in Intuit's batch window from then on)."""
        if not 1 <= len(items) <= MAX_BATCH_ITEMS:
            raise ValueError(f"a batch holds 1 to {MAX_BATCH_ITEMS} items")
        if len({item.bid for item in items}) != len(items):
            raise ValueError("batch item ids (bId) must be unique within the batch")
        body = {"BatchItemRequest": [item.as_json() for item in items]}
        answer = await self._request(
            company_id,
            _Call(
                "batch", "POST", "/batch", {"requestid": request_id}, body, is_batch=True, admitted=admitted
            ),
        )
        return read_batch_response(items, answer)

    async def has_batch_room(self, company_id: str) -> bool:
        """A batch call for the company's realm would go out now, without waiting for Intuit's batch window."""
        realm = self._realms.get(company_id)
        if realm is None:
            realm = self._realms[company_id] = (await self.tokens.credentials(company_id)).realm_id
        return self.limiter.has_batch_room(realm)

    # ------------------------------------------------------------------------------ transport

    async def _request(self, company_id: str, call: _Call) -> dict[str, Any]:
        credentials = await self.tokens.credentials(company_id)
        self._realms[company_id] = credentials.realm_id
        refreshed = False
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self._send_once(credentials, call)
            except AuthFailed as error:
                if error.refreshable and not refreshed:
                    # A 401 usually means the access token expired
                    # (docs/quickbooks-online.md §1.4): refresh once.
                    refreshed = True
                    attempt -= 1
                    credentials = await self.tokens.after_unauthorized(company_id, credentials.access_token)
                    continue
                await self.tokens.mark_needs_reauthorization(company_id, error.plain)
                raise
            except QboFault as error:
                if not self.settings.retry.should_retry(error, attempt):
                    raise
                delay = self.settings.retry.delay(error, attempt, self._rng)
                log.info(
                    "qbo call will be retried",
                    operation=call.operation,
                    realm=credentials.realm_id,
                    code=error.code,
                    status=error.http_status,
                    attempt=attempt,
                    wait_seconds=round(delay, 3),
                    intuit_tid=error.intuit_tid,
                )
                if isinstance(error, Throttled):
                    # Everyone queued on this realm waits, not just this call.
                    self.limiter.pause(credentials.realm_id, delay)
                else:
                    await self._sleep(delay)

    async def _send_once(self, credentials: Credentials, call: _Call) -> dict[str, Any]:
        realm = credentials.realm_id
        url = f"{self.settings.base_url}/v3/company/{realm}{call.path}"
        params = {**call.params, "minorversion": str(self.settings.minor_version)}
        headers = {
            "Authorization": f"Bearer {credentials.access_token}",
            "Accept": "application/json",
        }
        content: bytes | None = None
        if call.body is not None:
            content = wire.dumps(call.body)
            headers["Content-Type"] = "application/json"
        timeout = httpx.Timeout(self.settings.timeout_seconds, connect=self.settings.connect_timeout_seconds)
        async with self.limiter.slot(realm, batch=call.is_batch):
            if call.admitted is not None:
                call.admitted()
            self.calls += 1
            self.calls_by_operation[call.operation] += 1
            try:
                # httpx's timeouts are per phase; this bounds the whole exchange (and applies to
                # in-process transports too, which ignore httpx's).
                async with asyncio.timeout(self.settings.timeout_seconds):
                    response = await self.http.request(
                        call.method, url, params=params, headers=headers, content=content, timeout=timeout
                    )
            except (TimeoutError, httpx.TimeoutException) as exc:
                QBO_CALLS.labels(call.operation, "timeout").inc()
                raise unavailable(
                    TransportProblem("timeout", f"no answer within {self.settings.timeout_seconds:g} s")
                ) from exc
            except httpx.TransportError as exc:
                QBO_CALLS.labels(call.operation, "network").inc()
                raise unavailable(TransportProblem("network", type(exc).__name__)) from exc
        QBO_CALLS.labels(call.operation, str(response.status_code)).inc()
        text = response.text
        error = error_from_response(
            response.status_code,
            text,
            intuit_tid=response.headers.get("intuit_tid"),
            retry_after=parse_retry_after(response.headers.get("Retry-After"), now_epoch=self._wall_clock()),
        )
        if error is not None:
            raise error
        try:
            answer = wire.loads(text)
        except ValueError as exc:
            raise unavailable(TransportProblem("garbled", "the answer is not JSON")) from exc
        if not isinstance(answer, dict):
            raise unavailable(TransportProblem("garbled", "the answer is not a JSON object"))
        return answer


def _entity(answer: dict[str, Any], kind: str) -> dict[str, Any]:
    entity = answer.get(kind)
    if not isinstance(entity, dict):
        raise QboFault("answer", f"The answer carries no {kind}", ", ".join(sorted(answer))[:200])
    return entity


class CompanyApi:
    """``QboClient`` bound to one company, for code that works for one company at a time."""

    def __init__(self, client: QboClient, company_id: str) -> None:
        self.client = client
        self.company_id = company_id

    async def create(self, kind: str, body: dict[str, Any], *, request_id: str) -> dict[str, Any]:
        return await self.client.create(self.company_id, kind, body, request_id=request_id)

    async def update(self, kind: str, body: dict[str, Any], *, request_id: str) -> dict[str, Any]:
        return await self.client.update(self.company_id, kind, body, request_id=request_id)

    async def read(self, kind: str, entity_id: str) -> dict[str, Any]:
        return await self.client.read(self.company_id, kind, entity_id)

    async def query(self, statement: str) -> dict[str, Any]:
        return await self.client.query(self.company_id, statement)

    async def query_all(self, entity: str, statement: str) -> list[dict[str, Any]]:
        return await self.client.query_all(self.company_id, entity, statement)

    async def batch(self, items: list[BatchItem], *, request_id: str) -> dict[str, BatchResult]:
        return await self.client.batch(self.company_id, items, request_id=request_id)

    async def has_batch_room(self) -> bool:
        """Intuit's 40 batch calls a minute (docs/quickbooks-online.md §2.11) leave room for one more right
        now."""
        return await self.client.has_batch_room(self.company_id)

    def shared_batch(self, items: list[BatchItem], *, ahead: Ahead | None = None) -> Ticket:
        """Hand ``items`` to the company's next shared batch (``coalescer``)."""
        return self.client.coalescer.submit(self.company_id, items, ahead=ahead)

    def attending(self) -> contextlib.AbstractAsyncContextManager[None]:
        """Around one send attempt of the company (the coalescer may wait a moment for its next wave)."""
        return self.client.coalescer.attending(self.company_id)

"""Test-only control API under ``/_sandbox``: inspect and steer a sandbox running in another process.

Intuit has nothing like it; ``make demo`` scripts and end-to-end tests use it. All bodies are JSON.

=======  ==============================================  ============================================
GET      /_sandbox/state                                  clock, counters, fault settings, realms
GET      /_sandbox/realms                                 ``[{"realm_id", "name"}]``
POST     /_sandbox/realms                                 ``{"name", "realm_id"?, "edition"?, "class_tracking"?,
                                                          "track_locations"?, "custom_fields"?, "terms"?,
                                                          "classes"?, "locations"?}`` → a new company
GET      /_sandbox/realms/{realm}/entities                entity kinds with their counts
GET      /_sandbox/realms/{realm}/entities/{Kind}         every live entity of a kind, as rendered
GET      /_sandbox/realms/{realm}/entities/{Kind}/{id}    one entity (404 if unknown)
POST     /_sandbox/realms/{realm}/inject                  ``{"status": 429}`` or ``{"fault": "timeout"}``
POST     /_sandbox/realms/{realm}/disconnect              the user disconnects the app: grants revoked
POST     /_sandbox/token-endpoint/inject                  ``{"status": 503}``: next token call fails
POST     /_sandbox/faults                                 ``{"latency_s", "p_429", "p_500", "p_timeout",
                                                          "timeout_delay_s", "seed"}`` (any subset)
POST     /_sandbox/clock/advance                          ``{"seconds": 3601}`` → ``{"now"}``
POST     /_sandbox/clients                                ``{"client_id", "client_secret", "redirect_uris"}``
POST     /_sandbox/webhooks/emit                          ``{"realm_id", "entity", "id", "operation"}``
=======  ==============================================  ============================================
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, Field

from .fault_injection import TOKEN_ENDPOINT, Fault
from .sandbox import IntuitSandbox


def _sandbox(request: Request) -> IntuitSandbox:
    sandbox: IntuitSandbox = request.app.state.sandbox
    return sandbox


SandboxDep = Annotated[IntuitSandbox, Depends(_sandbox)]

router = APIRouter(prefix="/_sandbox", tags=["sandbox control (test only)"])


class NewCompany(BaseModel):
    name: str
    realm_id: str | None = None
    edition: Literal["us", "us_ast", "ca", "uk", "au"] = Field(
        default="us",
        description="us: manual sales tax; us_ast: automated sales tax; ca/uk/au: a tax code on every line",
    )
    multi_currency: bool = False
    currencies: list[str] = Field(
        default_factory=list, description="ISO codes added besides the home currency"
    )
    home_currency: str | None = None
    # Document details (docs/quickbooks-online.md §7.8, §7.11).
    class_tracking: Literal["off", "per_transaction", "per_line"] = "off"
    track_locations: bool = False
    location_label: str = "Location"
    custom_fields: list[str] = Field(
        default_factory=list, max_length=3, description='sales-form custom field names, e.g. ["P.O. Number"]'
    )
    terms: dict[str, int] = Field(default_factory=dict, description='{"Net 30": 30}: terms to start with')
    classes: list[str] = Field(default_factory=list)
    locations: list[str] = Field(default_factory=list)


class Injection(BaseModel):
    status: int | None = Field(default=None, ge=400, le=599)
    fault: Literal["timeout", "timeout_after_write"] | None = None

    def as_fault(self) -> Fault:
        if self.status is not None and self.fault is None:
            return self.status
        if self.fault is not None and self.status is None:
            return self.fault
        raise HTTPException(422, "give exactly one of status or fault")


class FaultChanges(BaseModel):
    latency_s: float | None = Field(default=None, ge=0)
    p_429: float | None = Field(default=None, ge=0, le=1)
    p_500: float | None = Field(default=None, ge=0, le=1)
    p_timeout: float | None = Field(default=None, ge=0, le=1)
    timeout_delay_s: float | None = Field(default=None, ge=0)
    seed: int | None = None


class ClockAdvance(BaseModel):
    seconds: float = Field(gt=0)


class NewClient(BaseModel):
    client_id: str
    client_secret: str
    redirect_uris: list[str] = Field(min_length=1)


class WebhookRequest(BaseModel):
    realm_id: str
    entity: str
    id: str
    operation: Literal["Create", "Update", "Delete", "Merge", "Void", "Emailed"]


def _company_or_404(sandbox: IntuitSandbox, realm_id: str) -> Any:
    company = sandbox.companies.get(realm_id)
    if company is None:
        raise HTTPException(404, f"no company with realm id {realm_id}")
    return company


@router.get("/state")
async def state(sandbox: SandboxDep) -> dict[str, Any]:
    counters = sandbox.oauth.counters
    return {
        "now": sandbox.now().isoformat(),
        "realms": [{"realm_id": r, "name": c.name} for r, c in sandbox.companies.items()],
        "oauth": {
            "token_calls": counters.token_calls,
            "refresh_calls": counters.refresh_calls,
            "revoke_calls": counters.revoke_calls,
        },
        "api": sandbox.counters.as_json(),
        "faults": sandbox.faults.settings.as_json(),
        "webhook_deliveries": [
            {"url": d.url, "status_code": d.status_code, "error": d.error} for d in sandbox.webhook_deliveries
        ],
    }


@router.get("/realms")
async def realms(sandbox: SandboxDep) -> list[dict[str, str]]:
    return [{"realm_id": r, "name": c.name} for r, c in sandbox.companies.items()]


@router.post("/realms", status_code=201)
async def add_realm(body: NewCompany, sandbox: SandboxDep) -> dict[str, str]:
    try:
        realm_id = sandbox.add_company(
            body.name,
            realm_id=body.realm_id,
            edition=body.edition,
            multi_currency=body.multi_currency,
            currencies=tuple(body.currencies),
            home_currency=body.home_currency,
            class_tracking=body.class_tracking,
            track_locations=body.track_locations,
            location_label=body.location_label,
            custom_fields=tuple(body.custom_fields),
            terms=tuple(body.terms.items()),
            classes=tuple(body.classes),
            locations=tuple(body.locations),
        )
    except ValueError as exc:
        raise HTTPException(409, str(exc)) from exc
    return {"realm_id": realm_id, "name": body.name}


@router.get("/realms/{realm_id}/entities")
async def entity_kinds(realm_id: str, sandbox: SandboxDep) -> dict[str, int]:
    books = _company_or_404(sandbox, realm_id).books
    return {kind: len(books.records(kind)) for kind in books.kinds()}


@router.get("/realms/{realm_id}/entities/{kind}")
async def entity_list(realm_id: str, kind: str, sandbox: SandboxDep) -> list[dict[str, Any]]:
    _company_or_404(sandbox, realm_id)
    return sandbox.entities(realm_id, kind)


@router.get("/realms/{realm_id}/entities/{kind}/{entity_id}")
async def entity_one(realm_id: str, kind: str, entity_id: str, sandbox: SandboxDep) -> dict[str, Any]:
    _company_or_404(sandbox, realm_id)
    found = sandbox.get(realm_id, kind, entity_id)
    if found is None:
        raise HTTPException(404, f"no {kind} {entity_id}")
    return found


@router.post("/realms/{realm_id}/inject")
async def inject(realm_id: str, body: Injection, sandbox: SandboxDep) -> dict[str, Any]:
    _company_or_404(sandbox, realm_id)
    sandbox.inject_next(realm_id, body.as_fault())
    return {"queued": [f if isinstance(f, (int, str)) else f.code for f in sandbox.faults.queued(realm_id)]}


@router.post("/realms/{realm_id}/disconnect")
async def disconnect(realm_id: str, sandbox: SandboxDep) -> dict[str, int]:
    _company_or_404(sandbox, realm_id)
    return {"revoked": sandbox.disconnect(realm_id)}


@router.post("/token-endpoint/inject")
async def inject_token_endpoint(body: Injection, sandbox: SandboxDep) -> dict[str, Any]:
    sandbox.inject_next(TOKEN_ENDPOINT, body.as_fault())
    return {"queued": len(sandbox.faults.queued(TOKEN_ENDPOINT))}


@router.post("/faults")
async def set_faults(body: FaultChanges, sandbox: SandboxDep) -> dict[str, Any]:
    changes = body.model_dump(exclude_none=True)
    return sandbox.configure_faults(**changes).as_json()


@router.post("/clock/advance")
async def advance_clock(body: ClockAdvance, sandbox: SandboxDep) -> dict[str, str]:
    return {"now": sandbox.advance(body.seconds).isoformat()}


@router.post("/clients", status_code=201)
async def add_client(body: NewClient, sandbox: SandboxDep) -> dict[str, Any]:
    sandbox.register_client(body.client_id, body.client_secret, body.redirect_uris)
    return {"client_id": body.client_id, "redirect_uris": body.redirect_uris}


@router.post("/webhooks/emit")
async def emit_webhook(body: WebhookRequest, sandbox: SandboxDep) -> dict[str, Any]:
    _company_or_404(sandbox, body.realm_id)
    try:
        delivery = await sandbox.emit_webhook(body.realm_id, body.entity, body.id, body.operation)
    except RuntimeError as exc:
        raise HTTPException(409, str(exc)) from exc
    return {
        "url": delivery.url,
        "status_code": delivery.status_code,
        "error": delivery.error,
        "signature": delivery.signature,
    }

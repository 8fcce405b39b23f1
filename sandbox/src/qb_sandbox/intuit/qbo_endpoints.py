"""HTTP routes of the QBO v3 API subset under ``/v3/company/{realmId}/``
(docs/quickbooks-online.md §2.1, §2.6–2.8).

- ``POST /{entity}``: create, or update when the body carries ``Id`` (full, or sparse with
  ``"sparse": true``); ``?operation=delete`` deletes a transaction, ``?operation=void`` voids an
  invoice (a payment: ``?operation=update&include=void``);
- ``GET /{entity}/{id}``, ``GET /companyinfo/{realmId}``;
- ``GET /query?query=…`` and ``POST /query`` with the query as an ``application/text`` body;
- ``POST /batch`` with ``{"BatchItemRequest": [...]}``, at most 30 items.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Request
from fastapi.responses import Response

from . import faults
from .api_pipeline import Outcome, json_object, run_api_call, text_body
from .company import RESOURCE_KINDS, Company
from .editions import CURRENCY_NAMES, exchange_rate
from .sandbox import IntuitSandbox

# docs/quickbooks-online.md §2.7: "maximum number of payloads in a single batch request is 30"
MAX_BATCH_ITEMS = 30
_WEBHOOK_OPERATION = {"create": "Create", "update": "Update", "delete": "Delete"}


def _sandbox(request: Request) -> IntuitSandbox:
    sandbox: IntuitSandbox = request.app.state.sandbox
    return sandbox


SandboxDep = Annotated[IntuitSandbox, Depends(_sandbox)]

router = APIRouter(prefix="/v3/company/{realm_id}", tags=["QBO v3"])


def _kind(resource: str) -> str:
    kind = RESOURCE_KINDS.get(resource)
    if kind is None:
        raise faults.unsupported_operation(f"/{resource}")
    return kind


@router.get("/query")
async def query_get(realm_id: str, request: Request, sandbox: SandboxDep) -> Response:
    async def work(company: Company) -> Outcome:
        text = request.query_params.get("query")
        if not text:
            raise faults.required_param_missing("query")
        return Outcome({"QueryResponse": company.query(text)})

    return await run_api_call(sandbox, request, realm_id, work, write=False)


@router.post("/query")
async def query_post(realm_id: str, request: Request, sandbox: SandboxDep) -> Response:
    async def work(company: Company) -> Outcome:
        text = (await text_body(request)).strip()
        if not text:
            raise faults.required_param_missing("query")
        return Outcome({"QueryResponse": company.query(text)})

    return await run_api_call(sandbox, request, realm_id, work, write=False)


@router.post("/batch")
async def batch(
    realm_id: str, request: Request, sandbox: SandboxDep, background: BackgroundTasks
) -> Response:
    async def work(company: Company) -> Outcome:
        payload = await json_object(request)
        items = payload.get("BatchItemRequest")
        if not isinstance(items, list) or not items:
            raise faults.required_param_missing("BatchItemRequest")
        if len(items) > MAX_BATCH_ITEMS:
            raise faults.invalid_property(
                f"BatchItemRequest has {len(items)} items; the maximum is {MAX_BATCH_ITEMS}",
                "BatchItemRequest",
            )
        responses = company.batch(items)
        sandbox.counters.batch_items[realm_id].append(len(items))
        changed = []
        for item, response in zip(items, responses, strict=True):
            operation = _WEBHOOK_OPERATION.get(str(item.get("operation")) if isinstance(item, dict) else "")
            if operation == "Update" and item.get("optionsData") == "void":
                operation = "Void"
            for kind, rendered in response.items():
                if operation and kind in RESOURCE_KINDS.values() and isinstance(rendered, dict):
                    changed.append((kind, str(rendered.get("Id")), operation))
        return Outcome({"BatchItemResponse": responses}, changed)

    return await run_api_call(sandbox, request, realm_id, work, write=True, batch=True, background=background)


@router.get("/companyinfo/{company_id}")
async def company_info(realm_id: str, company_id: str, request: Request, sandbox: SandboxDep) -> Response:
    async def work(company: Company) -> Outcome:
        # The CompanyInfo entity has Id 1 and is addressed by the realm id.
        if company_id not in (company.realm_id, "1"):
            raise faults.object_not_found()
        return Outcome({"CompanyInfo": company.read("CompanyInfo", "1")})

    return await run_api_call(sandbox, request, realm_id, work, write=False)


@router.get("/preferences")
async def preferences(realm_id: str, request: Request, sandbox: SandboxDep) -> Response:
    """``GET /v3/company/{realmId}/preferences``: the one Preferences record (docs/quickbooks-online.md §6.2)."""

    async def work(company: Company) -> Outcome:
        return Outcome({"Preferences": company.read("Preferences", "1")})

    return await run_api_call(sandbox, request, realm_id, work, write=False)


@router.get("/exchangerate")
async def exchange_rate_of(realm_id: str, request: Request, sandbox: SandboxDep) -> Response:
    """``GET …/exchangerate?sourcecurrencycode=EUR&asofdate=…``: units of the home currency per unit of
    the source currency (docs/quickbooks-online.md §6.7); the sandbox's rates do not change by date."""

    async def work(company: Company) -> Outcome:
        source = (request.query_params.get("sourcecurrencycode") or "").upper()
        if source not in CURRENCY_NAMES:
            raise faults.invalid_reference("sourcecurrencycode")
        return Outcome(
            {
                "ExchangeRate": {
                    "SourceCurrencyCode": source,
                    "TargetCurrencyCode": company.home_currency,
                    "Rate": exchange_rate(source, company.home_currency),
                    "AsOfDate": request.query_params.get("asofdate") or company.today(),
                }
            }
        )

    return await run_api_call(sandbox, request, realm_id, work, write=False)


@router.get("/{resource}/{entity_id}")
async def read_entity(
    realm_id: str, resource: str, entity_id: str, request: Request, sandbox: SandboxDep
) -> Response:
    async def work(company: Company) -> Outcome:
        kind = _kind(resource)
        return Outcome({kind: company.read(kind, entity_id)})

    return await run_api_call(sandbox, request, realm_id, work, write=False)


@router.post("/{resource}")
async def write_entity(
    realm_id: str, resource: str, request: Request, sandbox: SandboxDep, background: BackgroundTasks
) -> Response:
    operation = request.query_params.get("operation")

    async def work(company: Company) -> Outcome:
        kind = _kind(resource)
        payload = await json_object(request)
        rendered: dict[str, Any]
        if operation == "delete":
            rendered, event = company.delete(kind, payload), "Delete"
        elif operation == "void" or (operation == "update" and request.query_params.get("include") == "void"):
            rendered, event = company.void(kind, payload), "Void"
        elif operation not in (None, "create", "update"):
            raise faults.unsupported_operation(f"{operation} for {kind}")
        elif operation == "update" or payload.get("Id") not in (None, ""):
            rendered, event = company.update(kind, payload), "Update"
        else:
            rendered, event = company.create(kind, payload), "Create"
        return Outcome({kind: rendered}, [(kind, str(rendered["Id"]), event)])

    return await run_api_call(sandbox, request, realm_id, work, write=True, background=background)

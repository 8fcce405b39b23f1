"""HTTP only: the mappings list and the CRM "QB" customer link."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Response

from espqb.api.deps import AdminDep, PrincipalDep, SessionDep
from espqb.api.errors import V1_PROBLEMS, Conflict, NotFound
from espqb.audit import record_audit
from espqb.db.models import MappingKind
from espqb.integration.service import require_installed
from espqb.mappings import repository
from espqb.mappings.link_checks import LINK_PROBLEMS, known_quickbooks_customer
from espqb.mappings.schemas import CustomerLinkBody, MappingOut, MappingPage

router = APIRouter(prefix="/v1", tags=["mappings"], responses=V1_PROBLEMS)

EspCustomerId = Annotated[
    str, Path(min_length=1, max_length=200, pattern=r"^[^\x00]*$", description="ESP's CRM customer id")
]

Kind = Literal["customer", "vendor", "item", "invoice", "payment", "bill", "purchase_order"]


@router.get("/mappings", summary="Which ESP record is which QuickBooks record")
async def list_mappings(
    session: SessionDep,
    principal: PrincipalDep,
    kind: Kind | None = None,
    target: Literal["qbo", "qbd"] | None = None,
    order_number: Annotated[str | None, Query(max_length=64)] = None,
    q: Annotated[
        str | None, Query(max_length=100, description="Search ESP keys and QuickBooks names")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> MappingPage:
    rows = await repository.search(
        session,
        principal.company_id,
        target=target,
        kind=kind,
        order_number=order_number,
        q=q,
        limit=limit,
        offset=offset,
    )
    return MappingPage(items=[MappingOut.model_validate(r) for r in rows], limit=limit, offset=offset)


@router.put(
    "/crm/customers/{esp_customer_id}/quickbooks-link",
    summary="Link an ESP CRM customer to a QuickBooks customer (admins)",
    # Checked first, before the request's transaction: the check may call QuickBooks.
    dependencies=[Depends(known_quickbooks_customer)],
    responses={
        **LINK_PROBLEMS,
        200: {
            "description": "The link as kept",
            "links": {
                "Unlink": {
                    "operationRef": "#/paths/~1v1~1crm~1customers~1{esp_customer_id}~1quickbooks-link/delete",
                    "parameters": {"esp_customer_id": "$request.path.esp_customer_id"},
                    "description": "Remove this link",
                }
            },
        },
    },
)
async def link_customer(
    esp_customer_id: EspCustomerId,
    body: CustomerLinkBody,
    session: SessionDep,
    principal: AdminDep,
) -> MappingOut:
    """The CRM "QB" button: later sends for this customer use that QuickBooks customer as is."""
    integration = await require_installed(session, principal.company_id)
    try:
        row = await repository.upsert(
            session,
            company_id=principal.company_id,
            target=integration.product,
            kind=MappingKind.CUSTOMER,
            esp_key=esp_customer_id,
            qb_id=body.quickbooks_id,
            qb_name=body.quickbooks_name,
            origin="linked",
        )
    except repository.RecordOwned as owned:
        raise Conflict(
            f"QuickBooks customer {owned.qb_name or body.quickbooks_name or body.quickbooks_id} is already "
            f"linked to ESP customer {owned.owner}; one QuickBooks customer belongs to one ESP customer. "
            "Unlink it there first, or link another QuickBooks customer."
        ) from None
    await record_audit(
        session,
        principal.company_id,
        principal.user_id,
        "customer.linked",
        f"ESP customer {esp_customer_id} linked to QuickBooks customer {body.quickbooks_name or body.quickbooks_id}",
        {"esp_customer_id": esp_customer_id, "quickbooks_id": body.quickbooks_id},
    )
    return MappingOut.model_validate(row)


@router.delete(
    "/crm/customers/{esp_customer_id}/quickbooks-link",
    status_code=204,
    summary="Remove the link (admins)",
    response_class=Response,
)
async def unlink_customer(
    esp_customer_id: EspCustomerId, session: SessionDep, principal: AdminDep
) -> Response:
    integration = await require_installed(session, principal.company_id)
    removed = await repository.remove(
        session, principal.company_id, integration.product, MappingKind.CUSTOMER, esp_customer_id
    )
    if not removed:
        raise NotFound(f"ESP customer {esp_customer_id} is not linked to a QuickBooks customer.")
    await record_audit(
        session,
        principal.company_id,
        principal.user_id,
        "customer.unlinked",
        f"ESP customer {esp_customer_id} unlinked",
        {"esp_customer_id": esp_customer_id},
    )
    return Response(status_code=204)

"""HTTP only: GET /v1/quickbooks/{customers|vendors|accounts|tax-codes|items|terms|classes|locations|
ship-methods|sales-reps|customer-messages}."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from espqb.api.deps import ContextDep, PrincipalDep
from espqb.api.errors import V1_PROBLEMS, NotInstalled
from espqb.integration.quickbooks_company import from_row
from espqb.integration.service import require_installed
from espqb.lookups.company_lists import COMPANY_LIST_KINDS, company_list_page
from espqb.lookups.provider import LookupKind, LookupPage

router = APIRouter(prefix="/v1/quickbooks", tags=["lookups"], responses=V1_PROBLEMS)


@router.get("/{kind}", summary="Search QuickBooks lists for the dialog's drop-downs")
async def lookup(
    kind: LookupKind,
    principal: PrincipalDep,
    ctx: ContextDep,
    q: Annotated[str | None, Query(max_length=100, description="Name contains (case-insensitive)")] = None,
    type: Annotated[
        str | None, Query(max_length=64, description="Accounts: account type (e.g. Income); items: item type")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> LookupPage:
    """Customers and vendors by search, accounts by type, tax codes, items; and the reference lists the
    documents' details name — terms (with `details.due_days`), classes, locations (QuickBooks Online),
    ship methods, sales reps (`name`: the initials documents use, `details.description`: the person) and
    customer messages (QuickBooks Desktop) — from the lists kept with the QuickBooks company. The answer
    says where it came from and when that data was last read from QuickBooks."""
    async with ctx.db.transaction() as session:
        integration = await require_installed(session, principal.company_id)
    if kind in COMPANY_LIST_KINDS:
        company = from_row(integration.quickbooks_company)
        return company_list_page(company, kind, q=q, limit=limit, offset=offset)
    if ctx.lookups is None or integration.product != ctx.service_product:
        raise NotInstalled(
            f"This company uses QuickBooks {'Online' if integration.product == 'qbo' else 'Desktop'}; "
            f"ask the {'qbo' if integration.product == 'qbo' else 'qbwc'}-gateway service."
        )
    # Outside the transaction above: the provider may call QuickBooks (see LookupProvider).
    return await ctx.lookups.lookup(
        ctx.db, principal.company_id, kind, q=q, type_filter=type, limit=limit, offset=offset
    )

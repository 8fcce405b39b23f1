"""Before a CRM link is kept: the QuickBooks customer it names must exist in the company's QuickBooks.

A link to an id QuickBooks does not have would be accepted and only fail at the next send, with the
customer said to be linked and the invoice refused ("Invalid Reference Id"). Each gateway checks the
id its own way (``AppContext.records``: a QuickBooks Online read, or the Desktop list cache); this
dependency runs before the request's transaction opens, since the check may call QuickBooks.
"""

from __future__ import annotations

from typing import Any

from espqb.api.deps import AdminDep, ContextDep
from espqb.api.errors import ApiError, NotInstalled, problem_responses
from espqb.integration.service import require_installed
from espqb.lookups.provider import LookupItem
from espqb.mappings.schemas import CustomerLinkBody

__all__ = ["LINK_PROBLEMS", "UnknownQuickBooksRecord", "known_quickbooks_customer"]

_PRODUCT = {"qbo": "QuickBooks Online", "qbd": "QuickBooks Desktop"}


class UnknownQuickBooksRecord(ApiError):
    status, slug, title = 422, "quickbooks-record-unknown", "QuickBooks has no such record"


async def known_quickbooks_customer(
    body: CustomerLinkBody, ctx: ContextDep, principal: AdminDep
) -> LookupItem:
    """The QuickBooks customer ``body`` names, as QuickBooks has it; refuses an unknown or inactive one."""
    async with ctx.db.transaction() as session:
        integration = await require_installed(session, principal.company_id)
    product = _PRODUCT[integration.product]
    if ctx.records is None or integration.product != ctx.service_product:
        service = "qbo-gateway" if integration.product == "qbo" else "qbwc-gateway"
        raise NotInstalled(f"This company uses {product}; link its customers through the {service} service.")
    found = await ctx.records.find(ctx.db, principal.company_id, "customers", body.quickbooks_id)
    if found is None:
        raise UnknownQuickBooksRecord(
            f"{product} has no customer with id {body.quickbooks_id}: pick the customer from the "
            "QuickBooks customer list and link again."
        )
    if not found.active:
        raise UnknownQuickBooksRecord(
            f"The {product} customer “{found.name}” (id {found.id}) is inactive: make it active in "
            "QuickBooks, or link another customer."
        )
    return found


# The link's own 422: besides an invalid body, an id QuickBooks does not have (or an inactive customer).
LINK_PROBLEMS: dict[int | str, dict[str, Any]] = {
    422: {
        **problem_responses(422)[422],
        "description": "The body is not valid, or QuickBooks has no active customer with this id "
        "(type …/quickbooks-record-unknown)",
    }
}

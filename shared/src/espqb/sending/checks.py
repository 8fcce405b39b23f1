"""What both gateways check when "QB" is pressed, before a job exists: what would only fail later
(in the worker, or at the Web Connector's next poll, up to 15 minutes on) is refused now, with a 409
and the reason, worded the same by both products.

- The gateway must serve the product the company installed: qbwc-gateway sends only to QuickBooks
  Desktop, qbo-gateway only to QuickBooks Online.
- The QuickBooks company must take the order's currency: its home currency, or one it has added
  with multi-currency on (``espqb.plan.currency``), as last read by the gateway.
- QuickBooks needs an income account to create an item: when neither the request
  (``choices.income_account``) nor the settings (Accounts tab) choose one, and an item of the order
  has never been written to QuickBooks by this integration, the send is refused.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from espqb.api.errors import ApiError
from espqb.db.models import Integration, MappingKind
from espqb.integration.quickbooks_company import from_row
from espqb.integration.schemas import SettingsOut
from espqb.mappings import repository as mappings
from espqb.mappings.plan_bridge import GONE_STATUSES
from espqb.orders.request import SendRequest
from espqb.plan.currency import currency_problem
from espqb.plan.items import charge_item_key, product_key

__all__ = ["SendRefused", "check_sendable"]

PRODUCT_NAMES = {"qbo": "QuickBooks Online", "qbd": "QuickBooks Desktop"}
INCOME_PATH = "choices.income_account"


class SendRefused(ApiError):
    status, slug, title = 409, "send-refused", "The order cannot be sent now"


def _refused(path: str, message: str) -> SendRefused:
    errors: list[dict[str, Any]] = [{"path": path, "message": message}]
    return SendRefused(message, extra={"errors": errors})


def check_product(integration: Integration, service_product: str | None) -> None:
    """A send reaches the gateway of the product the company installed, or is refused."""
    if service_product is None or integration.product == service_product:
        return
    installed = PRODUCT_NAMES.get(integration.product, integration.product)
    here = PRODUCT_NAMES.get(service_product, service_product)
    raise _refused(
        "integration.product",
        f"This company has {installed} installed, and this service sends to {here}: send the order "
        f"through the {installed} integration, or install {here} instead (Admin → Integrations).",
    )


def check_currency(integration: Integration, request: SendRequest) -> None:
    """Refuses an order in a currency the QuickBooks company cannot take (when the company is known)."""
    problem = currency_problem(request.order, from_row(integration.quickbooks_company))
    if problem is not None:
        raise _refused(problem.path, problem.message)


def _sold_item_keys(request: SendRequest) -> list[str]:
    """The items the order's lines and charges are sold as (each needs an income account to exist)."""
    order = request.order
    keys = [product_key(line) for line in order.lines]
    keys += [charge_item_key(charge.kind) for charge in order.charges]
    return list(dict.fromkeys(keys))


async def check_income_account(
    session: AsyncSession, integration: Integration, request: SendRequest, settings: SettingsOut
) -> None:
    """Refuses a send that would have to create an item without an income account to post it to."""
    if request.choices.income_account is not None or settings.default_accounts.income is not None:
        return
    keys = _sold_item_keys(request)
    rows = await mappings.for_order(
        session, integration.company_id, integration.product, request.order.order_number, "", [], keys
    )
    written = {
        row.esp_key for row in rows if row.kind == MappingKind.ITEM and row.qb_status not in GONE_STATUSES
    }
    if any(key not in written for key in keys):
        raise _refused(
            INCOME_PATH,
            "No income account is chosen, and QuickBooks needs one to create the items of this order: "
            "choose one in the dialog or in Settings → Accounts.",
        )


async def check_sendable(
    session: AsyncSession,
    integration: Integration,
    request: SendRequest,
    settings: SettingsOut,
    *,
    service_product: str | None,
) -> None:
    """Every send-time check, in order; raises ``SendRefused`` (409) with the reason."""
    check_product(integration, service_product)
    check_currency(integration, request)
    await check_income_account(session, integration, request, settings)

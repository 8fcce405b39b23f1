"""The Details tab decides who may send, and which documents users may send."""

from __future__ import annotations

from espqb.api.errors import Forbidden
from espqb.integration.schemas import SettingsOut
from espqb.orders.request import SendRequest
from espqb.security.jwt import Principal


def check_may_send(principal: Principal, settings: SettingsOut, request: SendRequest) -> None:
    if settings.who_may_send == "selected" and not principal.is_admin:
        allowed = principal.user_id in settings.allowed_users or bool(
            set(principal.teams) & set(settings.allowed_teams)
        )
        if not allowed:
            raise Forbidden("Your company's QuickBooks settings do not let you send orders; ask an admin.")
    choices = request.choices
    refused: list[str] = []
    if choices.send_invoice and not settings.allow_invoices:
        refused.append("invoices")
    if any(s.send_bill for s in choices.suppliers.values()) and not settings.allow_bills:
        refused.append("bills")
    if any(s.send_purchase_order for s in choices.suppliers.values()) and not settings.allow_purchase_orders:
        refused.append("purchase orders")
    if refused:
        raise Forbidden(f"Your company's QuickBooks settings do not allow sending {' or '.join(refused)}.")

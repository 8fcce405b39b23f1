"""The order's currency against the company's: accepted, or refused before anything is written.

A QuickBooks company keeps its books in one home currency; a document in another currency needs
multi-currency turned on and that currency added to the company (QBO ``CompanyCurrency``, Desktop's
currency list), and its customer or vendor in that currency (docs/quickbooks-online.md §6.7,
docs/web-connector.md §3.13). Used by the plan and by the send-time check (a 409 before a job exists).
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from espqb.orders.snapshot import OrderSnapshot
from espqb.plan.company import QuickBooksCompany
from espqb.plan.decisions import Decisions
from espqb.plan.errors import Problem
from espqb.plan.limits import PRODUCT_NAMES
from espqb.plan.model import CurrencyRef

__all__ = ["currency_problem", "exchange_rate", "foreign_accounts", "party_currency"]


def currency_problem(order: OrderSnapshot, company: QuickBooksCompany | None) -> Problem | None:
    """Why the company cannot take a document in the order's currency (None: it can)."""
    if company is None or company.accepts_currency(order.currency):
        return None
    product = PRODUCT_NAMES[company.product]
    home = company.home_currency
    who = f"“{company.name}”" if company.name else "The QuickBooks company"
    if not company.multi_currency:
        message = (
            f"The order is in {order.currency}, and {who} keeps its books in {home} without "
            f"multi-currency: turn multi-currency on in {product} and add {order.currency}, or send the "
            f"order in {home}. Nothing was written."
        )
    else:
        message = (
            f"The order is in {order.currency}, which {who} has not added to its currencies (it has "
            f"{', '.join([home, *company.currencies])}): add {order.currency} in {product}, or send the "
            f"order in one of those. Nothing was written."
        )
    return Problem("order.currency", message)


def _foreign(order: OrderSnapshot, company: QuickBooksCompany | None) -> bool:
    return company is not None and order.currency.upper() != company.home_currency.upper()


def party_currency(order: OrderSnapshot, company: QuickBooksCompany | None) -> CurrencyRef | None:
    """The currency a new customer or vendor is created in: only a foreign one is named."""
    if company is None or not company.multi_currency or not _foreign(order, company):
        return None
    code = order.currency.upper()
    return CurrencyRef(code=code, name=company.currency_names.get(code))


def exchange_rate(order: OrderSnapshot, company: QuickBooksCompany | None) -> Decimal | None:
    """ESP's rate for a foreign-currency document; None in the home currency or when ESP gives none."""
    if company is not None and not _foreign(order, company):
        return None
    return order.exchange_rate


def foreign_accounts(
    order: OrderSnapshot, company: QuickBooksCompany | None, decisions: Decisions
) -> tuple[Decisions, str | None]:
    """A foreign-currency document leaves the receivable and payable accounts to QuickBooks.

    Receivable and payable accounts have one currency, QuickBooks keeps one per currency (creating
    "Accounts Receivable (A/R) - CAD" itself with the first CAD invoice), and refuses a document whose
    account is in another currency (docs/quickbooks-online.md §6.7; Desktop likewise, docs/web-connector.md
    §3.13). The accounts chosen in the dialog or the settings are in the home currency, so they are
    left out; the note says so when any was chosen.
    """
    if not _foreign(order, company):
        return decisions, None
    chosen = decisions.ar_account is not None or any(s.ap_account is not None for s in decisions.suppliers)
    stripped = dataclasses.replace(
        decisions,
        ar_account=None,
        suppliers=tuple(dataclasses.replace(s, ap_account=None) for s in decisions.suppliers),
    )
    if not chosen:
        return stripped, None
    return stripped, (
        f"The order is in {order.currency.upper()}: QuickBooks posts it to its own {order.currency.upper()} "
        "receivable and payable accounts, not to the accounts chosen in the dialog or the settings (those "
        f"are in {company.home_currency if company else 'the home currency'})."
    )

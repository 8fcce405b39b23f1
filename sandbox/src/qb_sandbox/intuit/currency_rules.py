"""Currencies on names and transactions (docs/quickbooks-online.md §6.7).

* A company keeps its books in its home currency. Another currency is possible only with multi-currency
  on and that currency added (``CompanyCurrency``); Intuit publishes no error text for either refusal,
  so the sandbox answers a ValidationFault 6000 naming the currency **[derived]**.
* A customer or vendor has one currency, chosen when it is created (home currency when left out); it
  cannot change later **[derived: no way to change it was found]**.
* A transaction is in its customer's or vendor's currency; a ``CurrencyRef`` that differs is refused
  (https://github.com/Expensify/App/issues/53932 reports "You can only use one foreign currency per
  transaction" for mixed currencies; the text for this case is not published **[derived]**).
* ``ExchangeRate`` is home-currency units per unit of the transaction's currency, kept as sent, else
  the day's rate; 1 in the home currency. ``HomeTotalAmt`` is the total in home currency, in
  multi-currency companies only.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from . import faults
from .editions import exchange_rate
from .rules import decimal_field
from .txn_math import cents

if TYPE_CHECKING:
    from .books import Record
    from .company import Company

__all__ = ["name_currency", "set_document_currency"]


def _code(ref: Any) -> str | None:
    value = ref.get("value") if isinstance(ref, dict) else None
    return str(value).upper() if value else None


def _check_enabled(company: Company, code: str, element: str) -> None:
    if code == company.home_currency:
        return
    if not company.multi_currency:
        raise faults.business_validation(
            f"Multicurrency is not turned on for this company, which keeps its books in "
            f"{company.home_currency}: it cannot record amounts in {code}.",
            element,
            "6000",
        )
    if code not in company.currencies:
        raise faults.business_validation(
            f"The currency {code} has not been added to this company's currencies.", element, "6000"
        )


def name_currency(company: Company, body: dict[str, Any], existing: Record | None) -> dict[str, Any]:
    """A customer's or vendor's CurrencyRef: chosen at creation, never changed."""
    given = _code(body.get("CurrencyRef"))
    if existing is not None:
        current = _code(existing.body.get("CurrencyRef")) or company.home_currency
        if given is not None and given != current:
            raise faults.business_validation(
                f"The currency of a name cannot be changed (it is {current}).", "CurrencyRef", "6000"
            )
        return company.currency_ref(current)
    code = given or company.home_currency
    _check_enabled(company, code, "CurrencyRef")
    return company.currency_ref(code)


def set_document_currency(
    company: Company,
    body: dict[str, Any],
    party: Record | None,
    out: dict[str, Any],
    total_field: str = "TotalAmt",
) -> None:
    """``CurrencyRef``, ``ExchangeRate`` and (multi-currency) ``HomeTotalAmt`` of a transaction."""
    party_code = _code(party.body.get("CurrencyRef")) if party is not None else None
    code = _code(body.get("CurrencyRef")) or party_code or company.home_currency
    _check_enabled(company, code, "CurrencyRef")
    if party_code is not None and code != party_code:
        raise faults.business_validation(
            f"The transaction is in {code} but its {party.kind.lower() if party else 'name'} is in "
            f"{party_code}: a transaction takes the currency of its customer or vendor.",
            "CurrencyRef",
            "6000",
        )
    out["CurrencyRef"] = company.currency_ref(code)
    for field in ("ARAccountRef", "APAccountRef"):
        account = company.books.get("Account", str((out.get(field) or {}).get("value")))
        account_code = _code(account.body.get("CurrencyRef")) if account is not None else None
        if account_code is not None and account_code != code:
            if field in body:
                # "The transaction needs to be in the same currency as the A/R and A/P accounts you use."
                # (docs/quickbooks-online.md §6.7, Connex help; third party).
                raise faults.business_validation(
                    "The transaction needs to be in the same currency as the A/R and A/P accounts you use.",
                    field,
                    "6000",
                )
            out.pop(field)  # the company's default is in the home currency: QBO uses the currency's own
    if code == company.home_currency:
        rate = Decimal(1)
    else:
        rate = decimal_field(body, "ExchangeRate", "ExchangeRate") or exchange_rate(
            code, company.home_currency
        )
    out["ExchangeRate"] = rate
    if company.multi_currency and total_field in out:
        out["HomeTotalAmt"] = cents(Decimal(str(out[total_field])) * rate)

"""The QuickBooks company an integration writes to, as a gateway last read it (``QuickBooksCompany``).

Each gateway reads the company from QuickBooks — Online at connect time, on a Preferences webhook and
at the daily connection check; Desktop at the start of every Web Connector session — and stores it
here; the plan and the send-time checks read it from here. Only flushes; the caller owns the
transaction.
"""

from __future__ import annotations

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from espqb.audit import record_audit
from espqb.integration import repository
from espqb.plan.company import QuickBooksCompany

__all__ = ["read_quickbooks_company", "store_quickbooks_company"]


def from_row(data: object) -> QuickBooksCompany | None:
    """The stored JSON as a ``QuickBooksCompany``; None when absent or no longer readable (read again)."""
    if not isinstance(data, dict):
        return None
    try:
        return QuickBooksCompany.model_validate(data)
    except ValidationError:
        return None


async def read_quickbooks_company(session: AsyncSession, company_id: str) -> QuickBooksCompany | None:
    row = await repository.get_integration(session, company_id)
    return from_row(row.quickbooks_company) if row is not None else None


def _without_read_at(company: QuickBooksCompany) -> dict[str, object]:
    return company.model_dump(mode="json", exclude={"read_at"})


async def store_quickbooks_company(
    session: AsyncSession, company_id: str, company: QuickBooksCompany, *, actor: str = "system"
) -> bool:
    """Store what was read; True when it differs from what was stored (an audit row then says what)."""
    row = await repository.get_integration(session, company_id)
    if row is None:
        return False
    before = from_row(row.quickbooks_company)
    row.quickbooks_company = company.model_dump(mode="json")
    if before is not None and _without_read_at(before) == _without_read_at(company):
        return False
    changed = _changes(before, company)
    await record_audit(
        session,
        company_id,
        actor,
        "quickbooks_company.read" if before is None else "quickbooks_company.changed",
        _summary(company) if before is None else f"The QuickBooks company changed: {'; '.join(changed)}.",
        {"company": company.model_dump(mode="json", exclude={"tax_codes"}), "changed": changed},
    )
    return True


def _summary(company: QuickBooksCompany) -> str:
    tax = {
        "us_automated": "automated sales tax",
        "us_manual": "sales tax by code",
        "per_line_codes": "a tax code on every line",
    }[company.regime]
    currencies = (
        f"multi-currency ({', '.join([company.home_currency, *company.currencies])})"
        if company.multi_currency
        else f"{company.home_currency} only"
    )
    return f"{company.name or 'The QuickBooks company'}: {company.country_name}, {tax}, {currencies}."


def _changes(before: QuickBooksCompany | None, after: QuickBooksCompany) -> list[str]:
    if before is None:
        return []
    out: list[str] = []
    for field in ("country", "home_currency", "multi_currency", "currencies", "automated_sales_tax"):
        old, new = getattr(before, field), getattr(after, field)
        if old != new:
            out.append(f"{field.replace('_', ' ')} {old!r} → {new!r}")
    if {c.name for c in before.tax_codes} != {c.name for c in after.tax_codes}:
        out.append("tax codes")
    return out or ["details"]

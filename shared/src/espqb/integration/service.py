"""Install / uninstall and the settings tabs. Only flushes; the caller owns the transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from espqb.api.errors import Conflict, InvalidText, NotInstalled
from espqb.audit import record_audit
from espqb.db.models import Integration, IntegrationSettings
from espqb.db.types import utcnow
from espqb.integration import repository
from espqb.integration.quickbooks_company import from_row
from espqb.integration.schemas import IntegrationOut, Product, SettingsBody, SettingsOut
from espqb.plan.inputs import PlanSettings

NEXT_STEPS = {
    "qbo": "Connect to QuickBooks Online: POST /v1/qbo/connect and open the returned Intuit sign-in page.",
    "qbd": (
        "Download the Web Connector file (GET /v1/qbwc/qwc), generate a password (POST /v1/qbwc/password), "
        "add the file to the QuickBooks Web Connector on the computer running QuickBooks and paste the password."
    ),
}

# Called with (session, company_id, product) when an integration is uninstalled, so a gateway can
# revoke what it holds (e.g. QBO tokens at Intuit). A gateway gives them to `build_app(uninstall_hooks=…)`.
UninstallHook = Callable[[AsyncSession, str, str], Awaitable[None]]


def integration_out(row: Integration | None) -> IntegrationOut:
    if row is None:
        return IntegrationOut(
            product=None, status="not_installed", next_steps="Install QuickBooks Online or Desktop."
        )
    product: Any = row.product
    steps = NEXT_STEPS[row.product] if row.status == "installed" else "Install QuickBooks Online or Desktop."
    status: Any = row.status
    return IntegrationOut(
        product=product,
        status=status,
        installed_at=row.installed_at,
        uninstalled_at=row.uninstalled_at,
        next_steps=steps,
        quickbooks_company=from_row(row.quickbooks_company),
    )


async def install(session: AsyncSession, company_id: str, product: Product, actor: str) -> Integration:
    await repository.ensure_company(session, company_id)
    row = await repository.get_integration(session, company_id)
    if row is not None and row.status == "installed":
        if row.product == product:
            return row  # installing twice is harmless
        raise Conflict(
            f"QuickBooks {'Online' if row.product == 'qbo' else 'Desktop'} is installed; uninstall it first.",
        )
    now = utcnow()
    if row is None:
        row = Integration(
            company_id=company_id, product=product, status="installed", installed_at=now, installed_by=actor
        )
        session.add(row)
    else:
        row.product, row.status, row.installed_at, row.installed_by, row.uninstalled_at = (
            product,
            "installed",
            now,
            actor,
            None,
        )
    if await repository.get_settings_row(session, company_id) is None:
        session.add(IntegrationSettings(company_id=company_id))
    await session.flush()
    await record_audit(
        session, company_id, actor, "integration.installed", f"Installed {product}", {"product": product}
    )
    return row


async def uninstall(
    session: AsyncSession,
    company_id: str,
    actor: str,
    hooks: list[UninstallHook] | tuple[UninstallHook, ...] = (),
) -> Integration:
    row = await repository.get_integration(session, company_id)
    if row is None or row.status != "installed":
        raise NotInstalled("No QuickBooks integration is installed for this company.")
    for hook in hooks:
        await hook(session, company_id, row.product)
    row.status, row.uninstalled_at = "uninstalled", utcnow()
    await session.flush()
    await record_audit(
        session,
        company_id,
        actor,
        "integration.uninstalled",
        f"Uninstalled {row.product}",
        {"product": row.product},
    )
    return row


async def require_installed(session: AsyncSession, company_id: str) -> Integration:
    row = await repository.get_integration(session, company_id)
    if row is None or row.status != "installed":
        raise NotInstalled("Install QuickBooks Online or Desktop first (Admin → Integrations → Install).")
    return row


def settings_out(row: IntegrationSettings | None) -> SettingsOut:
    if row is None:
        return SettingsOut()
    return SettingsOut(
        who_may_send=row.who_may_send,  # type: ignore[arg-type]
        allowed_teams=list(row.allowed_teams or []),
        allowed_users=list(row.allowed_users or []),
        allow_invoices=row.allow_invoices,
        allow_bills=row.allow_bills,
        allow_purchase_orders=row.allow_purchase_orders,
        set_customers_billable=row.set_customers_billable,
        item_name_source=row.item_name_source,  # type: ignore[arg-type]
        default_accounts=row.default_accounts or {},  # type: ignore[arg-type]
        tax_default=row.tax_default or {},  # type: ignore[arg-type]
        charge_items=row.charge_items or {},  # type: ignore[arg-type]
        document_defaults=row.document_defaults or {},  # type: ignore[arg-type]
        notify_emails=list(row.notify_emails or []),
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


async def read_settings(session: AsyncSession, company_id: str) -> SettingsOut:
    return settings_out(await repository.get_settings_row(session, company_id))


async def update_settings(
    session: AsyncSession, company_id: str, body: SettingsBody, actor: str
) -> SettingsOut:
    await repository.ensure_company(session, company_id)
    await _check_tax_codes(session, company_id, body)
    row = await repository.get_settings_row(session, company_id)
    if row is None:
        row = IntegrationSettings(company_id=company_id)
        session.add(row)
    data = body.model_dump(mode="json")
    for key, value in data.items():
        setattr(row, key, value)
    row.updated_by = actor
    row.updated_at = utcnow()
    await session.flush()
    await record_audit(session, company_id, actor, "settings.updated", "Settings changed", {"settings": data})
    return settings_out(row)


async def _check_tax_codes(session: AsyncSession, company_id: str, body: SettingsBody) -> None:
    """The tax codes the settings name must be the QuickBooks company's own (when it has been read)."""
    integration = await repository.get_integration(session, company_id)
    company = from_row(integration.quickbooks_company) if integration is not None else None
    if company is None or not company.tax_codes:
        return
    tax = body.tax_default
    named = {
        "tax_default.code": tax.code if tax.option == "code" else None,
        "tax_default.sales_code": tax.sales_code,
        "tax_default.no_tax_code": tax.no_tax_code,
        "tax_default.purchase_code": tax.purchase_code,
    }
    errors = [
        {
            "path": path,
            "message": f"QuickBooks has no tax code “{value}”; the company's codes are "
            + ", ".join(code.label() for code in company.tax_codes)
            + ".",
        }
        for path, value in named.items()
        if value and company.tax_code(value) is None
    ]
    if errors:
        raise InvalidText(
            "The settings name tax codes the QuickBooks company does not have: "
            + "; ".join(e["message"] for e in errors),
            extra={"errors": errors},
        )


def plan_settings(settings: SettingsOut) -> PlanSettings:
    """The planner's view of the company's settings."""
    return PlanSettings(
        item_name_source=settings.item_name_source,
        set_customers_billable=settings.set_customers_billable,
        allow_invoices=settings.allow_invoices,
        allow_bills=settings.allow_bills,
        allow_purchase_orders=settings.allow_purchase_orders,
        default_accounts=settings.default_accounts,
        tax_default=settings.tax_default,
        charge_items=settings.charge_items,
        document_defaults=settings.document_defaults,
    )

"""Installing the Web Connector app: the company's credential, the .qwc, the password, the status.

Only flushes; the request's transaction commits.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from espqb.api.errors import NotInstalled
from espqb.audit import record_audit
from espqb.config import Settings
from espqb.db.models import Company, QbwcCredential
from espqb.integration import repository as integration_repository
from espqb.integration import service as integration_service
from espqb.integration.quickbooks_company import from_row
from espqb.plan.company import QuickBooksCompany, TaxCode
from espqb.security.passwords import generate_password, hash_password

from ..listcache import repository as cache_repository
from . import repository
from .identity import APP_DESCRIPTION, OWNER_ID, app_name_for, new_file_id, new_username
from .qwc import QwcSpec, check_app_url, render_qwc
from .schemas import (
    CacheOut,
    DesktopCompanyOut,
    LastSessionOut,
    PasswordOut,
    PendingOut,
    QbwcStatusOut,
    TaxCodeOut,
    WebConnectorOut,
)

SOAP_PATH = "/qbwc"
SUPPORT_PATH = "/qbwc/support"
PASSWORD_NOTE = (
    "Copy this password into the QuickBooks Web Connector now: it is not shown again. "
    "Generating a new password makes this one stop working at once."
)


async def require_desktop(session: AsyncSession, company_id: str) -> None:
    integration = await integration_service.require_installed(session, company_id)
    if integration.product != "qbd":
        raise NotInstalled(
            "This company uses QuickBooks Online; the Web Connector is only for QuickBooks Desktop."
        )


async def ensure_credential(session: AsyncSession, company_id: str) -> QbwcCredential:
    """The company's Web Connector identity, created on first use (user name and FileID never change)."""
    found = await repository.credential(session, company_id)
    if found is not None:
        return found
    credential = QbwcCredential(
        company_id=company_id,
        username=new_username(),
        file_id=new_file_id(),
        failed_logins=0,
    )
    session.add(credential)
    await session.flush()
    return credential


def public_urls(settings: Settings) -> tuple[str, str]:
    """(AppURL, AppSupport): the SOAP endpoint and the support page, on the same domain."""
    base = settings.qbwc_public_url.rstrip("/")
    return base + SOAP_PATH, base + SUPPORT_PATH


async def qwc_file(
    session: AsyncSession,
    company_id: str,
    settings: Settings,
    *,
    run_every_minutes: int | None,
    run_every_seconds: int | None,
) -> str:
    """The .qwc text; raises ``QwcConfigError`` when the public URL would be refused."""
    app_url, support_url = public_urls(settings)
    check_app_url(app_url, development=settings.is_development)
    credential = await ensure_credential(session, company_id)
    company = await session.get(Company, company_id)
    if run_every_seconds is None and run_every_minutes is None:
        run_every_minutes = settings.qbwc_run_every_minutes
    return render_qwc(
        QwcSpec(
            app_name=app_name_for(company.name if company else None, company_id),
            app_url=app_url,
            app_support=support_url,
            app_description=APP_DESCRIPTION,
            username=credential.username,
            owner_id=OWNER_ID,
            file_id=credential.file_id,
            run_every_minutes=run_every_minutes,
            run_every_seconds=run_every_seconds,
        )
    )


async def new_password(
    session: AsyncSession, company_id: str, actor: str, *, pepper: str, now: datetime
) -> PasswordOut:
    """ "Generate new password": a long random secret, shown once; only its keyed hash is kept, so
    the old password stops working the moment this one is stored."""
    credential = await ensure_credential(session, company_id)
    password = generate_password()
    credential.password_hash = hash_password(password, pepper)
    credential.password_set_at = now
    credential.failed_logins = 0
    await session.flush()
    await record_audit(
        session, company_id, actor, "qbwc.password_generated", "Generated a new Web Connector password"
    )
    return PasswordOut(username=credential.username, password=password, generated_at=now, note=PASSWORD_NOTE)


async def set_company_file(session: AsyncSession, company_id: str, path: str | None, actor: str) -> None:
    """Which company file ``authenticate`` names ("" = whichever is open in QuickBooks)."""
    credential = await ensure_credential(session, company_id)
    pinned = dict(credential.pinned_company or {})
    if path:
        pinned["configured_path"] = path
    else:
        pinned.pop("configured_path", None)
    credential.pinned_company = pinned or None
    await session.flush()
    await record_audit(
        session, company_id, actor, "qbwc.company_file_set", "Set the company file to open", {"path": path}
    )


async def reset_company_file(session: AsyncSession, company_id: str, actor: str) -> None:
    """The company moved to another company file: forget the pin, the cache and every Desktop
    mapping (their ListIDs and TxnIDs belong to the old file)."""
    credential = await ensure_credential(session, company_id)
    previous = credential.pinned_company
    credential.pinned_company = None
    credential.cache_refreshed_at = None
    credential.qbxml_version = None
    await cache_repository.clear(session, company_id)
    await repository.forget_desktop_mappings(session, company_id)
    await session.flush()
    await record_audit(
        session,
        company_id,
        actor,
        "qbwc.company_file_reset",
        "Reset the QuickBooks company file link",
        {"previous": previous},
    )


async def status(
    session: AsyncSession, company_id: str, *, now: datetime, cache_max_age: timedelta
) -> QbwcStatusOut:
    integration = await integration_repository.get_integration(session, company_id)
    installed = integration is not None and integration.status == "installed" and integration.product == "qbd"
    credential = await repository.credential(session, company_id)
    waiting, running, oldest = await repository.pending_counts(session, company_id)
    last = await repository.last_session(session, company_id)
    refreshed = credential.cache_refreshed_at if credential else None
    age = int((now - refreshed).total_seconds()) if refreshed else None
    pinned = dict(credential.pinned_company) if credential and credential.pinned_company else None
    return QbwcStatusOut(
        installed=installed,
        web_connector=WebConnectorOut(
            username=credential.username if credential else None,
            password_set_at=credential.password_set_at if credential else None,
            last_poll_at=credential.last_poll_at if credential else None,
            last_session_outcome=credential.last_session_outcome if credential else None,
            last_connection_error=credential.last_connection_error if credential else None,
            failed_logins=credential.failed_logins if credential else 0,
        ),
        company_file=pinned,
        qbxml_version=credential.qbxml_version if credential else None,
        cache=CacheOut(
            refreshed_at=refreshed,
            age_seconds=age,
            fresh=age is not None and age <= cache_max_age.total_seconds(),
            entries=await cache_repository.counts_by_type(session, company_id),
        ),
        pending=PendingOut(waiting=waiting, sending=running, oldest_waiting_since=oldest),
        last_session=(
            LastSessionOut(started_at=last.created_at, closed_at=last.closed_at, outcome=last.outcome)
            if last is not None
            else None
        ),
        company=company_out(from_row(integration.quickbooks_company) if integration is not None else None),
    )


EDITIONS = {"US": "us", "CA": "ca", "GB": "uk"}


def _percent(rates: object, code: TaxCode, purchases: bool) -> str | None:
    if not rates:
        return None
    value = code.purchase_percent if purchases else code.sales_percent
    return f"{value.normalize():f}"


def company_out(company: QuickBooksCompany | None) -> DesktopCompanyOut | None:
    """The status page's view of the company file (only a Desktop company's)."""
    if company is None or company.product != "qbd":
        return None
    return DesktopCompanyOut(
        edition=EDITIONS.get(company.country, company.country.lower()),
        country=company.country,
        country_name=company.country_name,
        name=company.name,
        home_currency=company.home_currency,
        multi_currency=company.multi_currency,
        currencies=list(company.currencies),
        tax_regime=company.regime,
        uses_sales_tax=company.uses_sales_tax,
        default_sales_tax_item=company.default_sales_tax_item,
        tax_codes=[
            TaxCodeOut(
                id=code.id,
                name=code.name,
                label=code.label(),
                taxable=code.taxable,
                sales_percent=_percent(code.sales_rates, code, False),
                purchase_percent=_percent(code.purchase_rates, code, True),
            )
            for code in company.tax_codes
        ],
        read_at=company.read_at,
    )

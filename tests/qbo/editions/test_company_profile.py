"""Knowing the company: QBO's CompanyInfo, Preferences, TaxCode/TaxRate and CompanyCurrency answers
read into ``QuickBooksCompany`` (docs/quickbooks-online.md §6.1–§6.7), and when the gateway reads it:
before the first send when none is stored (once), on a Preferences/TaxCode webhook, daily."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from espqb.db import Database
from espqb.db.models import AuditEntry, QboConnection
from espqb.integration.quickbooks_company import read_quickbooks_company, store_quickbooks_company
from espqb.orders import a7102_request
from espqb.plan import QuickBooksCompany
from qb_sandbox.intuit import DEMO_REALM_ID
from qbo_gateway.company import company_from_qbo
from qbo_gateway.connection.scheduler import read_companies
from qbo_gateway.webhooks.payloads import ChangeNotice
from qbo_gateway.webhooks.processing import ChangeProcessor
from tests.qbo.sending.harness import COMPANY, send_harness

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


def _rate(rate_id: str, name: str, value: str) -> dict[str, Any]:
    return {"Id": rate_id, "Name": name, "RateValue": value, "Active": True}


def _code(
    code_id: str, name: str, sales: list[str], purchases: list[str] | None = None, **extra: Any
) -> dict[str, Any]:
    def rate_list(ids: list[str]) -> dict[str, Any]:
        return {
            "TaxRateDetail": [{"TaxRateRef": {"value": i}, "TaxTypeApplicable": "TaxOnAmount"} for i in ids]
        }

    return {
        "Id": code_id,
        "Name": name,
        "Active": True,
        "Taxable": True,
        "SalesTaxRateList": rate_list(sales),
        "PurchaseTaxRateList": rate_list(purchases or []),
        **extra,
    }


US_CODES = [
    {"Id": "TAX", "Name": "TAX", "Taxable": True, "Active": True},
    {"Id": "NON", "Name": "NON", "Taxable": False, "Active": True},
    _code("3", "California", ["7"]),
]


def test_a_us_company_with_automated_sales_tax() -> None:
    company = company_from_qbo(
        {"CompanyName": "Sunny Promo", "Country": "US"},
        {
            "TaxPrefs": {"UsingSalesTax": True, "PartnerTaxEnabled": True},
            "CurrencyPrefs": {"MultiCurrencyEnabled": False, "HomeCurrency": {"value": "USD"}},
            "SalesFormsPrefs": {"CustomTxnNumbers": True, "AllowDiscount": True},
        },
        US_CODES,
        [_rate("7", "California", "7.75")],
        read_at=NOW,
    )
    assert (company.product, company.name, company.country, company.regime) == (
        "qbo",
        "Sunny Promo",
        "US",
        "us_automated",
    )
    # TAX and NON are line markers, not codes with rates (docs/quickbooks-online.md §6.4)
    assert [(c.id, c.name, c.sales_percent) for c in company.tax_codes] == [
        ("3", "California", Decimal("7.75"))
    ]
    assert company.read_at == NOW


def test_partner_tax_false_or_absent_is_not_automated_sales_tax() -> None:
    for prefs in ({"TaxPrefs": {"PartnerTaxEnabled": False}}, {"TaxPrefs": {"UsingSalesTax": True}}, {}):
        company = company_from_qbo({"Country": "US"}, prefs, US_CODES, [])
        assert company.regime == "us_manual", prefs


def test_a_canadian_company_with_its_codes_rates_and_preferences() -> None:
    company = company_from_qbo(
        {"CompanyName": "Maple Promo", "Country": "CA"},
        {
            "TaxPrefs": {"UsingSalesTax": True},
            "CurrencyPrefs": {"MultiCurrencyEnabled": False, "HomeCurrency": {"value": "CAD"}},
            "SalesFormsPrefs": {"CustomTxnNumbers": False, "AllowDiscount": False},
        },
        [
            _code("4", "HST ON", ["10"], ["11"]),
            _code("6", "GST/PST BC", ["12", "13"], ["12"]),
            _code("7", "Zero-rated", ["14"], ["14"]),
            _code("9", "Old code", ["10"], Active=False),
        ],
        [
            _rate("10", "HST ON", "13"),
            _rate("11", "HST ON", "13"),
            _rate("12", "GST", "5"),
            _rate("13", "PST BC", "7"),
            _rate("14", "GST/HST ZR", "0"),
        ],
    )
    assert (company.country, company.country_name, company.home_currency) == ("CA", "Canada", "CAD")
    assert company.regime == "per_line_codes"
    assert (company.custom_txn_numbers, company.allow_discount) == (False, False)
    codes = {c.name: c for c in company.tax_codes}
    assert set(codes) == {"HST ON", "GST/PST BC", "Zero-rated"}  # the inactive code is left out
    assert codes["HST ON"].sales_percent == codes["HST ON"].purchase_percent == Decimal(13)
    assert [r.percent for r in codes["GST/PST BC"].sales_rates] == [Decimal(5), Decimal(7)]
    assert codes["GST/PST BC"].purchase_percent == Decimal(5)
    assert company.no_tax_code() == codes["Zero-rated"]


def test_countries_as_quickbooks_spells_them() -> None:
    assert company_from_qbo({"Country": "UK"}, {}, [], []).country == "GB"
    assert company_from_qbo({"CompanyAddr": {"Country": "GBR"}}, {}, [], []).country == "GB"
    au = company_from_qbo({"Country": "AU"}, {}, [], [])
    assert (au.country, au.home_currency) == ("AU", "AUD")  # no CurrencyPrefs: the country's currency


def test_multi_currency_lists_the_active_currencies_besides_the_home_one() -> None:
    company = company_from_qbo(
        {"Country": "US"},
        {"CurrencyPrefs": {"MultiCurrencyEnabled": "true", "HomeCurrency": {"value": "USD"}}},
        [],
        [],
        [
            {"Code": "USD", "Active": True},
            {"Code": "CAD", "Active": True},
            {"Code": "EUR", "Active": True},
            {"Code": "GBP", "Active": False},
        ],
    )
    assert company.multi_currency and company.currencies == ("CAD", "EUR")
    assert company.accepts_currency("CAD") and not company.accepts_currency("GBP")


async def test_the_first_send_reads_the_company_once_and_later_sends_do_not(db: Database) -> None:
    async with send_harness(db, read_company=False) as world:
        before = world.calls
        job = await world.send(a7102_request())
        assert job.status == "succeeded", job.last_error
        # CompanyInfo, Preferences, TaxCode, TaxRate, Term (no CompanyCurrency, Class or Department:
        # multi-currency, class tracking and locations are off), then the three waves of the send.
        assert world.calls - before == 5 + 3
        async with db.sessions() as session:
            stored = await read_quickbooks_company(session, COMPANY)
        assert stored is not None and stored.country == "US" and stored.read_at is not None

        before = world.calls
        request = a7102_request()
        again = request.model_copy(
            update={"order": request.order.model_copy(update={"order_number": "10246"})}
        )
        assert (await world.send(again)).status == "succeeded"
        assert world.calls - before == 2  # the company is known: no read (and the rest is mapped)


async def test_a_preferences_webhook_has_the_company_read_again(db: Database) -> None:
    async with send_harness(db) as world:
        async with db.transaction() as session:
            # What was stored before the company changed in QuickBooks.
            await store_quickbooks_company(
                session, COMPANY, QuickBooksCompany(country="CA", home_currency="CAD")
            )
        processor = ChangeProcessor(
            db,
            world.runtime.client,
            settings=world.runtime.worker.settings if False else _settings(),
            profiles=world.runtime.sender.profiles,
        )
        before = world.calls
        notices = [
            ChangeNotice(DEMO_REALM_ID, "Preferences", "1", "Update"),
            ChangeNotice(DEMO_REALM_ID, "TaxCode", "3", "Create"),
        ]
        await processor.process(notices, {DEMO_REALM_ID: COMPANY})
        assert world.calls - before == 5  # read once for both notices
        async with db.sessions() as session:
            stored = await read_quickbooks_company(session, COMPANY)
            audit = (
                await session.scalars(
                    select(AuditEntry).where(AuditEntry.event == "quickbooks_company.changed")
                )
            ).all()
        assert stored is not None and (stored.country, stored.home_currency) == ("US", "USD")
        assert audit[-1].actor == "intuit"
        assert "country 'CA' → 'US'" in audit[-1].message


def _settings() -> Any:
    from espqb.config import Settings

    return Settings(env="development", database_url="sqlite://")


async def test_the_daily_check_reads_companies_not_read_for_a_day(db: Database) -> None:
    async with send_harness(db, read_company=False) as world:
        profiles = world.runtime.sender.profiles
        assert profiles is not None
        moment = [datetime.now(UTC)]
        profiles.clock = lambda: moment[0]
        async with db.transaction() as session:
            session.add(
                QboConnection(
                    company_id=COMPANY, realm_id=DEMO_REALM_ID, status="connected", connected_at=moment[0]
                )
            )
        assert await read_companies(db, profiles) == 1
        assert await read_companies(db, profiles) == 0  # read a moment ago
        moment[0] += timedelta(hours=25)
        assert await read_companies(db, profiles) == 1

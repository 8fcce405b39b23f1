"""Drop-down lookups from QuickBooks Online: the query each one sends, quoting, paging, the short
cache, and what a user is told when the connection cannot be used."""

from __future__ import annotations

from typing import cast

import pytest

from espqb.api.errors import Conflict, UpstreamUnavailable
from espqb.db import Database
from espqb.lookups.provider import LookupKind, LookupPage
from qb_sandbox.intuit import DEMO_REALM_ID, IntuitSandbox
from qbo_gateway.client import QboClient
from qbo_gateway.lookups import QboLookups, statement
from tests.qbo.client.support import FakeTime, SandboxTokens

ACME = "acme"


def test_the_search_text_is_quoted_and_our_wildcard_is_the_only_one() -> None:
    assert statement("customers", "O'Brien 50%", None) == (
        "SELECT * FROM Customer WHERE DisplayName LIKE '%O\\'Brien 50%' ORDERBY DisplayName"
    )
    assert statement("accounts", None, "Cost of Goods Sold") == (
        "SELECT * FROM Account WHERE AccountType = 'Cost of Goods Sold' ORDERBY Name"
    )
    assert statement("tax-codes", "  ", None) == "SELECT * FROM TaxCode ORDERBY Name"


@pytest.fixture
def lookups(client: QboClient, time: FakeTime) -> QboLookups:
    return QboLookups(client, clock=time.monotonic)


async def _lookup(
    lookups: QboLookups,
    kind: LookupKind,
    *,
    q: str | None = None,
    type_filter: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> LookupPage:
    db = cast(Database, None)  # the QBO provider asks Intuit, not the database
    return await lookups.lookup(db, ACME, kind, q=q, type_filter=type_filter, limit=limit, offset=offset)


async def test_customers_are_searched_by_name(lookups: QboLookups, client: QboClient) -> None:
    await client.create(ACME, "Customer", {"DisplayName": "O'Brien Dental"}, request_id="c1")
    page = await _lookup(lookups, "customers", q="o'brien")
    assert [item.name for item in page.items] == ["O'Brien Dental"]
    assert page.source == "quickbooks_online"
    assert page.refreshed_at is not None


async def test_accounts_by_type(lookups: QboLookups) -> None:
    page = await _lookup(lookups, "accounts", type_filter="Income")
    names = sorted(item.name for item in page.items)
    assert names == ["Discounts given", "Sales of Product Income", "Services"]
    assert {item.type for item in page.items} == {"Income"}


async def test_tax_codes_and_items_page_through(lookups: QboLookups) -> None:
    codes = await _lookup(lookups, "tax-codes")
    assert {item.name for item in codes.items} >= {"TAX", "NON", "Demo County"}
    first = await _lookup(lookups, "tax-codes", limit=2, offset=0)
    second = await _lookup(lookups, "tax-codes", limit=2, offset=2)
    assert len(first.items) == 2 and len(second.items) == 1
    assert not {i.id for i in first.items} & {i.id for i in second.items}


async def test_answers_are_kept_for_a_minute(
    lookups: QboLookups, sandbox: IntuitSandbox, time: FakeTime
) -> None:
    await _lookup(lookups, "vendors")
    await _lookup(lookups, "vendors")
    assert sandbox.api_calls[DEMO_REALM_ID] == 1
    time.seconds += 61
    await _lookup(lookups, "vendors")
    assert sandbox.api_calls[DEMO_REALM_ID] == 2


async def test_account_names_resolve_to_ids_for_the_sender(
    lookups: QboLookups, sandbox: IntuitSandbox
) -> None:
    ids = await lookups.account_ids(ACME)
    assert ids["accounts payable (a/p)"] == sandbox.company(DEMO_REALM_ID).defaults["ap"]
    await lookups.account_ids(ACME)
    assert sandbox.api_calls[DEMO_REALM_ID] == 1


async def test_a_connection_needing_reauthorisation_is_a_conflict(
    lookups: QboLookups, tokens: SandboxTokens
) -> None:
    tokens.needs_reauth.add(ACME)
    with pytest.raises(Conflict, match="reconnected"):
        await _lookup(lookups, "customers")


async def test_intuit_down_is_a_503(lookups: QboLookups, sandbox: IntuitSandbox) -> None:
    for _ in range(5):
        sandbox.inject_next(DEMO_REALM_ID, 500)
    with pytest.raises(UpstreamUnavailable):
        await _lookup(lookups, "items")

"""The CRM "QB" link: one QuickBooks customer belongs to one ESP customer."""

from __future__ import annotations

import httpx

from tests.api.conftest import desktop_lists_read
from tests.support.api import auth

LAKESIDE = {"quickbooks_id": "80000001-1700000000", "quickbooks_name": "Lakeside Dental Group"}


async def _install(database_url: str) -> None:
    """QuickBooks Desktop (installed by ``desktop_client``) whose lists hold the customer."""
    await desktop_lists_read(database_url, {LAKESIDE["quickbooks_id"]: LAKESIDE["quickbooks_name"]})


async def test_a_quickbooks_customer_linked_to_one_esp_customer_cannot_be_linked_to_another(
    desktop_client: httpx.AsyncClient, database_url: str
) -> None:
    client = desktop_client
    await _install(database_url)
    first = await client.put("/v1/crm/customers/C1001/quickbooks-link", headers=auth(), json=LAKESIDE)
    assert first.status_code == 200

    second = await client.put("/v1/crm/customers/C2002/quickbooks-link", headers=auth(), json=LAKESIDE)

    assert second.status_code == 409
    assert "already linked to ESP customer C1001" in second.json()["detail"]
    mappings = (await client.get("/v1/mappings", headers=auth())).json()["items"]
    assert [(m["esp_key"], m["qb_id"]) for m in mappings] == [("C1001", LAKESIDE["quickbooks_id"])]


async def test_relinking_the_same_customer_and_linking_after_an_unlink_are_allowed(
    desktop_client: httpx.AsyncClient, database_url: str
) -> None:
    client = desktop_client
    await _install(database_url)
    url = "/v1/crm/customers/C1001/quickbooks-link"
    assert (await client.put(url, headers=auth(), json=LAKESIDE)).status_code == 200
    assert (await client.put(url, headers=auth(), json=LAKESIDE)).status_code == 200
    assert (await client.delete(url, headers=auth())).status_code == 204

    other = await client.put("/v1/crm/customers/C2002/quickbooks-link", headers=auth(), json=LAKESIDE)

    assert other.status_code == 200
    mappings = (await client.get("/v1/mappings", headers=auth())).json()["items"]
    assert [m["esp_key"] for m in mappings] == ["C2002"]

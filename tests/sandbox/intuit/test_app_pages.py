"""The local sandbox answers the QuickBooks Online web app's record pages, so a job's link opens."""

from __future__ import annotations

import httpx

from qb_sandbox.intuit import DEMO_REALM_ID, IntuitSandbox, create_intuit_app


async def test_an_invoice_link_opens_the_invoice_and_an_unknown_one_is_a_404() -> None:
    sandbox = IntuitSandbox()
    company = sandbox.company(DEMO_REALM_ID)
    customer = company.create("Customer", {"DisplayName": "Lakeside Dental Group"})
    item = sandbox.entities(DEMO_REALM_ID, "Item")[0]
    invoice = company.create(
        "Invoice",
        {
            "DocNumber": "10245",
            "CustomerRef": {"value": customer["Id"]},
            "Line": [
                {
                    "DetailType": "SalesItemLineDetail",
                    "Amount": 230,
                    "SalesItemLineDetail": {"ItemRef": {"value": item["Id"]}, "Qty": 100, "UnitPrice": 2.3},
                }
            ],
        },
    )
    transport = httpx.ASGITransport(app=create_intuit_app(sandbox))
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as http:
        page = await http.get("/app/invoice", params={"txnId": invoice["Id"]})
        customer_page = await http.get("/app/customerdetail", params={"nameId": customer["Id"]})
        missing = await http.get("/app/invoice", params={"txnId": "99999"})
        unknown = await http.get("/app/estimate", params={"txnId": invoice["Id"]})
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "Invoice 10245" in page.text and "Lakeside Dental Group" in page.text and "230" in page.text
    assert "Lakeside Dental Group" in customer_page.text
    assert (missing.status_code, unknown.status_code) == (404, 404)

"""QuickBooks Desktop: a CRM link to a customer the Web Connector's lists hold is kept; a link to a
ListID they do not hold is refused; and a send whose dialog said "Create New" uses the linked customer,
with the customer step saying so."""

from __future__ import annotations

from espqb.orders import a7102_request
from qb_sandbox.webconnector import SessionOutcome
from tests.qbwc.harness import Office, a7102

ADD_CUSTOMER = (
    '<?xml version="1.0"?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">'
    '<CustomerAddRq requestID="1"><CustomerAdd><Name>Lakeside Dental (in QuickBooks)</Name>'
    "</CustomerAdd></CustomerAddRq></QBXMLMsgsRq></QBXML>"
)


async def test_a_crm_link_overrides_create_new_and_the_step_says_so(desk: Office) -> None:
    desk.company.process(ADD_CUSTOMER)  # the bookkeeper's own customer record in QuickBooks
    assert (await desk.read_lists()).outcome is SessionOutcome.COMPLETED
    customers = (await desk.http.get("/v1/quickbooks/customers", headers=desk.headers())).json()["items"]
    chosen = customers[0]
    url = f"/v1/crm/customers/{a7102_request().order.customer.esp_id}/quickbooks-link"
    unknown = await desk.http.put(url, headers=desk.headers(), json={"quickbooks_id": "8000FFFF-1"})
    linked = await desk.http.put(url, headers=desk.headers(), json={"quickbooks_id": chosen["id"]})
    assert unknown.status_code == 422
    assert linked.status_code == 200, linked.text

    job = await desk.send(a7102())  # the dialog: "Create New Customer"
    await desk.update()
    finished = await desk.job(job["id"])

    assert finished["status"] == "succeeded", finished
    (step,) = [s for s in finished["steps"] if s["key"] == "customer"]
    assert step["qb_id"] == chosen["id"]
    assert (
        "the dialog said “Create New”, but this ESP record is linked to this QuickBooks record"
        in (step["summary"])
    )
    (invoice,) = desk.company.documents("Invoice")
    assert invoice["CustomerRef"]["ListID"] == chosen["id"]

"""What QuickBooks' status codes and failures do to a send, seen through whole Web Connector updates."""

from __future__ import annotations

import re

from qb_sandbox.contracts import wsdl_path
from qb_sandbox.desktop import CompanyFile, RequestProcessorError
from qb_sandbox.webconnector import SessionOutcome, SessionReport
from qb_sandbox.webconnector.soap_client import WebConnectorSoapClient
from qbwc_gateway.session import SessionOptions
from tests.qbwc.harness import SOAP_URL, Office, a7102, office, renumbered, set_tax_rate


def requests_of(report: SessionReport) -> list[list[str]]:
    """Per round trip, the request names sent (``CustomerAddRq``…)."""
    return [re.findall(r"<(\w+Rq) requestID=", e.request_xml) for e in report.exchanges]


def statuses_of(report: SessionReport) -> list[list[tuple[str, str]]]:
    return [
        re.findall(r'<(\w+Rs) requestID="[^"]+" statusCode="(\d+)"', e.response_xml) for e in report.exchanges
    ]


async def warm_up(desk: Office) -> None:
    """QuickBooks' lists are read before the orders (as after someone opened a drop-down)."""
    report = await desk.read_lists()
    assert report.outcome is SessionOutcome.COMPLETED, report.last_error


async def test_a_record_in_use_is_sent_again_at_the_next_update(desk: Office) -> None:
    await warm_up(desk)
    job = await desk.send()
    desk.company.inject_record_in_use("Invoice", code=3175)

    first = await desk.update()
    waiting = await desk.job(job["id"])

    assert first.outcome is SessionOutcome.COMPLETED
    assert waiting["status"] == "waiting_for_web_connector"
    assert "someone is working on it in QuickBooks" in waiting["last_error"]
    assert desk.company.documents("Invoice") == []

    second = await desk.update()
    done = await desk.job(job["id"])

    assert second.outcome is SessionOutcome.COMPLETED
    assert done["status"] == "succeeded"
    assert len(desk.company.documents("Customer")) == 1  # created the first time, linked the second
    assert len(desk.company.documents("Invoice")) == 1
    # The second attempt links what the first one created.
    customer = {s["key"]: s for s in done["steps"]}["customer"]
    assert customer["summary"] == (
        f"Linked to the QuickBooks Desktop customer “Lakeside Dental Group” (ListID {customer['qb_id']})"
    )


async def test_a_name_already_in_use_is_linked_then_the_order_follows(desk: Office) -> None:
    await warm_up(desk)
    # Someone adds the customer by hand after ESP last read the lists.
    desk.company.process(
        '<?xml version="1.0"?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">'
        '<CustomerAddRq requestID="1"><CustomerAdd><Name>Lakeside Dental Group</Name></CustomerAdd>'
        "</CustomerAddRq></QBXMLMsgsRq></QBXML>"
    )
    [existing] = desk.company.documents("Customer")
    job = await desk.send()

    report = await desk.update()
    finished = await desk.job(job["id"])

    assert report.outcome is SessionOutcome.COMPLETED, report.last_error
    assert ("CustomerAddRs", "3100") in statuses_of(report)[0]
    assert "CustomerQueryRq" in requests_of(report)[1]
    assert finished["status"] == "succeeded"
    assert [c["ListID"] for c in desk.company.documents("Customer")] == [existing["ListID"]]
    [invoice] = desk.company.documents("Invoice")
    assert invoice["CustomerRef"]["ListID"] == existing["ListID"]
    step = {s["key"]: s for s in finished["steps"]}["customer"]
    assert step["qb_id"] == existing["ListID"]
    assert "already in use" in step["summary"]
    mappings = (
        await desk.http.get("/v1/mappings", headers=desk.headers(), params={"kind": "customer"})
    ).json()
    assert [m["qb_id"] for m in mappings["items"]] == [existing["ListID"]]


class AccountAddedByTheBookkeeper(CompanyFile):
    """The first time QuickBooks refuses a reference, the bookkeeper adds the missing account."""

    def __init__(self, account: str, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.account = account
        self.added = False

    def process(self, request_xml: str | bytes) -> str:
        response = super().process(request_xml)
        if 'statusCode="3140"' in response and not self.added:
            self.added = True
            super().process(
                '<?xml version="1.0"?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">'
                f'<AccountAddRq requestID="1"><AccountAdd><Name>{self.account}</Name>'
                "<AccountType>Income</AccountType></AccountAdd></AccountAddRq></QBXMLMsgsRq></QBXML>"
            )
        return response


async def _use_income_account(desk: Office, name: str) -> None:
    settings = (await desk.http.get("/v1/settings", headers=desk.headers())).json()
    body = {k: v for k, v in settings.items() if k not in ("updated_at", "updated_by")}
    body["default_accounts"]["income"] = {"name": name}
    assert (await desk.http.put("/v1/settings", headers=desk.headers(), json=body)).status_code == 200


async def test_an_invalid_reference_refreshes_the_lists_and_is_retried_once(database_url: str) -> None:
    books = AccountAddedByTheBookkeeper("Promotional Sales", seed_demo=True)
    async with office(database_url, company=books) as desk:
        await warm_up(desk)
        await _use_income_account(desk, "Promotional Sales")
        job = await desk.send()

        report = await desk.update()
        finished = await desk.job(job["id"])

    assert report.outcome is SessionOutcome.COMPLETED, report.last_error
    sent = requests_of(report)
    assert ("ItemNonInventoryAddRs", "3140") in statuses_of(report)[0]
    assert "AccountQueryRq" in sent[1]  # the lists are read again before the retry
    assert "ItemNonInventoryAddRq" in sent[2]
    assert finished["status"] == "succeeded"
    assert len(books.documents("Invoice")) == 1


async def test_an_invalid_reference_that_stays_invalid_fails_in_plain_words(desk: Office) -> None:
    await warm_up(desk)
    await _use_income_account(desk, "No Such Account")
    job = await desk.send()

    report = await desk.update()
    finished = await desk.job(job["id"])

    assert report.outcome is SessionOutcome.COMPLETED
    item_adds = [names.count("ItemNonInventoryAddRq") for names in requests_of(report)]
    assert sum(item_adds) == 2  # tried, lists refreshed, tried once more
    assert finished["status"] == "partially_succeeded"  # the customer and vendor were created
    assert "QuickBooks refused the item “A7102”" in finished["last_error"]
    assert "No Such Account" in finished["last_error"]
    assert "3140" in finished["last_error"]
    steps = {s["key"]: s for s in finished["steps"]}
    assert steps["invoice"]["status"] == "skipped"
    assert "could not be written" in steps["invoice"]["error"]
    assert desk.company.documents("Invoice") == []


async def test_an_out_of_date_edit_sequence_is_read_again_and_the_update_retried(desk: Office) -> None:
    await warm_up(desk)
    await desk.send()
    await desk.update()
    [invoice] = desk.company.documents("Invoice")
    # The bookkeeper edits the invoice in QuickBooks: its EditSequence moves on.
    desk.company.process(
        '<?xml version="1.0"?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">'
        f'<InvoiceModRq requestID="1"><InvoiceMod><TxnID>{invoice["TxnID"]}</TxnID>'
        f"<EditSequence>{invoice['EditSequence']}</EditSequence><Memo>edited by hand</Memo></InvoiceMod>"
        "</InvoiceModRq></QBXMLMsgsRq></QBXML>"
    )

    again = await desk.send(a7102())
    report = await desk.update()

    assert report.outcome is SessionOutcome.COMPLETED, report.last_error
    statuses = [s for round_trip in statuses_of(report) for s in round_trip]
    assert ("InvoiceModRs", "3200") in statuses
    assert ("InvoiceQueryRs", "0") in statuses
    assert statuses.count(("InvoiceModRs", "0")) == 1
    assert (await desk.job(again["id"]))["status"] == "succeeded"
    [updated] = desk.company.documents("Invoice")
    assert updated["Memo"] == "ESP order 10245"


class FailsOnce(CompanyFile):
    """QuickBooks' request processor throws on the first message set that writes."""

    failed = False

    def process(self, request_xml: str | bytes) -> str:
        text = request_xml.decode() if isinstance(request_xml, bytes) else request_xml
        if not self.failed and "InvoiceAddRq" in text:
            self.failed = True
            raise RequestProcessorError("0x80040402", "Unexpected error. Check the qbsdklog.txt file.")
        return super().process(request_xml)


async def test_a_quickbooks_failure_is_explained_and_the_order_goes_next_time(database_url: str) -> None:
    books = FailsOnce(seed_demo=True)
    async with office(database_url, company=books) as desk:
        await warm_up(desk)
        job = await desk.send()

        failed = await desk.update()
        between = await desk.job(job["id"])
        later = await desk.update()
        finished = await desk.job(job["id"])

    assert failed.outcome is SessionOutcome.SERVER_ERROR
    assert failed.progress[-1] < 0
    assert "unexpected error" in (failed.last_error or "").lower()
    assert "0x80040402" in (failed.last_error or "")
    assert between["status"] == "running"  # kept for recovery: QuickBooks may have written part of it
    assert later.outcome is SessionOutcome.COMPLETED, later.last_error
    assert "oldMessageSetID=" in later.exchanges[0].request_xml
    assert finished["status"] == "succeeded"
    assert len(books.documents("Invoice")) == 1


async def test_progress_counts_orders_honestly(database_url: str) -> None:
    async with office(database_url, options=SessionOptions(max_jobs_per_message_set=1)) as desk:
        await warm_up(desk)
        for n in range(3):
            await desk.send(renumbered(f"3000{n}"))

        report = await desk.update()

    assert report.outcome is SessionOutcome.COMPLETED
    assert report.round_trips == 3
    assert report.progress == [33, 66, 100]


async def test_a_second_web_connector_gets_busy_while_a_session_is_alive(desk: Office) -> None:
    await desk.send()
    soap = WebConnectorSoapClient(SOAP_URL, wsdl_path=wsdl_path(), http_client=desk.http)
    running = await soap.call("authenticate", strUserName=desk.username, strPassword=desk.password)
    assert running[1] in ("", None)  # a session started: the company file open in QuickBooks

    busy = await desk.update()
    desk.clock.advance(minutes=5)  # that Web Connector went quiet long ago
    later = await desk.update()

    assert busy.authenticate_status == "busy"
    assert busy.outcome is SessionOutcome.BUSY
    assert later.outcome is SessionOutcome.COMPLETED, later.last_error
    assert len(desk.company.documents("Invoice")) == 1


async def test_an_old_web_connector_is_asked_to_upgrade(desk: Office) -> None:
    report = await desk.update(version="2.0.1.5")

    assert report.outcome is SessionOutcome.CLIENT_VERSION_REJECTED
    assert report.client_version_answer == "O:2.1.0.30"
    assert "authenticate" not in report.methods


async def test_tax_computed_by_quickbooks_is_compared_with_esps(desk: Office) -> None:
    await warm_up(desk)
    body = a7102(tax="quickbooks_default")
    body["order"]["tax"] = {"amount": "18.03", "rate_percent": "8.25"}  # 8.25 % of 218.50
    body["order"]["total"] = "236.53"
    job = await desk.send(body)
    # The rate changes in QuickBooks after the lists were read: the plan checked ESP's tax against
    # the 8.25 % it knew, QuickBooks computes with 9.25 %.
    set_tax_rate(desk.company, "State Sales Tax", "9.25")

    await desk.update()
    finished = await desk.job(job["id"])

    [invoice] = desk.company.documents("Invoice")
    assert invoice["SalesTaxTotal"] == "20.21"  # 9.25% of 218.50, computed by QuickBooks
    assert finished["status"] == "succeeded"
    assert (
        "QuickBooks computed the sales tax of invoice 10245 as 20.21; ESP's tax is 18.03."
        in finished["warnings"]
    )
    assert "QuickBooks shows invoice 10245 at 238.71; ESP's total is 236.53." in finished["warnings"]


async def test_an_order_that_cannot_be_planned_fails_with_the_reason(desk: Office) -> None:
    await warm_up(desk)
    body = a7102()
    # Nothing of the product's number and name survives as a QuickBooks item name. (What can be known
    # when "QB" is pressed, like a missing income account, is refused then: tests/api/test_send_time_checks.py.)
    body["order"]["lines"][0]["product_number"] = ":"
    body["order"]["lines"][0]["product_name"] = ":"
    job = await desk.send(body)

    report = await desk.update()
    finished = await desk.job(job["id"])

    assert report.outcome is SessionOutcome.COMPLETED
    assert finished["status"] == "failed"
    assert "no usable QuickBooks item name" in finished["last_error"]
    assert desk.company.documents("Customer") == []


async def test_bills_can_be_linked_to_their_purchase_order_at_the_cost_of_a_round_trip(
    database_url: str,
) -> None:
    async with office(database_url, options=SessionOptions(link_bills_to_purchase_orders=True)) as desk:
        await warm_up(desk)
        job = await desk.send()

        report = await desk.update()
        finished = await desk.job(job["id"])

    assert report.outcome is SessionOutcome.COMPLETED, report.last_error
    assert report.round_trips == 2
    assert "BillAddRq" not in report.exchanges[0].request_xml
    assert "<LinkToTxn>" in report.exchanges[1].request_xml
    [purchase_order] = desk.company.documents("PurchaseOrder")
    [bill] = desk.company.documents("Bill")
    assert purchase_order["IsFullyReceived"] == "true"
    assert bill["LinkedTxn"][0]["TxnID"] == purchase_order["TxnID"]
    assert finished["status"] == "succeeded"

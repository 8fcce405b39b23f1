"""Whole Web Connector updates: the zeep client built from Intuit's WSDL, the real qbwc-gateway app,
and a simulated QuickBooks company file."""

from __future__ import annotations

import re
from decimal import Decimal

from qb_sandbox.desktop import CompanyFile, assert_valid_qbxml
from qb_sandbox.webconnector import QB_NOT_RUNNING_HRESULT, SessionOutcome, SessionReport
from tests.qbwc.harness import Office, a7102, office, renumbered

WRITES = ("AddRq", "ModRq")


def writing_exchanges(report: SessionReport) -> list[str]:
    return [e.request_xml for e in report.exchanges if any(w in e.request_xml for w in WRITES)]


def assert_every_message_valid(report: SessionReport) -> None:
    for exchange in report.exchanges:
        assert_valid_qbxml(exchange.request_xml)


async def warm_up(desk: Office) -> None:
    """QuickBooks' lists are read before the orders (as after someone opened a drop-down)."""
    report = await desk.read_lists()
    assert report.outcome is SessionOutcome.COMPLETED, report.last_error


async def test_wrong_password_gets_nvu_and_nothing_is_sent(desk: Office) -> None:
    report = await desk.update(password="not-the-password")

    assert report.authenticate_status == "nvu"
    assert report.outcome is SessionOutcome.INVALID_USER
    assert "sendRequestXML" not in report.methods
    status = await desk.status()
    assert "wrong Web Connector password" in status["web_connector"]["last_session_outcome"]


async def test_nothing_queued_gets_none(desk: Office) -> None:
    report = await desk.update()

    assert report.authenticate_status == "none"
    assert report.outcome is SessionOutcome.NOTHING_TO_DO
    assert report.methods[-1] == "closeConnection"
    assert report.close_message == "Nothing to send; QuickBooks is up to date."
    assert (await desk.status())["web_connector"]["last_poll_at"] is not None


async def test_lists_asked_for_before_any_order_are_read_at_the_next_poll(desk: Office) -> None:
    first = await desk.read_lists()
    second = await desk.update()

    assert first.outcome is SessionOutcome.COMPLETED
    assert first.round_trips == 1 and "AccountQueryRq" in first.exchanges[0].request_xml
    assert second.authenticate_status == "none"  # read, and fresh: nothing more to do
    status = await desk.status()
    assert status["cache"]["refreshed_at"] is not None and status["cache"]["entries"]["Account"] == 8


async def test_the_a7102_order_goes_in_one_round_trip_and_adds_up(desk: Office) -> None:
    await warm_up(desk)
    job = await desk.send()
    assert job["status"] == "waiting_for_web_connector"
    assert job["web_connector_last_poll"] is not None

    report = await desk.update()

    assert report.outcome is SessionOutcome.COMPLETED, report.last_error
    assert report.round_trips == 1
    [message] = writing_exchanges(report)
    for request in (
        "CustomerAddRq",
        "ItemNonInventoryAddRq",
        "InvoiceAddRq",
        "ReceivePaymentAddRq",
        "PurchaseOrderAddRq",
        "BillAddRq",
    ):
        assert request in message
    assert report.progress[-1] == 100
    assert_every_message_valid(report)

    books = desk.company
    [customer] = books.find("Customer", Name="Lakeside Dental Group")
    assert books.find("ItemNonInventory", Name="A7102")
    [invoice] = books.documents("Invoice")
    assert (invoice["TotalAmount"], invoice["DiscountTotal"], invoice["BalanceRemaining"]) == (
        "218.50",
        "-11.50",
        "118.50",
    )
    assert invoice["CustomerRef"]["ListID"] == customer["ListID"]
    [payment] = books.documents("ReceivePayment")
    assert payment["TotalAmount"] == "100.00"
    assert payment["AppliedToTxnRet"][0]["TxnID"] == invoice["TxnID"]
    [bill] = books.documents("Bill")
    [purchase_order] = books.documents("PurchaseOrder")
    assert bill["AmountDue"] == purchase_order["TotalAmount"] == "115.00"

    finished = await desk.job(job["id"])
    assert finished["status"] == "succeeded", finished
    steps = {s["key"]: s for s in finished["steps"]}
    assert steps["invoice"]["qb_id"] == invoice["TxnID"]
    assert (
        steps["invoice"]["summary"]
        == f"Invoice 10245 for 218.50 created in QuickBooks Desktop (TxnID {invoice['TxnID']})"
    )
    assert all(s["status"] == "succeeded" for s in steps.values())


async def test_the_first_order_reads_the_lists_first(desk: Office) -> None:
    job = await desk.send()

    report = await desk.update()

    assert report.outcome is SessionOutcome.COMPLETED, report.last_error
    # One round trip for QuickBooks' lists, one for the order: the first order takes longer.
    assert report.round_trips == 2
    assert "InvoiceAddRq" not in report.exchanges[0].request_xml
    assert len(writing_exchanges(report)) == 1
    assert report.progress == [50, 100]
    assert (await desk.job(job["id"]))["status"] == "succeeded"


async def test_a_response_lost_while_the_server_restarts_is_recovered_without_duplicates(
    database_url: str,
) -> None:
    books = CompanyFile(seed_demo=True)
    async with office(database_url, company=books) as first:
        await warm_up(first)
        job = await first.send()
        wc = first.web_connector()
        wc.drop_next_response = True
        lost = await wc.run_once()
        username, password = first.username, first.password
    assert lost.outcome is SessionOutcome.DROPPED_RESPONSE
    assert len(books.documents("Invoice")) == 1  # QuickBooks did write the order; we never heard

    # A new server process on the same database; the Web Connector's next update.
    async with office(database_url, company=books, install=False) as second:
        second.username, second.password = username, password
        report = await second.update()
        job_now = await second.job(job["id"])

    assert report.outcome is SessionOutcome.COMPLETED, report.last_error
    # A status check under the lost set's own id: QuickBooks returned the answer it had kept.
    [lost_set] = lost.exchanges
    lost_id = re.search(r'newMessageSetID="([^"]+)"', lost_set.request_xml)
    assert lost_id is not None
    recovery = report.exchanges[0]
    assert f'oldMessageSetID="{lost_id.group(1)}"' in recovery.request_xml
    assert recovery.response_xml == lost_set.response_xml
    for kind in (
        "Customer",
        "Vendor",
        "ItemNonInventory",
        "Invoice",
        "ReceivePayment",
        "Bill",
        "PurchaseOrder",
    ):
        assert len(books.documents(kind)) == 1, kind
    assert job_now["status"] == "succeeded"
    assert job_now["attempts"] == 1


async def test_several_orders_travel_in_one_round_trip_and_share_what_they_create(desk: Office) -> None:
    await warm_up(desk)
    jobs = [await desk.send(renumbered(f"2{n:04d}")) for n in range(10)]

    report = await desk.update()

    assert report.outcome is SessionOutcome.COMPLETED, report.last_error
    assert report.round_trips == 1
    assert_every_message_valid(report)
    books = desk.company
    assert len(books.documents("Customer")) == 1
    assert len(books.find("ItemNonInventory", Name="A7102")) == 1
    assert sorted(i["RefNumber"] for i in books.documents("Invoice")) == [f"2{n:04d}" for n in range(10)]
    assert all(i["BalanceRemaining"] == "118.50" for i in books.documents("Invoice"))
    for job in jobs:
        assert (await desk.job(job["id"]))["status"] == "succeeded"


async def test_sending_an_order_again_updates_its_documents_in_place(desk: Office) -> None:
    await warm_up(desk)
    await desk.send()
    await desk.update()
    [invoice] = desk.company.documents("Invoice")

    body = a7102()
    body["order"]["lines"][0]["quantity"] = "200"
    body["order"]["discount"] = {"amount": "23.00"}
    body["order"]["total"] = "437.00"
    again = await desk.send(body)
    report = await desk.update()

    assert report.outcome is SessionOutcome.COMPLETED, report.last_error
    [message] = writing_exchanges(report)
    assert "InvoiceModRq" in message and "InvoiceAddRq" not in message
    assert f"<EditSequence>{invoice['EditSequence']}</EditSequence>" in message
    [updated] = desk.company.documents("Invoice")
    assert updated["TxnID"] == invoice["TxnID"]
    assert updated["TotalAmount"] == "437.00"
    assert len(desk.company.documents("ReceivePayment")) == 1
    steps = {s["key"]: s for s in (await desk.job(again["id"]))["steps"]}
    assert steps["invoice"]["action"] == "update" and steps["invoice"]["status"] == "succeeded"
    assert Decimal(updated["BalanceRemaining"]) == Decimal("337.00")


async def test_quickbooks_not_running_is_reported_and_the_order_waits(desk: Office) -> None:
    await warm_up(desk)
    job = await desk.send()
    wc = desk.web_connector()
    wc.quickbooks_not_running = True

    report = await wc.run_once()

    assert report.outcome is SessionOutcome.CONNECTION_ERROR
    assert report.methods.count("connectionError") == 1  # we answered "done"
    status = await desk.status()
    assert QB_NOT_RUNNING_HRESULT in status["web_connector"]["last_connection_error"]
    assert "QuickBooks could not be started" in status["web_connector"]["last_connection_error"]
    assert (await desk.job(job["id"]))["status"] == "waiting_for_web_connector"

    later = await desk.update()
    assert later.outcome is SessionOutcome.COMPLETED
    assert (await desk.job(job["id"]))["status"] == "succeeded"


async def test_another_company_file_is_refused_and_nothing_lands_in_it(desk: Office) -> None:
    await warm_up(desk)
    job = await desk.send()
    other_books = CompanyFile("Someone Else's Books", file_path="C:\\Books\\other.qbw", seed_demo=True)
    desk.company, original = other_books, desk.company

    report = await desk.update()

    assert report.outcome is SessionOutcome.SERVER_ERROR
    assert "Someone Else's Books" in (report.last_error or "")
    assert "Demo Promo Co" in (report.last_error or "")
    assert other_books.documents("Invoice") == [] and other_books.documents("Customer") == []
    assert (await desk.job(job["id"]))["status"] == "waiting_for_web_connector"
    assert "Nothing was sent" in (await desk.status())["web_connector"]["last_session_outcome"]

    desk.company = original
    assert (await desk.update()).outcome is SessionOutcome.COMPLETED
    assert (await desk.job(job["id"]))["status"] == "succeeded"

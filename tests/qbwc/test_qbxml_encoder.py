"""The plan → qbXML encoder: every message validates against Intuit's qbxmlops130.xsd, and carries
the plan's figures and references the way QuickBooks Desktop needs them."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from lxml import etree

from espqb.orders import a7102_request
from espqb.plan import KnownMappings, MappedRecord, Plan, PlanSettings, build_plan
from qb_sandbox.desktop import CompanyFile, assert_valid_qbxml
from qbwc_gateway.encoder import (
    CompanyFilePrefs,
    Done,
    JobMemory,
    MessageSetDraft,
    Purpose,
    encode_job,
    message_set,
)
from qbwc_gateway.encoder.recovery import esp_key
from qbwc_gateway.listcache import LIST_SPECS, list_query
from qbwc_gateway.responses import parse_response_set
from qbwc_gateway.session.recovery import status_check
from qbwc_gateway.session.state import Outstanding

SETTINGS = PlanSettings.model_validate(
    {"default_accounts": {"income": {"name": "Sales"}, "cogs": {"name": "Cost of Goods Sold"}}}
)
SALES_TAX = CompanyFilePrefs(sales_tax_on=True, taxable_code="Tax", non_taxable_code="Non")


def a7102_plan(mappings: KnownMappings | None = None, **choices: object) -> Plan:
    request = a7102_request()
    if choices:
        request = request.model_copy(update={"choices": request.choices.model_copy(update=choices)})
    return build_plan(request.order, request.choices, SETTINGS, mappings or KnownMappings(), "qbd")


def document(plan: Plan, memory: JobMemory | None = None, prefs: CompanyFilePrefs = SALES_TAX) -> str:
    draft = MessageSetDraft(max_bytes=2_000_000, max_jobs=50)
    encoding = encode_job(plan, tag="j1", memory=memory or JobMemory(), shared=draft.shared, prefs=prefs)
    assert draft.offer(encoding).accepted
    return draft.document(version="13.0", new_message_set_id="set1")


def requests(xml: str) -> list[str]:
    return re.findall(r"<(\w+Rq) requestID=", xml)


def element(xml: str, path: str) -> etree._Element:
    root = etree.fromstring(xml.split("?>", 2)[2].encode())
    found = root.find(path)
    assert found is not None, path
    return found


def test_the_a7102_order_is_one_valid_message_set_in_dependency_order() -> None:
    xml = document(a7102_plan())

    assert_valid_qbxml(xml)
    assert xml.startswith('<?xml version="1.0" encoding="utf-8"?>\n<?qbxml version="13.0"?>')
    assert requests(xml) == [
        "CustomerAddRq",
        "VendorAddRq",
        "ItemNonInventoryAddRq",
        "ItemSubtotalAddRq",
        "ItemDiscountAddRq",
        "InvoiceAddRq",
        "ReceivePaymentAddRq",
        "PurchaseOrderAddRq",
        "BillAddRq",
        "InvoiceQueryRq",  # the invoice's new EditSequence, after the payment changed it
    ]
    msgs = element(xml, "QBXMLMsgsRq")
    assert msgs.get("onError") == "stopOnError"
    assert msgs.get("newMessageSetID") == "set1"


def test_invoice_lines_carry_the_plan_figures_and_the_discount_as_an_amount() -> None:
    xml = document(a7102_plan())
    invoice = element(xml, "QBXMLMsgsRq/InvoiceAddRq/InvoiceAdd")
    lines = invoice.findall("InvoiceLineAdd")

    assert [line.findtext("ItemRef/FullName") for line in lines] == ["A7102", "Subtotal", "Discount"]
    assert (lines[0].findtext("Quantity"), lines[0].findtext("Rate"), lines[0].findtext("Amount")) == (
        "100",
        "2.3",
        "230.00",
    )
    assert lines[1].find("Amount") is None  # QuickBooks adds the subtotal up itself
    assert lines[2].findtext("Amount") == "-11.50"
    assert lines[2].find("RatePercent") is None
    # "Add Total Tax as an Item": no line may be taxable, or QuickBooks adds tax a second time.
    assert {line.findtext("SalesTaxCodeRef/FullName") for line in (lines[0], lines[2])} == {"Non"}
    assert invoice.findtext("RefNumber") == "10245"


def test_the_payment_is_applied_through_the_invoice_macro() -> None:
    xml = document(a7102_plan())
    macro = element(xml, "QBXMLMsgsRq/InvoiceAddRq/InvoiceAdd").get("defMacro")
    applied = element(xml, "QBXMLMsgsRq/ReceivePaymentAddRq/ReceivePaymentAdd/AppliedToTxnAdd")

    assert macro and macro.startswith("TxnID:")
    assert applied.find("TxnID").get("useMacro") == macro  # type: ignore[union-attr]
    assert applied.findtext("PaymentAmount") == "100.00"


def test_sales_tax_codes_are_left_out_when_the_company_file_has_no_sales_tax() -> None:
    xml = document(a7102_plan(), prefs=CompanyFilePrefs())

    assert_valid_qbxml(xml)
    assert "SalesTaxCodeRef" not in xml


def test_payment_method_is_named_only_when_quickbooks_has_it() -> None:
    known = CompanyFilePrefs(payment_methods=frozenset({"check"}))
    assert "<PaymentMethodRef><FullName>Check</FullName>" in document(a7102_plan(), prefs=known)
    assert "PaymentMethodRef" not in document(a7102_plan(), prefs=CompanyFilePrefs())


def test_updates_are_mods_with_the_stored_edit_sequence_and_replace_the_lines() -> None:
    mapped = KnownMappings(
        customers={"C1001": MappedRecord(quickbooks_id="80000001-1", name="Lakeside Dental Group")},
        vendors={"S61125": MappedRecord(quickbooks_id="80000002-1", name="Hit Promotional Products")},
        items={
            "S61125/A7102": MappedRecord(quickbooks_id="80000003-1", name="A7102"),
            "special:subtotal": MappedRecord(quickbooks_id="80000004-1", name="Subtotal"),
            "special:discount": MappedRecord(quickbooks_id="80000005-1", name="Discount"),
        },
        invoice=MappedRecord(quickbooks_id="1A-1", version="1700000001"),
        payments={"P1": MappedRecord(quickbooks_id="1B-1", version="1700000002")},
        bills={"S61125": MappedRecord(quickbooks_id="1C-1", version="1700000003")},
        purchase_orders={"S61125": MappedRecord(quickbooks_id="1D-1", version="1700000004")},
    )
    xml = document(a7102_plan(mapped))

    assert_valid_qbxml(xml)
    assert requests(xml) == ["InvoiceModRq", "PurchaseOrderModRq", "BillModRq"]
    mod = element(xml, "QBXMLMsgsRq/InvoiceModRq/InvoiceMod")
    assert (mod.findtext("TxnID"), mod.findtext("EditSequence")) == ("1A-1", "1700000001")
    assert mod.findtext("CustomerRef/ListID") == "80000001-1"
    assert {line.findtext("TxnLineID") for line in mod.findall("InvoiceLineMod")} == {"-1"}
    # The payment is already in QuickBooks: money received does not change; nothing is sent for it.
    assert "ReceivePayment" not in xml


def test_a_document_without_a_version_is_read_before_it_is_modified() -> None:
    mapped = KnownMappings(invoice=MappedRecord(quickbooks_id="1A-1"))
    encoding = encode_job(a7102_plan(mapped), tag="j1", memory=JobMemory(), shared={}, prefs=SALES_TAX)

    reads = [r for r in encoding.requests if r.purpose is Purpose.READ_VERSION]
    assert [r.op_key for r in reads] == ["invoice"]
    assert "invoice" in encoding.waiting
    assert not any(r.op_key == "invoice" and r.purpose is Purpose.WRITE for r in encoding.requests)
    assert_valid_qbxml(message_set([r.element for r in encoding.requests], version="13.0"))


def test_what_a_session_already_wrote_is_referred_to_by_id_and_not_written_again() -> None:
    memory = JobMemory(
        done={
            "customer": Done("80000001-1", "1", "Lakeside Dental Group"),
            "vendor:S61125": Done("80000002-1", "1", "Hit Promotional Products"),
            "item:S61125/A7102": Done("80000003-1", "1", "A7102"),
            "item:special:subtotal": Done("80000004-1", "1", "Subtotal"),
            "item:special:discount": Done("80000005-1", "1", "Discount"),
            "invoice": Done("1A-1", "2"),
        }
    )
    xml = document(a7102_plan(), memory)

    assert_valid_qbxml(xml)
    assert requests(xml)[:3] == ["ReceivePaymentAddRq", "PurchaseOrderAddRq", "BillAddRq"]
    applied = element(xml, "QBXMLMsgsRq/ReceivePaymentAddRq/ReceivePaymentAdd/AppliedToTxnAdd/TxnID")
    assert (applied.text, applied.get("useMacro")) == ("1A-1", None)
    assert element(xml, "QBXMLMsgsRq/BillAddRq/BillAdd/VendorRef/ListID").text == "80000002-1"


def test_what_depends_on_a_failed_operation_is_skipped_with_a_reason() -> None:
    memory = JobMemory(failed={"item:S61125/A7102": "QuickBooks refused the item."})
    encoding = encode_job(a7102_plan(), tag="j1", memory=memory, shared={}, prefs=SALES_TAX)

    assert set(encoding.skipped) >= {"invoice", "payment:P1", "purchase_order:S61125", "bill:S61125"}
    assert "could not be written" in encoding.skipped["invoice"]
    assert [r.op_key for r in encoding.requests] == [
        "customer",
        "vendor:S61125",
        "item:special:subtotal",
        "item:special:discount",
    ]


def test_after_name_in_use_the_entry_is_looked_up_and_its_dependents_wait() -> None:
    memory = JobMemory(find_first={"customer": "Lakeside Dental Group"})
    encoding = encode_job(a7102_plan(), tag="j1", memory=memory, shared={}, prefs=SALES_TAX)

    lookup = next(r for r in encoding.requests if r.op_key == "customer")
    assert lookup.purpose is Purpose.FIND_BY_NAME
    assert lookup.element.tag == "CustomerQueryRq"
    assert lookup.element.findtext("FullName") == "Lakeside Dental Group"
    assert {"invoice", "payment:P1"} <= set(encoding.waiting)
    assert "purchase_order:S61125" not in encoding.waiting  # the vendor side goes on


def test_bills_can_wait_for_their_purchase_order_and_then_receive_its_lines() -> None:
    linking = CompanyFilePrefs(link_bills_to_purchase_orders=True)
    first = encode_job(a7102_plan(), tag="j1", memory=JobMemory(), shared={}, prefs=linking)
    assert "bill:S61125" in first.waiting

    memory = JobMemory(
        done={
            "customer": Done("80000001-1"),
            "vendor:S61125": Done("80000002-1"),
            "item:S61125/A7102": Done("80000003-1"),
            "item:special:subtotal": Done("80000004-1"),
            "item:special:discount": Done("80000005-1"),
            "invoice": Done("1A-1"),
            "payment:P1": Done("1B-1"),
            "purchase_order:S61125": Done("1D-1", "3", None, ("1E-1",)),
        }
    )
    xml = document(a7102_plan(), memory, prefs=linking)

    assert_valid_qbxml(xml)
    link = element(xml, "QBXMLMsgsRq/BillAddRq/BillAdd/ItemLineAdd/LinkToTxn")
    assert (link.findtext("TxnID"), link.findtext("TxnLineID")) == ("1D-1", "1E-1")
    assert "PurchaseOrderQueryRq" in requests(xml)  # its EditSequence moves when the bill receives it


def test_orders_share_the_list_entries_they_both_create() -> None:
    draft = MessageSetDraft(max_bytes=2_000_000, max_jobs=50)
    for tag in ("j1", "j2"):
        encoding = encode_job(a7102_plan(), tag=tag, memory=JobMemory(), shared=draft.shared, prefs=SALES_TAX)
        assert draft.offer(encoding).accepted
    xml = draft.document(version="13.0", new_message_set_id=None)

    assert_valid_qbxml(xml)
    names = requests(xml)
    assert names.count("CustomerAddRq") == 1
    assert names.count("ItemSubtotalAddRq") == 1
    assert names.count("InvoiceAddRq") == 2
    second = element(xml, "QBXMLMsgsRq/InvoiceAddRq[@requestID='j2.5']/InvoiceAdd")
    assert second.findtext("CustomerRef/FullName") == "Lakeside Dental Group"
    # Macros are named after the request: each payment pays its own invoice.
    assert len(set(re.findall(r'defMacro="([^"]+)"', xml))) == 2


def test_two_orders_creating_different_entries_under_one_name_go_in_separate_sets() -> None:
    other = a7102_request()
    order = other.order.model_copy(
        update={
            "customer": other.order.customer.model_copy(update={"esp_id": "C2002"}),
            "order_number": "10246",
        }
    )
    clashing = build_plan(order, other.choices, SETTINGS, KnownMappings(), "qbd")
    draft = MessageSetDraft(max_bytes=2_000_000, max_jobs=50)
    assert draft.offer(
        encode_job(a7102_plan(), tag="j1", memory=JobMemory(), shared=draft.shared, prefs=SALES_TAX)
    ).accepted

    second = draft.offer(
        encode_job(clashing, tag="j2", memory=JobMemory(), shared=draft.shared, prefs=SALES_TAX)
    )

    assert not second.accepted
    assert "Lakeside Dental Group" in (second.reason or "")


def test_the_size_cap_keeps_later_orders_for_the_next_round_trip() -> None:
    one = len(document(a7102_plan()))
    draft = MessageSetDraft(max_bytes=int(one * 1.5), max_jobs=50)
    admitted = [
        draft.offer(
            encode_job(a7102_plan(), tag=f"j{n}", memory=JobMemory(), shared=draft.shared, prefs=SALES_TAX)
        ).accepted
        for n in range(3)
    ]
    assert admitted == [True, False, False]


def test_every_document_added_carries_its_esp_key() -> None:
    plan = a7102_plan()
    xml = document(plan)

    for add in ("InvoiceAdd", "ReceivePaymentAdd", "PurchaseOrderAdd", "BillAdd"):
        assert element(xml, f"QBXMLMsgsRq/{add}Rq/{add}/ExternalGUID").text is not None, add
    keys = [e.text for e in etree.fromstring(xml.split("?>", 2)[2].encode()).iter("ExternalGUID")]
    ops = [op for op in plan.operations if op.kind in ("invoice", "payment", "purchase_order", "bill")]
    assert keys == [esp_key(plan.order_number, op.key) for op in ops]
    assert len(set(keys)) == len(keys)
    # The same document has the same key on every attempt, whatever the job.
    assert document(a7102_plan()) == xml


def test_what_a_lost_set_may_have_added_is_looked_up_instead_of_added() -> None:
    plan = a7102_plan()
    keys = [op.key for op in plan.operations if op.action == "create"]
    memory = JobMemory(verify_first=dict.fromkeys(keys, ""))

    encoding = encode_job(plan, tag="j1", memory=memory, shared={}, prefs=SALES_TAX)
    xml = message_set([r.element for r in encoding.requests], version="13.0")

    assert_valid_qbxml(xml)
    assert "AddRq" not in xml and "newMessageSetID" not in xml
    assert {r.purpose for r in encoding.requests} == {Purpose.VERIFY}
    assert sorted(r.op_key for r in encoding.requests) == sorted(keys)
    invoice = next(r for r in encoding.requests if r.op_key == "invoice").element
    assert invoice.findtext("RefNumberRangeFilter/FromRefNumber") == "10245"
    assert "ExternalGUID" in [e.text for e in invoice.iter("IncludeRetElement")]


def test_the_recovery_status_check_names_the_lost_set_and_writes_nothing() -> None:
    lost = Outstanding(document(a7102_plan()), {}, "set1", datetime(2026, 1, 1, tzinfo=UTC))

    check = status_check(lost, version="13.0")

    assert_valid_qbxml(check)
    msgs = element(check, "QBXMLMsgsRq")
    assert (msgs.get("oldMessageSetID"), msgs.get("newMessageSetID")) == ("set1", None)
    assert requests(check) == []


def test_message_set_ids_and_request_ids_respect_quickbooks_limits() -> None:
    with pytest.raises(ValueError, match="24"):
        message_set([], version="13.0", new_message_set_id="x" * 25)


@pytest.mark.parametrize("spec", LIST_SPECS, ids=lambda s: s.name)
@pytest.mark.parametrize("incremental", [False, True])
def test_list_cache_queries_validate(spec: object, incremental: bool) -> None:
    from datetime import UTC, datetime

    since = datetime(2024, 5, 14, 10, 0, tzinfo=UTC) if incremental else None
    first = list_query(spec, "cache.x", since=since)  # type: ignore[arg-type]
    following = list_query(spec, "cache.x", since=since, iterator_id="{abc}")  # type: ignore[arg-type]
    assert_valid_qbxml(message_set([first, following], version="13.0"))


def test_the_sandbox_writes_the_a7102_order_to_the_cent() -> None:
    """The message set as QuickBooks would process it (no Web Connector in between)."""
    books = CompanyFile(seed_demo=True)
    answers = parse_response_set(books.process(document(a7102_plan())))

    assert all(not r.status.is_error for r in answers.responses)
    [invoice] = books.documents("Invoice")
    assert (Decimal(invoice["TotalAmount"]), Decimal(invoice["BalanceRemaining"])) == (
        Decimal("218.50"),
        Decimal("118.50"),
    )
    assert invoice["TxnDate"] == date(2024, 5, 14).isoformat()

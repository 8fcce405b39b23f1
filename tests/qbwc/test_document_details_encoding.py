"""Document details in qbXML (docs/web-connector.md §3.17): every request validates against Intuit's qbXML
13.0 schema, with the details in the schema's order; list entries are linked or added before the
documents; a Mod clears a free-text detail the order dropped; the company read from a company file
carries its reference lists and class tracking."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, date, datetime

from lxml import etree

from espqb.plan import KnownMappings, Plan, PlanSettings, build_plan
from espqb.plan.company import ListEntry, QuickBooksCompany
from espqb.plan.model import BillOp, Existing, InvoiceOp, ListEntryOp, PurchaseOrderOp
from espqb_devtools.demo.orders import two_supplier_request
from qb_sandbox.desktop import CompanyFile, assert_valid_qbxml
from qbwc_gateway.encoder import CompanyFilePrefs, Done, JobMemory, MessageSetDraft, encode_job, message_set
from qbwc_gateway.listcache import cached_entry, list_query
from qbwc_gateway.listcache.lists import lists_to_read
from qbwc_gateway.responses import parse_response_set
from qbwc_gateway.responses.hcp import parse_hcp
from qbwc_gateway.session.edition import company_of, file_facts

NOW = datetime(2024, 6, 3, 12, tzinfo=UTC)
SETTINGS = PlanSettings.model_validate(
    {"default_accounts": {"income": {"name": "Sales"}, "cogs": {"name": "Cost of Goods Sold"}}}
)
PREFS = CompanyFilePrefs(sales_tax_on=True, taxable_code="Tax", non_taxable_code="Non")
COMPANY = QuickBooksCompany(
    product="qbd",
    lists_read=True,
    class_tracking="per_transaction",
    terms=(ListEntry(id="80000002-1", name="Net 15", due_days=15),),
    classes=(ListEntry(id="80000003-1", name="West"),),
    sales_reps=(ListEntry(id="80000001-1", name="JD", description="Jane Doe"),),
)


def detailed_plan(**changes: object) -> Plan:
    request = two_supplier_request()
    fields: dict[str, object] = {
        "terms": "Net 30",
        "sales_rep": "JD",
        "class_name": "West",
        "customer_message": "Thank you for your business.",
        "tracking_number": "1Z999AA10123456784",
        "ship_date": None,
        "due_date": date(2024, 7, 3),
        "customer_po_number": "NR-2024-0612",
        "in_hands_date": date(2024, 6, 24),
        "ship_method": "UPS Ground",
        **changes,
    }
    order = request.order.model_copy(update=fields)
    suppliers = list(order.suppliers)
    suppliers[0] = suppliers[0].model_copy(update={"terms": "Net 15"})
    suppliers[1] = suppliers[1].model_copy(update={"terms": None})
    order = order.model_copy(update={"suppliers": suppliers})
    return build_plan(order, request.choices, SETTINGS, KnownMappings(), "qbd", COMPANY)


def document(plan: Plan, memory: JobMemory | None = None) -> str:
    draft = MessageSetDraft(max_bytes=2_000_000, max_jobs=50)
    encoding = encode_job(plan, tag="j1", memory=memory or JobMemory(), shared=draft.shared, prefs=PREFS)
    assert draft.offer(encoding).accepted
    xml = draft.document(version="13.0", new_message_set_id="set1")
    assert_valid_qbxml(xml)  # order and lengths, as Intuit's schema has them
    return xml


def body(xml: str, tag: str, index: int = 0) -> etree._Element:
    root = etree.fromstring(xml.split("?>", 2)[2].encode())
    return root.findall(f".//{tag}")[index]


def children(element: etree._Element) -> list[str]:
    return [str(c.tag) for c in element]


def test_list_entries_go_before_the_documents_linked_by_listid_or_added_when_missing() -> None:
    xml = document(detailed_plan())
    sent = re.findall(r"<(\w+Rq) requestID=", xml)
    adds = ["StandardTermsAddRq", "ShipMethodAddRq", "CustomerMsgAddRq"]
    assert [r for r in sent if r in adds] == adds
    assert max(sent.index(r) for r in adds) < sent.index("InvoiceAddRq")
    assert "ClassAddRq" not in sent and "SalesRepAddRq" not in sent  # West and JD are linked
    terms = body(xml, "StandardTermsAdd")
    assert (terms.findtext("Name"), terms.findtext("StdDueDays")) == ("Net 30", "30")

    invoice = body(xml, "InvoiceAdd")
    assert [t for t in children(invoice) if not t.endswith("LineAdd")] == [
        "CustomerRef",
        "ClassRef",
        "TxnDate",
        "RefNumber",
        "BillAddress",
        "PONumber",
        "TermsRef",
        "DueDate",
        "SalesRepRef",
        "ShipMethodRef",
        "Memo",
        "CustomerMsgRef",
        "Other",
        "ExternalGUID",
    ]
    assert invoice.findtext("ClassRef/ListID") == "80000003-1"  # linked: by ListID
    assert invoice.findtext("SalesRepRef/ListID") == "80000001-1"
    assert invoice.findtext("TermsRef/FullName") == "Net 30"  # added in this set: by name
    assert invoice.findtext("ShipMethodRef/FullName") == "UPS Ground"
    assert invoice.findtext("PONumber") == "NR-2024-0612"
    assert invoice.findtext("Other") == "1Z999AA10123456784"

    purchase_order = body(xml, "PurchaseOrderAdd")
    head = [t for t in children(purchase_order) if not t.endswith("LineAdd")]
    assert head[:2] == ["VendorRef", "ClassRef"]
    assert [
        t for t in head if t in ("ShipAddress", "TermsRef", "ExpectedDate", "ShipMethodRef", "VendorMsg")
    ] == [
        "ShipAddress",
        "TermsRef",
        "ExpectedDate",
        "ShipMethodRef",
        "VendorMsg",
    ]
    assert purchase_order.findtext("TermsRef/ListID") == "80000002-1"
    assert purchase_order.findtext("ExpectedDate") == "2024-06-24"

    bill = body(xml, "BillAdd")
    assert "ClassRef" not in children(bill)  # a bill has no header class …
    assert {line.findtext("ClassRef/ListID") for line in bill.findall("ItemLineAdd")} == {
        "80000003-1"
    }  # … its lines do
    assert [t for t in children(bill) if t in ("TxnDate", "DueDate", "RefNumber", "TermsRef")] == [
        "TxnDate",
        "DueDate",
        "RefNumber",
        "TermsRef",
    ]


def _written(plan: Plan) -> Plan:
    """The plan of a re-send: every list entry and document already written (Mods with a version)."""
    ops = []
    for index, op in enumerate(plan.operations):
        if isinstance(op, InvoiceOp | PurchaseOrderOp | BillOp):
            op = dataclasses.replace(op, action="update", existing=Existing(f"{index}A-1", version="7"))
        ops.append(op)
    return dataclasses.replace(plan, operations=tuple(ops))


def test_a_mod_sends_the_new_details_and_clears_free_text_the_order_dropped() -> None:
    plan = _written(detailed_plan(customer_po_number=None, tracking_number=None))
    done = {
        op.key: Done(f"8000{index:04d}-1", "1", getattr(op, "name", None))
        for index, op in enumerate(plan.operations)
        if not isinstance(op, InvoiceOp | PurchaseOrderOp | BillOp) and op.kind != "payment"
    }
    xml = document(plan, JobMemory(done=done))
    invoice = body(xml, "InvoiceMod")
    # Sent empty: QuickBooks clears them ("send null/empty qbXML elements for the properties to be cleared").
    assert invoice.find("PONumber") is not None and invoice.findtext("PONumber") == ""
    assert invoice.find("Other") is not None and invoice.findtext("Other") == ""
    terms_id = done["terms:net 30"].qb_id
    assert invoice.findtext("TermsRef/ListID") == terms_id
    assert invoice.findtext("SalesRepRef/ListID") == done["sales_rep:jd"].qb_id
    purchase_order = body(xml, "PurchaseOrderMod")
    assert purchase_order.findtext("VendorMsg", "").startswith("P455:")
    assert purchase_order.findtext("ExpectedDate") == "2024-06-24"
    bill = body(xml, "BillMod")
    assert bill.findtext("DueDate") == "2024-07-12"
    assert {line.findtext("ClassRef/ListID") for line in bill.findall("ItemLineMod")} == {
        done["class:west"].qb_id
    }


def test_a_list_entry_quickbooks_said_is_taken_is_looked_up_and_the_document_waits() -> None:
    plan = detailed_plan()
    xml = document(plan, JobMemory(find_first={"terms:net 30": "Net 30"}))
    sent = re.findall(r"<(\w+Rq) requestID=", xml)
    assert "StandardTermsAddRq" not in sent and "InvoiceAddRq" not in sent
    assert body(xml, "TermsQueryRq").findtext("FullName") == "Net 30"


def test_a_sales_rep_linked_by_name_only_is_looked_up_by_its_initials() -> None:
    plan = detailed_plan()
    ops = tuple(
        dataclasses.replace(op, existing=Existing(None, name="JD"))
        if isinstance(op, ListEntryOp) and op.list_kind == "sales_rep"
        else op
        for op in plan.operations
    )
    xml = document(dataclasses.replace(plan, operations=ops))
    assert body(xml, "SalesRepQueryRq").findtext("FullName") == "JD"
    assert body(xml, "InvoiceAdd").findtext("SalesRepRef/FullName") == "JD"


def test_the_company_read_from_a_file_has_its_reference_lists_and_class_tracking() -> None:
    file = CompanyFile(seed_demo=True, class_tracking=True)
    file.add_sales_rep("JD", "Jane Doe")
    file.add_class("West")
    file.add_ship_method("UPS Ground")
    file.add_customer_message("Thank you for your business.")
    facts = file_facts(parse_hcp(file.hcp_response()), file.country)
    entries = []
    for spec in lists_to_read(sales_tax_on=facts.sales_tax_on):
        request = message_set([list_query(spec, "r", since=None)], version="13.0")
        assert_valid_qbxml(request)
        answer = parse_response_set(file.process(request))
        entries += [e for r in answer.responses for e in (cached_entry(ret) for ret in r.rets) if e]

    company = company_of(facts, entries, read_at=NOW)

    assert company.lists_read and company.class_tracking == "per_transaction"
    assert [(t.name, t.due_days) for t in company.terms] == [
        ("Due on receipt", 0),
        ("Net 15", 15),
        ("Net 30", 30),
    ]
    assert [(r.name, r.description) for r in company.sales_reps] == [("JD", "Jane Doe")]
    assert [c.name for c in company.classes] == ["West"]
    assert [m.name for m in company.ship_methods] == ["UPS Ground"]
    assert [m.name for m in company.customer_messages] == ["Thank you for your business."]
    assert all(entry.id for entry in (*company.terms, *company.sales_reps, *company.classes))
    off = company_of(file_facts(parse_hcp(CompanyFile().hcp_response()), "US"), [], read_at=NOW)
    assert off.class_tracking == "off"


def test_a_sales_rep_to_create_is_never_added_and_the_invoice_naming_it_is_not_written() -> None:
    """A Desktop sales rep stands for a person of the name list: the gateway does not make one up."""
    plan = detailed_plan()
    ops = tuple(
        dataclasses.replace(op, action="create", existing=None)
        if isinstance(op, ListEntryOp) and op.list_kind == "sales_rep"
        else op
        for op in plan.operations
    )
    draft = MessageSetDraft(max_bytes=2_000_000, max_jobs=50)
    encoding = encode_job(
        dataclasses.replace(plan, operations=ops),
        tag="j1",
        memory=JobMemory(),
        shared=draft.shared,
        prefs=PREFS,
    )
    sent = [r.element.tag for r in encoding.requests]
    assert "SalesRepAddRq" not in sent and "InvoiceAddRq" not in sent
    assert "is not in QuickBooks Desktop" in encoding.skipped["sales_rep:jd"]
    assert "sales rep “JD”" in encoding.skipped["invoice"]
    assert "PurchaseOrderAddRq" in sent  # what does not name the rep still goes


def test_a_sales_rep_named_by_the_person_is_found_through_the_company_read_from_the_file() -> None:
    """ESP may give the rep's name rather than the initials: the company read from the file keeps the person
    each rep stands for (SalesRepEntityRef), so the plan links the rep and the invoice names it by ListID."""
    file = CompanyFile(seed_demo=True)
    rep_id = file.add_sales_rep("JD", "Jane Doe")
    facts = file_facts(parse_hcp(file.hcp_response()), file.country)
    entries = []
    for spec in lists_to_read(sales_tax_on=facts.sales_tax_on):
        answer = parse_response_set(
            file.process(message_set([list_query(spec, "r", since=None)], version="13.0"))
        )
        entries += [e for r in answer.responses for e in (cached_entry(ret) for ret in r.rets) if e]
    company = company_of(facts, entries, read_at=NOW)
    request = two_supplier_request()
    order = request.order.model_copy(update={"sales_rep": "Jane Doe", "class_name": None})
    plan = build_plan(order, request.choices, SETTINGS, KnownMappings(), "qbd", company)

    xml = document(plan)

    assert body(xml, "InvoiceAdd").findtext("SalesRepRef/ListID") == rep_id
    assert "SalesRepQueryRq" not in xml and "SalesRepAddRq" not in xml

"""Invoices, received payments, purchase orders and bills: the Add and the Mod of each.

The figures are the plan's, written as they are (docs/web-connector.md §3.5-§3.8):

* invoice lines: item lines (quantity × rate = amount), then a Subtotal-item line and a
  Discount-item line whose negative amount is what the invoice loses (a Desktop discount item
  applies to the line right above it), then the "Total Tax" line when tax is carried as an item;
* a payment is applied to its invoice through the invoice's ``defMacro`` when both travel in the
  same message set (``AppliedToTxnAdd/TxnID useMacro``, docs/web-connector.md §3.3);
* purchase lines post to the chosen COGS/expense account through ``OverrideItemAccountRef``;
* a Mod sends the stored ``EditSequence`` and every line anew (``TxnLineID`` -1): the lines of the
  document are replaced by the plan's (docs/web-connector.md §3.8).

Document details (docs/web-connector.md §3.17): the customer's PO number (``PONumber``), terms
(``TermsRef``), due date, sales rep (``SalesRepRef``, by initials), ship date and method
(``ShipMethodRef``), the customer message (``CustomerMsgRef``), the tracking number (``Other``) and the
class (``ClassRef``: the header of invoices and purchase orders, each line of a bill, which has no header
class) on invoices; terms, expected date, ship method and the message to the vendor (``VendorMsg``) on
purchase orders; terms and due date on bills. Lists are named by the ``ListEntryOp`` the plan made
(``lists``: list key → reference). A Mod says what the document must hold now: a free-text detail the
plan no longer has is sent empty, which clears it ("send null/empty qbXML elements for the properties
to be cleared", Intuit's *Modify, delete and void requests and responses*); a reference or a date the
plan lacks is left out, which keeps what QuickBooks holds (the customer's or vendor's default terms,
the due date QuickBooks computed, a class a bookkeeper chose).

Per edition (docs/web-connector.md §3.11-§3.13; ``CompanyFilePrefs.country``): a US file gets the
header ``ItemSalesTaxRef`` and the Tax/Non codes on invoice lines, and nothing about tax on purchase
documents; a Canadian or UK file gets the plan's code on every line (``SalesTaxCodeRef`` on invoice, purchase
order and bill lines) and ``IsTaxIncluded`` false, never ``ItemSalesTaxRef``. ``ExchangeRate`` goes
on any document of a foreign-currency order that carries one (the document is in its customer's or
vendor's currency; there is no ``CurrencyRef`` on a transaction).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from espqb.plan import (
    BillOp,
    DiscountLine,
    InvoiceOp,
    ItemLine,
    PaymentOp,
    PurchaseLine,
    PurchaseOrderOp,
    SubtotalLine,
    TaxLine,
)
from espqb.plan.model import GlobalTaxCalculation, InvoiceDetails, PurchaseDetails, TaxCodeRef

from .list_requests import account, address
from .prefs import CompanyFilePrefs
from .xml_build import Element, Ref, amount, boolean, child, float_value, opt, qb_date, rate, ref, request

NEW_LINE = "-1"  # TxnLineID of a line a Mod adds (docs/web-connector.md §3.8)
TXN_QUERY_BY_KIND = {
    "invoice": "InvoiceQueryRq",
    "payment": "ReceivePaymentQueryRq",
    "purchase_order": "PurchaseOrderQueryRq",
    "bill": "BillQueryRq",
}


@dataclass(frozen=True, slots=True)
class TxnRef:
    """A transaction by TxnID, or by the macro an Add earlier in the same message set defined."""

    txn_id: str | None = None
    macro: str | None = None


@dataclass(frozen=True, slots=True)
class Modify:
    """What a Mod needs: the record and the EditSequence QuickBooks last gave us."""

    txn_id: str
    edit_sequence: str


# ------------------------------------------------------------------------------------ per edition


def tax_code_ref(code: TaxCodeRef | None) -> Ref | None:
    """One of the company's codes (or, in a US file, sales tax items): by ListID when the list cache
    gave it, else by name."""
    if code is None:
        return None
    return Ref(list_id=code.id) if code.id else Ref(full_name=code.name)


def _line_code(code: TaxCodeRef | None, prefs: CompanyFilePrefs, taxable: bool) -> Ref | None:
    """An invoice line's ``SalesTaxCodeRef``: the plan's code (Canada/UK), else Tax/Non (US)."""
    if code is not None and not prefs.us:
        return tax_code_ref(code)
    return prefs.tax_code(taxable)


def _tax_included(parent: Element, calculation: GlobalTaxCalculation | None, prefs: CompanyFilePrefs) -> None:
    """``IsTaxIncluded``: not in US files (OPS130 "not in QBD", docs/web-connector.md §3.11)."""
    if prefs.us or calculation not in ("TaxExcluded", "TaxInclusive"):
        return
    child(parent, "IsTaxIncluded", boolean(calculation == "TaxInclusive"))


def _exchange_rate(parent: Element, value: Decimal | None) -> None:
    if value is not None:
        child(parent, "ExchangeRate", float_value(value))


# ------------------------------------------------------------------------------------- invoices


# ------------------------------------------------------------------------------ document details


def list_ref(lists: Mapping[str, Ref], key: str | None) -> Ref | None:
    """The reference to the plan's list entry ``key`` (terms, class, ship method…), if any."""
    return lists[key] if key is not None else None


def _detail_text(parent: Element, tag: str, value: str | None, *, mod: bool) -> None:
    """A free-text detail; on a Mod, sent empty when the plan has none (which clears it)."""
    if value:
        child(parent, tag, value)
    elif mod:
        child(parent, tag, "")


def _opt_date(parent: Element, tag: str, value: object) -> None:
    if value is not None:
        child(parent, tag, qb_date(value))  # type: ignore[arg-type]


def header_class(details: InvoiceDetails | PurchaseDetails, lists: Mapping[str, Ref]) -> Ref | None:
    return None if details.class_on_lines else list_ref(lists, details.class_key)


def line_class(details: InvoiceDetails | PurchaseDetails, lists: Mapping[str, Ref]) -> Ref | None:
    return list_ref(lists, details.class_key) if details.class_on_lines else None


# ------------------------------------------------------------------------------------- invoices


def _invoice_lines(
    parent: Element,
    op: InvoiceOp,
    items: Mapping[str, Ref],
    prefs: CompanyFilePrefs,
    tag: str,
    *,
    mod: bool,
    line_class_ref: Ref | None = None,
) -> None:
    any_taxable = any(isinstance(line, ItemLine) and line.taxable for line in op.lines)
    for line in op.lines:
        element = child(parent, tag)
        if mod:
            child(element, "TxnLineID", NEW_LINE)
        ref(element, "ItemRef", items[line.item_key] if line.item_key is not None else None)
        match line:
            case ItemLine():
                opt(element, "Desc", line.description)
                child(element, "Quantity", rate(line.quantity))
                child(element, "Rate", rate(line.unit_price))
                ref(element, "ClassRef", line_class_ref)
                child(element, "Amount", amount(line.amount))
                ref(element, "SalesTaxCodeRef", _line_code(line.tax_code, prefs, line.taxable))
            case SubtotalLine():
                pass  # QuickBooks computes the subtotal itself
            case DiscountLine():
                opt(element, "Desc", line.description)
                ref(element, "ClassRef", line_class_ref)
                # An amount, never a percentage QuickBooks would recompute with its own rounding.
                child(element, "Amount", amount(-line.amount))
                ref(
                    element,
                    "SalesTaxCodeRef",
                    _line_code(line.tax_code, prefs, line.before_tax and any_taxable),
                )
            case TaxLine():
                opt(element, "Desc", line.description)
                ref(element, "ClassRef", line_class_ref)
                child(element, "Amount", amount(line.amount))
                ref(element, "SalesTaxCodeRef", _line_code(line.tax_code, prefs, False))


def _invoice_header(
    parent: Element, op: InvoiceOp, customer: Ref, lists: Mapping[str, Ref], *, mod: bool
) -> None:
    """From ``CustomerRef`` to ``ShipMethodRef``, in the order of ``InvoiceAdd``/``InvoiceMod``."""
    details = op.details
    ref(parent, "CustomerRef", customer)
    ref(parent, "ClassRef", header_class(details, lists))
    ref(parent, "ARAccountRef", account(op.ar_account))
    child(parent, "TxnDate", qb_date(op.txn_date))
    child(parent, "RefNumber", op.doc_number)
    address(parent, "BillAddress", op.billing_address)
    address(parent, "ShipAddress", op.shipping_address)
    _detail_text(parent, "PONumber", details.po_number, mod=mod)
    ref(parent, "TermsRef", list_ref(lists, details.terms_key))
    _opt_date(parent, "DueDate", details.due_date)
    ref(parent, "SalesRepRef", list_ref(lists, details.sales_rep_key))
    _opt_date(parent, "ShipDate", details.ship_date)
    ref(parent, "ShipMethodRef", list_ref(lists, details.ship_method_key))


def _sales_tax_item(op: InvoiceOp, prefs: CompanyFilePrefs) -> Ref | None:
    # US files only. "code": the chosen sales tax item computes the tax; otherwise the customer's or
    # the company's default applies (TaxInstruction, espqb.plan.model). Canadian and UK files take
    # the tax from each line's code (docs/web-connector.md §3.12).
    if not prefs.us or op.tax.mode != "code":
        return None
    if op.tax.code_ref is not None:
        return tax_code_ref(op.tax.code_ref)
    return Ref(full_name=op.tax.code) if op.tax.code else None


def _invoice_tail(
    parent: Element, op: InvoiceOp, prefs: CompanyFilePrefs, lists: Mapping[str, Ref], *, mod: bool
) -> None:
    """From ``ItemSalesTaxRef`` to ``ExchangeRate``, in the order of docs/web-connector.md §3.14."""
    ref(parent, "ItemSalesTaxRef", _sales_tax_item(op, prefs))
    opt(parent, "Memo", op.memo)
    ref(parent, "CustomerMsgRef", list_ref(lists, op.details.customer_message_key))
    _tax_included(parent, op.tax.global_calculation, prefs)
    # No tracking-number field on a Desktop invoice: "Other" (≤29) holds it (§3.17).
    _detail_text(parent, "Other", op.details.tracking_number, mod=mod)
    _exchange_rate(parent, op.exchange_rate)


def invoice_add(
    op: InvoiceOp,
    request_id: str,
    *,
    customer: Ref,
    items: Mapping[str, Ref],
    prefs: CompanyFilePrefs,
    macro: str,
    esp_key: str | None = None,
    lists: Mapping[str, Ref] | None = None,
) -> Element:
    """``esp_key``: the document's ``ExternalGUID`` (see ``encoder.recovery``); ``lists``: how to
    refer to the list entries the details name (list key → reference)."""
    lists = lists or {}
    rq = request("InvoiceAddRq", request_id)
    add = child(rq, "InvoiceAdd")
    add.set("defMacro", macro)
    _invoice_header(add, op, customer, lists, mod=False)
    _invoice_tail(add, op, prefs, lists, mod=False)
    opt(add, "ExternalGUID", esp_key)
    _invoice_lines(
        add, op, items, prefs, "InvoiceLineAdd", mod=False, line_class_ref=line_class(op.details, lists)
    )
    return rq


def invoice_mod(
    op: InvoiceOp,
    request_id: str,
    *,
    target: Modify,
    customer: Ref,
    items: Mapping[str, Ref],
    prefs: CompanyFilePrefs,
    lists: Mapping[str, Ref] | None = None,
) -> Element:
    lists = lists or {}
    rq = request("InvoiceModRq", request_id)
    mod = child(rq, "InvoiceMod")
    child(mod, "TxnID", target.txn_id)
    child(mod, "EditSequence", target.edit_sequence)
    _invoice_header(mod, op, customer, lists, mod=True)
    _invoice_tail(mod, op, prefs, lists, mod=True)
    _invoice_lines(
        mod, op, items, prefs, "InvoiceLineMod", mod=True, line_class_ref=line_class(op.details, lists)
    )
    return rq


# ------------------------------------------------------------------------------------- payments


def receive_payment_add(
    op: PaymentOp,
    request_id: str,
    *,
    customer: Ref,
    invoice: TxnRef,
    prefs: CompanyFilePrefs,
    esp_key: str | None = None,
) -> Element:
    rq = request("ReceivePaymentAddRq", request_id)
    add = child(rq, "ReceivePaymentAdd")
    ref(add, "CustomerRef", customer)
    ref(add, "ARAccountRef", account(op.ar_account))
    child(add, "TxnDate", qb_date(op.txn_date))
    opt(add, "RefNumber", op.reference)
    child(add, "TotalAmount", amount(op.amount))
    _exchange_rate(add, op.exchange_rate)
    if prefs.knows_payment_method(op.method):
        ref(add, "PaymentMethodRef", Ref(full_name=op.method))
    opt(add, "Memo", op.memo)
    opt(add, "ExternalGUID", esp_key)
    applied = child(add, "AppliedToTxnAdd")
    txn = child(applied, "TxnID", invoice.txn_id or "")
    if invoice.macro:
        txn.set("useMacro", invoice.macro)
    child(applied, "PaymentAmount", amount(op.amount))
    return rq


# ---------------------------------------------------------------------------- purchase documents


def _purchase_line(
    parent: Element,
    tag: str,
    line: PurchaseLine,
    *,
    item: Ref,
    customer: Ref | None,
    cost_tag: str,
    billable: bool,
    mod: bool,
    prefs: CompanyFilePrefs,
    link: tuple[str, str] | None = None,
    class_ref: Ref | None = None,
) -> None:
    """``class_ref``: the line's class, which a purchase order line carries after its rate and a bill
    line after its customer (``PurchaseOrderLineAdd``/``ItemLineAdd`` in qbXML 13.0)."""
    element = child(parent, tag)
    if mod:
        child(element, "TxnLineID", NEW_LINE)
    ref(element, "ItemRef", item)
    opt(element, "Desc", line.description)
    child(element, "Quantity", rate(line.quantity))
    child(element, cost_tag, rate(line.unit_cost))
    if not billable:
        ref(element, "ClassRef", class_ref)  # purchase order line
    child(element, "Amount", amount(line.amount))
    ref(element, "CustomerRef", customer)
    if billable:
        ref(element, "ClassRef", class_ref)  # bill line
    if not prefs.us:
        # Canada/UK: the purchase tax code of the line ("not in QBD", docs/web-connector.md §3.11).
        ref(element, "SalesTaxCodeRef", tax_code_ref(line.tax_code))
    if billable and line.billable and customer is not None:
        child(element, "BillableStatus", "Billable")
    ref(element, "OverrideItemAccountRef", account(line.expense_account))
    if link is not None:
        linked = child(element, "LinkToTxn")
        child(linked, "TxnID", link[0])
        child(linked, "TxnLineID", link[1])


def _customer_for(line: PurchaseLine, customers: Mapping[str, Ref]) -> Ref | None:
    return customers.get(line.customer_key) if line.customer_key is not None else None


@dataclass(frozen=True, slots=True)
class _PurchaseShape:
    """How one purchase document is spelled in qbXML (its Add and Mod differ only in tags)."""

    name: str  # "PurchaseOrder" or "Bill"
    line_add: str
    line_mod: str
    cost_tag: str
    billable: bool  # a purchase order line has no BillableStatus


_PURCHASE_ORDER = _PurchaseShape(
    "PurchaseOrder", "PurchaseOrderLineAdd", "PurchaseOrderLineMod", "Rate", False
)
_BILL = _PurchaseShape("Bill", "ItemLineAdd", "ItemLineMod", "Cost", True)


def _purchase_document(
    shape: _PurchaseShape,
    op: PurchaseOrderOp | BillOp,
    request_id: str,
    *,
    vendor: Ref,
    items: Mapping[str, Ref],
    customers: Mapping[str, Ref],
    prefs: CompanyFilePrefs,
    target: Modify | None = None,
    links: Sequence[tuple[str, str] | None] = (),
    esp_key: str | None = None,
    lists: Mapping[str, Ref] | None = None,
) -> Element:
    lists = lists or {}
    verb = "Add" if target is None else "Mod"
    rq = request(f"{shape.name}{verb}Rq", request_id)
    body = child(rq, f"{shape.name}{verb}")
    if target is not None:
        child(body, "TxnID", target.txn_id)
        child(body, "EditSequence", target.edit_sequence)
    if isinstance(op, PurchaseOrderOp):
        _purchase_order_header(body, op, vendor, lists, mod=target is not None)
        class_ref = line_class(op.details, lists)
    else:
        _bill_header(body, op, vendor, lists)
        # A bill has no header class: the class goes on each of its lines (§3.17).
        class_ref = list_ref(lists, op.details.class_key)
    _tax_included(body, op.global_calculation, prefs)
    _exchange_rate(body, op.exchange_rate)
    if target is None:
        opt(body, "ExternalGUID", esp_key)
    for index, line in enumerate(op.lines):
        _purchase_line(
            body,
            shape.line_add if target is None else shape.line_mod,
            line,
            item=items[line.item_key],
            customer=_customer_for(line, customers),
            cost_tag=shape.cost_tag,
            billable=shape.billable,
            mod=target is not None,
            prefs=prefs,
            link=links[index] if index < len(links) else None,
            class_ref=class_ref,
        )
    return rq


def purchase_order_add(
    op: PurchaseOrderOp,
    request_id: str,
    *,
    vendor: Ref,
    items: Mapping[str, Ref],
    customers: Mapping[str, Ref],
    prefs: CompanyFilePrefs,
    esp_key: str | None = None,
    lists: Mapping[str, Ref] | None = None,
) -> Element:
    return _purchase_document(
        _PURCHASE_ORDER,
        op,
        request_id,
        vendor=vendor,
        items=items,
        customers=customers,
        prefs=prefs,
        esp_key=esp_key,
        lists=lists,
    )


def _purchase_order_header(
    parent: Element, op: PurchaseOrderOp, vendor: Ref, lists: Mapping[str, Ref], *, mod: bool
) -> None:
    """``PurchaseOrderAdd``/``Mod`` order: VendorRef, ClassRef, TxnDate, RefNumber, ShipAddress,
    TermsRef, ExpectedDate, ShipMethodRef, Memo, VendorMsg (no DueDate: QuickBooks takes it from the
    terms)."""
    details = op.details
    ref(parent, "VendorRef", vendor)
    ref(parent, "ClassRef", header_class(details, lists))
    child(parent, "TxnDate", qb_date(op.txn_date))
    child(parent, "RefNumber", op.doc_number)
    address(parent, "ShipAddress", op.ship_address)
    ref(parent, "TermsRef", list_ref(lists, details.terms_key))
    _opt_date(parent, "ExpectedDate", details.expected_date)
    ref(parent, "ShipMethodRef", list_ref(lists, details.ship_method_key))
    opt(parent, "Memo", op.memo)
    _detail_text(parent, "VendorMsg", details.vendor_message, mod=mod)


def purchase_order_mod(
    op: PurchaseOrderOp,
    request_id: str,
    *,
    target: Modify,
    vendor: Ref,
    items: Mapping[str, Ref],
    customers: Mapping[str, Ref],
    prefs: CompanyFilePrefs,
    lists: Mapping[str, Ref] | None = None,
) -> Element:
    return _purchase_document(
        _PURCHASE_ORDER,
        op,
        request_id,
        vendor=vendor,
        items=items,
        customers=customers,
        prefs=prefs,
        target=target,
        lists=lists,
    )


def _bill_header(parent: Element, op: BillOp, vendor: Ref, lists: Mapping[str, Ref]) -> None:
    """``BillAdd``/``BillMod`` order: VendorRef, APAccountRef, TxnDate, DueDate, RefNumber, TermsRef, Memo."""
    ref(parent, "VendorRef", vendor)
    ref(parent, "APAccountRef", account(op.ap_account))
    child(parent, "TxnDate", qb_date(op.txn_date))
    _opt_date(parent, "DueDate", op.details.due_date)
    child(parent, "RefNumber", op.doc_number)
    ref(parent, "TermsRef", list_ref(lists, op.details.terms_key))
    opt(parent, "Memo", op.memo)


def bill_add(
    op: BillOp,
    request_id: str,
    *,
    vendor: Ref,
    items: Mapping[str, Ref],
    customers: Mapping[str, Ref],
    prefs: CompanyFilePrefs,
    purchase_order_lines: tuple[str, Sequence[str]] | None = None,
    esp_key: str | None = None,
    lists: Mapping[str, Ref] | None = None,
) -> Element:
    """``purchase_order_lines`` = (PO TxnID, its TxnLineIDs in plan order): each bill line then
    receives the matching purchase-order line (``LinkToTxn``, docs/web-connector.md §3.7)."""
    links: list[tuple[str, str] | None] = []
    if purchase_order_lines is not None:
        po_txn_id, po_line_ids = purchase_order_lines
        links = [(po_txn_id, line_id) for line_id in po_line_ids]
    return _purchase_document(
        _BILL,
        op,
        request_id,
        vendor=vendor,
        items=items,
        customers=customers,
        prefs=prefs,
        links=links,
        esp_key=esp_key,
        lists=lists,
    )


def bill_mod(
    op: BillOp,
    request_id: str,
    *,
    target: Modify,
    vendor: Ref,
    items: Mapping[str, Ref],
    customers: Mapping[str, Ref],
    prefs: CompanyFilePrefs,
    lists: Mapping[str, Ref] | None = None,
) -> Element:
    return _purchase_document(
        _BILL,
        op,
        request_id,
        vendor=vendor,
        items=items,
        customers=customers,
        prefs=prefs,
        target=target,
        lists=lists,
    )


def current_version(kind: str, ref_number: str, request_id: str) -> Element:
    """Read a document's EditSequence by its number, after another request of the same set changed
    it (a payment applied to an invoice, a bill receiving a purchase order): its TxnID is not known
    when the set is built, and no qbXML macro can stand for it in a query."""
    rq = request(TXN_QUERY_BY_KIND[kind], request_id)
    child(rq, "RefNumber", ref_number)
    for name in ("TxnID", "EditSequence", "RefNumber"):
        child(rq, "IncludeRetElement", name)
    return rq


def read_transaction(kind: str, txn_id: str, request_id: str) -> Element:
    """Read a document again (for its current EditSequence after a 3200, docs/web-connector.md §3.8)."""
    rq = request(TXN_QUERY_BY_KIND[kind], request_id)
    child(rq, "TxnID", txn_id)
    return rq

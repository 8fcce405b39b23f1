"""Purchase orders and bills: PurchaseOrderAdd/Mod/Query, BillAdd/Mod/Query.

A bill may receive a purchase order (docs/web-connector.md §3.7): header ``LinkToTxnID`` pulls the PO's
open lines onto the bill; an item line's ``LinkToTxn`` receives one PO line. Received lines
count up ``ReceivedQuantity``, are marked ``IsBilled``, and once every line is received the PO
is ``IsFullyReceived``. Linking to a PO that is already closed is status 570, a warning: the
bill is saved without that link.

Tax: US bills and purchase orders carry none; in a Canadian or UK file each line's code (or the
header's ``SalesTaxCodeRef``) adds purchase tax through the code's purchase-tax item, and
``AmountDue``/``TotalAmount`` include it (docs/web-connector.md §3.12, :mod:`.coded_tax`). With
multi-currency on they are in the vendor's currency (:mod:`.currencies`).
"""

from __future__ import annotations

import copy
from decimal import Decimal

from . import status
from .books import Books
from .coded_tax import PURCHASE_LINK, coded_tax, codes_carry_tax, default_purchase_codes
from .currencies import refresh_home_amount, stamp_txn_currency
from .qb_values import ZERO, amount, boolean, dec, dec_or_none, is_true, price, qb_date, quantity
from .queries import txn_matches
from .references import check_id_shape, resolve_refs
from .request_types import Handler, Outcome, Request, Runtime
from .status import Status
from .txn_common import (
    adjust_balance,
    apply_header_mod,
    due_date,
    ensure_account,
    merge_line_mods,
    new_txn_header,
    next_ref_number,
    record_for_mod,
    split_cleared,
    touch,
)
from .xml_codec import Record, conform
from .xsd_model import xsd_model


def _purchase_cost(books: Books, item_ref: object) -> Decimal | None:
    if not isinstance(item_ref, dict) or not item_ref.get("ListID"):
        return None
    found = books.find_list_id(str(item_ref["ListID"]))
    if found is None:
        return None
    item = found[1]
    both = item.get("SalesAndPurchase") or {}
    if both.get("PurchaseCost"):
        return dec(str(both["PurchaseCost"]))
    sale = item.get("SalesOrPurchase") or {}
    return dec_or_none(sale.get("Price"))


def _priced_line(books: Books, runtime: Runtime, line: Record, rate_field: str) -> Record:
    """Amount = explicit Amount, else Quantity × Rate/Cost (Rate/Cost default: the item's cost)."""
    line = copy.deepcopy(line)
    line.setdefault("TxnLineID", books.mint.txn_id(runtime.now))
    qty = dec_or_none(line.get("Quantity"))
    rate = dec_or_none(line.get(rate_field))
    explicit = dec_or_none(line.get("Amount"))
    if rate is None and explicit is None:
        rate = _purchase_cost(books, line.get("ItemRef"))
    if explicit is not None:
        value = explicit
        if rate is None:
            rate = value / qty if qty not in (None, ZERO) else value  # type: ignore[operator]
    else:
        value = (qty if qty is not None else Decimal(1)) * (rate or ZERO)
    if qty is not None:
        line["Quantity"] = quantity(qty)
    if rate is not None:
        line[rate_field] = price(rate)
    line["Amount"] = amount(value)
    return line


# What a bill line takes over from the purchase-order line it receives.
_COPIED_FROM_PO_LINE = ("ItemRef", "Desc", "CustomerRef", "ClassRef", "SalesTaxCodeRef")


# -- PurchaseOrder ----------------------------------------------------------------------------
def _po_line(books: Books, runtime: Runtime, raw: Record) -> Record:
    line = _priced_line(books, runtime, conform(raw, xsd_model().element("PurchaseOrderLineRet")), "Rate")
    line.setdefault("ReceivedQuantity", "0")
    if "Quantity" in line:
        line.setdefault("UnbilledQuantity", line["Quantity"])
    line.setdefault("IsBilled", "false")
    line.setdefault("IsManuallyClosed", "false")
    return line


def _purchase_total(books: Books, header: Record, lines: list[Record]) -> Decimal:
    """Sum of the lines, plus purchase tax in a Canadian or UK file (docs/web-connector.md §3.12:
    there bills and purchase orders carry tax codes; in a US file they carry no tax)."""
    net = sum((dec(str(line["Amount"])) for line in lines), ZERO)
    if not codes_carry_tax(books):
        return net
    default_purchase_codes(header, lines)
    included = is_true(header.get("IsTaxIncluded"))
    tax = coded_tax(
        books,
        [(dec(str(line["Amount"])), line.get("SalesTaxCodeRef")) for line in lines],
        PURCHASE_LINK,
        included,
    )
    return net if included else net + tax.total


def _po_totals(books: Books, po: Record) -> None:
    lines = po.get("PurchaseOrderLineRet", [])
    po["TotalAmount"] = amount(_purchase_total(books, po, lines))
    po["IsFullyReceived"] = boolean(bool(lines) and all(_line_received(line) for line in lines))
    refresh_home_amount("PurchaseOrder", po)


def _line_received(line: Record) -> bool:
    if is_true(line.get("IsManuallyClosed")) or is_true(line.get("IsBilled")):
        return True
    ordered = dec_or_none(line.get("Quantity"))
    return ordered is not None and dec(str(line.get("ReceivedQuantity", "0"))) >= ordered


def purchase_order_add(books: Books, request: Request, runtime: Runtime) -> Outcome:
    payload: Record = request.body["PurchaseOrderAdd"]
    resolved = resolve_refs(books, payload, "PurchaseOrder")
    vendor = books.list_records("Vendor")[resolved["VendorRef"]["ListID"]]
    po = conform(
        {k: v for k, v in resolved.items() if k != "PurchaseOrderLineAdd"},
        xsd_model().element("PurchaseOrderRet"),
    )
    if "VendorAddress" not in po and vendor.get("VendorAddress"):
        po["VendorAddress"] = copy.deepcopy(vendor["VendorAddress"])
    if "TermsRef" not in po and vendor.get("TermsRef"):
        po["TermsRef"] = copy.deepcopy(vendor["TermsRef"])
    po.setdefault("TxnDate", qb_date(runtime.now.date()))
    po.setdefault("RefNumber", next_ref_number(books.txn_records("PurchaseOrder")))
    po.setdefault("DueDate", due_date(books, po["TxnDate"], po.get("TermsRef")))
    po["IsManuallyClosed"] = "false"
    for flag in ("IsToBePrinted", "IsToBeEmailed"):
        po.setdefault(flag, "false")
    po["PurchaseOrderLineRet"] = [
        _po_line(books, runtime, raw) for raw in resolved.get("PurchaseOrderLineAdd", [])
    ]
    stamp_txn_currency(books, po, vendor, po.get("ExchangeRate"))
    _po_totals(books, po)
    po.update(new_txn_header(books, runtime))
    books.txn_records("PurchaseOrder")[po["TxnID"]] = po
    return Outcome(rets=[("PurchaseOrderRet", copy.deepcopy(po))], defined_ids={"TxnID": po["TxnID"]})


def purchase_order_mod(books: Books, request: Request, runtime: Runtime) -> Outcome:
    payload: Record = request.body["PurchaseOrderMod"]
    current = record_for_mod(books, "PurchaseOrder", payload)
    kept, cleared = split_cleared(payload)
    resolved = resolve_refs(books, kept, "PurchaseOrder")
    changes = conform(
        {k: v for k, v in resolved.items() if k not in ("TxnID", "EditSequence", "PurchaseOrderLineMod")},
        xsd_model().element("PurchaseOrderRet"),
    )
    po = apply_header_mod(books, current, changes, cleared)
    if "PurchaseOrderLineMod" in resolved:
        merged = merge_line_mods(
            current.get("PurchaseOrderLineRet", []),
            resolved["PurchaseOrderLineMod"],
            ("Quantity", "Rate", "ItemRef"),
        )
        po["PurchaseOrderLineRet"] = [_po_line(books, runtime, line) for line in merged]
    _po_totals(books, po)
    touch(books, runtime, po)
    books.txn_records("PurchaseOrder")[po["TxnID"]] = po
    return Outcome(rets=[("PurchaseOrderRet", copy.deepcopy(po))], defined_ids={"TxnID": po["TxnID"]})


# -- Bill ---------------------------------------------------------------------------------------
class _Receipts:
    """PO lines a bill receives, collected first and written only when the bill is saved."""

    def __init__(self) -> None:
        self.quantities: dict[tuple[str, str], Decimal | None] = {}  # (po TxnID, line) → qty
        self.amounts: dict[str, Decimal] = {}
        self.closed_links: list[str] = []

    def add(self, po_id: str, line_id: str, qty: Decimal | None, line_amount: Decimal) -> None:
        key = (po_id, line_id)
        previous = self.quantities.get(key)
        self.quantities[key] = qty if previous is None or qty is None else previous + qty
        self.amounts[po_id] = self.amounts.get(po_id, ZERO) + line_amount


def _linkable_po(books: Books, txn_id: str, vendor_id: str) -> Record:
    check_id_shape(txn_id, "LinkToTxnID")
    po = books.txn_records("PurchaseOrder").get(txn_id)
    if po is None:
        raise status.object_not_found(txn_id)
    if po["VendorRef"]["ListID"] != vendor_id:
        raise status.invalid_field_value(
            "LinkToTxnID",
            txn_id,
            "The purchase order belongs to another vendor and cannot be received on this bill.",
        )
    return po


def _po_is_closed(po: Record) -> bool:
    return is_true(po.get("IsManuallyClosed")) or is_true(po.get("IsFullyReceived"))


def _remaining(line: Record) -> Decimal | None:
    ordered = dec_or_none(line.get("Quantity"))
    if ordered is None:
        return None
    return max(ordered - dec(str(line.get("ReceivedQuantity", "0"))), ZERO)


def _bill_item_line(books: Books, runtime: Runtime, raw: Record) -> Record:
    return _priced_line(books, runtime, conform(raw, xsd_model().element("ItemLineRet")), "Cost")


def _lines_from_po(books: Books, runtime: Runtime, po: Record, receipts: _Receipts) -> list[Record]:
    lines: list[Record] = []
    for po_line in po.get("PurchaseOrderLineRet", []):
        if _line_received(po_line):
            continue
        remaining = _remaining(po_line)
        raw: Record = {k: copy.deepcopy(po_line[k]) for k in _COPIED_FROM_PO_LINE if k in po_line}
        if remaining is not None:
            raw["Quantity"] = quantity(remaining)
            raw["Cost"] = po_line.get("Rate", "0")
        else:
            raw["Amount"] = po_line["Amount"]
        line = _bill_item_line(books, runtime, raw)
        receipts.add(po["TxnID"], po_line["TxnLineID"], remaining, dec(str(line["Amount"])))
        lines.append(line)
    return lines


def _linked_item_line(
    books: Books, runtime: Runtime, raw: Record, vendor_id: str, receipts: _Receipts
) -> Record:
    link = raw.get("LinkToTxn") or {}
    po = _linkable_po(books, str(link.get("TxnID", "")), vendor_id)
    po_line = next(
        (ln for ln in po.get("PurchaseOrderLineRet", []) if ln["TxnLineID"] == link.get("TxnLineID")), None
    )
    if po_line is None:
        raise status.object_not_found(str(link.get("TxnLineID", "")))
    if _line_received(po_line) or _po_is_closed(po):
        receipts.closed_links.append(po["TxnID"])
        return _bill_item_line(books, runtime, raw)
    filled = {
        **{k: copy.deepcopy(po_line[k]) for k in _COPIED_FROM_PO_LINE if k in po_line},
        **raw,
    }
    if "Quantity" not in raw and _remaining(po_line) is not None:
        filled["Quantity"] = quantity(_remaining(po_line) or ZERO)
    if "Cost" not in raw and "Amount" not in raw and po_line.get("Rate"):
        filled["Cost"] = po_line["Rate"]
    line = _bill_item_line(books, runtime, filled)
    receipts.add(
        po["TxnID"], po_line["TxnLineID"], dec_or_none(line.get("Quantity")), dec(str(line["Amount"]))
    )
    return line


def _apply_receipts(books: Books, runtime: Runtime, bill: Record, receipts: _Receipts) -> None:
    for (po_id, line_id), qty in receipts.quantities.items():
        po = books.txn_records("PurchaseOrder")[po_id]
        for line in po.get("PurchaseOrderLineRet", []):
            if line["TxnLineID"] != line_id:
                continue
            if qty is None:
                line["IsBilled"] = "true"
                continue
            received = dec(str(line.get("ReceivedQuantity", "0"))) + qty
            line["ReceivedQuantity"] = quantity(received)
            ordered = dec_or_none(line.get("Quantity")) or ZERO
            line["UnbilledQuantity"] = quantity(max(ordered - received, ZERO))
            line["IsBilled"] = boolean(received >= ordered)
    for po_id, linked_amount in receipts.amounts.items():
        po = books.txn_records("PurchaseOrder")[po_id]
        _po_totals(books, po)
        po.setdefault("LinkedTxn", []).append(_link(bill, "Bill", linked_amount))
        bill.setdefault("LinkedTxn", []).append(_link(po, "PurchaseOrder", linked_amount))
        touch(books, runtime, po)


def _link(txn: Record, txn_type: str, linked_amount: Decimal) -> Record:
    link = {
        "TxnID": txn["TxnID"],
        "TxnType": txn_type,
        "TxnDate": txn["TxnDate"],
        "LinkType": "QUANTYPE",
        "Amount": amount(linked_amount),
    }
    if txn.get("RefNumber"):
        link["RefNumber"] = txn["RefNumber"]
    return link


def _bill_totals(books: Books, bill: Record) -> None:
    lines = bill.get("ExpenseLineRet", []) + bill.get("ItemLineRet", [])
    total = _purchase_total(books, bill, lines)
    bill["AmountDue"] = amount(total)
    bill["OpenAmount"] = amount(total)
    bill["IsPaid"] = boolean(total <= 0)
    refresh_home_amount("Bill", bill)


def _expense_line(books: Books, runtime: Runtime, raw: Record) -> Record:
    line = conform(raw, xsd_model().element("ExpenseLineRet"))
    line.setdefault("TxnLineID", books.mint.txn_id(runtime.now))
    line["Amount"] = amount(dec(str(line.get("Amount", "0"))))
    return line


def bill_add(books: Books, request: Request, runtime: Runtime) -> Outcome:
    payload: Record = request.body["BillAdd"]
    for line in payload.get("ExpenseLineAdd", []):
        if "AccountRef" not in line:
            raise status.missing_element("AccountRef")
    for line in payload.get("ItemLineAdd", []):
        if "ItemRef" not in line and "LinkToTxn" not in line:
            raise status.missing_element("ItemRef")
    resolved = resolve_refs(books, payload, "Bill")
    vendor_id = resolved["VendorRef"]["ListID"]
    vendor = books.list_records("Vendor")[vendor_id]
    receipts = _Receipts()

    pulled: list[Record] = []
    for txn_id in resolved.get("LinkToTxnID", []):
        po = _linkable_po(books, str(txn_id), vendor_id)
        if _po_is_closed(po):
            receipts.closed_links.append(po["TxnID"])
            continue
        pulled.extend(_lines_from_po(books, runtime, po, receipts))
    item_lines = pulled + [
        _linked_item_line(books, runtime, raw, vendor_id, receipts)
        if raw.get("LinkToTxn")
        else _bill_item_line(books, runtime, raw)
        for raw in resolved.get("ItemLineAdd", [])
    ]
    expense_lines = [_expense_line(books, runtime, raw) for raw in resolved.get("ExpenseLineAdd", [])]

    skip = ("ItemLineAdd", "ExpenseLineAdd", "LinkToTxnID")
    bill = conform({k: v for k, v in resolved.items() if k not in skip}, xsd_model().element("BillRet"))
    if "VendorAddress" not in bill and vendor.get("VendorAddress"):
        bill["VendorAddress"] = copy.deepcopy(vendor["VendorAddress"])
    if "TermsRef" not in bill and vendor.get("TermsRef"):
        bill["TermsRef"] = copy.deepcopy(vendor["TermsRef"])
    bill.setdefault("APAccountRef", ensure_account(books, runtime, "AccountsPayable", "Accounts Payable"))
    bill.setdefault("TxnDate", qb_date(runtime.now.date()))
    bill.setdefault("DueDate", due_date(books, bill["TxnDate"], bill.get("TermsRef")))
    if expense_lines:
        bill["ExpenseLineRet"] = expense_lines
    if item_lines:
        bill["ItemLineRet"] = item_lines
    stamp_txn_currency(books, bill, vendor, bill.get("ExchangeRate"))
    _bill_totals(books, bill)
    bill.update(new_txn_header(books, runtime))
    _apply_receipts(books, runtime, bill, receipts)
    books.txn_records("Bill")[bill["TxnID"]] = bill
    adjust_balance(books, "Vendor", bill["VendorRef"], dec(bill["AmountDue"]))
    outcome = Outcome(rets=[("BillRet", copy.deepcopy(bill))], defined_ids={"TxnID": bill["TxnID"]})
    if receipts.closed_links:
        outcome.status = Status(
            status.LINK_TO_CLOSED_TXN,
            f'Cannot link to transaction "{receipts.closed_links[0]}": it is already closed. '
            "The bill was saved without the link.",
        )
    return outcome


def bill_mod(books: Books, request: Request, runtime: Runtime) -> Outcome:
    payload: Record = request.body["BillMod"]
    current = record_for_mod(books, "Bill", payload)
    kept, cleared = split_cleared(payload)
    resolved = resolve_refs(books, kept, "Bill")
    skip = ("TxnID", "EditSequence", "ExpenseLineMod", "ItemLineMod", "ClearExpenseLines", "ClearItemLines")
    changes = conform({k: v for k, v in resolved.items() if k not in skip}, xsd_model().element("BillRet"))
    bill = apply_header_mod(books, current, changes, cleared)
    for clear_flag, mod_key, ret_key in (
        ("ClearExpenseLines", "ExpenseLineMod", "ExpenseLineRet"),
        ("ClearItemLines", "ItemLineMod", "ItemLineRet"),
    ):
        lines = [] if is_true(resolved.get(clear_flag)) else current.get(ret_key, [])
        if mod_key in resolved:
            lines = merge_line_mods(lines, resolved[mod_key], ("Quantity", "Cost", "ItemRef"))
        if ret_key == "ExpenseLineRet":
            bill[ret_key] = [_expense_line(books, runtime, line) for line in lines]
        else:
            bill[ret_key] = [_bill_item_line(books, runtime, line) for line in lines]
        if not bill[ret_key]:
            del bill[ret_key]
    before = dec(str(current["AmountDue"]))
    _bill_totals(books, bill)
    touch(books, runtime, bill)
    books.txn_records("Bill")[bill["TxnID"]] = bill
    adjust_balance(books, "Vendor", bill["VendorRef"], dec(bill["AmountDue"]) - before)
    return Outcome(rets=[("BillRet", copy.deepcopy(bill))], defined_ids={"TxnID": bill["TxnID"]})


def purchase_handlers() -> dict[str, Handler]:
    def po_query(books: Books, request: Request, runtime: Runtime) -> Outcome:
        return txn_matches(books, request, runtime, "PurchaseOrder")

    def bill_query(books: Books, request: Request, runtime: Runtime) -> Outcome:
        return txn_matches(books, request, runtime, "Bill")

    return {
        "PurchaseOrderAddRq": purchase_order_add,
        "PurchaseOrderModRq": purchase_order_mod,
        "PurchaseOrderQueryRq": po_query,
        "BillAddRq": bill_add,
        "BillModRq": bill_mod,
        "BillQueryRq": bill_query,
    }

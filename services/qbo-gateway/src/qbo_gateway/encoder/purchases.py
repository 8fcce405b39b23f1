"""PurchaseOrder and Bill, with the bill's lines linked to the purchase order's
(docs/quickbooks-online.md §2.3).

Lines are ``ItemBasedExpenseLineDetail`` at unit cost; the item carries the COGS/expense account. A
line that names the customer is marked Billable when the settings ask for it. A bill receives its
supplier's purchase order line by line: each bill line's ``LinkedTxn`` names the PO, ``TxnType``
PurchaseOrder and the PO line's Id — all three are required or QBO drops the link without a word, so
the sender checks the bill it gets back.

Outside the US every line names the company's purchase tax code (``ItemBasedExpenseLineDetail.TaxCodeRef``,
by Id) and the document says its amounts exclude tax (``GlobalTaxCalculation``); QBO adds the code's
purchase rates, which the plan already counted in the total (docs/quickbooks-online.md §6.5). A
foreign-currency document carries the order's ``ExchangeRate`` when it fixes one (§6.7).

Document details (docs/quickbooks-online.md §7.1, §7.9): both carry ``SalesTermRef``, ``DueDate`` and
``DepartmentRef``; a class goes on each line's ``ItemBasedExpenseLineDetail.ClassRef`` — a bill has no
header class in Finance.xsd, a purchase order has one (``PurchaseOrder.ClassRef``), used when the
company tracks one class per transaction. The purchase order also gets:

* the in-hands date as ``ExpectedDate``: Finance.xsd has both, ``ExpectedDate`` is "the date when the
  delivery of the product is expected" while ``DueDate`` is "the date by which the bill must be paid"
  — the in-hands date is a delivery date, so it is never sent as a payment date;
* ``ShipMethodRef`` (a plain string, §7.5);
* the decoration notes as ``Memo``, "Memo to be visible to Payee" (§7.7): what the PO form prints as
  the message to the vendor.
"""

from __future__ import annotations

from typing import Any

from espqb.plan.model import BillOp, PurchaseDetails, PurchaseLine, PurchaseOrderOp
from qbo_gateway.encoder.common import address, compact, iso_date
from qbo_gateway.encoder.context import EncodeContext, EncodeError, PurchaseOrderLink, ref
from qbo_gateway.encoder.invoice import list_ref

__all__ = ["encode_bill", "encode_purchase_order"]


def _line(
    line: PurchaseLine, context: EncodeContext, class_ref: dict[str, Any] | None = None
) -> dict[str, Any]:
    customer = ref(context.id_of(line.customer_key)) if line.customer_key else None
    return compact(
        {
            "DetailType": "ItemBasedExpenseLineDetail",
            "Amount": line.amount,
            "Description": line.description,
            "ItemBasedExpenseLineDetail": compact(
                {
                    "ItemRef": ref(context.id_of(line.item_key)),
                    "Qty": line.quantity,
                    "UnitPrice": line.unit_cost,
                    "CustomerRef": customer,
                    "BillableStatus": "Billable" if customer and line.billable else "NotBillable",
                    "ClassRef": class_ref,
                    "TaxCodeRef": context.tax_code_ref(line.tax_code) if line.tax_code else None,
                }
            ),
        }
    )


def _header(op: PurchaseOrderOp | BillOp, context: EncodeContext) -> dict[str, Any]:
    return {
        "VendorRef": ref(context.id_of(op.vendor_key)),
        "DocNumber": op.doc_number,
        "TxnDate": iso_date(op.txn_date),
        "CurrencyRef": ref(op.currency),
        "ExchangeRate": op.exchange_rate,
        "PrivateNote": op.memo,
        "APAccountRef": context.account(op.ap_account) if op.ap_account else None,
        "GlobalTaxCalculation": op.global_calculation,
        "SalesTermRef": list_ref(op.details.terms_key, context),
        "DepartmentRef": list_ref(op.details.location_key, context),
    }


def _line_class(details: PurchaseDetails, context: EncodeContext, *, header: bool) -> dict[str, Any] | None:
    """The class each line carries: always on a bill (no header class), on a PO when tracked per line."""
    if header and not details.class_on_lines:
        return None
    return list_ref(details.class_key, context)


def encode_purchase_order(op: PurchaseOrderOp, context: EncodeContext) -> dict[str, Any]:
    details = op.details
    line_class = _line_class(details, context, header=True)
    return compact(
        {
            **_header(op, context),
            "ClassRef": None if details.class_on_lines else list_ref(details.class_key, context),
            "DueDate": iso_date(details.due_date) if details.due_date else None,
            "ExpectedDate": iso_date(details.expected_date) if details.expected_date else None,
            "ShipMethodRef": ref(details.ship_method, details.ship_method) if details.ship_method else None,
            "Memo": details.vendor_message,
            "ShipAddr": address(op.ship_address),
            "Line": [_line(line, context, line_class) for line in op.lines],
        }
    )


def encode_bill(
    op: BillOp, context: EncodeContext, receives: PurchaseOrderLink | None = None
) -> dict[str, Any]:
    line_class = _line_class(op.details, context, header=False)
    lines = [_line(line, context, line_class) for line in op.lines]
    if receives is not None:
        if len(receives.line_ids) != len(lines):
            raise EncodeError(
                f"The purchase order has {len(receives.line_ids)} lines and the bill {len(lines)}; "
                "they cannot be linked line by line."
            )
        for line, po_line_id in zip(lines, receives.line_ids, strict=True):
            line["LinkedTxn"] = [
                {"TxnId": receives.po_id, "TxnType": "PurchaseOrder", "TxnLineId": po_line_id}
            ]
    due = op.details.due_date
    return compact({**_header(op, context), "DueDate": iso_date(due) if due else None, "Line": lines})

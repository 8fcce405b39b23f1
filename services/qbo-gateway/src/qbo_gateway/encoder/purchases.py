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
"""

from __future__ import annotations

from typing import Any

from espqb.plan.model import BillOp, PurchaseLine, PurchaseOrderOp
from qbo_gateway.encoder.common import address, compact, iso_date
from qbo_gateway.encoder.context import EncodeContext, EncodeError, PurchaseOrderLink, ref

__all__ = ["encode_bill", "encode_purchase_order"]


def _line(line: PurchaseLine, context: EncodeContext) -> dict[str, Any]:
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
    }


def encode_purchase_order(op: PurchaseOrderOp, context: EncodeContext) -> dict[str, Any]:
    return compact(
        {
            **_header(op, context),
            "ShipAddr": address(op.ship_address),
            "Line": [_line(line, context) for line in op.lines],
        }
    )


def encode_bill(
    op: BillOp, context: EncodeContext, receives: PurchaseOrderLink | None = None
) -> dict[str, Any]:
    lines = [_line(line, context) for line in op.lines]
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
    return compact({**_header(op, context), "Line": lines})

"""The Invoice (docs/quickbooks-online.md §2.3, §2.4, §6.3–§6.5).

* Item lines: ``SalesItemLineDetail`` with Qty × UnitPrice = Amount exactly as the plan computed it.
  Their ``TaxCodeRef`` is the company's own code (by Id) when the plan names one — outside the US
  every line needs one (§6.5) — else the US pseudo code TAX or NON (§2.4, §6.4).
* The discount: one ``DiscountLineDetail`` line carrying the plan's *amount* (never a percentage, which
  QBO would recompute with its own rounding); two discount lines make QBO fail (§2.10, 10000). Outside
  the US it names a tax code as well (``DiscountLineDetail.TaxCodeRef``).
* "Add Total Tax as an Item": the tax is an ordinary line on the tax item, never taxed itself (NON, or
  the company's no-tax code outside the US).
* US, QuickBooks default / a tax code: ESP's tax as an override, ``TxnTaxDetail.TxnTaxCodeRef`` plus
  ``TotalTax``: automated sales tax ignores a ``TotalTax`` that comes without the code (§6.3). Plans
  made before the company was read carry no code: the chosen code resolved by name, or ``TotalTax``
  alone, as before.
* Outside the US: ``GlobalTaxCalculation`` (the amounts exclude tax) and no ``TxnTaxDetail``: QBO
  computes the tax from the line codes (§6.5), which the plan checked gives ESP's figure.
* ``ExchangeRate`` when the order fixes one (a foreign-currency invoice, §6.7).
* Document details (docs/quickbooks-online.md §7): the customer's PO number and the sales rep in the
  company's sales-form custom fields (``CustomField``: ``DefinitionId``, ``Type`` StringType,
  ``StringValue``, §7.11), ``DueDate``, ``ShipDate``, ``ShipMethodRef`` (a plain string, §7.5),
  ``TrackingNum``, ``CustomerMemo``, ``SalesTermRef``, ``DepartmentRef`` and ``ClassRef`` — on the
  header, or on each ``SalesItemLineDetail`` when the company tracks classes per line (§7.8).
* ``DocNumber`` is the plan's (at most 21 characters on QBO, §2.3); the AR account is not sent,
  as ``ARAccountRef`` on sales transactions is Desktop-only (§2.3).
"""

from __future__ import annotations

from typing import Any

from espqb.plan.model import (
    DiscountLine,
    InvoiceDetails,
    InvoiceOp,
    ItemLine,
    SubtotalLine,
    TaxCodeRef,
    TaxInstruction,
    TaxLine,
)
from qbo_gateway.encoder.common import address, compact, email, iso_date
from qbo_gateway.encoder.context import EncodeContext, EncodeError, ref

__all__ = ["DOC_NUMBER_MAX", "custom_field", "encode_invoice", "list_ref"]

DOC_NUMBER_MAX = 21
TAXABLE, NON_TAXABLE = "TAX", "NON"  # US line pseudo tax codes (docs/quickbooks-online.md §2.4)


def _line_tax_code(code: TaxCodeRef | None, taxable: bool, context: EncodeContext) -> dict[str, Any]:
    if code is not None:
        return context.tax_code_ref(code)
    return ref(TAXABLE if taxable else NON_TAXABLE)


def _sales_line(
    item_id: str,
    description: str | None,
    quantity: Any,
    unit_price: Any,
    amount: Any,
    tax_code: dict[str, Any],
) -> dict[str, Any]:
    return compact(
        {
            "DetailType": "SalesItemLineDetail",
            "Amount": amount,
            "Description": description,
            "SalesItemLineDetail": {
                "ItemRef": ref(item_id),
                "Qty": quantity,
                "UnitPrice": unit_price,
                "TaxCodeRef": tax_code,
            },
        }
    )


def list_ref(key: str | None, context: EncodeContext) -> dict[str, Any] | None:
    """The reference to a list entry (Term, Class, Department) a ListEntryOp of the plan settled."""
    return ref(context.id_of(key)) if key is not None else None


def custom_field(definition_id: str, value: str | None) -> dict[str, Any]:
    """A legacy sales-form custom field (docs/quickbooks-online.md §7.11); "" clears it."""
    return {"DefinitionId": definition_id, "Type": "StringType", "StringValue": value or ""}


def _custom_fields(details: InvoiceDetails) -> list[dict[str, Any]]:
    fields = []
    if details.po_number_in_field is not None and details.po_number:
        fields.append(custom_field(details.po_number_in_field, details.po_number))
    if details.sales_rep_in_field is not None and details.sales_rep:
        fields.append(custom_field(details.sales_rep_in_field, details.sales_rep))
    return fields


def _details(details: InvoiceDetails, context: EncodeContext) -> dict[str, Any]:
    return {
        "CustomField": _custom_fields(details),
        "SalesTermRef": list_ref(details.terms_key, context),
        "DueDate": iso_date(details.due_date) if details.due_date else None,
        "ClassRef": None if details.class_on_lines else list_ref(details.class_key, context),
        "DepartmentRef": list_ref(details.location_key, context),
        "ShipMethodRef": ref(details.ship_method, details.ship_method) if details.ship_method else None,
        "ShipDate": iso_date(details.ship_date) if details.ship_date else None,
        "TrackingNum": details.tracking_number,
        "CustomerMemo": {"value": details.customer_message} if details.customer_message else None,
    }


def _lines(op: InvoiceOp, context: EncodeContext) -> list[dict[str, Any]]:
    line_class = list_ref(op.details.class_key, context) if op.details.class_on_lines else None
    lines: list[dict[str, Any]] = []
    discounts = 0
    for line in op.lines:
        if isinstance(line, ItemLine):
            lines.append(
                _sales_line(
                    context.id_of(line.item_key),
                    line.description,
                    line.quantity,
                    line.unit_price,
                    line.amount,
                    _line_tax_code(line.tax_code, line.taxable, context),
                )
            )
        elif isinstance(line, TaxLine):
            # Never taxable itself: tax on tax would count it twice.
            lines.append(
                _sales_line(
                    context.id_of(line.item_key),
                    line.description,
                    1,
                    line.amount,
                    line.amount,
                    _line_tax_code(line.tax_code, False, context),
                )
            )
        elif isinstance(line, DiscountLine):
            discounts += 1
            detail: dict[str, Any] = {"PercentBased": False}
            if line.tax_code is not None:
                detail["TaxCodeRef"] = context.tax_code_ref(line.tax_code)
            lines.append(
                compact(
                    {
                        "DetailType": "DiscountLineDetail",
                        "Amount": line.amount,
                        "Description": line.description,
                        "DiscountLineDetail": detail,
                    }
                )
            )
        elif isinstance(line, SubtotalLine):
            # QBO adds its own subtotal line; a Desktop subtotal item never reaches a QBO plan.
            continue
    if line_class is not None:
        for body in lines:
            line_detail = body.get("SalesItemLineDetail")
            if line_detail is not None:
                line_detail["ClassRef"] = line_class
    if discounts > 1:
        raise EncodeError("QuickBooks Online accepts one discount per invoice; this invoice has several.")
    if not any(line["DetailType"] == "SalesItemLineDetail" for line in lines):
        raise EncodeError("An invoice needs at least one product or charge line.")
    return lines


def _tax_detail(tax: TaxInstruction, context: EncodeContext) -> dict[str, Any] | None:
    if tax.mode == "item" or tax.global_calculation is not None:
        # Outside the US QBO computes the tax from the line codes (docs/quickbooks-online.md §6.5).
        return None
    detail: dict[str, Any] = {}
    if tax.override_total and tax.code_ref is not None:
        # Automated sales tax keeps ESP's figure only when both come together (§6.3).
        detail["TxnTaxCodeRef"] = context.tax_code_ref(tax.code_ref)
    elif tax.mode == "code":
        if not tax.code:
            raise EncodeError("The tax option is a tax code, but no code was chosen.")
        detail["TxnTaxCodeRef"] = context.tax_code(tax.code)
    if tax.override_total:
        detail["TotalTax"] = tax.amount
    return detail or None


def encode_invoice(op: InvoiceOp, context: EncodeContext) -> dict[str, Any]:
    if len(op.doc_number) > DOC_NUMBER_MAX:
        raise EncodeError(
            f"The invoice number “{op.doc_number}” is longer than QuickBooks Online's {DOC_NUMBER_MAX} characters."
        )
    body = compact(
        {
            "CustomerRef": ref(context.id_of(op.customer_key)),
            "DocNumber": op.doc_number,
            "TxnDate": iso_date(op.txn_date),
            "CurrencyRef": ref(op.currency),
            "ExchangeRate": op.exchange_rate,
            "PrivateNote": op.memo,
            "BillEmail": email(op.email),
            "BillAddr": address(op.billing_address),
            "ShipAddr": address(op.shipping_address),
            "Line": _lines(op, context),
            "TxnTaxDetail": _tax_detail(op.tax, context),
            "GlobalTaxCalculation": op.tax.global_calculation,
            **_details(op.details, context),
        }
    )
    discount = next((line for line in op.lines if isinstance(line, DiscountLine)), None)
    if discount is not None:
        # True: the discount lowers the taxable amount (Finance.xsd ApplyTaxAfterDiscount).
        body["ApplyTaxAfterDiscount"] = discount.before_tax
    return body

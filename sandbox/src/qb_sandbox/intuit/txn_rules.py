"""Rules of the transactions: Invoice, Payment, Bill, PurchaseOrder — and how they link.

What the server computes, as QBO does (docs/quickbooks-online.md §2.3):

- Invoice: ``TotalAmt`` = Σ sales lines − discount (``DiscountLineDetail``, an amount or a percent of
  the subtotal) + tax (``TxnTaxDetail``: ``TotalTax`` when the client gives it, else the rates of
  ``TxnTaxCodeRef`` on the lines marked ``TAX``). A ``SubTotalLineDetail`` line is added. ``Balance`` is
  the total less the payments applied to it; every payment applied is listed in ``LinkedTxn`` and
  bumps the invoice's SyncToken.
- Payment: lines apply amounts to invoices through ``LinkedTxn`` (``TxnType`` Invoice); what is not
  applied is ``UnappliedAmt``.
- Bill / PurchaseOrder: ``TotalAmt`` = Σ lines. A bill line that links to a purchase-order line
  (``LinkedTxn`` with ``TxnId``, ``TxnType`` PurchaseOrder and ``TxnLineId``) marks that line received;
  the PO lists the bill in its ``LinkedTxn`` and closes once every line is received. An invalid link is
  dropped without an error, as QBO does (docs/quickbooks-online.md §2.3: "silently omitting an invalid or
  unavailable requested link").
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from . import faults
from .currency_rules import set_document_currency
from .detail_rules import apply_details
from .rules import EntityRules, LineIdAllocator, decimal_field, is_true, require
from .tax_regimes import ast_code_id, coded_tax, global_calculation, line_code, purchase_line_code
from .txn_math import ZERO, cents, line_amount_matches, percent_of, sales_totals

if TYPE_CHECKING:
    from .books import Record
    from .company import Company

INVOICE_NUMBERS = "Invoice.DocNumber"  # the namespace of invoice numbers in Company.unique_names
DOC_NUMBER_MAX = 21  # Finance.xsd DocNumber: "The maximum length for DocNumber is 21 characters"


def _dates(company: Company, body: dict[str, Any], out: dict[str, Any]) -> None:
    out["TxnDate"] = body.get("TxnDate") or company.today()


def _line_amount(line: dict[str, Any], index: int) -> Decimal:
    amount = decimal_field(line, "Amount", f"Line[{index}].Amount")
    if amount is None:
        raise faults.required_param_missing("Line.Amount")
    return cents(amount)


def _qty_price(detail: dict[str, Any], amount: Decimal, element: str) -> dict[str, Any]:
    """Qty × UnitPrice must equal Amount (6070); with only Qty, UnitPrice is derived."""
    qty = decimal_field(detail, "Qty", f"{element}.Qty")
    price = decimal_field(detail, "UnitPrice", f"{element}.UnitPrice")
    out: dict[str, Any] = {}
    if qty is not None and price is not None:
        if not line_amount_matches(amount, qty, price):
            raise faults.amount_mismatch(element)
        out.update(Qty=qty, UnitPrice=price)
    elif qty is not None:
        out["Qty"] = qty
        if qty != ZERO:
            out["UnitPrice"] = amount / qty
    elif price is not None:
        out["UnitPrice"] = price
    return out


# -- invoices ------------------------------------------------------------------------------------------


def _sales_line(
    company: Company, line: dict[str, Any], index: int, line_id: str, line_num: int
) -> dict[str, Any]:
    amount = _line_amount(line, index)
    detail = dict(line.get("SalesItemLineDetail") or {})
    element = "Line.SalesItemLineDetail"
    item_ref = detail.get("ItemRef")
    if item_ref is None and company.books.get("Item", "1") is not None:
        item_ref = {"value": "1"}  # QBO falls back to the default "Services" item
    detail["ItemRef"] = company.resolve_ref("Item", item_ref, f"{element}.ItemRef")
    detail.update(_qty_price(detail, amount, element))
    item = company.books.get("Item", detail["ItemRef"]["value"])
    # US: TAX/NON; outside the US one of the company's codes on every line (tax_regimes).
    detail["TaxCodeRef"] = line_code(company, detail.get("TaxCodeRef"), item, element)
    if detail.get("ItemAccountRef") is not None:
        detail["ItemAccountRef"] = company.resolve_ref(
            "Account", detail["ItemAccountRef"], f"{element}.ItemAccountRef"
        )
    out = {k: v for k, v in line.items() if k in ("Description", "LinkedTxn", "CustomField")}
    out.update(
        Id=line_id,
        LineNum=line_num,
        Amount=amount,
        DetailType="SalesItemLineDetail",
        SalesItemLineDetail=detail,
    )
    return out


def _discount_line(company: Company, line: dict[str, Any], subtotal: Decimal, line_id: str) -> dict[str, Any]:
    given = dict(line.get("DiscountLineDetail") or {})
    detail: dict[str, Any] = {"PercentBased": is_true(given.get("PercentBased"))}
    if detail["PercentBased"]:
        percent = decimal_field(given, "DiscountPercent", "Line.DiscountLineDetail.DiscountPercent")
        if percent is None:
            raise faults.business_validation(
                "Discount amount or percent should be provided", "Line.DiscountLineDetail", "6090"
            )
        detail["DiscountPercent"] = percent
        amount = percent_of(subtotal, percent)
    else:
        given_amount = decimal_field(line, "Amount", "Line.Amount")
        if given_amount is None:
            raise faults.business_validation(
                "Discount amount or percent should be provided", "Line.DiscountLineDetail", "6090"
            )
        amount = cents(given_amount)
    if amount > subtotal:
        raise faults.business_validation(
            "The discount amount can't be greater than the subtotal.", "Line.Amount"
        )
    account = given.get("DiscountAccountRef")
    if account is not None:
        detail["DiscountAccountRef"] = company.resolve_ref(
            "Account", account, "Line.DiscountLineDetail.DiscountAccountRef"
        )
    elif (default := company.default_account_ref("discount")) is not None:
        detail["DiscountAccountRef"] = default
    for optional in ("ClassRef", "TaxCodeRef"):
        if given.get(optional) is not None:
            detail[optional] = given[optional]
    out = {"Id": line_id, "Amount": amount, "DetailType": "DiscountLineDetail", "DiscountLineDetail": detail}
    if line.get("Description"):
        out["Description"] = line["Description"]
    return out


def _tax_code_rates(company: Company, code_ref: dict[str, Any]) -> list[tuple[dict[str, Any], Decimal]]:
    code = company.books.get("TaxCode", code_ref["value"])
    assert code is not None
    rates = []
    for detail in (code.body.get("SalesTaxRateList") or {}).get("TaxRateDetail") or []:
        rate_ref = company.resolve_ref("TaxRate", detail.get("TaxRateRef"), "TxnTaxDetail.TxnTaxCodeRef")
        rate = company.books.get("TaxRate", rate_ref["value"])
        assert rate is not None
        rates.append((rate_ref, Decimal(str(rate.body.get("RateValue", 0)))))
    return rates


def _prepare_invoice(
    company: Company, body: dict[str, Any], existing: Record | None, internal: dict[str, Any]
) -> dict[str, Any]:
    customer = company.resolve_ref("Customer", require(body, "CustomerRef"), "CustomerRef")
    lines_in = require(body, "Line")
    ids = LineIdAllocator(existing.body.get("Line") if existing else None)
    sales: list[dict[str, Any]] = []
    kept: list[dict[str, Any]] = []  # description-only lines keep their place among the sales lines
    discounts: list[tuple[dict[str, Any], str]] = []
    for index, line in enumerate(lines_in):
        detail_type = line.get("DetailType")
        if not detail_type:
            raise faults.required_param_missing("Line.DetailType")
        if detail_type == "SalesItemLineDetail":
            new_line = _sales_line(company, line, index, ids.assign(line.get("Id")), len(sales) + 1)
            sales.append(new_line)
            kept.append(new_line)
        elif detail_type == "DiscountLineDetail":
            discounts.append((line, ids.assign(line.get("Id"))))
        elif detail_type in ("DescriptionOnly", "DescriptionLineDetail"):
            kept.append({**line, "Id": ids.assign(line.get("Id")), "DetailType": "DescriptionOnly"})
        elif detail_type != "SubTotalLineDetail":  # the subtotal line is the server's to compute
            raise faults.business_validation(
                f"This sandbox does not support {detail_type} lines on an Invoice.", "Line.DetailType"
            )
    if not sales:
        raise faults.required_param_missing("Line.SalesItemLineDetail")
    if len(discounts) > 1:
        # docs/quickbooks-online.md §2.10: two discount lines make QBO answer 10000 System Failure
        # (quickbooks-ruby #267).
        raise faults.system_failure("An invoice may carry only one discount line", http_status=400)
    subtotal = cents(sum((line["Amount"] for line in sales), ZERO))
    discount_line = None
    if discounts:
        discount_in, discount_id = discounts[0]
        discount_line = _discount_line(company, discount_in, subtotal, discount_id)
    discount = discount_line["Amount"] if discount_line else ZERO

    # A TotalTax in the request is an override and is kept as given, also when it was carried over from
    # the stored invoice by a sparse update: QBO does not recompute tax when lines change
    # (docs/quickbooks-online.md §3.2, quickbooks-ruby #591).
    tax_detail_in = dict(body.get("TxnTaxDetail") or {})
    tax_override = decimal_field(tax_detail_in, "TotalTax", "TxnTaxDetail.TotalTax")
    code_ref = tax_detail_in.get("TxnTaxCodeRef")
    apply_after = is_true(body.get("ApplyTaxAfterDiscount", False))
    calculation = global_calculation(company, body)
    if calculation is not None:
        return _coded_invoice(
            company, body, existing, customer, kept, sales, discount_line, calculation, apply_after
        )
    if company.edition.automated_sales_tax and code_ref is None:
        # AST picks the code itself, and a TotalTax without TxnTaxCodeRef is no override: AST computes
        # its own figure (tax_regimes, docs/quickbooks-online.md §6.3).
        tax_override = None
        chosen = ast_code_id(company)
        code_ref = {"value": chosen} if chosen is not None else None
    rates: list[tuple[dict[str, Any], Decimal]] = []
    tax_detail: dict[str, Any] = {}
    if code_ref is not None:
        tax_detail["TxnTaxCodeRef"] = company.resolve_ref("TaxCode", code_ref, "TxnTaxDetail.TxnTaxCodeRef")
        rates = _tax_code_rates(company, tax_detail["TxnTaxCodeRef"])
    totals = sales_totals(
        line_amounts=[line["Amount"] for line in sales],
        taxable_amounts=[
            line["Amount"] for line in sales if line["SalesItemLineDetail"]["TaxCodeRef"]["value"] == "TAX"
        ],
        discount=discount,
        tax_rates=[rate for _, rate in rates],
        tax_override=tax_override,
        apply_tax_after_discount=apply_after,
    )
    tax_detail["TotalTax"] = totals.tax
    if tax_override is not None:
        if tax_detail_in.get("TaxLine"):
            tax_detail["TaxLine"] = tax_detail_in["TaxLine"]
    elif rates:
        tax_detail["TaxLine"] = [
            {
                "Amount": amount,
                "DetailType": "TaxLineDetail",
                "TaxLineDetail": {
                    "TaxRateRef": rate_ref,
                    "PercentBased": True,
                    "TaxPercent": rate,
                    "NetAmountTaxable": totals.taxable_base,
                },
            }
            for (rate_ref, rate), amount in zip(rates, totals.tax_by_rate, strict=True)
        ]

    return _invoice_body(
        company,
        body,
        existing,
        customer,
        kept,
        discount_line,
        tax_detail,
        apply_after,
        totals.subtotal,
        totals.total,
    )


def _invoice_body(
    company: Company,
    body: dict[str, Any],
    existing: Record | None,
    customer: dict[str, Any],
    kept: list[dict[str, Any]],
    discount_line: dict[str, Any] | None,
    tax_detail: dict[str, Any],
    apply_after: bool,
    subtotal: Decimal,
    total: Decimal,
) -> dict[str, Any]:
    applied = applied_to_invoice(company, existing.id) if existing else ZERO
    if total < applied:
        raise faults.business_validation(
            "The invoice total can't be less than the payments already applied to it.", "Line"
        )
    out = {
        k: v
        for k, v in body.items()
        if k not in ("Line", "TxnTaxDetail", "LinkedTxn", "GlobalTaxCalculation")
    }
    out["CustomerRef"] = customer
    out["Line"] = [
        *kept,
        {"Amount": subtotal, "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}},
    ]
    if discount_line is not None:
        out["Line"].append(discount_line)
    out["TxnTaxDetail"] = tax_detail
    out["ApplyTaxAfterDiscount"] = apply_after
    out["TotalAmt"] = total
    out["Balance"] = cents(total - applied)
    out["DocNumber"] = _doc_number(company, body, existing)
    _dates(company, body, out)
    out.setdefault("DueDate", out["TxnDate"])
    set_document_currency(company, body, company.books.get("Customer", customer["value"]), out)
    out.setdefault("PrintStatus", "NotSet")
    out.setdefault("EmailStatus", "NotSet")
    if existing is not None and existing.body.get("LinkedTxn"):
        out["LinkedTxn"] = existing.body["LinkedTxn"]
    apply_details(company, out, kind="Invoice")
    return out


def _coded_invoice(
    company: Company,
    body: dict[str, Any],
    existing: Record | None,
    customer: dict[str, Any],
    kept: list[dict[str, Any]],
    sales: list[dict[str, Any]],
    discount_line: dict[str, Any] | None,
    calculation: str,
    apply_after: bool,
) -> dict[str, Any]:
    """Outside the US: the tax from the lines' codes (tax_regimes, docs/quickbooks-online.md §6.5)."""
    subtotal = cents(sum((line["Amount"] for line in sales), ZERO))
    discount = discount_line["Amount"] if discount_line else ZERO
    tax = coded_tax(
        company,
        [(line["Amount"], str(line["SalesItemLineDetail"]["TaxCodeRef"]["value"])) for line in sales],
        discount=discount,
        discount_before_tax=apply_after,
        calculation=calculation,
    )
    total = subtotal - discount if tax.inclusive else subtotal - discount + tax.total
    tax_detail: dict[str, Any] = {"TotalTax": tax.total}
    if tax.tax_lines:
        tax_detail["TaxLine"] = tax.tax_lines
    out = _invoice_body(
        company,
        body,
        existing,
        customer,
        kept,
        discount_line,
        tax_detail,
        apply_after,
        subtotal,
        cents(total),
    )
    out["GlobalTaxCalculation"] = calculation
    return out


def _doc_number(company: Company, body: dict[str, Any], existing: Record | None) -> str:
    given = body.get("DocNumber")
    if given in (None, "", "AUTO_GENERATE"):
        if existing is not None and existing.body.get("DocNumber"):
            return str(existing.body["DocNumber"])
        return company.next_doc_number()
    doc_number = str(given)
    if len(doc_number) > DOC_NUMBER_MAX:
        raise faults.invalid_string_length("DocNumber", DOC_NUMBER_MAX, len(doc_number))
    owner = company.unique_names.owner(INVOICE_NUMBERS, doc_number)
    if owner is not None and (existing is None or owner[1] != existing.id):
        raise faults.duplicate_doc_number(doc_number)
    return doc_number


def _invoice_after_write(company: Company, record: Record, previous: dict[str, Any] | None) -> None:
    previous_number = str(previous["DocNumber"]) if previous else None
    company.unique_names.claim(
        INVOICE_NUMBERS, str(record.body["DocNumber"]), "Invoice", record.id, previous=previous_number
    )


def applied_to_invoice(company: Company, invoice_id: str, *, excluding_payment: str | None = None) -> Decimal:
    total = ZERO
    for payment_id in company.links.payments_by_invoice.get(invoice_id, set()):
        if payment_id == excluding_payment:
            continue
        payment = company.books.get("Payment", payment_id)
        if payment is None or payment.deleted:
            continue
        total += _applied_by(payment.body, invoice_id)
    return total


def _applied_by(payment_body: dict[str, Any], invoice_id: str) -> Decimal:
    total = ZERO
    for line in payment_body.get("Line") or []:
        if any(link.get("TxnId") == invoice_id for link in line.get("LinkedTxn") or []):
            total += Decimal(str(line["Amount"]))
    return total


def refresh_invoice(company: Company, invoice_id: str) -> None:
    """Recompute Balance and the payment links of an invoice; a change bumps its SyncToken."""
    record = company.books.get("Invoice", invoice_id)
    if record is None or record.deleted:
        return
    payments = sorted(
        (
            p
            for p in company.links.payments_by_invoice.get(invoice_id, set())
            if (r := company.books.get("Payment", p)) is not None and not r.deleted
        ),
        key=int,
    )
    body = dict(record.body)
    body["Balance"] = cents(Decimal(str(body["TotalAmt"])) - applied_to_invoice(company, invoice_id))
    if payments:
        body["LinkedTxn"] = [{"TxnId": p, "TxnType": "Payment"} for p in payments]
    else:
        body.pop("LinkedTxn", None)
    if body != record.body:
        company.books.save(record, body)


def _invoice_after_delete(company: Company, record: Record) -> None:
    """Payments applied to a deleted invoice lose that application and become unapplied credit."""
    company.unique_names.release(INVOICE_NUMBERS, str(record.body["DocNumber"]), "Invoice", record.id)
    detach_payments(company, record.id)


def detach_payments(company: Company, invoice_id: str) -> None:
    """The payments applied to an invoice (deleted or voided) lose that application: unapplied credit."""
    for payment_id in sorted(company.links.payments_by_invoice.pop(invoice_id, set())):
        payment = company.books.get("Payment", payment_id)
        if payment is None or payment.deleted:
            continue
        body = dict(payment.body)
        body["Line"] = [
            line
            for line in body.get("Line") or []
            if not any(link.get("TxnId") == invoice_id for link in line.get("LinkedTxn") or [])
        ]
        applied = sum((Decimal(str(line["Amount"])) for line in body["Line"]), ZERO)
        body["UnappliedAmt"] = cents(Decimal(str(body["TotalAmt"])) - applied)
        company.books.save(payment, body)


INVOICE = EntityRules(
    prepare=_prepare_invoice,
    read_only=frozenset({"TotalAmt", "Balance", "HomeTotalAmt", "HomeBalance", "LinkedTxn"}),
    deletable=True,
    after_write=_invoice_after_write,
    after_delete=_invoice_after_delete,
)


# -- payments ------------------------------------------------------------------------------------------


def _prepare_payment(
    company: Company, body: dict[str, Any], existing: Record | None, internal: dict[str, Any]
) -> dict[str, Any]:
    customer = company.resolve_ref("Customer", require(body, "CustomerRef"), "CustomerRef")
    total = decimal_field(body, "TotalAmt", "TotalAmt")
    if total is None:
        raise faults.required_param_missing("TotalAmt")
    total = cents(total)
    lines: list[dict[str, Any]] = []
    applied_per_invoice: dict[str, Decimal] = {}
    for index, line in enumerate(body.get("Line") or []):
        amount = _line_amount(line, index)
        links = [link for link in line.get("LinkedTxn") or [] if link.get("TxnType") == "Invoice"]
        if len(links) != 1 or not links[0].get("TxnId"):
            raise faults.business_validation(
                "Each payment line must link to one Invoice through LinkedTxn (TxnId, TxnType Invoice).",
                "Line.LinkedTxn",
            )
        invoice_id = str(links[0]["TxnId"])
        invoice = company.lookup("Invoice", invoice_id)
        if invoice is None:
            raise faults.invalid_reference("Line.LinkedTxn.TxnId")
        if invoice.deleted:
            raise faults.object_not_found("Line.LinkedTxn.TxnId")
        if invoice.body["CustomerRef"]["value"] != customer["value"]:
            raise faults.business_validation(
                f"Invoice {invoice_id} belongs to another customer than the payment.", "Line.LinkedTxn.TxnId"
            )
        if amount <= ZERO:
            raise faults.business_validation(
                "The amount applied to an invoice must be positive.", "Line.Amount"
            )
        applied_per_invoice[invoice_id] = applied_per_invoice.get(invoice_id, ZERO) + amount
        open_balance = Decimal(str(invoice.body["TotalAmt"])) - applied_to_invoice(
            company, invoice_id, excluding_payment=existing.id if existing else None
        )
        if applied_per_invoice[invoice_id] > open_balance:
            raise faults.business_validation(
                f"The amount applied to invoice {invoice_id} exceeds its open balance of {cents(open_balance)}.",
                "Line.Amount",
            )
        lines.append({"Amount": amount, "LinkedTxn": [{"TxnId": invoice_id, "TxnType": "Invoice"}]})
    applied = sum(applied_per_invoice.values(), ZERO)
    if applied > total:
        raise faults.business_validation(
            "The amounts applied are more than the payment's TotalAmt.", "TotalAmt"
        )
    out = {k: v for k, v in body.items() if k != "Line"}
    out.update(CustomerRef=customer, TotalAmt=total, UnappliedAmt=cents(total - applied), Line=lines)
    _dates(company, body, out)
    # Finance.xsd Payment: DepositToAccountRef defaults to Undeposited Funds; ARAccountRef to the A/R account.
    for field_name, role in (("DepositToAccountRef", "undeposited"), ("ARAccountRef", "ar")):
        if body.get(field_name) is not None:
            out[field_name] = company.resolve_ref("Account", body[field_name], field_name)
        elif (default := company.default_account_ref(role)) is not None:
            out[field_name] = default
    out.setdefault("ProcessPayment", False)
    # A payment is in its customer's currency, which is its invoices' (currency_rules).
    set_document_currency(company, body, company.books.get("Customer", customer["value"]), out)
    return out


def _linked_invoices(body: dict[str, Any] | None) -> set[str]:
    return {
        str(link["TxnId"])
        for line in (body or {}).get("Line") or []
        for link in line.get("LinkedTxn") or []
        if link.get("TxnType") == "Invoice"
    }


def _payment_after_write(company: Company, record: Record, previous: dict[str, Any] | None) -> None:
    before, after = _linked_invoices(previous), _linked_invoices(record.body)
    for invoice_id in before - after:
        company.links.payments_by_invoice[invoice_id].discard(record.id)
    for invoice_id in after:
        company.links.payments_by_invoice[invoice_id].add(record.id)
    for invoice_id in sorted(before | after):
        refresh_invoice(company, invoice_id)


def _payment_after_delete(company: Company, record: Record) -> None:
    for invoice_id in sorted(_linked_invoices(record.body)):
        company.links.payments_by_invoice[invoice_id].discard(record.id)
        refresh_invoice(company, invoice_id)


PAYMENT = EntityRules(
    prepare=_prepare_payment,
    read_only=frozenset({"UnappliedAmt"}),
    deletable=True,
    after_write=_payment_after_write,
    after_delete=_payment_after_delete,
)


# -- bills and purchase orders ---------------------------------------------------------------------------


def _expense_line(company: Company, line: dict[str, Any], index: int, line_id: str) -> dict[str, Any]:
    amount = _line_amount(line, index)
    detail_type = line.get("DetailType")
    if detail_type == "ItemBasedExpenseLineDetail":
        element = "Line.ItemBasedExpenseLineDetail"
        detail = dict(line.get(detail_type) or {})
        detail["ItemRef"] = company.resolve_ref("Item", detail.get("ItemRef"), f"{element}.ItemRef")
        detail.update(_qty_price(detail, amount, element))
    elif detail_type == "AccountBasedExpenseLineDetail":
        element = "Line.AccountBasedExpenseLineDetail"
        detail = dict(line.get(detail_type) or {})
        detail["AccountRef"] = company.resolve_ref(
            "Account", detail.get("AccountRef"), f"{element}.AccountRef"
        )
    elif not detail_type:
        raise faults.required_param_missing("Line.DetailType")
    else:
        raise faults.business_validation(
            f"This sandbox does not support {detail_type} lines here.", "Line.DetailType"
        )
    if detail.get("CustomerRef") is not None:
        detail["CustomerRef"] = company.resolve_ref(
            "Customer", detail["CustomerRef"], f"{element}.CustomerRef"
        )
    detail.setdefault("BillableStatus", "NotBillable")
    detail["TaxCodeRef"] = purchase_line_code(company, detail.get("TaxCodeRef"), element)
    out = {k: v for k, v in line.items() if k in ("Description", "LinkedTxn", "CustomField")}
    out.update(Id=line_id, LineNum=index + 1, Amount=amount, DetailType=detail_type, **{detail_type: detail})
    return out


def _expense_lines(company: Company, body: dict[str, Any], existing: Record | None) -> list[dict[str, Any]]:
    ids = LineIdAllocator(existing.body.get("Line") if existing else None)
    lines_in = require(body, "Line")
    return [
        _expense_line(company, line, index, ids.assign(line.get("Id"))) for index, line in enumerate(lines_in)
    ]


def _purchase_common(company: Company, body: dict[str, Any], lines: list[dict[str, Any]]) -> dict[str, Any]:
    out = {
        k: v
        for k, v in body.items()
        if k not in ("Line", "LinkedTxn", "GlobalTaxCalculation", "TxnTaxDetail")
    }
    out["VendorRef"] = company.resolve_ref("Vendor", require(body, "VendorRef"), "VendorRef")
    out["Line"] = lines
    net = cents(sum((line["Amount"] for line in lines), ZERO))
    out["TotalAmt"] = net
    calculation = global_calculation(company, body)
    if calculation is not None:
        # Outside the US the purchase tax of the lines' codes is added (tax_regimes, §6.5).
        tax = coded_tax(
            company,
            [(line["Amount"], str(line[line["DetailType"]]["TaxCodeRef"]["value"])) for line in lines],
            calculation=calculation,
            purchase=True,
        )
        out["GlobalTaxCalculation"] = calculation
        out["TxnTaxDetail"] = {"TotalTax": tax.total, **({"TaxLine": tax.tax_lines} if tax.tax_lines else {})}
        out["TotalAmt"] = net if tax.inclusive else net + tax.total
    if body.get("APAccountRef") is not None:
        out["APAccountRef"] = company.resolve_ref("Account", body["APAccountRef"], "APAccountRef")
    elif (default := company.default_account_ref("ap")) is not None:
        out["APAccountRef"] = default
    _dates(company, body, out)
    set_document_currency(company, body, company.books.get("Vendor", out["VendorRef"]["value"]), out)
    apply_details(company, out, kind="Purchase")
    return out


def _po_link_is_valid(company: Company, link: dict[str, Any], vendor_id: str, bill_id: str | None) -> bool:
    if link.get("TxnType") != "PurchaseOrder" or not link.get("TxnId") or not link.get("TxnLineId"):
        return False  # "all LinkedTxn child attributes are required" (docs/quickbooks-online.md §2.3)
    po = company.lookup("PurchaseOrder", str(link["TxnId"]))
    if po is None or po.deleted or po.body["VendorRef"]["value"] != vendor_id:
        return False
    if not any(str(line.get("Id")) == str(link["TxnLineId"]) for line in po.body.get("Line") or []):
        return False
    already_linked = bill_id is not None and bill_id in company.links.bills_by_po.get(po.id, set())
    return po.body.get("POStatus") != "Closed" or already_linked


def _prepare_bill(
    company: Company, body: dict[str, Any], existing: Record | None, internal: dict[str, Any]
) -> dict[str, Any]:
    lines = _expense_lines(company, body, existing)
    out = _purchase_common(company, body, lines)
    vendor_id = out["VendorRef"]["value"]
    linked_pos: list[str] = []
    for line in lines:
        kept = [
            {"TxnId": str(link["TxnId"]), "TxnType": "PurchaseOrder", "TxnLineId": str(link["TxnLineId"])}
            for link in line.pop("LinkedTxn", None) or []
            if _po_link_is_valid(company, link, vendor_id, existing.id if existing else None)
        ]
        if kept:
            line["LinkedTxn"] = kept
            linked_pos += [link["TxnId"] for link in kept if link["TxnId"] not in linked_pos]
    if linked_pos:
        out["LinkedTxn"] = [{"TxnId": po_id, "TxnType": "PurchaseOrder"} for po_id in linked_pos]
    out["Balance"] = out["TotalAmt"]
    out.setdefault("DueDate", out["TxnDate"])
    return out


def _linked_pos(body: dict[str, Any] | None) -> set[str]:
    return {
        link["TxnId"]
        for link in (body or {}).get("LinkedTxn") or []
        if link.get("TxnType") == "PurchaseOrder"
    }


def _bill_after_write(company: Company, record: Record, previous: dict[str, Any] | None) -> None:
    before, after = _linked_pos(previous), _linked_pos(record.body)
    for po_id in before - after:
        company.links.bills_by_po[po_id].discard(record.id)
    for po_id in after:
        company.links.bills_by_po[po_id].add(record.id)
    for po_id in sorted(before | after):
        refresh_purchase_order(company, po_id)


def _bill_after_delete(company: Company, record: Record) -> None:
    for po_id in sorted(_linked_pos(record.body)):
        company.links.bills_by_po[po_id].discard(record.id)
        refresh_purchase_order(company, po_id)


BILL = EntityRules(
    prepare=_prepare_bill,
    read_only=frozenset({"TotalAmt", "Balance", "HomeBalance"}),
    deletable=True,
    after_write=_bill_after_write,
    after_delete=_bill_after_delete,
)


def _received(company: Company, po_id: str) -> dict[str, Decimal]:
    """Per PO line: the quantity (item lines) or amount (account lines) billed against it."""
    received: dict[str, Decimal] = {}
    for bill_id in company.links.bills_by_po.get(po_id, set()):
        bill = company.books.get("Bill", bill_id)
        if bill is None or bill.deleted:
            continue
        for line in bill.body.get("Line") or []:
            for link in line.get("LinkedTxn") or []:
                if link.get("TxnId") != po_id:
                    continue
                item_detail = line.get("ItemBasedExpenseLineDetail")
                quantity = item_detail.get("Qty") if item_detail else None
                value = Decimal(str(quantity)) if quantity is not None else Decimal(str(line["Amount"]))
                received[link["TxnLineId"]] = received.get(link["TxnLineId"], ZERO) + value
    return received


def _po_derived(
    company: Company, po_id: str | None, body: dict[str, Any], manually_closed: bool
) -> dict[str, Any]:
    received = _received(company, po_id) if po_id else {}
    fully_received = bool(body["Line"])
    lines = []
    for line in body["Line"]:
        line = {k: v for k, v in line.items() if k != "Received"}
        got = received.get(str(line.get("Id")), ZERO)
        if got:
            line["Received"] = got
        item_detail = line.get("ItemBasedExpenseLineDetail")
        ordered = (
            item_detail.get("Qty") if item_detail and item_detail.get("Qty") is not None else line["Amount"]
        )
        fully_received = fully_received and got >= Decimal(str(ordered))
        lines.append(line)
    out = {**body, "Line": lines, "POStatus": "Closed" if manually_closed or fully_received else "Open"}
    bills = sorted((b for b in company.links.bills_by_po.get(po_id or "", set())), key=int)
    if bills:
        out["LinkedTxn"] = [{"TxnId": b, "TxnType": "Bill"} for b in bills]
    else:
        out.pop("LinkedTxn", None)
    return out


def refresh_purchase_order(company: Company, po_id: str) -> None:
    record = company.books.get("PurchaseOrder", po_id)
    if record is None or record.deleted:
        return
    body = _po_derived(company, po_id, record.body, bool(record.internal.get("manually_closed")))
    if body != record.body:
        company.books.save(record, body)


def _prepare_purchase_order(
    company: Company, body: dict[str, Any], existing: Record | None, internal: dict[str, Any]
) -> dict[str, Any]:
    lines = _expense_lines(company, body, existing)
    for line in lines:
        line.pop("LinkedTxn", None)
    out = _purchase_common(company, body, lines)
    # Closing or reopening by hand is a change of POStatus; a status carried over by a sparse update
    # (or sent back unchanged) is what billing derived and is recomputed below.
    status = body.get("POStatus")
    if status in ("Open", "Closed") and (existing is None or status != existing.body.get("POStatus")):
        internal["manually_closed"] = status == "Closed"
    return _po_derived(company, existing.id if existing else None, out, bool(internal.get("manually_closed")))


def _po_before_delete(company: Company, record: Record) -> None:
    live_bills = [
        b
        for b in company.links.bills_by_po.get(record.id, set())
        if (bill := company.books.get("Bill", b)) is not None and not bill.deleted
    ]
    if live_bills:
        raise faults.business_validation(
            "This purchase order is linked to a bill; delete or unlink the bill first.", "Id"
        )


PURCHASE_ORDER = EntityRules(
    prepare=_prepare_purchase_order,
    read_only=frozenset({"TotalAmt", "LinkedTxn"}),
    deletable=True,
    before_delete=_po_before_delete,
)

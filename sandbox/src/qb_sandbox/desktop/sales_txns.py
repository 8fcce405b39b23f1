"""Invoices and received payments: InvoiceAdd/Mod/Query, ReceivePaymentAdd/Query.

An invoice's lines and totals are computed by :mod:`.sales_math`; a payment applied to an
invoice lowers its ``BalanceRemaining`` (``AppliedAmount`` is the negative sum of payments,
as QuickBooks reports it) and links the two transactions both ways (``LinkedTxn``).

Sales tax depends on the edition (docs/web-connector.md §3.12): in a US file the header
``ItemSalesTaxRef`` taxes the lines coded ``Tax`` (:mod:`.sales_math`); in a Canadian or UK
file each line's code carries the tax (:mod:`.coded_tax`) and ``IsTaxIncluded`` may say the
amounts include it. With multi-currency on, an invoice and a payment are in the customer's
currency (:mod:`.currencies`), and a payment only pays invoices in its own currency.
"""

from __future__ import annotations

import copy
from decimal import Decimal

from . import status
from .books import Books
from .coded_tax import SALES_LINK, coded_tax, codes_carry_tax, sales_line_code
from .currencies import refresh_home_amount, same_currency, stamp_txn_currency
from .qb_values import ZERO, amount, boolean, dec, dec_or_none, is_true, price, qb_date, quantity
from .queries import txn_matches
from .references import resolve_refs
from .request_types import Handler, Outcome, Request, Runtime
from .sales_math import DISCOUNT, SALES_TAX, SUBTOTAL, SalesLine, sales_totals
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

_HEADER_COPY_FROM_CUSTOMER = (
    ("BillAddress", "BillAddress"),
    ("ShipAddress", "ShipAddress"),
    ("TermsRef", "TermsRef"),
)


def _item(books: Books, ref: object) -> tuple[str, Record] | None:
    if not isinstance(ref, dict) or not ref.get("ListID"):
        return None
    return books.find_list_id(str(ref["ListID"]))


def _code_is_taxable(books: Books, ref: object) -> bool | None:
    if not isinstance(ref, dict) or not ref.get("ListID"):
        return None
    code = books.list_records("SalesTaxCode").get(str(ref["ListID"]))
    return None if code is None else is_true(code.get("IsTaxable"))


def _item_default_rate(kind: str, item: Record) -> tuple[Decimal | None, Decimal | None]:
    """(rate, rate_percent) an item brings to a sales line that names neither."""
    if kind == DISCOUNT:
        return dec_or_none(item.get("DiscountRate")), dec_or_none(item.get("DiscountRatePercent"))
    if kind == SALES_TAX:
        return None, dec_or_none(item.get("TaxRate"))
    if kind == SUBTOTAL:
        return None, None
    sale = item.get("SalesOrPurchase") or {}
    both = item.get("SalesAndPurchase") or {}
    percent = dec_or_none(sale.get("PricePercent"))
    rate = dec_or_none(sale.get("Price")) if "Price" in sale else dec_or_none(both.get("SalesPrice"))
    return (None, percent) if percent is not None else (rate, None)


def _item_description(item: Record) -> str | None:
    for value in (
        item.get("ItemDesc"),
        (item.get("SalesOrPurchase") or {}).get("Desc"),
        (item.get("SalesAndPurchase") or {}).get("SalesDesc"),
    ):
        if value:
            return str(value)
    return None


def _price_invoice(books: Books, runtime: Runtime, header: Record, line_inputs: list[Record]) -> Record:
    """Fill in line amounts and the invoice totals; returns the invoice record."""
    line_model = xsd_model().element("InvoiceLineRet")
    coded = codes_carry_tax(books)
    customer_taxable = _code_is_taxable(books, header.get("CustomerSalesTaxCodeRef"))
    sales_lines: list[SalesLine] = []
    ret_lines: list[Record] = []
    for raw in line_inputs:
        line = conform(raw, line_model)
        found = _item(books, line.get("ItemRef"))
        kind, item = (found[0], found[1]) if found else (None, {})
        rate, percent = dec_or_none(line.get("Rate")), dec_or_none(line.get("RatePercent"))
        explicit_amount = dec_or_none(line.get("Amount"))
        if found and rate is None and percent is None and (explicit_amount is None or kind == SALES_TAX):
            rate, percent = _item_default_rate(kind or "", item)
        if coded:
            # CA/UK: the line's code carries the tax (docs/web-connector.md §3.12, .coded_tax).
            code_ref = sales_line_code(books, line, item, kind if found else None)
        else:
            code_ref = line.get("SalesTaxCodeRef") or item.get("SalesTaxCodeRef")
        taxable = bool(_code_is_taxable(books, code_ref))
        if code_ref and (coded or books.info.sales_tax):
            line["SalesTaxCodeRef"] = copy.deepcopy(code_ref)
        if found and not line.get("Desc") and _item_description(item):
            line["Desc"] = _item_description(item)
        sales_lines.append(
            SalesLine(kind, dec_or_none(line.get("Quantity")), rate, percent, explicit_amount, taxable)
        )
        ret_lines.append(line)

    tax_item = books.list_records("ItemSalesTax").get(
        str((header.get("ItemSalesTaxRef") or {}).get("ListID"))
    )
    if coded:
        # CA/UK: the header ItemSalesTaxRef does not compute the tax, the lines' codes do.
        tax_item = None
    tax_rate = dec_or_none(tax_item.get("TaxRate")) if tax_item else None
    totals = sales_totals(sales_lines, tax_rate, customer_taxable is not False)
    subtotal, sales_tax = totals.subtotal, totals.sales_tax
    if coded:
        taxed = coded_tax(
            books,
            [
                (value, line.get("SalesTaxCodeRef"))
                for line, spec, value in zip(ret_lines, sales_lines, totals.line_amounts, strict=True)
                if spec.item_kind not in (None, SUBTOTAL, SALES_TAX)
            ],
            SALES_LINK,
            is_true(header.get("IsTaxIncluded")),
        )
        sales_tax = taxed.total
        if is_true(header.get("IsTaxIncluded")):
            # Amounts entered with tax: the net subtotal plus the tax is what was entered.
            subtotal -= sales_tax

    for line, spec, value in zip(ret_lines, sales_lines, totals.line_amounts, strict=True):
        line.setdefault("TxnLineID", books.mint.txn_id(runtime.now))
        line.pop("Rate", None)
        line.pop("RatePercent", None)
        if spec.quantity is not None:
            line["Quantity"] = quantity(spec.quantity)
        if spec.item_kind != SUBTOTAL:
            if spec.rate_percent is not None:
                line["RatePercent"] = price(spec.rate_percent)
            elif spec.rate is not None:
                line["Rate"] = price(spec.rate)
            elif spec.item_kind is not None and spec.quantity not in (None, ZERO):
                line["Rate"] = price(value / spec.quantity)  # type: ignore[operator]
            elif spec.item_kind is not None:
                line["Rate"] = price(value)
        line["Amount"] = amount(value)

    invoice = {k: v for k, v in header.items() if k != "InvoiceLineRet"}
    invoice["InvoiceLineRet"] = ret_lines
    applied = dec(str(header.get("AppliedAmount", "0.00")))
    balance = subtotal + sales_tax + applied
    invoice["Subtotal"] = amount(subtotal)
    if tax_item is not None:
        invoice["SalesTaxPercentage"] = price(tax_rate or ZERO)
    invoice["SalesTaxTotal"] = amount(sales_tax)
    invoice["AppliedAmount"] = amount(applied)
    invoice["BalanceRemaining"] = amount(balance)
    invoice["IsPaid"] = boolean(balance <= 0)
    refresh_home_amount("Invoice", invoice)
    return invoice


def invoice_total(invoice: Record) -> Decimal:
    return dec(str(invoice.get("Subtotal"))) + dec(str(invoice.get("SalesTaxTotal")))


def invoice_add(books: Books, request: Request, runtime: Runtime) -> Outcome:
    payload: Record = request.body["InvoiceAdd"]
    # This company file keeps no estimates, sales orders or credit memos, so a link to one
    # can only point at a transaction that does not exist.
    links, credits = payload.get("LinkToTxnID", []), payload.get("SetCredit", [])
    if links:
        raise status.object_not_found(str(links[0]))
    if credits:
        raise status.object_not_found(str(credits[0].get("CreditTxnID", "")))
    resolved = resolve_refs(books, payload, "Invoice")
    customer = books.list_records("Customer")[resolved["CustomerRef"]["ListID"]]
    header = conform(
        {k: v for k, v in resolved.items() if k != "InvoiceLineAdd"}, xsd_model().element("InvoiceRet")
    )
    for target, source in _HEADER_COPY_FROM_CUSTOMER:
        if target not in header and customer.get(source):
            header[target] = copy.deepcopy(customer[source])
    if "CustomerSalesTaxCodeRef" not in header and customer.get("SalesTaxCodeRef"):
        header["CustomerSalesTaxCodeRef"] = copy.deepcopy(customer["SalesTaxCodeRef"])
    if "ItemSalesTaxRef" not in header and customer.get("ItemSalesTaxRef") and books.info.sales_tax:
        header["ItemSalesTaxRef"] = copy.deepcopy(customer["ItemSalesTaxRef"])
    if "ARAccountRef" not in header:
        header["ARAccountRef"] = ensure_account(books, runtime, "AccountsReceivable", "Accounts Receivable")
    header.setdefault("TxnDate", qb_date(runtime.now.date()))
    header.setdefault("RefNumber", next_ref_number(books.txn_records("Invoice")))
    header.setdefault("DueDate", due_date(books, header["TxnDate"], header.get("TermsRef")))
    for flag in ("IsPending", "IsFinanceCharge", "IsToBePrinted", "IsToBeEmailed"):
        header.setdefault(flag, "false")
    header["AppliedAmount"] = "0.00"
    stamp_txn_currency(books, header, customer, header.get("ExchangeRate"))

    invoice = _price_invoice(books, runtime, header, list(resolved.get("InvoiceLineAdd", [])))
    invoice.update(new_txn_header(books, runtime))
    books.txn_records("Invoice")[invoice["TxnID"]] = invoice
    adjust_balance(books, "Customer", invoice["CustomerRef"], invoice_total(invoice))
    return Outcome(rets=[("InvoiceRet", copy.deepcopy(invoice))], defined_ids={"TxnID": invoice["TxnID"]})


def invoice_mod(books: Books, request: Request, runtime: Runtime) -> Outcome:
    payload: Record = request.body["InvoiceMod"]
    current = record_for_mod(books, "Invoice", payload)
    kept, cleared = split_cleared(payload)
    resolved = resolve_refs(books, kept, "Invoice")
    header_changes = conform(
        {k: v for k, v in resolved.items() if k not in ("TxnID", "EditSequence", "InvoiceLineMod")},
        xsd_model().element("InvoiceRet"),
    )
    header = apply_header_mod(books, current, header_changes, cleared)
    lines = current.get("InvoiceLineRet", [])
    if "InvoiceLineMod" in resolved:
        lines = merge_line_mods(
            lines, resolved["InvoiceLineMod"], ("Quantity", "Rate", "RatePercent", "ItemRef")
        )
    before = invoice_total(current)
    invoice = _price_invoice(books, runtime, header, copy.deepcopy(lines))
    touch(books, runtime, invoice)
    books.txn_records("Invoice")[invoice["TxnID"]] = invoice
    if current["CustomerRef"]["ListID"] != invoice["CustomerRef"]["ListID"]:
        adjust_balance(books, "Customer", current["CustomerRef"], -before)
        adjust_balance(books, "Customer", invoice["CustomerRef"], invoice_total(invoice))
    else:
        adjust_balance(books, "Customer", invoice["CustomerRef"], invoice_total(invoice) - before)
    return Outcome(rets=[("InvoiceRet", copy.deepcopy(invoice))], defined_ids={"TxnID": invoice["TxnID"]})


# -- ReceivePayment ---------------------------------------------------------------------------
def _open_invoices(books: Books, customer_id: str) -> list[Record]:
    invoices = [
        inv
        for inv in books.txn_records("Invoice").values()
        if inv["CustomerRef"]["ListID"] == customer_id and dec(str(inv["BalanceRemaining"])) > 0
    ]
    return sorted(invoices, key=lambda inv: (str(inv["TxnDate"]), int(inv["TxnNumber"])))


def _plan_applications(
    books: Books, resolved: Record, customer_id: str, total: Decimal
) -> list[tuple[Record, Decimal]]:
    """Which invoices the payment pays and how much of each – checked before anything is written."""
    plan: list[tuple[Record, Decimal]] = []
    if is_true(resolved.get("IsAutoApply")):
        # Auto-apply: an open invoice with exactly the payment's amount, else oldest first
        # (docs/web-connector.md §3.6).
        open_invoices = _open_invoices(books, customer_id)
        exact = [inv for inv in open_invoices if dec(str(inv["BalanceRemaining"])) == total]
        remaining = total
        for invoice in exact[:1] or open_invoices:
            if remaining <= 0:
                break
            portion = min(remaining, dec(str(invoice["BalanceRemaining"])))
            plan.append((invoice, portion))
            remaining -= portion
        return plan

    seen: set[str] = set()
    for applied in resolved.get("AppliedToTxnAdd", []):
        txn_id = str(applied.get("TxnID", ""))
        target = books.txn_records("Invoice").get(txn_id)
        # A paid invoice, or another customer's, "cannot be found" (docs/web-connector.md §3.6).
        if target is None:
            raise status.object_not_found(txn_id)
        invoice = target
        if invoice["CustomerRef"]["ListID"] != customer_id or dec(str(invoice["BalanceRemaining"])) <= 0:
            raise status.object_not_found(txn_id)
        if txn_id in seen:
            raise status.invalid_field_value(
                "TxnID", txn_id, "The same transaction cannot be paid twice in one payment."
            )
        seen.add(txn_id)
        portion = dec(str(applied.get("PaymentAmount", "0")))
        if portion > dec(str(invoice["BalanceRemaining"])):
            raise status.invalid_field_value(
                "AppliedToTxnAdd payment amount", amount(portion), "You cannot pay more than the amount due."
            )
        plan.append((invoice, portion))
    applied_sum = sum((p for _, p in plan), Decimal(0))
    if applied_sum > total:
        raise status.invalid_field_value(
            "TotalAmount", amount(total), "The amounts applied are more than the total amount of the payment."
        )
    return plan


def receive_payment_add(books: Books, request: Request, runtime: Runtime) -> Outcome:
    payload: Record = request.body["ReceivePaymentAdd"]
    for applied in payload.get("AppliedToTxnAdd", []):
        # Each application must pay, credit or discount something (docs/web-connector.md §3.6).
        if not any(k in applied for k in ("PaymentAmount", "SetCredit", "DiscountAmount")):
            raise status.missing_element("PaymentAmount")
    resolved = resolve_refs(books, payload, "ReceivePayment")
    customer_id = resolved["CustomerRef"]["ListID"]
    stated_total = dec_or_none(resolved.get("TotalAmount"))
    applied_amounts = sum(
        (dec(str(a.get("PaymentAmount", "0"))) for a in resolved.get("AppliedToTxnAdd", [])), Decimal(0)
    )
    # Without TotalAmount the payment is what it pays (the sandbox's reading; QuickBooks lets
    # a payment apply only credits/discounts when TotalAmount is absent – docs/web-connector.md §3.6).
    total = stated_total if stated_total is not None else applied_amounts
    plan = _plan_applications(books, resolved, customer_id, total)
    customer = books.list_records("Customer")[customer_id]
    currency: Record = {}
    stamp_txn_currency(books, currency, customer, None)
    for invoice, _ in plan:
        # A payment is in its customer's currency and pays invoices in that currency only
        # (docs/web-connector.md §3.13); checked before anything is written.
        if not same_currency(invoice, currency):
            raise status.invalid_field_value(
                "AppliedToTxnAdd TxnID",
                str(invoice["TxnID"]),
                "The transaction is in another currency than the payment.",
            )

    payment = conform(
        {k: v for k, v in resolved.items() if k not in ("AppliedToTxnAdd", "IsAutoApply")},
        xsd_model().element("ReceivePaymentRet"),
    )
    payment.setdefault(
        "ARAccountRef", ensure_account(books, runtime, "AccountsReceivable", "Accounts Receivable")
    )
    payment.setdefault(
        "DepositToAccountRef",
        ensure_account(books, runtime, "OtherCurrentAsset", "Undeposited Funds", special="UndepositedFunds"),
    )
    payment.setdefault("TxnDate", qb_date(runtime.now.date()))
    payment["TotalAmount"] = amount(total)
    stamp_txn_currency(books, payment, customer, payment.get("ExchangeRate"))
    refresh_home_amount("ReceivePayment", payment)
    payment.update(new_txn_header(books, runtime))
    applied_rets: list[Record] = []
    for invoice, portion in plan:
        new_applied = dec(str(invoice["AppliedAmount"])) - portion
        balance = invoice_total(invoice) + new_applied
        invoice["AppliedAmount"] = amount(new_applied)
        invoice["BalanceRemaining"] = amount(balance)
        invoice["IsPaid"] = boolean(balance <= 0)
        refresh_home_amount("Invoice", invoice)
        link = {
            "TxnID": payment["TxnID"],
            "TxnType": "ReceivePayment",
            "TxnDate": payment["TxnDate"],
            "LinkType": "AMTTYPE",
            "Amount": amount(-portion),
        }
        if payment.get("RefNumber"):
            link["RefNumber"] = payment["RefNumber"]
        invoice.setdefault("LinkedTxn", []).append(link)
        touch(books, runtime, invoice)
        applied_ret = {
            "TxnID": invoice["TxnID"],
            "TxnType": "Invoice",
            "TxnDate": invoice["TxnDate"],
            "BalanceRemaining": invoice["BalanceRemaining"],
            "Amount": amount(portion),
        }
        if invoice.get("RefNumber"):
            applied_ret["RefNumber"] = invoice["RefNumber"]
        applied_rets.append(applied_ret)
    used = sum((p for _, p in plan), Decimal(0))
    payment["UnusedPayment"] = amount(total - used)
    payment["UnusedCredits"] = "0.00"
    if applied_rets:
        payment["AppliedToTxnRet"] = applied_rets
    books.txn_records("ReceivePayment")[payment["TxnID"]] = payment
    adjust_balance(books, "Customer", payment["CustomerRef"], -total)
    return Outcome(
        rets=[("ReceivePaymentRet", copy.deepcopy(payment))], defined_ids={"TxnID": payment["TxnID"]}
    )


def sales_handlers() -> dict[str, Handler]:
    def invoice_query(books: Books, request: Request, runtime: Runtime) -> Outcome:
        return txn_matches(books, request, runtime, "Invoice")

    def payment_query(books: Books, request: Request, runtime: Runtime) -> Outcome:
        return txn_matches(books, request, runtime, "ReceivePayment")

    return {
        "InvoiceAddRq": invoice_add,
        "InvoiceModRq": invoice_mod,
        "InvoiceQueryRq": invoice_query,
        "ReceivePaymentAddRq": receive_payment_add,
        "ReceivePaymentQueryRq": payment_query,
    }

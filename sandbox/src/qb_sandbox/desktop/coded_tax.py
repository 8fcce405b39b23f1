"""Sales and purchase tax carried by the line's tax code – Canadian and UK files.

docs/web-connector.md §3.12: in QuickBooks Canada and UK a sales-tax code links to a sales-tax
item (``ItemSalesTaxRef``) and a purchase-tax item (``ItemPurchaseTaxRef``); the item holds the
rate. A US file works differently (the header ``ItemSalesTaxRef`` taxes the lines coded ``Tax``,
:mod:`.sales_math`), so these functions only run for editions whose codes carry the tax.

* **Which code a line has.** Invoice lines: the line's ``SalesTaxCodeRef``, else the item's
  ``SalesTaxCodeRef``, else the company's default taxable code (``SalesTaxPreferences``). The
  customer's code is not used because the simulated files report
  ``IsUsingCustomerTaxCode`` false. Subtotal lines and description-only lines carry no code.
  Purchase lines (bills, purchase orders): the line's code, else the header's
  ``SalesTaxCodeRef``, else none (no tax); the vendor's and the item's purchase codes are not
  consulted (``IsUsingVendorTaxCode`` false).
* **Discounts.** A discount line (applying to the line above it, :mod:`.sales_math`) carries
  its own code like any line; its negative amount lowers the tax base of that code's item.
* **Computing.** For each tax item, tax = rate % × the sum of the amounts of the lines whose
  code links to it, rounded half away from zero once per item (not per line). Non-taxable
  codes and codes without a linked item add nothing. With ``IsTaxIncluded`` the amounts
  include tax: tax = sum × rate / (100 + rate), again once per item.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .books import Books
from .editions import edition_of
from .qb_values import HUNDRED, ZERO, dec_or_none, is_true, round_cents
from .references import display_name
from .sales_math import SUBTOTAL
from .xml_codec import Record

SALES_LINK = "ItemSalesTaxRef"
PURCHASE_LINK = "ItemPurchaseTaxRef"


@dataclass
class CodedTax:
    total: Decimal = ZERO
    by_item: dict[str, Decimal] = field(default_factory=dict)  # tax item ListID → tax


def codes_carry_tax(books: Books) -> bool:
    return edition_of(books).codes_carry_tax


def _ref_of(record: Record) -> Record:
    return {"ListID": record["ListID"], "FullName": display_name(record)}


def default_taxable_code(books: Books) -> Record | None:
    sales_tax = books.info.sales_tax or {}
    wanted = str(sales_tax.get("taxable_code") or "")
    for code in books.list_records("SalesTaxCode").values():
        if wanted and display_name(code).casefold() == wanted.casefold():
            return _ref_of(code)
    return None


def sales_line_code(books: Books, line: Record, item: Record, item_kind: str | None) -> Record | None:
    """The code an invoice line is taxed under (see module docstring)."""
    if item_kind is None or item_kind == SUBTOTAL:
        return None
    for ref in (line.get("SalesTaxCodeRef"), item.get("SalesTaxCodeRef")):
        if isinstance(ref, dict) and ref.get("ListID"):
            return dict(ref)
    return default_taxable_code(books)


def default_purchase_codes(header: Record, lines: list[Record]) -> None:
    """Purchase lines without a code take the header's ``SalesTaxCodeRef``."""
    header_code = header.get("SalesTaxCodeRef")
    if not isinstance(header_code, dict):
        return
    for line in lines:
        line.setdefault("SalesTaxCodeRef", dict(header_code))


def coded_tax(
    books: Books, lines: list[tuple[Decimal, object]], link: str, amounts_include_tax: bool
) -> CodedTax:
    """Tax of ``lines`` = (amount, SalesTaxCodeRef) pairs through the codes' ``link`` items."""
    bases: dict[str, Decimal] = {}
    rates: dict[str, Decimal] = {}
    codes = books.list_records("SalesTaxCode")
    items = books.list_records("ItemSalesTax")
    for line_amount, ref in lines:
        if not isinstance(ref, dict):
            continue
        code = codes.get(str(ref.get("ListID", "")))
        if code is None or not is_true(code.get("IsTaxable")):
            continue
        item_ref = code.get(link)
        item = items.get(str(item_ref.get("ListID", ""))) if isinstance(item_ref, dict) else None
        if item is None:
            continue
        item_id = str(item["ListID"])
        bases[item_id] = bases.get(item_id, ZERO) + line_amount
        rates[item_id] = dec_or_none(item.get("TaxRate")) or ZERO
    result = CodedTax()
    for item_id, base in bases.items():
        rate = rates[item_id]
        divisor = HUNDRED + rate if amounts_include_tax else HUNDRED
        tax = round_cents(base * rate / divisor)
        result.by_item[item_id] = tax
        result.total += tax
    return result

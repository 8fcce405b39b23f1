"""What the encoder needs to know about the company file besides the plan."""

from __future__ import annotations

from dataclasses import dataclass, field

from .xml_build import Ref


@dataclass(frozen=True, slots=True)
class CompanyFilePrefs:
    """Read from the session's PreferencesQuery answer and the list cache.

    Sales tax codes are only written when the company file has sales tax turned on: otherwise
    QuickBooks has no "Tax"/"Non" codes and the reference would be refused (3140).
    """

    # The company file's edition, as an ISO country ("US", "CA", "GB"): which elements its requests
    # may carry (docs/web-connector.md §3.11). US files take ``ItemSalesTaxRef`` and the Tax/Non
    # codes; Canadian and UK files a code on every line and ``IsTaxIncluded`` instead.
    country: str = "US"
    sales_tax_on: bool = False
    taxable_code: str | None = None
    non_taxable_code: str | None = None
    # Payment methods the company file has, by folded name; an unknown one is left out rather than
    # refused by QuickBooks.
    payment_methods: frozenset[str] = field(default_factory=frozenset)
    # Link each bill to the purchase order written for the same supplier (pulls the PO onto the bill).
    # A bill can only name a PO by its TxnID, which no qbXML macro can stand for
    # (LinkToTxnID/LinkToTxn are plain IDTYPE in qbxmlops130.xsd), so linking costs one more round trip.
    link_bills_to_purchase_orders: bool = False

    @property
    def us(self) -> bool:
        return self.country == "US"

    def tax_code(self, taxable: bool) -> Ref | None:
        if not self.sales_tax_on:
            return None
        name = self.taxable_code if taxable else self.non_taxable_code
        return Ref(full_name=name) if name else None

    def knows_payment_method(self, name: str | None) -> bool:
        return bool(name) and name is not None and name.casefold() in self.payment_methods

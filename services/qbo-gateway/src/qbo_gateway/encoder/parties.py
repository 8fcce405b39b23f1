"""Customer and Vendor (docs/quickbooks-online.md §2.3): one DisplayName namespace shared by both (error
6240). A party in a foreign currency names it when created (``CurrencyRef`` with the ISO code, §6.7: the
only chance, as the currency cannot be changed later); otherwise QBO gives it the home currency."""

from __future__ import annotations

from typing import Any

from espqb.plan.model import CurrencyRef, CustomerOp, VendorOp
from qbo_gateway.encoder.common import address, compact, email, phone

__all__ = ["encode_customer", "encode_vendor"]


def _currency(currency: CurrencyRef | None) -> dict[str, Any] | None:
    # The value is the ISO 4217 code, not an Id (docs/quickbooks-online.md §6.7).
    return {"value": currency.code} if currency is not None else None


def encode_customer(op: CustomerOp) -> dict[str, Any]:
    return compact(
        {
            # Without a DisplayName QBO derives one from the name parts (IntuitNamesTypes.xsd).
            "DisplayName": op.name,
            "CompanyName": op.company_name,
            "GivenName": op.first_name,
            "FamilyName": op.last_name,
            "PrimaryEmailAddr": email(op.email),
            "PrimaryPhone": phone(op.phone),
            "BillAddr": address(op.billing_address),
            "ShipAddr": address(op.shipping_address),
            "CurrencyRef": _currency(op.currency),
        }
    )


def encode_vendor(op: VendorOp) -> dict[str, Any]:
    return compact(
        {
            "DisplayName": op.name,
            "CompanyName": op.company_name,
            "PrimaryEmailAddr": email(op.email),
            "PrimaryPhone": phone(op.phone),
            "BillAddr": address(op.address),
            # The ASI number identifies a supplier across the promotional-products trade; QBO has no
            # field for it, and AcctNum means the account number the vendor gave *us*.
            "Notes": f"ASI {op.asi_number}" if op.asi_number else None,
            "CurrencyRef": _currency(op.currency),
        }
    )

"""Customer and vendor operations: link the QuickBooks record we know, or create one with a free name.

Precedence for the customer (and likewise each vendor):

1. a QuickBooks record chosen in the dialog (or linked in CRM and sent as the choice): used as is;
2. the record this ESP customer is already mapped to: used as is, even when the dialog says
   "Create New" — creating a second QuickBooks customer for the same ESP customer (for instance on
   a re-send) is never what the bookkeeper wants;
3. otherwise a new record, named after the customer (or supplier), with a name no one else holds in
   QuickBooks' shared name list ("Acme" → "Acme (Vendor)" when a customer is already called Acme).
"""

from __future__ import annotations

from espqb.orders.choices import CreateNew, ExistingRecord, PartyChoice
from espqb.orders.snapshot import Address as OrderAddress
from espqb.orders.snapshot import Customer, Supplier
from espqb.plan.inputs import MappedRecord
from espqb.plan.limits import TargetLimits
from espqb.plan.model import Action, Address, CurrencyRef, CustomerOp, Existing, VendorOp
from espqb.plan.naming import NameRegistry, clean_name, clean_text, role_suffix, truncate_text

__all__ = ["CUSTOMER_KEY", "customer_op", "fit", "fit_address", "vendor_key", "vendor_op"]

CUSTOMER_KEY = "customer"


def vendor_key(supplier_id: str) -> str:
    return f"vendor:{supplier_id}"


def fit(text: str | None, limit: int) -> str | None:
    """Cleaned and cut to ``limit``; ``None`` for nothing left."""
    if text is None:
        return None
    return truncate_text(clean_text(text), limit) or None


def fit_address(address: OrderAddress | None, limits: TargetLimits) -> Address | None:
    if address is None:
        return None
    return Address(
        line1=fit(address.line1, limits.address_line),
        line2=fit(address.line2, limits.address_line),
        line3=fit(address.line3, limits.address_line),
        city=fit(address.city, limits.city),
        state=fit(address.state, limits.state),
        postal_code=fit(address.postal_code, limits.postal_code),
        country=fit(address.country, limits.country),
    )


def _existing_choice(
    choice: PartyChoice | None, mapped: MappedRecord | None
) -> tuple[Action, Existing | None]:
    if isinstance(choice, ExistingRecord):
        same = mapped is not None and mapped.quickbooks_id == choice.quickbooks_id
        return "link", Existing(
            quickbooks_id=choice.quickbooks_id,
            name=mapped.name if same and mapped else None,
            version=mapped.version if same and mapped else None,
        )
    if mapped is not None:
        return "link", Existing(
            quickbooks_id=mapped.quickbooks_id,
            name=mapped.name,
            version=mapped.version,
            instead_of_create_new=isinstance(choice, CreateNew) and mapped.linked_in_crm,
        )
    return "create", None


def _customer_base_name(customer: Customer) -> str:
    contact = " ".join(p for p in (customer.first_name, customer.last_name) if p)
    for candidate in (customer.company_name, contact, customer.email):
        if candidate and clean_name(candidate):
            return clean_name(candidate)
    return f"Customer {clean_name(customer.esp_id)}"


def customer_op(
    customer: Customer,
    choice: PartyChoice | None,
    mapped: MappedRecord | None,
    registry: NameRegistry,
    limits: TargetLimits,
    currency: CurrencyRef | None = None,
) -> CustomerOp:
    owner = f"customer:{customer.esp_id}"
    action, existing = _existing_choice(choice, mapped)
    if existing is not None:
        if existing.name:
            registry.claim(existing.name, owner, existing.quickbooks_id)
        return CustomerOp(
            key=CUSTOMER_KEY,
            action=action,
            existing=existing,
            esp_customer_id=customer.esp_id,
            name=existing.name,
            company_name=None,
            first_name=None,
            last_name=None,
            email=None,
            phone=None,
            billing_address=None,
            shipping_address=None,
        )
    name = registry.unique_name(
        _customer_base_name(customer), owner=owner, limit=limits.party_name, suffix=role_suffix("Customer")
    )
    return CustomerOp(
        key=CUSTOMER_KEY,
        action="create",
        existing=None,
        esp_customer_id=customer.esp_id,
        name=name,
        company_name=fit(customer.company_name, limits.company_name),
        first_name=fit(customer.first_name, limits.first_name),
        last_name=fit(customer.last_name, limits.last_name),
        email=fit(customer.email, 1023),
        phone=fit(customer.phone, limits.phone),
        billing_address=fit_address(customer.billing_address, limits),
        shipping_address=fit_address(customer.shipping_address, limits),
        currency=currency,
    )


def vendor_op(
    supplier: Supplier,
    choice: PartyChoice | None,
    mapped: MappedRecord | None,
    registry: NameRegistry,
    limits: TargetLimits,
    currency: CurrencyRef | None = None,
) -> VendorOp:
    key = vendor_key(supplier.esp_id)
    action, existing = _existing_choice(choice, mapped)
    if existing is not None:
        if existing.name:
            registry.claim(existing.name, key, existing.quickbooks_id)
        return VendorOp(
            key=key,
            action=action,
            existing=existing,
            supplier_id=supplier.esp_id,
            name=existing.name,
            company_name=None,
            asi_number=None,
            email=None,
            phone=None,
            address=None,
        )
    base = clean_name(supplier.name) or f"Supplier {clean_name(supplier.esp_id)}"
    name = registry.unique_name(base, owner=key, limit=limits.party_name, suffix=role_suffix("Vendor"))
    return VendorOp(
        key=key,
        action="create",
        existing=None,
        supplier_id=supplier.esp_id,
        name=name,
        company_name=fit(supplier.name, limits.company_name),
        asi_number=fit(supplier.asi_number, 99),
        email=fit(supplier.email, 1023),
        phone=fit(supplier.phone, limits.phone),
        address=fit_address(supplier.address, limits),
        currency=currency,
    )

"""The order snapshot ESP sends and the choices of the "Send to QuickBooks" dialog (pydantic).

``SendRequest`` is the JSON body of a send; ``a7102_example()`` is the help article's worked example.
"""

from espqb.orders.choices import (
    CreateNew,
    ExistingRecord,
    PartyChoice,
    QuickBooksRef,
    SendChoices,
    SupplierChoices,
    TaxChoice,
    TaxCodeChoice,
)
from espqb.orders.examples import A7102_SUPPLIER_ID, a7102_example, a7102_request
from espqb.orders.request import SendRequest
from espqb.orders.snapshot import (
    Address,
    Charge,
    ChargeKind,
    Customer,
    Discount,
    OrderLine,
    OrderSnapshot,
    Payment,
    Supplier,
    Tax,
)

__all__ = [
    "A7102_SUPPLIER_ID",
    "Address",
    "Charge",
    "ChargeKind",
    "CreateNew",
    "Customer",
    "Discount",
    "ExistingRecord",
    "OrderLine",
    "OrderSnapshot",
    "PartyChoice",
    "Payment",
    "QuickBooksRef",
    "SendChoices",
    "SendRequest",
    "Supplier",
    "SupplierChoices",
    "Tax",
    "TaxChoice",
    "TaxCodeChoice",
    "a7102_example",
    "a7102_request",
]

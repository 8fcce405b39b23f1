"""The order → accounting plan: *what* to write to QuickBooks, decided once for both products.

``build_plan(order, choices, settings, mappings, target)`` returns a :class:`Plan`, or raises
:class:`PlanError` listing every problem (each a field path and a sentence for a bookkeeper). It is
pure: no I/O, no clock, no randomness; equal inputs give equal plans. The QBO encoder and the qbXML
encoder only translate a plan; neither computes an amount nor chooses an account, a name or a tax
treatment.

Operations, in the order they must be executed (later ones refer to earlier ones by key):

====================  ==========================  ===================================================
key                   class                       what it is
====================  ==========================  ===================================================
``customer``          :class:`CustomerOp`         the invoice's customer
``vendor:<sup id>``   :class:`VendorOp`           one per supplier that gets a bill or a PO
``item:<item key>``   :class:`ItemOp`             products, extra charges, helper items
``<list>:<name>``     :class:`ListEntryOp`        terms, class, location, ship method, sales rep,
                                                  customer message the documents name
``invoice``           :class:`InvoiceOp`          the invoice
``payment:<pay id>``  :class:`PaymentOp`          each ESP payment, applied to ``invoice``
``purchase_order:…``  :class:`PurchaseOrderOp`    per supplier, before its bill
``bill:<sup id>``     :class:`BillOp`             per supplier
====================  ==========================  ===================================================

Every operation has ``action``: ``link`` (use ``existing`` as is; write nothing), ``create``, or
``update`` (modify ``existing.quickbooks_id`` in place, sending ``existing.version`` as the QBO
SyncToken / Desktop EditSequence; a re-send of an order whose documents are mapped yields only links
and updates). A field ending in ``_key`` (``customer_key``, ``item_key``, ``vendor_key``,
``invoice_key``) names another operation: the encoder resolves it to the id that operation produced
or linked (QBO), or to its ListID/TxnID or a qbXML ``useMacro`` reference (Desktop,
docs/web-connector.md §3.3). ``link`` operations whose ``existing.quickbooks_id`` is ``None`` were matched by
name only.

Reading ``InvoiceOp.lines``, top to bottom:

* :class:`ItemLine` — a product or extra charge: ``quantity`` × ``unit_price`` = ``amount``
  (already rounded, half up, once); ``taxable`` is the US tax code to send (TAX/NON, Tax/Non).
* :class:`SubtotalLine` then :class:`DiscountLine` — Desktop (``discount_style ==
  "qbd_subtotal_then_discount"``): a subtotal-item line, then a discount-item line, because a
  Desktop discount applies to the line right above it. QBO (``"qbo_discount_line"``): one
  DiscountLine with no item. ``DiscountLine.amount`` is positive and is what the invoice loses; send
  it as an amount, never as a percentage QuickBooks would recompute.
* :class:`TaxLine` — only with "Add Total Tax as an Item": ESP's tax as a non-taxable line.
  ``InvoiceOp.tax`` (:class:`TaxInstruction`) says how tax is carried otherwise.

Amounts agree between targets: both are built from the same figures (``espqb.plan.totals``), so
Σ item lines − discount + tax = ``InvoiceOp.total`` = ``Plan.totals.invoice_total`` = ESP's order
total, to the cent, for QBO and Desktop alike. Bills and purchase orders carry ``PurchaseLine``\\ s at
unit cost, posted to the chosen COGS/expense account (Desktop OverrideItemAccountRef; QBO posts an
item line to the item's expense account, which the plan sets when it creates the item).
"""

from espqb.plan.builder import build_plan
from espqb.plan.company import QuickBooksCompany, TaxCode, TaxRate, TaxRegime
from espqb.plan.errors import PlanError, Problem
from espqb.plan.inputs import (
    ChargeItemNames,
    DefaultAccounts,
    DocumentDefaults,
    KnownMappings,
    MappedRecord,
    NamesInUse,
    PlanSettings,
    TakenName,
    TaxDefault,
)
from espqb.plan.items import charge_item_key, product_key
from espqb.plan.limits import LIMITS, Target, TargetLimits
from espqb.plan.model import (
    AccountRef,
    Action,
    Address,
    BillOp,
    CurrencyRef,
    CustomerOp,
    DiscountLine,
    Existing,
    InvoiceDetails,
    InvoiceLine,
    InvoiceOp,
    ItemLine,
    ItemOp,
    ListEntryOp,
    Operation,
    PaymentOp,
    Plan,
    PlanTotals,
    PurchaseDetails,
    PurchaseLine,
    PurchaseOrderOp,
    SubtotalLine,
    SupplierTotals,
    TaxCodeRef,
    TaxInstruction,
    TaxLine,
    VendorOp,
)

__all__ = [
    "LIMITS",
    "AccountRef",
    "Action",
    "Address",
    "BillOp",
    "ChargeItemNames",
    "CurrencyRef",
    "CustomerOp",
    "DefaultAccounts",
    "DiscountLine",
    "DocumentDefaults",
    "Existing",
    "InvoiceDetails",
    "InvoiceLine",
    "InvoiceOp",
    "ItemLine",
    "ItemOp",
    "KnownMappings",
    "ListEntryOp",
    "MappedRecord",
    "NamesInUse",
    "Operation",
    "PaymentOp",
    "Plan",
    "PlanError",
    "PlanSettings",
    "PlanTotals",
    "Problem",
    "PurchaseDetails",
    "PurchaseLine",
    "PurchaseOrderOp",
    "QuickBooksCompany",
    "SubtotalLine",
    "SupplierTotals",
    "TakenName",
    "Target",
    "TargetLimits",
    "TaxCode",
    "TaxCodeRef",
    "TaxDefault",
    "TaxInstruction",
    "TaxLine",
    "TaxRate",
    "TaxRegime",
    "VendorOp",
    "build_plan",
    "charge_item_key",
    "product_key",
]

"""Document details — the customer's PO number, dates, ship-to, shipping, messages, memos — decided once
for both products, each fitted to what the product can hold.

A value longer than QuickBooks allows is cut, never refused, and the job says so (a note); a detail a
product has no place for is said too, never dropped silently. Where each detail goes:

=====================  ===============================  =========================================
detail                 QuickBooks Online                QuickBooks Desktop
=====================  ===============================  =========================================
customer PO number     the sales-form custom field      ``PONumber`` (25)
                       named for it, else the head of
                       ``CustomerMemo`` (§7.2)
terms                  ``SalesTermRef`` (Term list)     ``TermsRef`` (Terms list)
due date               ``DueDate``: the order's, else   ``DueDate``, the same
                       the date plus the terms' days
ship date              ``ShipDate``                     ``ShipDate``
ship method            ``ShipMethodRef`` (a string)     ``ShipMethodRef`` (Ship Via list, 15)
tracking number        ``TrackingNum``                  ``Other`` (29; no tracking field)
sales rep              a custom field named for it,     ``SalesRepRef`` (Sales Rep list, by
                       else not written (a note)        initials; never created)
customer message       ``CustomerMemo`` (1000)          ``CustomerMsgRef`` (Customer Message
                                                        list, 101)
memo                   ``PrivateNote``                  ``Memo``
class                  ``ClassRef`` (header or lines,   ``ClassRef`` (a bill's on its lines)
                       per the company's preference)
location               ``DepartmentRef``                not written (no such field; a note)
PO expected date       ``ExpectedDate``                 ``ExpectedDate``
message to vendor      the PO's ``Memo``                ``VendorMsg`` (99)
bill number / date     the supplier's invoice number    ``RefNumber`` (20) / ``TxnDate``
=====================  ===============================  =========================================

List entries (terms, class, location, ship method, sales rep, customer message) are linked, added or
refused by ``espqb.plan.lists``.

(docs/quickbooks-online.md §7, docs/web-connector.md §3.17.)
"""

from __future__ import annotations

from datetime import date

from espqb.orders.snapshot import OrderSnapshot, Supplier
from espqb.plan.company import QuickBooksCompany
from espqb.plan.limits import PRODUCT_NAMES, Target, TargetLimits
from espqb.plan.lists import ListPlanner, due_date_after
from espqb.plan.model import InvoiceDetails, PurchaseDetails
from espqb.plan.naming import clean_text

__all__ = ["DetailsPlanner", "Notes", "fitted", "memo"]

Notes = list[str]


def fitted(value: str | None, limit: int, what: str, target: Target, notes: Notes) -> str | None:
    """``value`` cleaned, and cut to ``limit`` characters with a note when longer."""
    if value is None:
        return None
    text = clean_text(value)
    if not text:
        return None
    if len(text) <= limit:
        return text
    cut = text[:limit].rstrip()
    notes.append(
        f"The {what} “{text}” is longer than the {limit} characters {PRODUCT_NAMES[target]} allows: "
        f"it was cut to “{cut}”."
    )
    return cut


def memo(order: OrderSnapshot, limit: int, suffix: str = "") -> str:
    """The internal memo: the order's own note, then ESP's order number, which is always kept whole."""
    tail = f"ESP order {order.order_number}{suffix}"
    note = clean_text(order.memo) if order.memo else ""
    if not note:
        return tail[:limit]
    room = limit - len(tail) - 3
    if room <= 0:
        return tail[:limit]
    return f"{note[:room].rstrip()} — {tail}"


class DetailsPlanner:
    """Decides every document's details for one plan (see the module docstring)."""

    def __init__(
        self,
        order: OrderSnapshot,
        company: QuickBooksCompany | None,
        target: Target,
        limits: TargetLimits,
        lists: ListPlanner,
        notes: Notes,
    ) -> None:
        self.order = order
        self.company = company
        self.target = target
        self.limits = limits
        self.lists = lists
        self.notes = notes
        self.defaults = lists.defaults

    # ---------------------------------------------------------------------------------- shared

    def fit(self, value: str | None, limit: int, what: str) -> str | None:
        """``value`` cut to ``limit`` with a note on the job when longer (``fitted``)."""
        return fitted(value, limit, what, self.target, self.notes)

    def _class_and_location(self) -> tuple[str | None, str | None]:
        order, defaults = self.order, self.defaults
        class_path = "order.class_name" if order.class_name else "settings.document_defaults.class_name"
        class_key = self.lists.entry("class", order.class_name or defaults.class_name, class_path)
        location = order.location or defaults.location
        location_key = None
        if location and clean_text(location):
            if self.target == "qbo":
                path = "order.location" if order.location else "settings.document_defaults.location"
                location_key = self.lists.entry("location", location, path)
            else:
                self.lists.note_once(
                    f"The location “{clean_text(location)}” was not written: QuickBooks Desktop documents "
                    "have no location (use a class to track branches there)."
                )
        return class_key, location_key

    def _terms(
        self, wanted: str | None, path: str, start: date, due: date | None
    ) -> tuple[str | None, date | None]:
        """The terms' key and the due date: the one given, else ``start`` plus the terms' days."""
        hint = (due - start).days if due is not None and due >= start else None
        key = self.lists.entry("terms", wanted, path, due_days_hint=hint)
        return key, due or due_date_after(start, self.lists.due_days(key))

    def _ship_method(self, path: str) -> tuple[str | None, str | None]:
        """(QBO's string, Desktop's list key)."""
        value = self.fit(self.order.ship_method, self.limits.ship_method, "ship method")
        if self.target == "qbo":
            return value, None
        return None, self.lists.entry("ship_method", value, path)

    # ---------------------------------------------------------------------------------- invoice

    def invoice(self) -> InvoiceDetails:
        order, company, target, limits = self.order, self.company, self.target, self.limits
        po = self.fit(order.customer_po_number, limits.po_number, "customer PO number")
        field = company.po_number_field if company is not None else None
        message = order.customer_message
        if target == "qbo" and po is not None and field is None:
            # No custom field for it: the PO number heads the message printed on the invoice (§7.2).
            message = f"PO {po}" + (f" — {clean_text(message)}" if message else "")
            self.notes.append(
                f"The customer's PO number {po} is at the top of the invoice's message: the QuickBooks Online "
                "company has no sales-form custom field named for a PO number (add one named “P.O. Number” "
                "to give it its own box)."
            )
        message = self.fit(message, limits.customer_message, "customer message")
        terms_path = "order.terms" if order.terms else "settings.document_defaults.terms"
        terms_key, due_date = self._terms(
            order.terms or self.defaults.terms, terms_path, order.order_date, order.due_date
        )
        ship_method, ship_method_key = self._ship_method("order.ship_method")
        class_key, location_key = self._class_and_location()
        sales_rep = sales_rep_key = None
        # The field is named even without a rep, so that a re-send empties a rep the order dropped.
        sales_rep_field = company.sales_rep_field if target == "qbo" and company is not None else None
        if order.sales_rep and clean_text(order.sales_rep):
            if target == "qbd":
                sales_rep_key = self.lists.entry("sales_rep", order.sales_rep, "order.sales_rep")
            elif sales_rep_field is not None:
                sales_rep = self.fit(order.sales_rep, limits.sales_rep, "sales rep")
            else:
                self.notes.append(
                    f"The sales rep “{clean_text(order.sales_rep)}” was not written: QuickBooks Online invoices "
                    "have no sales rep field (add a sales-form custom field named “Sales Rep” to give it one)."
                )
        customer_message_key = None
        if target == "qbd":
            customer_message_key = self.lists.entry("customer_message", message, "order.customer_message")
            message = None
        return InvoiceDetails(
            po_number=po,
            po_number_in_field=field if target == "qbo" else None,
            due_date=due_date,
            ship_date=order.ship_date,
            ship_method=ship_method,
            tracking_number=self.fit(order.tracking_number, limits.tracking_number, "tracking number"),
            customer_message=message,
            terms_key=terms_key,
            class_key=class_key,
            class_on_lines=self.lists.class_on_lines,
            location_key=location_key,
            sales_rep_key=sales_rep_key,
            ship_method_key=ship_method_key,
            customer_message_key=customer_message_key,
            sales_rep=sales_rep,
            sales_rep_in_field=sales_rep_field,
        )

    # ------------------------------------------------------------------------ purchase documents

    def _supplier_terms(self, supplier: Supplier) -> tuple[str | None, str]:
        index = self.order.suppliers.index(supplier)
        if supplier.terms:
            return supplier.terms, f"order.suppliers[{index}].terms"
        return self.defaults.vendor_terms, "settings.document_defaults.vendor_terms"

    def purchase_order(self, supplier: Supplier, txn_date: date) -> PurchaseDetails:
        ship_method, ship_method_key = self._ship_method("order.ship_method")
        terms, path = self._supplier_terms(supplier)
        terms_key, _ = self._terms(terms, path, txn_date, None)
        class_key, location_key = self._class_and_location()
        return PurchaseDetails(
            expected_date=self.order.in_hands_date,
            ship_method=ship_method,
            vendor_message=self.fit(
                _decoration(self.order, supplier.esp_id),
                self.limits.vendor_message,
                f"decoration notes for {supplier.name}",
            ),
            terms_key=terms_key,
            class_key=class_key,
            class_on_lines=self.lists.class_on_lines,
            location_key=location_key,
            ship_method_key=ship_method_key,
        )

    def bill(self, supplier: Supplier, txn_date: date) -> PurchaseDetails:
        terms, path = self._supplier_terms(supplier)
        terms_key, due_date = self._terms(terms, path, txn_date, supplier.due_date)
        class_key, location_key = self._class_and_location()
        return PurchaseDetails(
            due_date=due_date,
            terms_key=terms_key,
            class_key=class_key,
            class_on_lines=self.lists.class_on_lines,
            location_key=location_key,
        )


def _decoration(order: OrderSnapshot, supplier_id: str) -> str | None:
    """The decoration notes of this supplier's lines, each after its product number."""
    parts = [
        f"{line.product_number}: {clean_text(line.decoration_notes)}"
        for line in order.lines
        if line.supplier_id == supplier_id and line.decoration_notes and clean_text(line.decoration_notes)
    ]
    return "; ".join(parts) or None

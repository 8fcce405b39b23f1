"""One QuickBooks Online company (realm): the v3 operations on its books, with Intuit's rules.

``Company`` is what the HTTP layer calls after authentication and throttling: ``create``, ``update``
(full or sparse), ``delete``, ``read``, ``query`` and ``batch``. Every write is checked against Intuit's
XSD first (``qbo_schema``), then against the entity's own rules (``name_rules``, ``txn_rules``), which
also compute what the server computes (totals, balances, links). Failures are ``QboFault``s with
Intuit's codes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from . import faults, list_rules, name_rules, txn_rules, voids
from .books import ENVELOPE_FIELDS, Books, Record
from .clock import company_date
from .editions import CURRENCY_NAMES, EDITIONS, Edition
from .qbo_schema import QboSchema, SchemaProblem
from .query import apply_query, parse_query
from .rules import EntityRules, is_true
from .unique_names import UniqueNames

RULES: dict[str, EntityRules] = {
    "Customer": name_rules.CUSTOMER,
    "Vendor": name_rules.VENDOR,
    "Item": name_rules.ITEM,
    "Account": name_rules.ACCOUNT,
    "Term": list_rules.TERM,
    "Class": list_rules.CLASS,
    "Department": list_rules.DEPARTMENT,
    "Invoice": txn_rules.INVOICE,
    "Payment": txn_rules.PAYMENT,
    "Bill": txn_rules.BILL,
    "PurchaseOrder": txn_rules.PURCHASE_ORDER,
}
READ_ONLY_KINDS = frozenset({"TaxCode", "TaxRate", "CompanyInfo", "Preferences", "CompanyCurrency"})
SUPPORTED_KINDS = frozenset(RULES) | READ_ONLY_KINDS
# URIs are case sensitive (docs/quickbooks-online.md §2.1): /invoice, /purchaseorder, /companyinfo.
RESOURCE_KINDS = {kind.lower(): kind for kind in SUPPORTED_KINDS}
# Display names used to fill in the "name" of a reference, as QBO does in its responses.
_REF_NAME_FIELD = {
    "Customer": "DisplayName",
    "Vendor": "DisplayName",
    "Item": "Name",
    "Account": "Name",
    "TaxCode": "Name",
    "TaxRate": "Name",
    "Term": "Name",
    "Class": "FullyQualifiedName",
    "Department": "FullyQualifiedName",
}
ClassTracking = Literal["off", "per_transaction", "per_line"]


@dataclass(slots=True)
class StoredResponse:
    status: int
    body: dict[str, Any]


@dataclass(slots=True)
class LinkIndex:
    """Which payments apply to an invoice and which bills receive a purchase order."""

    payments_by_invoice: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    bills_by_po: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))


class Company:
    def __init__(
        self,
        realm_id: str,
        name: str,
        now: Callable[[], datetime],
        schema: QboSchema,
        *,
        edition: Edition | None = None,
        multi_currency: bool = False,
        currencies: tuple[str, ...] = (),
        home_currency: str | None = None,
        class_tracking: ClassTracking = "off",
        track_locations: bool = False,
        location_label: str = "Location",
        custom_fields: tuple[str, ...] = (),
    ) -> None:
        self.realm_id = realm_id
        self.name = name
        # docs/quickbooks-online.md §6: the country and tax model, and the currencies (editions.py).
        self.edition = edition or EDITIONS["us"]
        self.home_currency = (home_currency or self.edition.home_currency).upper()
        self.multi_currency = multi_currency
        # CompanyCurrency: the currencies added besides the home one (multi-currency only, §6.7).
        self.currencies = {c.upper() for c in currencies} - {self.home_currency} if multi_currency else set()
        # Preferences.AccountingInfoPrefs and SalesFormsPrefs.CustomField (docs/quickbooks-online.md §7.8,
        # §7.11): class tracking, locations and the names of up to three sales-form custom fields
        # (DefinitionId 1, 2, 3 in that order; "" leaves a slot unused).
        if class_tracking not in ("off", "per_transaction", "per_line"):
            raise ValueError(
                f"class_tracking must be off, per_transaction or per_line, not {class_tracking!r}"
            )
        if len(custom_fields) > 3:
            raise ValueError("QuickBooks Online shows at most three sales-form custom fields to the API")
        self.class_tracking: ClassTracking = class_tracking
        self.track_locations = track_locations
        self.location_label = location_label
        self.custom_fields = tuple(custom_fields)
        self.schema = schema
        self.books = Books(now)
        self.links = LinkIndex()
        self.replays: dict[str, StoredResponse] = {}
        self.unique_names = UniqueNames()
        self.last_doc_number = 1000
        # role -> account id: "income", "ar", "ap", "undeposited", "discount"... (see seed.py)
        self.defaults: dict[str, str] = {}
        self._now = now
        self._hidden: set[tuple[str, str]] = set()

    # -- helpers for the rules ---------------------------------------------------------------------------

    def today(self) -> str:
        return company_date(self._now()).isoformat()

    def lookup(self, kind: str, entity_id: str) -> Record | None:
        """A record as the current request may see it: entities created earlier in the same batch are
        invisible (docs/quickbooks-online.md §2.7: "requests do not have visibility of earlier requests")."""
        if (kind, entity_id) in self._hidden:
            return None
        return self.books.get(kind, entity_id)

    def resolve_ref(self, kind: str, ref: Any, element: str) -> dict[str, Any]:
        """Check a reference and return it with the ``name`` QBO fills in.

        An id that was never there is 2500 Invalid Reference Id; an inactive or deleted one is 610 Object
        Not Found (docs/quickbooks-online.md §2.10).
        """
        if not isinstance(ref, dict) or ref.get("value") in (None, ""):
            raise faults.required_param_missing(element)
        entity_id = str(ref["value"])
        record = self.lookup(kind, entity_id)
        if record is None:
            raise faults.invalid_reference(element)
        if record.deleted or record.body.get("Active") is False:
            raise faults.object_not_found(element)
        resolved: dict[str, Any] = {"value": entity_id}
        name_field = _REF_NAME_FIELD.get(kind)
        if name_field and record.body.get(name_field):
            resolved["name"] = record.body[name_field]
        return resolved

    def set_details_preferences(
        self,
        *,
        class_tracking: ClassTracking | None = None,
        track_locations: bool | None = None,
        location_label: str | None = None,
        custom_fields: tuple[str, ...] | list[str] | None = None,
    ) -> None:
        """A bookkeeper changes Account and Settings: class tracking, locations, custom fields (the
        Preferences record changes with them, as QBO's does)."""
        from .seed import preferences_of  # seed builds companies: imported here to avoid a cycle

        if class_tracking is not None:
            self.class_tracking = class_tracking
        if track_locations is not None:
            self.track_locations = track_locations
        if location_label is not None:
            self.location_label = location_label
        if custom_fields is not None:
            self.custom_fields = tuple(custom_fields)
        record = self.books.get("Preferences", "1")
        if record is not None:
            self.books.save(
                record,
                {
                    **record.body,
                    **{
                        k: v
                        for k, v in preferences_of(self).items()
                        if k in ("AccountingInfoPrefs", "SalesFormsPrefs")
                    },
                },
            )

    def custom_field_names(self) -> dict[str, str]:
        """DefinitionId → name of the active sales-form custom fields."""
        return {str(n): name for n, name in enumerate(self.custom_fields, start=1) if name}

    def currency_ref(self, code: str | None = None) -> dict[str, Any]:
        code = (code or self.home_currency).upper()
        return {"value": code, "name": CURRENCY_NAMES.get(code, code)}

    def takes_currency(self, code: str) -> bool:
        return code.upper() == self.home_currency or code.upper() in self.currencies

    def default_account_ref(self, role: str) -> dict[str, Any] | None:
        account_id = self.defaults.get(role)
        if account_id is None:
            return None
        return self.resolve_ref("Account", {"value": account_id}, role)

    def next_doc_number(self) -> str:
        """QBO's next-in-sequence DocNumber when the client gives none (docs/quickbooks-online.md §2.3
        Invoice)."""
        while True:
            self.last_doc_number += 1
            candidate = str(self.last_doc_number)
            if self.unique_names.owner(txn_rules.INVOICE_NUMBERS, candidate) is None:
                return candidate

    # -- schema ------------------------------------------------------------------------------------------

    def check_schema(self, kind: str, payload: Any) -> None:
        problems = self.schema.find_problems(kind, payload)
        if problems:
            raise _schema_fault(problems)

    # -- operations --------------------------------------------------------------------------------------

    def create(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        rules = self._writable(kind, "create")
        self.check_schema(kind, payload)
        internal: dict[str, Any] = {}
        body = rules.prepare(self, _writable_fields(payload, rules), None, internal)
        record = self.books.insert(kind, body)
        record.internal.update(internal)
        rules.after_write(self, record, None)
        return record.render()

    def update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        rules = self._writable(kind, "update")
        self.check_schema(kind, payload)
        record = self._current(kind, payload)
        incoming = _writable_fields(payload, rules)
        if is_true(payload.get("sparse")):
            # docs/quickbooks-online.md §2.9: a sparse update changes only what is sent; a Line array replaces
            # all lines.
            merged = {**_writable_fields(record.body, rules), **incoming}
        else:
            merged = incoming
        internal = dict(record.internal)
        body = rules.prepare(self, merged, record, internal)
        previous = record.body
        self.books.save(record, body)
        record.internal = internal
        rules.after_write(self, record, previous)
        return record.render()

    def delete(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        rules = self._writable(kind, "delete")
        if not rules.deletable:
            # Name-list entities are made inactive (Active=false), never deleted
            # (docs/quickbooks-online.md §2.1).
            raise faults.unsupported_operation(f"Delete for {kind}")
        self.check_schema(kind, payload)
        record = self._current(kind, payload)
        rules.before_delete(self, record)
        self.books.mark_deleted(record)
        rules.after_delete(self, record)
        return record.render()

    def void(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Void a transaction: it stays, with zero amounts and "Voided" as its note (``voids``)."""
        self._writable(kind, "void")
        if kind not in voids.VOIDABLE:
            raise faults.unsupported_operation(f"Void for {kind}")
        record = self._current(kind, payload)
        voids.void(self, kind, record)
        return record.render()

    def read(self, kind: str, entity_id: str) -> dict[str, Any]:
        if kind not in SUPPORTED_KINDS:
            raise faults.unsupported_operation(f"Read for {kind}")
        record = self.books.get(kind, entity_id)
        if record is None or record.deleted:
            raise faults.object_not_found()
        return record.render()

    def query(self, text: str) -> dict[str, Any]:
        """The ``QueryResponse`` object for a query."""
        query = parse_query(text)
        kind = self._query_kind(query.entity)
        for name in [c.field for c in query.conditions] + [name for name, _ in query.order_by]:
            if self.schema.field_path_type(kind, name) is None:
                raise faults.query_validation_error(f"property '{name}' is not queryable")
        records = self.books.records(kind) if kind in SUPPORTED_KINDS else []
        views = [_query_view(r) for r in records if (kind, r.id) not in self._hidden]
        if "Active" in self.schema.entity_type(kind).fields and not any(
            c.field == "Active" for c in query.conditions
        ):
            # QBO leaves inactive names out unless the query asks about Active.
            views = [v for v in views if v.get("Active") is not False]
        page, total = apply_query(query, views)
        if query.count_only:
            return {"totalCount": total}
        if not page:
            return {}
        by_id = {r.id: r for r in records}
        return {
            kind: [by_id[v["Id"]].render() for v in page],
            "startPosition": query.start_position,
            "maxResults": len(page),
        }

    def batch(self, items: list[Any]) -> list[dict[str, Any]]:
        """Run batch items one after another, each independent of the others
        (docs/quickbooks-online.md §2.7)."""
        responses: list[dict[str, Any]] = []
        created: set[tuple[str, str]] = set()
        for item in items:
            bid = item.get("bId") if isinstance(item, dict) else None
            try:
                with self._hiding(created):
                    response = self._batch_item(item, created)
            except faults.QboFault as fault:
                response = {"Fault": fault.fault_json()}
            response["bId"] = bid
            responses.append(response)
        return responses

    # -- internals ---------------------------------------------------------------------------------------

    def _batch_item(self, item: Any, created: set[tuple[str, str]]) -> dict[str, Any]:
        problems = self.schema.find_problems("BatchItemRequest", item)
        if problems:
            raise _schema_fault(problems)
        if not item.get("bId"):
            raise faults.required_param_missing("bId")
        if "Query" in item:
            return {"QueryResponse": self.query(str(item["Query"]))}
        kinds = [k for k in item if k not in ("bId", "operation", "optionsData")]
        if len(kinds) != 1 or kinds[0] not in SUPPORTED_KINDS:
            raise faults.unsupported_operation(f"batch item with {', '.join(kinds) or 'no entity'}")
        kind, payload = kinds[0], item[kinds[0]]
        operation = item.get("operation")
        if operation == "create":
            rendered = self.create(kind, payload)
            created.add((kind, rendered["Id"]))
        elif operation == "update" and item.get("optionsData") == "void":
            rendered = self.void(kind, payload)
        elif operation == "update":
            rendered = self.update(kind, payload)
        elif operation == "delete":
            rendered = self.delete(kind, payload)
        else:
            raise faults.unsupported_operation(f"{operation or 'without an operation'} in a batch")
        return {kind: rendered}

    @contextmanager
    def _hiding(self, keys: set[tuple[str, str]]) -> Iterator[None]:
        self._hidden = set(keys)
        try:
            yield
        finally:
            self._hidden = set()

    def _writable(self, kind: str, operation: str) -> EntityRules:
        rules = RULES.get(kind)
        if rules is None:
            raise faults.unsupported_operation(f"{operation.capitalize()} for {kind}")
        return rules

    def _current(self, kind: str, payload: dict[str, Any]) -> Record:
        entity_id = payload.get("Id")
        if entity_id in (None, ""):
            raise faults.required_param_missing("Id")
        if payload.get("SyncToken") in (None, ""):
            raise faults.required_param_missing("SyncToken")
        record = self.lookup(kind, str(entity_id))
        if record is None or record.deleted:
            raise faults.object_not_found("Id")
        if str(payload["SyncToken"]) != str(record.sync_token):
            raise faults.stale_object()
        return record

    def _query_kind(self, name: str) -> str:
        for known in self.schema.element_names():
            if known.lower() == name.lower():
                return known
        raise faults.query_parse_error(f'Encountered "{name}": it is not an entity that can be queried.')


def _writable_fields(payload: dict[str, Any], rules: EntityRules) -> dict[str, Any]:
    return {k: v for k, v in payload.items() if k not in ENVELOPE_FIELDS and k not in rules.read_only}


def _query_view(record: Record) -> dict[str, Any]:
    """What a query filters on: the stored body plus the envelope fields, without a full render."""
    return {
        **record.body,
        "Id": record.id,
        "SyncToken": str(record.sync_token),
        "MetaData": {"CreateTime": record.created.isoformat(), "LastUpdatedTime": record.updated.isoformat()},
    }


def _schema_fault(problems: list[SchemaProblem]) -> faults.QboFault:
    detail = "; ".join(str(p) for p in problems)
    if all(p.kind == "enumeration" for p in problems):
        return faults.invalid_enumeration(detail, problems[0].path)
    return faults.invalid_property(detail, problems[0].path)

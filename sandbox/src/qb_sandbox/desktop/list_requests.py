"""Add, Mod and Query for the list elements (customers, vendors, accounts, items, …).

Each handler checks everything first and only then writes, so a refused request leaves the
company file untouched (QuickBooks processes each request atomically).
"""

from __future__ import annotations

import copy
from typing import Any

from . import status
from .books import Books
from .catalog import LIST_KINDS, MULTI_KIND_QUERIES, ListKind
from .coded_tax import codes_carry_tax
from .currencies import default_entity_currency
from .qb_values import qb_datetime
from .queries import list_matches
from .references import check_id_shape, display_name, name_owner, resolve_refs
from .request_types import Handler, Outcome, Request, Runtime
from .xml_codec import Record, conform
from .xsd_model import xsd_model

# Request-only element names and the …Ret element that carries the same data.
_MOD_RENAMES = {"SalesOrPurchaseMod": "SalesOrPurchase", "SalesAndPurchaseMod": "SalesAndPurchase"}


def _to_ret_shape(kind: ListKind, payload: Record) -> Record:
    data = {_MOD_RENAMES.get(k, k): v for k, v in payload.items()}
    barcode = data.pop("BarCode", None)
    if isinstance(barcode, dict) and barcode.get("BarCodeValue"):
        data["BarCodeValue"] = barcode["BarCodeValue"]
    return conform(data, xsd_model().element(kind.ret))


def _full_name(books: Books, kind: ListKind, name: str, parent: Record | None) -> tuple[str, int]:
    if parent is None:
        return name, 0
    parent_record = books.list_records(kind.name)[parent["ListID"]]
    return f"{display_name(parent_record)}:{name}", int(parent_record.get("Sublevel", "0")) + 1


def _apply_company_defaults(books: Books, kind: ListKind, record: Record) -> None:
    """Defaults QuickBooks fills in from the company's preferences."""
    sales_tax = books.info.sales_tax
    if kind.name in ("Customer", "Vendor"):
        default_entity_currency(books, record)
    if kind.name == "Customer" and sales_tax:
        # New customers get the company's taxable code and (US only: ItemSalesTaxRef is "not in
        # QBCA/QBUK", docs/web-connector.md §3.11) its most common sales tax item.
        defaults = [("SalesTaxCodeRef", "taxable_code")]
        if not codes_carry_tax(books):
            defaults.append(("ItemSalesTaxRef", "default_item"))
        for ref_name, pref in defaults:
            if ref_name not in record and sales_tax.get(pref):
                found = _find_named(
                    books, "SalesTaxCode" if pref == "taxable_code" else "ItemSalesTax", sales_tax[pref]
                )
                if found is not None:
                    record[ref_name] = {"ListID": found["ListID"], "FullName": display_name(found)}


def _find_named(books: Books, kind: str, name: str) -> Record | None:
    for record in books.list_records(kind).values():
        if display_name(record).casefold() == name.casefold():
            return record
    return None


def _require_posting_accounts(kind: ListKind, payload: Record) -> None:
    """Items post to accounts: QuickBooks will not save one without them, though the schema
    leaves the AccountRef elements optional."""
    if kind.name == "ItemDiscount" and "AccountRef" not in payload:
        raise status.missing_element("AccountRef")
    sale = payload.get("SalesOrPurchase")
    if isinstance(sale, dict) and "AccountRef" not in sale:
        raise status.missing_element("AccountRef")
    both = payload.get("SalesAndPurchase")
    if isinstance(both, dict):
        for ref in ("IncomeAccountRef", "ExpenseAccountRef"):
            if ref not in both:
                raise status.missing_element(ref)


def list_add(kind: ListKind) -> Handler:
    def handle(books: Books, request: Request, runtime: Runtime) -> Outcome:
        payload: Record = request.body[f"{kind.name}Add"]
        _require_posting_accounts(kind, payload)
        resolved = resolve_refs(books, payload, kind.name, kind.name)
        name = str(payload[kind.name_field])
        full_name, sublevel = _full_name(books, kind, name, resolved.get("ParentRef"))
        if name_owner(books, kind.namespace, full_name) is not None:
            raise status.name_in_use(full_name)

        record = _to_ret_shape(kind, resolved)
        if "OpenBalance" in payload and kind.name in ("Customer", "Vendor", "Account"):
            record["Balance"] = payload["OpenBalance"]
            if kind.name != "Vendor":
                record["TotalBalance"] = payload["OpenBalance"]
        for key, value in kind.defaults.items():
            record.setdefault(key, value)
        _apply_company_defaults(books, kind, record)
        now = qb_datetime(runtime.now)
        record.update(
            {
                "ListID": books.mint.list_id(runtime.now),
                "TimeCreated": now,
                "TimeModified": now,
                "EditSequence": books.mint.edit_sequence(runtime.now),
                kind.name_field: name,
            }
        )
        if kind.has_full_name:
            record["FullName"] = full_name
        if kind.hierarchical and "Sublevel" in kind.defaults:
            record["Sublevel"] = str(sublevel)
        books.list_records(kind.name)[record["ListID"]] = record
        return Outcome(rets=[(kind.ret, copy.deepcopy(record))], defined_ids={"ListID": record["ListID"]})

    return handle


def list_mod(kind: ListKind) -> Handler:
    def handle(books: Books, request: Request, runtime: Runtime) -> Outcome:
        payload: Record = request.body[f"{kind.name}Mod"]
        list_id = str(payload["ListID"])
        check_id_shape(list_id, "ListID")
        current = books.list_records(kind.name).get(list_id)
        if current is None:
            raise status.object_not_found(list_id)
        if str(payload["EditSequence"]) != current["EditSequence"]:
            raise status.edit_sequence_stale(str(payload["EditSequence"]))

        resolved = resolve_refs(books, payload, kind.name, kind.name)
        changes = _to_ret_shape(
            kind, {k: v for k, v in resolved.items() if k not in ("ListID", "EditSequence")}
        )
        updated = _merge(current, changes)
        renamed = kind.name_field in changes or "ParentRef" in changes
        if renamed:
            parent = updated.get("ParentRef")
            if parent and parent["ListID"] == list_id:
                raise status.invalid_field_value(
                    "ParentRef", display_name(current), "An element cannot be its own parent."
                )
            full_name, sublevel = _full_name(books, kind, str(updated[kind.name_field]), parent)
            owner = name_owner(books, kind.namespace, full_name)
            if owner is not None and owner["ListID"] != list_id:
                raise status.name_in_use(full_name)
            if kind.has_full_name:
                updated["FullName"] = full_name
            if kind.hierarchical and "Sublevel" in kind.defaults:
                updated["Sublevel"] = str(sublevel)

        updated["TimeModified"] = qb_datetime(runtime.now)
        updated["EditSequence"] = books.mint.edit_sequence(runtime.now)
        books.list_records(kind.name)[list_id] = updated
        if renamed and kind.has_full_name:
            _rename_children(books, kind, updated)
        return Outcome(rets=[(kind.ret, copy.deepcopy(updated))], defined_ids={"ListID": list_id})

    return handle


def _merge(current: Record, changes: Record) -> Record:
    merged = copy.deepcopy(current)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict) and not key.endswith("Ref"):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _rename_children(books: Books, kind: ListKind, parent: Record) -> None:
    """A renamed parent renames its sub-elements' FullName ("Parent:Child")."""
    for child in books.list_records(kind.name).values():
        ref: Any = child.get("ParentRef")
        if isinstance(ref, dict) and ref.get("ListID") == parent["ListID"]:
            child["FullName"] = f"{parent['FullName']}:{child['Name']}"
            child["Sublevel"] = str(int(parent.get("Sublevel", "0")) + 1)
            _rename_children(books, kind, child)


def list_query(kinds: tuple[str, ...]) -> Handler:
    def handle(books: Books, request: Request, runtime: Runtime) -> Outcome:
        return list_matches(books, request, runtime, [(k, LIST_KINDS[k].ret) for k in kinds])

    return handle


def list_handlers() -> dict[str, Handler]:
    handlers: dict[str, Handler] = {}
    for kind in LIST_KINDS.values():
        handlers[f"{kind.name}AddRq"] = list_add(kind)
        if kind.modifiable:
            handlers[f"{kind.name}ModRq"] = list_mod(kind)
        handlers[f"{kind.name}QueryRq"] = list_query((kind.name,))
    for request_name, kinds in MULTI_KIND_QUERIES.items():
        handlers[request_name] = list_query(kinds)
    return handlers

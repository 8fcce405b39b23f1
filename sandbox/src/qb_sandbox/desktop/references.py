"""Looking up list elements by ListID or FullName, and resolving ``…Ref`` elements.

A reference may give ``ListID``, ``FullName`` or both; QuickBooks goes by the ListID when it
has one. Unknown references fail with 3140 (docs/web-connector.md §4.1); a malformed ID with 3000.
Stored records keep both ListID and FullName of what they point at; names are refreshed from
the list when a record is rendered, because QuickBooks stores the link, not the name.
"""

from __future__ import annotations

import re
from typing import Any

from . import status
from .books import Books
from .catalog import LIST_KINDS, ref_target
from .xml_codec import Record

_ID_SHAPE = re.compile(r"^[0-9A-Fa-f]+-[0-9]+$")


def display_name(record: Record) -> str:
    # A sales rep is known by its initials (SalesRepRet has no Name).
    return str(record.get("FullName") or record.get("Name") or record.get("Initial") or "")


def name_key(name: str) -> str:
    return name.casefold()


def find_by_full_name(books: Books, kinds: tuple[str, ...], full_name: str) -> tuple[str, Record] | None:
    wanted = name_key(full_name)
    for kind in kinds:
        for record in books.list_records(kind).values():
            if name_key(display_name(record)) == wanted:
                return kind, record
    return None


def find_by_list_id(books: Books, kinds: tuple[str, ...], list_id: str) -> tuple[str, Record] | None:
    for kind in kinds:
        record = books.list_records(kind).get(list_id)
        if record is not None:
            return kind, record
    return None


def name_owner(books: Books, namespace: str, full_name: str) -> Record | None:
    """The record already holding ``full_name`` in ``namespace`` (the 3100 check)."""
    kinds = tuple(k.name for k in LIST_KINDS.values() if k.namespace == namespace)
    found = find_by_full_name(books, kinds, full_name)
    return found[1] if found else None


def check_id_shape(value: str, field: str) -> None:
    if not _ID_SHAPE.match(value):
        raise status.invalid_object_id(value, field)


def resolve_ref(
    books: Books, ref_name: str, ref: Record, container: str, parent_kind: str | None = None
) -> Record:
    """Resolve one reference to ``{"ListID", "FullName"}`` or raise 3140."""
    target = ref_target(ref_name, parent_kind)
    list_id = str(ref.get("ListID") or "")
    full_name = str(ref.get("FullName") or "")
    found: tuple[str, Record] | None = None
    if list_id:
        check_id_shape(list_id, "list id")
        found = find_by_list_id(books, target.kinds, list_id)
    elif full_name:
        found = find_by_full_name(books, target.kinds, full_name)
    if found is None:
        raise status.invalid_reference(target.display, list_id or full_name, container)
    record = found[1]
    return {"ListID": record["ListID"], "FullName": display_name(record)}


def resolve_refs(books: Books, data: Record, container: str, parent_kind: str | None = None) -> Record:
    """Copy ``data`` with every ``…Ref`` resolved; line elements report "<container> line"."""
    out: Record = {}
    for key, value in data.items():
        if key.endswith("Ref") and isinstance(value, dict):
            out[key] = resolve_ref(books, key, value, container, parent_kind)
        elif isinstance(value, dict):
            out[key] = resolve_refs(books, value, _nested_container(key, container), parent_kind)
        elif isinstance(value, list):
            out[key] = [
                resolve_refs(books, v, _nested_container(key, container), parent_kind)
                if isinstance(v, dict)
                else v
                for v in value
            ]
        else:
            out[key] = value
    return out


def _nested_container(key: str, container: str) -> str:
    if "Line" in key and not container.endswith(" line"):
        return f"{container} line"
    return container


def refresh_ref_names(books: Books, data: Any) -> Any:
    """Copy of a stored record with each Ref's FullName taken from the list as it is now."""
    if isinstance(data, list):
        return [refresh_ref_names(books, v) for v in data]
    if not isinstance(data, dict):
        return data
    out: Record = {}
    for key, value in data.items():
        if key.endswith("Ref") and isinstance(value, dict) and value.get("ListID"):
            found = books.find_list_id(str(value["ListID"]))
            out[key] = (
                {"ListID": value["ListID"], "FullName": display_name(found[1])} if found else dict(value)
            )
        else:
            out[key] = refresh_ref_names(books, value)
    return out

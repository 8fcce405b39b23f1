"""Pieces every transaction handler needs: new IDs, Mod checks, default accounts, line edits."""

from __future__ import annotations

import calendar
import copy
import re
from datetime import date, timedelta
from decimal import Decimal

from . import status
from .books import Books
from .qb_values import amount, dec, parse_qb_date, qb_date, qb_datetime
from .references import check_id_shape, display_name
from .request_types import Runtime
from .xml_codec import Record

_TRAILING_DIGITS = re.compile(r"^(.*?)(\d+)$")


def new_txn_header(books: Books, runtime: Runtime) -> Record:
    now = qb_datetime(runtime.now)
    return {
        "TxnID": books.mint.txn_id(runtime.now),
        "TimeCreated": now,
        "TimeModified": now,
        "EditSequence": books.mint.edit_sequence(runtime.now),
        "TxnNumber": str(books.mint.next_txn_number()),
    }


def touch(books: Books, runtime: Runtime, record: Record) -> None:
    """Mark a record modified (QuickBooks bumps TimeModified and EditSequence)."""
    record["TimeModified"] = qb_datetime(runtime.now)
    record["EditSequence"] = books.mint.edit_sequence(runtime.now)


def record_for_mod(books: Books, kind: str, payload: Record) -> Record:
    """The stored transaction a …Mod targets, after the TxnID and EditSequence checks."""
    txn_id = str(payload["TxnID"])
    check_id_shape(txn_id, "TxnID")
    record = books.txn_records(kind).get(txn_id)
    if record is None:
        raise status.object_not_found(txn_id)
    if str(payload["EditSequence"]) != record["EditSequence"]:
        raise status.edit_sequence_stale(str(payload["EditSequence"]))
    return record


def split_cleared(payload: Record) -> tuple[Record, tuple[str, ...]]:
    """A Mod's header elements sent empty, which clear the field: "To clear some body properties of a
    transaction … send null/empty qbXML elements for the properties to be cleared" (Intuit, *Modify,
    delete and void requests and responses*, QuickBooks Desktop SDK). An element left out keeps its
    value. A reference is empty when it names neither a ListID nor a FullName. Returns the payload
    without them, and their names."""
    kept: Record = {}
    cleared: list[str] = []
    for key, value in payload.items():
        empty_ref = (
            key.endswith("Ref")
            and isinstance(value, dict)
            and not str(value.get("ListID") or "").strip()
            and not str(value.get("FullName") or "").strip()
        )
        if value == "" or empty_ref:
            cleared.append(key)
        else:
            kept[key] = value
    return kept, tuple(cleared)


def apply_header_mod(books: Books, current: Record, changes: Record, cleared: tuple[str, ...]) -> Record:
    """The document's header after a Mod: changed elements replaced, cleared ones removed, the rest
    kept. New terms without a new due date move the due date as the terms say (as the QuickBooks form
    does when the terms are changed **[derived from the UI]**)."""
    updated = {**copy.deepcopy(current), **changes}
    for key in cleared:
        updated.pop(key, None)
    if "TermsRef" in changes and "DueDate" not in changes and "TxnDate" in updated:
        updated["DueDate"] = due_date(books, str(updated["TxnDate"]), updated.get("TermsRef"))
    return updated


def next_ref_number(records: dict[str, Record]) -> str:
    """QuickBooks numbers a new form one past the last one entered ("A7102" → "A7103")."""
    latest = max(records.values(), key=lambda r: int(r.get("TxnNumber", 0)), default=None)
    if latest is None or not latest.get("RefNumber"):
        return "1"
    match = _TRAILING_DIGITS.match(str(latest["RefNumber"]))
    if match is None:
        return "1"
    prefix, digits = match.groups()
    return f"{prefix}{str(int(digits) + 1).zfill(len(digits))}"


def ensure_account(
    books: Books, runtime: Runtime, account_type: str, name: str, special: str | None = None
) -> Record:
    """The company's account of a type, created on first use the way QuickBooks creates
    Accounts Receivable / Accounts Payable / Undeposited Funds the first time a form needs them."""
    accounts = books.list_records("Account")
    for record in accounts.values():
        if record.get("AccountType") == account_type and (
            special is None or record.get("SpecialAccountType") == special
        ):
            return {"ListID": record["ListID"], "FullName": display_name(record)}
    for record in accounts.values():
        if display_name(record).casefold() == name.casefold():
            return {"ListID": record["ListID"], "FullName": display_name(record)}
    now = qb_datetime(runtime.now)
    record = {
        "ListID": books.mint.list_id(runtime.now),
        "TimeCreated": now,
        "TimeModified": now,
        "EditSequence": books.mint.edit_sequence(runtime.now),
        "Name": name,
        "FullName": name,
        "IsActive": "true",
        "Sublevel": "0",
        "AccountType": account_type,
        "Balance": "0.00",
        "TotalBalance": "0.00",
    }
    if special:
        record["SpecialAccountType"] = special
    accounts[record["ListID"]] = record
    return {"ListID": record["ListID"], "FullName": name}


def due_date(books: Books, txn_date: str, terms_ref: Record | None) -> str:
    """The due date the terms give a document of ``txn_date``: standard terms ``StdDueDays`` later;
    date-driven terms on their ``DayOfMonthDue``, in the next month when the document is dated within
    ``DueNextMonthDays`` of it (the terms' meaning in the QuickBooks Terms list **[derived from the
    UI]**, docs/web-connector.md §3.17); no terms: the document's date."""
    if not terms_ref:
        return txn_date
    list_id = str(terms_ref.get("ListID"))
    standard = books.list_records("StandardTerms").get(list_id)
    if standard and standard.get("StdDueDays"):
        return qb_date(parse_qb_date(txn_date) + timedelta(days=int(standard["StdDueDays"])))
    driven = books.list_records("DateDrivenTerms").get(list_id)
    if driven and driven.get("DayOfMonthDue"):
        issued = parse_qb_date(txn_date)
        day, within = int(driven["DayOfMonthDue"]), int(driven.get("DueNextMonthDays") or 0)
        due = _day_of_month(issued.year, issued.month, day)
        if due < issued or (due - issued).days < within:
            year, month = (issued.year + 1, 1) if issued.month == 12 else (issued.year, issued.month + 1)
            due = _day_of_month(year, month, day)
        return qb_date(due)
    return txn_date


def _day_of_month(year: int, month: int, day: int) -> date:
    """``day`` of that month, or its last day when the month is shorter (31 in February)."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def adjust_balance(books: Books, kind: str, ref: Record | None, delta: Decimal) -> None:
    """Keep a customer's or vendor's open balance in step with its forms."""
    if not ref or delta == 0:
        return
    record = books.list_records(kind).get(str(ref.get("ListID")))
    if record is None:
        return
    for field in ("Balance", "TotalBalance"):
        if field in record:
            record[field] = amount(dec(record[field]) + delta)


def merge_line_mods(
    existing: list[Record], mods: list[Record], changes_amount: tuple[str, ...]
) -> list[Record]:
    """Apply …LineMod elements: ``TxnLineID`` -1 adds a line, an existing ID edits that line,
    and – once any line is listed – lines left out are deleted (QuickBooks Mod semantics).

    ``changes_amount`` names fields (Quantity, Rate…) that make a stored Amount stale when the
    Mod changes them without giving a new Amount.
    """
    by_id = {str(line["TxnLineID"]): line for line in existing}
    result: list[Record] = []
    for mod in mods:
        line_id = str(mod.get("TxnLineID", "-1"))
        fields = {k: v for k, v in mod.items() if k != "TxnLineID"}
        if line_id == "-1":
            result.append(fields)
            continue
        base = by_id.get(line_id)
        if base is None:
            raise status.object_not_found(line_id)
        merged = copy.deepcopy(base)
        if any(f in fields for f in changes_amount) and "Amount" not in fields:
            merged.pop("Amount", None)
        if "Rate" in fields:
            merged.pop("RatePercent", None)
        if "RatePercent" in fields:
            merged.pop("Rate", None)
        merged.update(copy.deepcopy(fields))
        result.append(merged)
    return result

"""Reference-list entries the documents name — terms, classes, locations, ship methods, sales reps,
customer messages — linked, added or refused with the same rules as customers and items.

For each name a document needs, in this order:

* the company does not use that list (class tracking off, locations off): nothing is written, the job
  says why (a note, not a refusal: the document is right without it);
* the company's list, as last read (``QuickBooksCompany``), has it (case-insensitive; a Desktop sales
  rep by initials or by name): **link** to it, with QuickBooks' own spelling;
* it is missing: **create** it — the transport still looks it up by name first, since it may have
  been added after the list was read — unless the settings forbid adding entries, it is a sales rep
  (a Desktop sales rep stands for an employee, vendor or other name, which ESP does not create), it
  is a sub-class ("Parent:Child") or terms whose days cannot be told: then the send is refused before
  anything is written, with what to do.

One :class:`~espqb.plan.model.ListEntryOp` per (list, name), shared by every document that names it.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from espqb.plan.company import ListKind, QuickBooksCompany
from espqb.plan.errors import Problems
from espqb.plan.inputs import DocumentDefaults
from espqb.plan.limits import PRODUCT_NAMES, Target, TargetLimits
from espqb.plan.model import Existing, ListEntryOp
from espqb.plan.naming import clean_text

__all__ = ["LIST_NOUNS", "ListPlanner", "due_date_after", "terms_days"]

# Where each list is in QuickBooks, for the messages that tell a person to add an entry by hand.
_WHERE: dict[Target, dict[ListKind, str]] = {
    "qbo": {
        "terms": "Settings → All lists → Terms",
        "class": "Settings → All lists → Classes",
        "location": "Settings → All lists → Locations",
    },
    "qbd": {
        "terms": "Lists → Customer & Vendor Profile Lists → Terms List",
        "class": "Lists → Class List",
        "ship_method": "Lists → Customer & Vendor Profile Lists → Ship Via List",
        "sales_rep": "Lists → Customer & Vendor Profile Lists → Sales Rep List",
        "customer_message": "Lists → Customer & Vendor Profile Lists → Customer Message List",
    },
}
# How a sentence names each list (also the job steps' wording, espqb.sending.wording).
LIST_NOUNS: dict[ListKind, str] = {
    "terms": "terms",
    "class": "class",
    "location": "location",
    "ship_method": "ship method",
    "sales_rep": "sales rep",
    "customer_message": "customer message",
}

_NET_DAYS = re.compile(r"\bnet\s*(\d{1,3})\b", re.IGNORECASE)
_DAYS = re.compile(r"^\s*(\d{1,3})\s*days?\s*$", re.IGNORECASE)
_ON_RECEIPT = re.compile(r"^\s*(due\s+(on|upon)\s+receipt|on\s+receipt|cod|c\.o\.d\.?)\s*$", re.IGNORECASE)


def terms_days(name: str) -> int | None:
    """Days from the document date to the due date that a terms name says: "Net 30", "2% 10 Net 30"
    and "30 days" → 30; "Due on receipt" → 0; anything else → None."""
    if _ON_RECEIPT.match(name):
        return 0
    match = _NET_DAYS.search(name) or _DAYS.match(name)
    return int(match.group(1)) if match else None


class ListPlanner:
    """Decides each list entry once per plan and collects the operations (see the module docstring)."""

    def __init__(
        self,
        company: QuickBooksCompany | None,
        defaults: DocumentDefaults,
        target: Target,
        limits: TargetLimits,
        problems: Problems,
        notes: list[str],
    ) -> None:
        self.company = company
        self.defaults = defaults
        self.target = target
        self.limits = limits
        self.problems = problems
        self.notes = notes
        self._ops: dict[str, ListEntryOp] = {}
        self._said: set[str] = set()

    # ------------------------------------------------------------------------------ what is used

    def tracks(self, kind: ListKind) -> bool:
        """Whether the company uses this list on documents (unknown company: assume it does)."""
        company = self.company
        if company is None:
            return True
        if kind == "class":
            return company.class_tracking != "off"
        if kind == "location":
            return company.tracks_locations
        return True

    @property
    def class_on_lines(self) -> bool:
        return self.company is not None and self.company.class_tracking == "per_line"

    def note_once(self, message: str) -> None:
        if message not in self._said:
            self._said.add(message)
            self.notes.append(message)

    # --------------------------------------------------------------------------------- decisions

    def entry(
        self, kind: ListKind, wanted: str | None, path: str, *, due_days_hint: int | None = None
    ) -> str | None:
        """The key of the entry named ``wanted`` (None: nothing to write). ``path`` is the field that
        named it, for a refusal; ``due_days_hint`` the days a document's own due date implies, used
        for terms whose name does not say."""
        if wanted is None or not clean_text(wanted):
            return None
        name = clean_text(wanted)
        product = PRODUCT_NAMES[self.target]
        noun = LIST_NOUNS[kind]
        if not self.tracks(kind):
            self.note_once(self._not_tracked(kind, name))
            return None
        known = self.company.list_entry(kind, name) if self.company is not None else None
        if known is not None:
            key = _key(kind, known.name)
            if key not in self._ops:
                self._ops[key] = ListEntryOp(
                    key=key,
                    action="link",
                    existing=Existing(quickbooks_id=known.id, name=known.name),
                    list_kind=kind,
                    name=known.name,
                    due_days=known.due_days,
                )
            return key
        lists_known = self.company is not None and self.company.lists_read
        if kind == "sales_rep":
            if lists_known:
                self.problems.add(
                    path,
                    f"The sales rep “{name}” is not in {product}'s sales rep list, and ESP does not add sales "
                    f"reps (each stands for an employee or other name): add it in {product} "
                    f"({self._where(kind)}) or send without a sales rep.",
                )
                return None
            # The list was never read: name it and let QuickBooks say whether it exists.
            key = _key(kind, name)
            self._ops.setdefault(
                key,
                ListEntryOp(
                    key=key,
                    action="link",
                    existing=Existing(quickbooks_id=None, name=name),
                    list_kind=kind,
                    name=name,
                ),
            )
            return key
        limit = self._limit(kind)
        if len(name) > limit:
            self.problems.add(
                path,
                f"The {noun} “{name}” is longer than the {limit} characters {product} allows for its name, and "
                f"it is not in the company's list: add it in {product} ({self._where(kind)}) under a shorter "
                "name and use that name.",
            )
            return None
        if not self.defaults.create_list_entries:
            self.problems.add(
                path,
                f"The {noun} “{name}” is not in {product}, and the settings do not let ESP add list entries "
                f"(document_defaults.create_list_entries): add it in {product} ({self._where(kind)}) or "
                "change the order.",
            )
            return None
        if kind in ("class", "location") and ":" in name:
            self.problems.add(
                path,
                f"The {noun} “{name}” is a sub-{noun} that is not in {product}: add it under its parent "
                f"in {product} ({self._where(kind)}) first.",
            )
            return None
        due_days = None
        if kind == "terms":
            due_days = terms_days(name)
            if due_days is None:
                due_days = due_days_hint
            if due_days is None:
                self.problems.add(
                    path,
                    f"The terms “{name}” are not in {product}, and how many days they give cannot be told "
                    f"from the name (“Net 30”, “Due on receipt”): add them in {product} "
                    f"({self._where(kind)}) or give the document's due date.",
                )
                return None
        key = _key(kind, name)
        self._ops.setdefault(
            key,
            ListEntryOp(
                key=key, action="create", existing=None, list_kind=kind, name=name, due_days=due_days
            ),
        )
        return key

    def due_days(self, key: str | None) -> int | None:
        """The days of the terms behind ``key`` (None: no terms, or their days are unknown)."""
        if key is None:
            return None
        op = self._ops.get(key)
        return op.due_days if op is not None else None

    def operations(self) -> tuple[ListEntryOp, ...]:
        return tuple(self._ops.values())

    # ----------------------------------------------------------------------------------- helpers

    def _limit(self, kind: ListKind) -> int:
        limits = self.limits
        return {
            "terms": limits.terms_name,
            "class": limits.class_name,
            "location": limits.location_name,
            "ship_method": limits.ship_method,
            "sales_rep": limits.sales_rep,
            "customer_message": limits.customer_message,
        }[kind]

    def _where(self, kind: ListKind) -> str:
        return _WHERE[self.target].get(kind, "its lists")

    def _not_tracked(self, kind: ListKind, name: str) -> str:
        product = PRODUCT_NAMES[self.target]
        if kind == "class":
            return (
                f"The class “{name}” was not written: class tracking is off in {product} "
                "(turn it on in the company's settings to track documents by class)."
            )
        label = self.company.location_label.lower() if self.company is not None else "location"
        return (
            f"The {label} “{name}” was not written: location tracking is off in {product} "
            "(turn on “Track locations” in the company's settings)."
        )


def _key(kind: ListKind, name: str) -> str:
    return f"{kind}:{name.casefold()}"


def due_date_after(start: date, days: int | None) -> date | None:
    """``start`` plus the terms' days (None when the days are unknown)."""
    if days is None:
        return None
    return start + timedelta(days=days)

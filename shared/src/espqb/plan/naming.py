"""QuickBooks names: cleaned, cut to the target's length, and made unique deterministically.

The same inputs always produce the same names, and once a name is chosen the gateway records it
in the mappings, so an ESP product keeps its QuickBooks item (and a supplier its vendor) for good.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from espqb.plan.inputs import TakenName

__all__ = [
    "Holder",
    "NameRegistry",
    "clean_name",
    "clean_text",
    "numbered_suffix",
    "role_suffix",
    "truncate_tail",
    "truncate_text",
]

# ':' separates levels of QuickBooks' name hierarchy (Parent:Child), and names may not hold tabs or
# line breaks (docs/web-connector.md §3.4; docs/quickbooks-online.md §2.3), so they are taken out of every
# name.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")

SuffixRule = Callable[[int], str]


# Cached: the same product names and addresses are cleaned many times per plan and across plans.
@functools.lru_cache(maxsize=8192)
def clean_text(text: str) -> str:
    """NFC form, control characters (tabs, line breaks) as blanks, runs of blanks collapsed."""
    text = _CONTROL.sub(" ", unicodedata.normalize("NFC", text))
    return " ".join(text.split())


def clean_name(text: str) -> str:
    """A QuickBooks name: like :func:`clean_text`, and without colons."""
    return clean_text(text.replace(":", " "))


def truncate_text(text: str, limit: int) -> str:
    """At most ``limit`` characters, never separating a letter from its accents (combining marks)."""
    if len(text) <= limit:
        return text
    cut = limit
    while cut > 0 and unicodedata.combining(text[cut]):
        cut -= 1
    return text[:cut].rstrip()


def truncate_tail(text: str, limit: int) -> str:
    """Keep the last ``limit`` characters: the end of an order number is the part that differs."""
    return text if len(text) <= limit else text[-limit:]


def numbered_suffix(n: int) -> str:
    """Items: "Tote Bag", then "Tote Bag (2)", "Tote Bag (3)"..."""
    return f" ({n})"


def role_suffix(role: str) -> SuffixRule:
    """Names in the shared name list: "Acme" → "Acme (Vendor)", "Acme (Vendor 2)"...

    Saying the role tells a bookkeeper at once why a supplier's vendor record is not named exactly
    like the supplier: the plain name already belongs to a customer (or someone else).
    """

    def suffix(n: int) -> str:
        return f" ({role})" if n == 2 else f" ({role} {n - 1})"

    return suffix


@functools.lru_cache(maxsize=8192)
def _fold(name: str) -> str:
    # Compared without regard to case or spacing: QuickBooks would treat "ACME" and "Acme" as the
    # same name [derived, conservative: a false clash only costs a suffix].
    return clean_name(name).casefold()


@dataclass(frozen=True, slots=True)
class Holder:
    """Who holds a name: an ESP record (``owner``, a plan key) or, when ``owner`` is None, nobody in ESP."""

    name: str
    owner: str | None
    quickbooks_id: str | None


class NameRegistry:
    """Names taken in one QuickBooks list (the shared name list, or the item list), and by whom."""

    def __init__(self, taken: Iterable[TakenName] = ()) -> None:
        self._holders: dict[str, Holder] = {}
        for entry in taken:
            key = _fold(entry.name)
            current = self._holders.get(key)
            # An entry that says which ESP record owns the name is more useful than an anonymous one.
            if current is None or (current.owner is None and entry.owner is not None):
                self._holders[key] = Holder(entry.name, entry.owner, entry.quickbooks_id)

    def holder(self, name: str) -> Holder | None:
        return self._holders.get(_fold(name))

    def claim(self, name: str, owner: str, quickbooks_id: str | None = None) -> None:
        self._holders[_fold(name)] = Holder(name, owner, quickbooks_id)

    def is_free_for(self, name: str, owner: str) -> bool:
        holder = self.holder(name)
        return holder is None or holder.owner == owner

    def unique_name(self, base: str, *, owner: str, limit: int, suffix: SuffixRule) -> str:
        """The first of base, base+suffix(2), base+suffix(3)... that no one else holds; claims it."""
        candidate = truncate_text(base, limit)
        n = 1
        while not self.is_free_for(candidate, owner):
            n += 1
            tail = suffix(n)
            candidate = truncate_text(base, limit - len(tail)) + tail
        self.claim(candidate, owner)
        return candidate

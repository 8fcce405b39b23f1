"""What the encoder needs besides the plan: the QBO ids earlier operations produced or linked, and
the ids of accounts and tax codes the plan names only by name.

Encoding is pure: everything it refers to is in an ``EncodeContext``; a reference it cannot resolve
is an ``EncodeError`` in words a bookkeeper understands, never a half-built payload.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from espqb.errors import EspqbError
from espqb.plan.model import AccountRef, TaxCodeRef

__all__ = ["EncodeContext", "EncodeError", "PurchaseOrderLink", "has_qbo_id", "ref"]


class EncodeError(EspqbError, ValueError):
    """A plan operation refers to something QuickBooks Online does not (yet) have."""

    slug, title = "quickbooks-online-encode-error", "The document cannot be written for QuickBooks Online"


@dataclass(frozen=True, slots=True)
class PurchaseOrderLink:
    """The purchase order a bill receives: its Id and its line Ids, in plan order (one per bill line)."""

    po_id: str
    line_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EncodeContext:
    ids: Mapping[str, str] = field(default_factory=dict)  # plan operation key -> QBO Id
    account_ids: Mapping[str, str] = field(default_factory=dict)  # account name, case-folded -> Id
    tax_code_ids: Mapping[str, str] = field(default_factory=dict)  # tax code name, case-folded -> Id

    def id_of(self, key: str) -> str:
        try:
            return self.ids[key]
        except KeyError:
            raise EncodeError(
                f"“{key}” has no QuickBooks Online record yet, so nothing can refer to it."
            ) from None

    def account(self, account: AccountRef) -> dict[str, Any]:
        if account.id:
            return ref(account.id, account.name)
        name = account.name or ""
        found = self.account_ids.get(name.casefold())
        if found is None:
            raise EncodeError(
                f"QuickBooks Online has no account named “{name}”; choose another in Settings → Accounts."
            )
        return ref(found, name)

    def tax_code(self, code: str) -> dict[str, Any]:
        """A tax code chosen by Id, or by name when the name is one QuickBooks has."""
        found = self.tax_code_ids.get(code.casefold())
        return ref(found, code) if found is not None else ref(code)

    def tax_code_ref(self, code: TaxCodeRef) -> dict[str, Any]:
        """One of the company's tax codes as the plan names it: by its Id (always, once the company
        has been read, docs/quickbooks-online.md §6.5: codes are referenced by Id), else by name. QBO
        Ids are digits (§2.1); anything else is a name the plan could not match to a code it knows."""
        if has_qbo_id(code):
            return ref(str(code.id), code.name)
        return self.tax_code(code.name or code.id or "")


def has_qbo_id(code: TaxCodeRef) -> bool:
    return bool(code.id) and str(code.id).isdigit()


def ref(value: str, name: str | None = None) -> dict[str, Any]:
    """A QBO ``ReferenceType``: ``{"value": Id, "name": optional}`` (docs/quickbooks-online.md §2.3)."""
    out: dict[str, Any] = {"value": value}
    if name:
        out["name"] = name
    return out

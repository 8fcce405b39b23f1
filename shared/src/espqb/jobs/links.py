"""Where a person finds what a step wrote: a link into QuickBooks Online, or the numbers QuickBooks
Desktop shows.

QuickBooks Online opens a record at ``<app>/app/<page>?txnId=<Id>`` (documents) or
``?nameId=<Id>`` (customers, vendors): the app is ``https://app.qbo.intuit.com`` for production
companies and ``https://app.sandbox.qbo.intuit.com`` for Intuit's sandbox companies, chosen from the
API base URL the gateway talks to (``INTUIT_API_BASE_URL``), or set with ``QBO_APP_URL`` (the local
Intuit sandbox serves the same paths). The browser shows whichever company the person is signed in to
in QuickBooks; items and list entries have no page of their own to link to.

QuickBooks Desktop has no URL: a step gives the document's number (RefNumber) and its TxnID, or a
list record's ListID, which the Find window and the SDK use.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import BaseModel, Field

__all__ = ["QuickBooksLink", "RecordLinks", "qbo_app_url"]

PRODUCTION_APP = "https://app.qbo.intuit.com"
SANDBOX_APP = "https://app.sandbox.qbo.intuit.com"

# Step kind → (QBO page, id parameter).
_QBO_PAGES: dict[str, tuple[str, str]] = {
    "invoice": ("invoice", "txnId"),
    "payment": ("recvpayment", "txnId"),
    "bill": ("bill", "txnId"),
    "purchase_order": ("purchaseorder", "txnId"),
    "customer": ("customerdetail", "nameId"),
    "vendor": ("vendordetail", "nameId"),
}
_DOCUMENTS = frozenset({"invoice", "payment", "bill", "purchase_order"})


class QuickBooksLink(BaseModel):
    url: str | None = Field(None, description="QuickBooks Online: opens the record in QuickBooks")
    ref_number: str | None = Field(
        None, description="The document's number as QuickBooks shows it (Desktop RefNumber, Online DocNumber)"
    )
    txn_id: str | None = Field(None, description="QuickBooks Desktop: the document's TxnID")
    list_id: str | None = Field(None, description="QuickBooks Desktop: a list record's ListID")


def qbo_app_url(api_base_url: str, override: str | None = None) -> str:
    """The QuickBooks Online app that shows a company's records (see the module docstring)."""
    if override:
        return override.rstrip("/")
    host = (urlsplit(api_base_url).hostname or "").lower()
    if host == "sandbox-quickbooks.api.intuit.com":
        return SANDBOX_APP
    if host.endswith("intuit.com"):
        return PRODUCTION_APP
    return api_base_url.rstrip("/")  # the local Intuit sandbox serves the app's paths itself


class RecordLinks:
    """Makes a step's link from its kind, its QuickBooks id and the document number recorded."""

    def __init__(self, qbo_app: str) -> None:
        self.qbo_app = qbo_app.rstrip("/")

    def link(
        self, target: str, kind: str, qb_id: str | None, ref_number: str | None
    ) -> QuickBooksLink | None:
        if qb_id is None:
            return None
        if target == "qbo":
            page = _QBO_PAGES.get(kind)
            if page is None:
                return None
            return QuickBooksLink(
                url=f"{self.qbo_app}/app/{page[0]}?{page[1]}={qb_id}", ref_number=ref_number
            )
        if kind in _DOCUMENTS:
            return QuickBooksLink(ref_number=ref_number, txn_id=qb_id)
        return QuickBooksLink(list_id=qb_id)

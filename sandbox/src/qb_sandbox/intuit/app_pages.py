"""The pages of QuickBooks Online's web app that a link opens, for the local sandbox.

QuickBooks Online shows a record at ``/app/<page>?txnId=<Id>`` (transactions) or ``?nameId=<Id>``
(customers, vendors) on ``app.qbo.intuit.com`` (``app.sandbox.qbo.intuit.com`` for Intuit's sandbox
companies), in whichever company the person is signed in to. The gateways' job steps link there
(``espqb.jobs.links``); with the local sandbox the same paths answer here, so a link can be followed in
development and in the browser tests. Real QuickBooks shows the company the browser is signed in to;
the sandbox has no browser sign-in, so it shows the record in every company that has one with that Id.
"""

from __future__ import annotations

from html import escape
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from .sandbox import IntuitSandbox

router = APIRouter(include_in_schema=False)

# Page → (entity, the query parameter naming its Id, what the page is called).
PAGES: dict[str, tuple[str, str, str]] = {
    "invoice": ("Invoice", "txnId", "Invoice"),
    "recvpayment": ("Payment", "txnId", "Receive payment"),
    "bill": ("Bill", "txnId", "Bill"),
    "purchaseorder": ("PurchaseOrder", "txnId", "Purchase order"),
    "customerdetail": ("Customer", "nameId", "Customer"),
    "vendordetail": ("Vendor", "nameId", "Vendor"),
}

_SHOWN = (
    "DocNumber",
    "DisplayName",
    "TxnDate",
    "DueDate",
    "CustomerRef",
    "VendorRef",
    "SalesTermRef",
    "ClassRef",
    "DepartmentRef",
    "ShipDate",
    "ShipMethodRef",
    "TrackingNum",
    "CustomerMemo",
    "ExpectedDate",
    "Memo",
    "PrivateNote",
    "TotalAmt",
    "Balance",
    "CompanyName",
)


def _text(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("name") or value.get("value") or "")
    return "" if value is None else str(value)


def _lines(entity: dict[str, Any]) -> str:
    rows = []
    for line in entity.get("Line") or []:
        detail = next((v for k, v in line.items() if k.endswith("Detail") and isinstance(v, dict)), {})
        item = _text(detail.get("ItemRef") or detail.get("AccountRef"))
        rows.append(
            "<tr>"
            f"<td>{escape(str(line.get('DetailType', '')))}</td><td>{escape(item)}</td>"
            f"<td>{escape(str(line.get('Description', '')))}</td>"
            f"<td>{escape(_text(detail.get('Qty')))}</td><td>{escape(_text(detail.get('UnitPrice')))}</td>"
            f"<td class='amount'>{escape(_text(line.get('Amount')))}</td>"
            "</tr>"
        )
    if not rows:
        return ""
    head = "<tr><th>Line</th><th>Item</th><th>Description</th><th>Qty</th><th>Rate</th><th>Amount</th></tr>"
    return f"<table class='lines'>{head}{''.join(rows)}</table>"


def _record(company_name: str, realm_id: str, title: str, entity: dict[str, Any]) -> str:
    fields = "".join(
        f"<dt>{escape(name)}</dt><dd data-field='{escape(name)}'>{escape(_text(entity[name]))}</dd>"
        for name in _SHOWN
        if entity.get(name) not in (None, "", {})
    )
    custom = "".join(
        f"<dt>{escape(str(f.get('Name') or 'Custom field'))}</dt><dd>{escape(str(f.get('StringValue', '')))}</dd>"
        for f in entity.get("CustomField") or []
        if f.get("StringValue")
    )
    return (
        f"<section><h2>{escape(title)} {escape(str(entity.get('DocNumber') or entity.get('DisplayName') or ''))}"
        f" <small>— {escape(company_name)} (realm {escape(realm_id)}), Id {escape(str(entity.get('Id')))}</small></h2>"
        f"<dl>{fields}{custom}</dl>{_lines(entity)}</section>"
    )


@router.get("/app/{page}", response_class=HTMLResponse)
async def app_page(
    page: str,
    request: Request,
    txn_id: str | None = Query(None, alias="txnId"),
    name_id: str | None = Query(None, alias="nameId"),
) -> HTMLResponse:
    if page not in PAGES:
        raise HTTPException(404, f"QuickBooks Online has no page /app/{page} here")
    entity_kind, parameter, title = PAGES[page]
    wanted = txn_id if parameter == "txnId" else name_id
    if not wanted:
        raise HTTPException(400, f"/app/{page} needs ?{parameter}=<Id>")
    sandbox: IntuitSandbox = request.app.state.sandbox
    found = [
        _record(company.name, realm_id, title, entity)
        for realm_id, company in sandbox.companies.items()
        if (entity := sandbox.get(realm_id, entity_kind, wanted)) is not None
    ]
    if not found:
        raise HTTPException(404, f"No {title.lower()} with Id {wanted} in any sandbox company")
    body = "".join(found)
    return HTMLResponse(
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{escape(title)} — QuickBooks Online (local sandbox)</title>"
        "<style>body{font-family:sans-serif;margin:2em}dt{font-weight:bold}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:4px 8px}.amount{text-align:right}</style></head>"
        f"<body><p>QuickBooks Online (local Intuit sandbox)</p>{body}</body></html>"
    )

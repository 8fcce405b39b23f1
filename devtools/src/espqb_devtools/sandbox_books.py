"""espqb-dev sandbox books: print what landed in a sandbox's books (the local Intuit sandbox's company, or
the simulated QuickBooks Desktop company file), as tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import typer
from rich.console import Console
from rich.table import Table

from espqb.config import get_settings

# What a person wants to see of each kind of record, per product: (heading, field path).
ONLINE_COLUMNS: dict[str, list[tuple[str, str]]] = {
    "Invoice": [
        ("Id", "Id"),
        ("No.", "DocNumber"),
        ("Customer", "CustomerRef.name"),
        ("Total", "TotalAmt"),
        ("Balance", "Balance"),
    ],
    "Payment": [
        ("Id", "Id"),
        ("Customer", "CustomerRef.name"),
        ("Amount", "TotalAmt"),
        ("Unapplied", "UnappliedAmt"),
    ],
    "Bill": [
        ("Id", "Id"),
        ("No.", "DocNumber"),
        ("Vendor", "VendorRef.name"),
        ("Total", "TotalAmt"),
        ("Balance", "Balance"),
    ],
    "PurchaseOrder": [
        ("Id", "Id"),
        ("No.", "DocNumber"),
        ("Vendor", "VendorRef.name"),
        ("Total", "TotalAmt"),
        ("Status", "POStatus"),
    ],
    "Customer": [("Id", "Id"), ("Name", "DisplayName")],
    "Vendor": [("Id", "Id"), ("Name", "DisplayName")],
    "Item": [("Id", "Id"), ("Name", "Name"), ("Type", "Type")],
}
DESKTOP_COLUMNS: dict[str, list[tuple[str, str]]] = {
    "Invoice": [
        ("TxnID", "TxnID"),
        ("No.", "RefNumber"),
        ("Customer", "CustomerRef.FullName"),
        ("Subtotal", "Subtotal"),
        ("Total", "TotalAmount"),
        ("Balance", "BalanceRemaining"),
    ],
    "ReceivePayment": [
        ("TxnID", "TxnID"),
        ("Customer", "CustomerRef.FullName"),
        ("Amount", "TotalAmount"),
        ("Unused", "UnusedPayment"),
    ],
    "Bill": [
        ("TxnID", "TxnID"),
        ("No.", "RefNumber"),
        ("Vendor", "VendorRef.FullName"),
        ("Amount", "AmountDue"),
    ],
    "PurchaseOrder": [
        ("TxnID", "TxnID"),
        ("No.", "RefNumber"),
        ("Vendor", "VendorRef.FullName"),
        ("Total", "TotalAmount"),
    ],
    "Customer": [("ListID", "ListID"), ("Name", "FullName")],
    "Vendor": [("ListID", "ListID"), ("Name", "Name")],
}


def _field(record: dict[str, Any], path: str) -> str:
    value: Any = record
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return "" if value is None else str(value)


def _lines(record: dict[str, Any], online: bool) -> list[str]:
    out = []
    if online:
        for line in record.get("Line") or []:
            if line.get("DetailType") == "SubTotalLineDetail":
                continue
            detail = line.get("SalesItemLineDetail") or line.get("ItemBasedExpenseLineDetail") or {}
            what = _field(detail, "ItemRef.name") or line.get("DetailType", "")
            qty = detail.get("Qty")
            price = detail.get("UnitPrice")
            sign = "-" if line.get("DetailType") == "DiscountLineDetail" else ""
            out.append(f"{what} {f'{qty} x {price} = ' if qty is not None else ''}{sign}{line.get('Amount')}")
    else:
        for key in ("InvoiceLineRet", "ItemLineRet", "PurchaseOrderLineRet", "AppliedToTxnRet"):
            lines = record.get(key) or []
            for line in lines if isinstance(lines, list) else [lines]:
                what = _field(line, "ItemRef.FullName") or _field(line, "RefNumber")
                qty, rate = line.get("Quantity"), line.get("Rate") or line.get("RatePercent")
                amount = line.get("Amount") or line.get("PaymentAmount")
                out.append(f"{what} {f'{qty} x {rate} = ' if qty else ''}{amount}")
    return out


def print_records(
    kind: str, records: list[dict[str, Any]], *, online: bool, console: Console | None = None
) -> None:
    columns = (ONLINE_COLUMNS if online else DESKTOP_COLUMNS).get(kind) or [
        ("Id", "Id" if online else "ListID")
    ]
    table = Table(title=f"{kind} ({len(records)})", show_lines=True)
    for heading, _ in columns:
        table.add_column(heading)
    table.add_column("Lines")
    for record in records:
        table.add_row(*[_field(record, path) for _, path in columns], "\n".join(_lines(record, online)))
    (console or Console()).print(table)


class SandboxUnreachable(Exception):
    """The Intuit sandbox could not be read; the message is the one line the user sees."""


def _online_records(base: str, realm: str | None, kinds: list[str]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Each kind's records in the sandbox at ``base``; SandboxUnreachable in one sentence otherwise."""
    try:
        with httpx.Client(base_url=base, timeout=10) as client:
            realms = client.get("/_sandbox/realms")
            if realms.status_code != 200:
                raise SandboxUnreachable(
                    f"{base} is not the Intuit sandbox (GET /_sandbox/realms answered {realms.status_code})"
                )
            if realm is None and not realms.json():
                raise SandboxUnreachable(f"the Intuit sandbox at {base} has no company yet")
            realm_id = realm or realms.json()[0]["realm_id"]
            found = []
            for name in kinds:
                answer = client.get(f"/_sandbox/realms/{realm_id}/entities/{name}")
                if answer.status_code != 200:
                    raise SandboxUnreachable(
                        f"the Intuit sandbox at {base} has no {name} records for company {realm_id} "
                        f"(HTTP {answer.status_code})"
                    )
                found.append((name, answer.json()))
            return found
    except ValueError as error:  # an answer that is not JSON
        raise SandboxUnreachable(f"{base} is not the Intuit sandbox (its answer is not JSON)") from error
    except httpx.HTTPError as error:
        raise SandboxUnreachable(
            f"cannot reach the Intuit sandbox at {base} ({type(error).__name__}): is `make run` going, "
            "and on that port (SANDBOX_PORT)?"
        ) from error


def books(
    online: bool = typer.Option(False, "--online", help="The local Intuit sandbox (QuickBooks Online)."),
    desktop: bool = typer.Option(False, "--desktop", help="The simulated QuickBooks Desktop company file."),
    kind: list[str] = typer.Option(
        ["Invoice"], "--kind", help="Record kinds to show (repeatable), e.g. Invoice, Bill."
    ),
    sandbox_url: str | None = typer.Option(
        None,
        "--sandbox-url",
        "--url",
        help="The Intuit sandbox, e.g. http://localhost:8003 (default: INTUIT_API_BASE_URL).",
        show_default=False,
    ),
    realm: str | None = typer.Option(None, help="Sandbox company (realm id; default: the first)."),
    company_file: Path | None = typer.Option(
        None,
        envvar="ESPQB_SANDBOX_COMPANY_FILE",
        help="Desktop company file (default: the one `sandbox web-connector` uses).",
    ),
) -> None:
    """Print records from a sandbox's books as tables: what the gateways wrote there."""
    if online == desktop:
        raise typer.BadParameter("choose --online or --desktop")
    if online:
        base = (sandbox_url or get_settings().intuit_api_base_url).rstrip("/")
        try:
            found = _online_records(base, realm, kind)
        except SandboxUnreachable as error:
            typer.echo(f"espqb-dev sandbox books: {error}", err=True)
            raise typer.Exit(1) from None
        for name, records in found:
            print_records(name, records, online=True)
        return
    from espqb_devtools.sandbox import DEFAULT_COMPANY_FILE
    from qb_sandbox.desktop import CompanyFile

    path = company_file or DEFAULT_COMPANY_FILE
    if not path.exists():
        raise typer.BadParameter(
            f"{path} does not exist yet: run `espqb-dev sandbox web-connector --once` first"
        )
    company = CompanyFile.from_json(path.read_text())
    for name in kind:
        print_records(name, company.documents(name), online=False)

"""espqb-dev sandbox web-connector: play the QuickBooks Web Connector against a running qbwc-gateway.

The simulated Web Connector (zeep, built from Intuit's WSDL) runs update sessions against the
gateway's SOAP endpoint and hands the qbXML to a simulated QuickBooks company file kept as JSON, so
several runs share one set of books. Useful for the demo, and to watch a send end to end.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from espqb.config import REPO_ROOT, get_settings
from espqb_devtools.sandbox_books import books

if TYPE_CHECKING:  # imported by the command that uses them: `approve` and `books --online` start fast
    from qb_sandbox.desktop import CompanyFile
    from qb_sandbox.webconnector import SessionReport, WebConnectorSimulator

app = typer.Typer(
    help="The sandboxes: a simulated QuickBooks Web Connector and company file.", no_args_is_help=True
)

DEFAULT_COMPANY_FILE = REPO_ROOT / "var" / "sandbox" / "desktop-company.json"
DOCUMENT_KINDS = ("Customer", "Vendor", "Invoice", "ReceivePayment", "PurchaseOrder", "Bill")


def _report(report: SessionReport, books: CompanyFile) -> None:
    typer.echo(f"outcome:        {report.outcome.value if report.outcome else 'unknown'}")
    typer.echo(f"authenticate:   {report.authenticate_status!r}")
    typer.echo(f"round trips:    {report.round_trips}   progress: {report.progress}")
    if report.last_error:
        typer.echo(f"last error:     {report.last_error}")
    if report.close_message:
        typer.echo(f"closed with:    {report.close_message}")
    counts = ", ".join(f"{kind} {len(books.documents(kind))}" for kind in DOCUMENT_KINDS)
    typer.echo(f"company file:   {books.company_name} ({counts})")


async def _run(simulator: WebConnectorSimulator, books: CompanyFile, *, once: bool, every: float) -> None:
    async with simulator:
        while True:
            typer.echo(f"--- update at {time.strftime('%H:%M:%S')}")
            _report(await simulator.run_once(), books)
            if once:
                return
            await asyncio.sleep(every)


@app.command("web-connector")
def web_connector(
    username: str = typer.Option(
        ..., envvar="ESPQB_QBWC_USERNAME", help="The Web Connector user name (.qwc)."
    ),
    password: str = typer.Option(
        ..., envvar="ESPQB_QBWC_PASSWORD", help="From POST /v1/qbwc/password.", show_default=False
    ),
    url: str | None = typer.Option(None, help="The SOAP endpoint (default: QBWC_PUBLIC_URL + /qbwc)."),
    company_file: Path = typer.Option(
        DEFAULT_COMPANY_FILE,
        envvar="ESPQB_SANDBOX_COMPANY_FILE",
        help="The simulated company file (JSON); created with demo accounts if missing.",
    ),
    company_name: str = typer.Option("Demo Promo Co", help="Name of a newly created company file."),
    edition: str = typer.Option(
        "us", help="Edition of a newly created company file: us, ca (Canada: HST/GST codes) or uk (VAT)."
    ),
    multi_currency: bool = typer.Option(
        False, "--multi-currency", help="A newly created company file has multi-currency turned on."
    ),
    class_tracking: bool = typer.Option(
        False, "--class-tracking", help="A newly created company file has class tracking turned on."
    ),
    sales_rep: list[str] = typer.Option(
        [],
        "--sales-rep",
        help="A sales rep of a newly created company file, as INITIALS=Full Name (repeatable).",
    ),
    class_name: list[str] = typer.Option(
        [], "--class", help="A class of a newly created company file (repeatable)."
    ),
    ship_method: list[str] = typer.Option(
        [], "--ship-method", help="A ship method of a newly created company file (repeatable)."
    ),
    once: bool = typer.Option(False, "--once", help="Run one update and stop (else every --every seconds)."),
    every: float = typer.Option(60.0, help="Seconds between updates when not --once."),
    quickbooks_not_running: bool = typer.Option(
        False, help="Fault: QuickBooks cannot be started (connectionError 0x80040408)."
    ),
    drop_next_response: bool = typer.Option(
        False, help="Fault: QuickBooks processes the next request, then the answer is lost."
    ),
) -> None:
    """Run Web Connector updates against the qbwc-gateway, like Auto-Run or "Update Selected"."""
    from qb_sandbox.desktop import CompanyFile
    from qb_sandbox.webconnector import WebConnectorSimulator

    endpoint = url or get_settings().qbwc_public_url.rstrip("/") + "/qbwc"
    if edition not in ("us", "ca", "uk"):
        raise typer.BadParameter("choose us, ca or uk", param_hint="--edition")
    reps = [entry.partition("=") for entry in sales_rep]
    if any(not initials.strip() or not sep or not person.strip() for initials, sep, person in reps):
        raise typer.BadParameter("write INITIALS=Full Name, e.g. JD=Jane Doe", param_hint="--sales-rep")
    is_new = not company_file.exists()
    books = CompanyFile.load_or_create(
        company_file,
        company_name=company_name,
        seed_demo=True,
        edition=edition,
        multi_currency=multi_currency,
        class_tracking=class_tracking,
    )
    if is_new and (reps or class_name or ship_method):
        # The lists a document's details name, as a bookkeeper would have them (docs/web-connector.md §3.17).
        for initials, _, person in reps:
            books.add_sales_rep(initials.strip(), person.strip())
        for name in class_name:
            books.add_class(name)
        for name in ship_method:
            books.add_ship_method(name)
        books.save()
    simulator = WebConnectorSimulator(endpoint, username=username, password=password, company=books)
    simulator.quickbooks_not_running = quickbooks_not_running
    simulator.drop_next_response = drop_next_response
    asyncio.run(_run(simulator, books, once=once, every=every))


@app.command("approve")
def approve(
    authorization_url: str = typer.Argument(..., help="The authorization_url from POST /v1/qbo/connect."),
    realm_id: str | None = typer.Option(None, help="Which sandbox company to connect (default: the first)."),
    cancel: bool = typer.Option(False, "--cancel", help="Press Cancel instead (Intuit's access_denied)."),
) -> None:
    """Press "Connect" on the Intuit sandbox's consent page without a browser, then follow the
    redirect to the qbo-gateway callback and print its outcome. Only for the local Intuit sandbox."""
    import re

    import httpx

    with httpx.Client(timeout=30) as browser:
        page = browser.get(authorization_url)
        if page.status_code != 200:
            raise typer.BadParameter(f"the consent page answered {page.status_code}: {page.text[:200]}")
        request_id = re.search(r'name="request_id" value="([^"]+)"', page.text)
        realms = re.findall(r'<option value="([^"]+)"', page.text)
        if request_id is None or not realms:
            raise typer.BadParameter("this does not look like the Intuit sandbox's consent page")
        form = {"request_id": request_id.group(1), "action": "cancel" if cancel else "connect"}
        form["realm_id"] = realm_id or realms[0]
        consent = browser.post(str(page.url.join("oauth2")), data=form)
        if consent.status_code not in (302, 303):
            raise typer.BadParameter(f"the consent form answered {consent.status_code}: {consent.text[:200]}")
        landed = browser.get(consent.headers["location"])
    outcome = re.search(r'data-outcome="([^"]+)"', landed.text)
    title = re.search(r"<h1[^>]*>(.*?)</h1>", landed.text, re.S)
    typer.echo(
        f"{outcome.group(1) if outcome else landed.status_code}: {title.group(1).strip() if title else ''}"
    )
    if landed.status_code != 200:
        raise typer.Exit(1)


app.command("books")(books)

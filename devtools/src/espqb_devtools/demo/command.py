"""`espqb-dev demo`: the whole story on both products, scripted, with a verdict in the exit status.

Exit 0 when every figure in QuickBooks matches its order on both products, 1 when any differs,
2 when the demo could not run to the end (a service did not start, a step was refused...).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy.engine import make_url

from espqb.orders import SendRequest
from qb_sandbox.desktop import CompanyFile

from .checks import Check, a7102_checks, order_checks
from .orders import A7102_ORDER_NUMBER, canadian_request, demo_requests
from .report import print_books, print_verdict
from .services import DEMO_DIR, DemoStack, default_database_url, fresh_sqlite, running_stack
from .story import StoryResult
from .story_qbd import QBD_CANADA_COMPANY, run_qbd_story
from .story_qbo import QBO_CANADA_COMPANY, run_qbo_story

__all__ = ["EXIT_CRASHED", "EXIT_DIFFERENCES", "demo", "story_checks"]

EXIT_DIFFERENCES = 1
EXIT_CRASHED = 2
COMPANY_FILE = DEMO_DIR / "desktop-company.json"
CANADIAN_COMPANY_NAME = "Maple Leaf Promotions"
ONLINE_CANADA = "QuickBooks Online, Canada"
DESKTOP_CANADA = "QuickBooks Desktop, Canada"
CANADIAN_FILE_PATH = r"C:\Users\Public\Documents\Intuit\QuickBooks\Company Files\maple-leaf.qbw"


def _console() -> Console:
    # Colour only on a terminal; a fixed width elsewhere so tables do not fold at 80 columns in logs.
    probe = Console()
    return Console(highlight=False, width=None if probe.is_terminal else 120)


def story_checks(result: StoryResult, requests: Sequence[SendRequest]) -> list[Check]:
    checks: list[Check] = []
    for request, job in zip(requests, result.jobs, strict=True):
        checks += order_checks(request, job, result.books)
        if request.order.order_number == A7102_ORDER_NUMBER:
            checks += a7102_checks(result.product, A7102_ORDER_NUMBER, job, result.books)
    return checks


async def _stories(
    stack: DemoStack, company: CompanyFile, canadian_file: CompanyFile, console: Console
) -> list[Check]:
    def say(text: str) -> None:
        console.print(f"  - {escape(text)}")

    requests = demo_requests()
    # The bookkeeper's sales-form settings: custom fields for the customer's PO number and the rep
    # (QuickBooks Online invoices have neither field of their own), and one class per document.
    stack.sandbox.company(stack.realm_id).set_details_preferences(
        custom_fields=("P.O. Number", "Sales Rep"), class_tracking="per_transaction"
    )
    console.print()
    console.rule("[bold]QuickBooks Online[/bold]")
    online = await run_qbo_story(stack, requests, say)
    print_books(console, online)
    console.print()
    console.rule(f"[bold]{ONLINE_CANADA}[/bold]")
    canadian = [canadian_request()]
    realm = stack.sandbox.add_company(CANADIAN_COMPANY_NAME, edition="ca", sample_names=False)
    say(
        f"a Canadian QuickBooks Online company in the sandbox: {CANADIAN_COMPANY_NAME} (realm {realm}), CAD, HST"
    )
    canada = await run_qbo_story(
        stack, canadian, say, company_id=QBO_CANADA_COMPANY, realm_id=realm, title=ONLINE_CANADA
    )
    print_books(console, canada)
    console.print()
    console.rule("[bold]QuickBooks Desktop[/bold]")
    desktop = await run_qbd_story(stack, requests, company, say)
    print_books(console, desktop)
    console.print()
    console.rule(f"[bold]{DESKTOP_CANADA}[/bold]")
    desktop_canada = await run_qbd_story(
        stack, canadian, canadian_file, say, company_id=QBD_CANADA_COMPANY, title=DESKTOP_CANADA
    )
    print_books(console, desktop_canada)
    return (
        story_checks(online, requests)
        + story_checks(canada, canadian)
        + story_checks(desktop, requests)
        + story_checks(desktop_canada, canadian)
    )


def _run(console: Console, *, keep: bool, database_url: str | None) -> int:
    started = time.monotonic()
    url = database_url or default_database_url()
    if database_url is None:
        fresh_sqlite(url)
    company = CompanyFile(seed_demo=True, class_tracking=True)
    # The distributor's own lists: the rep of order 10246 (Desktop documents name reps by initials).
    company.add_sales_rep("DW", "Dana Whitfield")
    canadian_file = CompanyFile(CANADIAN_COMPANY_NAME, CANADIAN_FILE_PATH, edition="ca", seed_demo=True)
    console.rule(
        "[bold]esp-quickbooks demo: the A7102 example and a two-supplier order on both products, "
        "and an HST order for a Canadian company[/bold]"
    )
    with running_stack(url) as stack:
        console.print(f"database       {escape(_shown(url))}")
        console.print(f"Intuit sandbox {stack.intuit_url}")
        console.print(f"qbo-gateway    {stack.qbo_url}")
        console.print(f"qbwc-gateway   {stack.qbwc_url}")
        checks = asyncio.run(_stories(stack, company, canadian_file, console))
    console.print()
    console.rule("[bold]Checks[/bold]")
    passed = print_verdict(console, checks)
    if keep:
        company.save(COMPANY_FILE)
        console.print(
            f"kept: the database ({escape(_shown(url))}) and the Desktop company file ({COMPANY_FILE})"
        )
    else:
        COMPANY_FILE.unlink(missing_ok=True)  # a company file kept by an earlier run is stale now
        if database_url is None:
            fresh_sqlite(url)
    console.print(f"demo took {time.monotonic() - started:.1f} s")
    return 0 if passed else EXIT_DIFFERENCES


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def demo(*, keep: bool = False, database_url: str | None = None) -> None:
    """Send the A7102 example and a two-supplier order to QuickBooks Online and Desktop (sandboxes),
    print the documents and each job's timeline, and exit 1 if any figure differs from its order."""
    console = _console()
    try:
        code = _run(console, keep=keep, database_url=database_url)
    except Exception as exc:  # any crash ends as one readable line and exit 2, never a bare traceback
        console.print()
        console.print(f"[bold red]demo crashed[/bold red]: {escape(type(exc).__name__)}: {escape(str(exc))}")
        code = EXIT_CRASHED
    raise typer.Exit(code)

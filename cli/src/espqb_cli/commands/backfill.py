"""espqb backfill: send past orders from a file, one by one, only when asked.

Parsing the options and printing live here; what is checked and queued is ``espqb.ops.backfill``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    import uuid

    from rich.console import Console
    from rich.progress import Progress

    from espqb.config import Settings
    from espqb.db import Database
    from espqb.ops import BackfillReport, JobState

_PRODUCT = {"qbo": "QuickBooks Online", "qbd": "QuickBooks Desktop"}
_WHO_SENDS = {
    "qbo": "go to QuickBooks Online through the send worker (espqb worker, or --run-worker)",
    "qbd": "wait for the Web Connector: QuickBooks Desktop gets them at its next update",
}
TIMED_OUT = 3  # the exit status when --wait gave up with sends not finished


def _progress(console: Console) -> Progress:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


def _print_summary(report: BackfillReport) -> None:
    from espqb.ops import OrderOutcome

    # Queued, not sent: QuickBooks gets them when the send worker (Online) or the Web Connector's next
    # update (Desktop) takes them; --wait says how they ended.
    verb = "would send" if report.dry_run else "queued"
    typer.echo(f"Backfill for company {report.company_id} ({_PRODUCT[report.target]}):")
    main = OrderOutcome.WOULD_SEND if report.dry_run else OrderOutcome.SENT
    typer.echo(f"  {verb:<15}{report.count(main):>6}")
    typer.echo(f"  {'already sent':<15}{report.count(OrderOutcome.ALREADY_SENT):>6}")
    typer.echo(f"  {'already queued':<15}{report.count(OrderOutcome.ALREADY_QUEUED):>6}")
    typer.echo(f"  {'failed':<15}{len(report.failed):>6}")
    if report.failed:
        typer.echo("Failed:")
        for result in report.failed:
            order = f"order {result.order_number}" if result.order_number else "order unreadable"
            for problem in result.problems:
                typer.echo(f"  line {result.line} ({order}): {problem.path}: {problem.message}")
    if not report.dry_run and report.count(main):
        typer.echo(f"Queued sends {_WHO_SENDS[report.target]}.")


def _print_waited(outcomes: list[JobState]) -> int:
    """Prints how the queued sends ended; how many did not end well."""
    counts = Counter(outcome.status for outcome in outcomes)
    unfinished = [o for o in outcomes if not o.finished]
    typer.echo(
        f"Queued sends: {counts['succeeded']} sent to QuickBooks, {counts['partially_succeeded']} partly sent, "
        f"{counts['failed']} failed, {counts['cancelled']} cancelled, {len(unfinished)} not finished yet"
    )
    bad = [o for o in outcomes if o.status in ("failed", "partially_succeeded")]
    for outcome in bad:
        typer.echo(
            f"  order {outcome.order_number}: {outcome.status}: {outcome.last_error or 'no reason recorded'}"
        )
    return len(bad)


@contextlib.asynccontextmanager
async def _qbo_worker(db: Database, settings: Settings) -> AsyncIterator[Callable[[], Awaitable[int]]]:
    """The QuickBooks Online send worker of `espqb worker`, run pass by pass inside this command."""
    from espqb.security.crypto import SecretBox
    from qbo_gateway.connection.runtime import build_runtime
    from qbo_gateway.worker import build_sending

    connection = build_runtime(
        db, settings, SecretBox.from_setting(settings.encryption_keys.get_secret_value())
    )
    sending = build_sending(db, settings, connection.tokens, http=connection.http)
    try:
        yield sending.run_once
    finally:
        await sending.aclose()
        await connection.aclose()


async def _wait(
    db: Database, settings: Settings, job_ids: list[uuid.UUID], *, run_worker: bool, wait_seconds: float
) -> list[JobState]:
    """Waits for the queued sends (doing the sending too with --run-worker), showing progress."""
    from rich.console import Console

    from espqb.ops import wait_for_jobs

    async with contextlib.AsyncExitStack() as stack:
        worker = await stack.enter_async_context(_qbo_worker(db, settings)) if run_worker else None
        with _progress(Console(stderr=True)) as progress:
            task = progress.add_task("Waiting for the queued sends", total=len(job_ids))

            def show(outcomes: list[JobState]) -> None:
                progress.update(task, completed=sum(1 for o in outcomes if o.finished))

            return await wait_for_jobs(
                db, job_ids, timeout_seconds=wait_seconds, run_worker=worker, on_progress=show
            )


async def _run(
    file: Path,
    company: str,
    user: str | None,
    *,
    dry_run: bool,
    wait: bool,
    run_worker: bool,
    wait_seconds: float,
) -> int:
    from rich.console import Console

    from espqb.config import get_settings
    from espqb.db import Database
    from espqb.observability.logging import configure_from_settings
    from espqb.ops import (
        BACKFILL_USER,
        BackfillRefused,
        backfill_target,
        read_backfill_file,
        run_backfill,
    )
    from qbo_gateway.connection.service import start_state as qbo_start_state

    settings = get_settings()
    configure_from_settings(settings)
    user = user or BACKFILL_USER
    entries = read_backfill_file(file)
    err = Console(stderr=True)
    db = Database.from_url(settings.database_url)
    try:
        try:
            target = await backfill_target(db, company)
        except BackfillRefused as exc:
            typer.echo(f"Cannot backfill company {company}: {exc}", err=True)
            return 2
        if run_worker and target != "qbo":
            typer.echo(
                "--run-worker sends QuickBooks Online orders; QuickBooks Desktop orders are sent by the "
                "Web Connector at its next update (use --wait to wait for it).",
                err=True,
            )
            return 2
        with _progress(err) as progress:
            task = progress.add_task("Checking and queueing orders", total=len(entries))
            report = await run_backfill(
                db,
                entries,
                company_id=company,
                user_id=user,
                dry_run=dry_run,
                max_attempts=settings.job_max_attempts,
                start_state=qbo_start_state,
                on_result=lambda _result: progress.advance(task),
            )
        _print_summary(report)
        failed = len(report.failed)
        job_ids = report.queued_job_ids
        if (wait or run_worker) and job_ids and not dry_run:
            outcomes = await _wait(db, settings, job_ids, run_worker=run_worker, wait_seconds=wait_seconds)
            failed += _print_waited(outcomes)
            unfinished = sum(1 for o in outcomes if not o.finished)
            if unfinished:
                typer.echo(
                    f"Timed out after {wait_seconds:g} s with {unfinished} send(s) not finished; "
                    "`espqb status` or GET /v1/jobs shows how they go on.",
                    err=True,
                )
                return 1 if failed else TIMED_OUT
        return 1 if failed else 0
    finally:
        await db.dispose()


def backfill(
    file: Path = typer.Argument(
        ...,
        exists=True,
        dir_okay=False,
        readable=True,
        help="JSON lines: one order (or send request) per line.",
    ),
    company: str = typer.Option(
        ..., "--company", help="The ESP company id whose QuickBooks receives the orders."
    ),
    user: str | None = typer.Option(
        None,
        "--user",
        show_default=False,
        # espqb.ops.BACKFILL_USER, which --help does not import (a test checks they agree)
        help="Who the sends are recorded as requested by (default: espqb-backfill).",
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check every order and report; queue nothing."),
    wait: bool = typer.Option(
        False, "--wait", help="Wait for the queued sends to finish and report how each ended."
    ),
    run_worker: bool = typer.Option(
        False, "--run-worker", help="QuickBooks Online: do the sending in this command too (implies --wait)."
    ),
    timeout: float = typer.Option(600.0, "--timeout", help="How long --wait waits, in seconds."),
) -> None:
    """Send past orders from FILE to the company's QuickBooks, one by one, only when asked.

    Each line is a send request ({"order": ..., "choices": ...}, as the "QB" button sends) or a bare
    order snapshot (then the company's default choices apply). Every order is checked first (the
    order itself, then a dry run of its accounting plan with the company's settings and mappings)
    and queued like a "QB" press. Orders QuickBooks already has, or whose send is still queued, are
    counted and left alone, so running the same file again sends nothing twice. Prints a summary:
    queued (QuickBooks gets them from the send worker, or at the Web Connector's next update),
    already sent, already queued, and every failure with its line, field and reason. Exits 1 when
    any order failed, 3 when --wait timed out with sends not finished."""
    raise typer.Exit(
        asyncio.run(
            _run(file, company, user, dry_run=dry_run, wait=wait, run_worker=run_worker, wait_seconds=timeout)
        )
    )

"""espqb worker: the QuickBooks Online send worker as a process of its own.

Run it when the qbo-gateway runs with RUN_WORKER_IN_PROCESS=false (several web processes, one or more
workers). Run as many as you like, on any machines (PostgreSQL): one worker at a time owns a realm
(a lease taken in the claim, `qbo_realm_leases`), so each realm's requests pass one limiter and Intuit's
per-realm limits hold across all of them. `--max-realms` caps the realms one worker owns at once, so
that realms spread over the workers; `--concurrency` is how many sends one worker runs at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from espqb.config import Settings
    from espqb.db import Database


async def _check(db: Database, settings: Settings) -> bool:
    """Can this process work? Prints what it finds; False when it cannot."""
    from sqlalchemy import func, select, text

    from espqb.db.models import SendJob

    try:
        async with db.transaction() as session:
            await session.execute(text("SELECT 1"))
            rows = await session.execute(
                select(SendJob.status, func.count()).where(SendJob.target == "qbo").group_by(SendJob.status)
            )
            counts = dict(rows.tuples().all())
    except Exception as exc:  # the database is what a check is for: say what is wrong, do not trace
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        typer.echo(f"database: NOT reachable or not migrated ({reason})", err=True)
        return False
    typer.echo("database: reachable")
    typer.echo(f"QBO API: {settings.intuit_api_base_url} (minorversion {settings.qbo_minor_version})")
    waiting = ", ".join(f"{status} {count}" for status, count in sorted(counts.items())) or "none"
    typer.echo(f"QBO send jobs: {waiting}")
    if settings.run_worker_in_process:
        typer.echo("note: RUN_WORKER_IN_PROCESS is true, so the qbo-gateway also runs a worker")
    return True


async def _run(
    *,
    once: bool,
    check: bool,
    metrics_port: int = 0,
    concurrency: int | None = None,
    max_realms: int | None = None,
) -> int:
    from espqb.config import get_settings
    from espqb.db import Database
    from espqb.observability.logging import configure_from_settings
    from espqb.observability.metrics import serve_metrics
    from espqb.security.crypto import SecretBox
    from qbo_gateway.client import RealmLimiter
    from qbo_gateway.connection.runtime import build_runtime
    from qbo_gateway.worker import build_sending, realm_leases

    settings = get_settings()
    configure_from_settings(settings)
    db = Database.from_url(settings.database_url)
    connection = build_runtime(
        db, settings, SecretBox.from_setting(settings.encryption_keys.get_secret_value())
    )
    # One HTTP client and one realm limiter for the process: the connection's, shared by the sender.
    limiter = connection.profiles.client.limiter if connection.profiles is not None else RealmLimiter()
    sending = build_sending(
        db,
        settings,
        connection.tokens,
        http=connection.http,
        limiter=limiter,
        worker_options={
            "concurrency": concurrency or settings.worker_concurrency,
            "groups": realm_leases(limiter, max_groups=max_realms),
        },
    )
    try:
        if check:
            return 0 if await _check(db, settings) else 1
        if once:
            done = await sending.run_once()
            typer.echo(f"{done} send job(s) processed")
            return 0
        serve_metrics(metrics_port)  # finished sends and their latency are counted in this process
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        typer.echo(
            f"QBO send worker {sending.worker.worker_id} running; Ctrl-C stops it after the jobs in hand"
        )
        await sending.worker.run(stop)
        return 0
    finally:
        await sending.aclose()
        await connection.aclose()
        await db.dispose()


def worker(
    once: bool = typer.Option(False, "--once", help="Process the send jobs ready now, then exit."),
    check: bool = typer.Option(False, "--check", help="Check the configuration and the database, then exit."),
    metrics_port: int = typer.Option(
        0, "--metrics-port", help="Serve Prometheus metrics on this port while running (0: do not)."
    ),
    concurrency: int | None = typer.Option(
        None,
        "--concurrency",
        min=1,
        help="Sends this worker runs at once (default: WORKER_CONCURRENCY, 40).",
    ),
    max_realms: int | None = typer.Option(
        None,
        "--max-realms",
        min=1,
        help="Most QuickBooks companies (realms) this worker owns at once; others go to other workers.",
    ),
) -> None:
    """Claim and send QuickBooks Online jobs until stopped (SIGINT/SIGTERM finish the jobs in hand)."""
    raise typer.Exit(
        asyncio.run(
            _run(
                once=once,
                check=check,
                metrics_port=metrics_port,
                concurrency=concurrency,
                max_realms=max_realms,
            )
        )
    )

"""Run the simulated Web Connector from a ``.qwc`` file against a live service, as a user's PC would."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import httpx

from qb_sandbox.desktop import CompanyFile

from .client import WebConnectorSimulator
from .qwc import QwcRegistration
from .report import SessionOutcome, SessionReport

# Outcomes after which nothing needs a person's attention.
SUCCESSFUL = frozenset({SessionOutcome.COMPLETED, SessionOutcome.NOTHING_TO_DO})
# The Web Connector's default when the .qwc has no Scheduler and the user set no interval.
DEFAULT_INTERVAL_SECONDS = 15 * 60


def summary(report: SessionReport) -> str:
    """One JSON line per session, for people and scripts alike."""
    return json.dumps(
        {
            "outcome": report.outcome.value if report.outcome else None,
            "round_trips": report.round_trips,
            "progress": report.progress,
            "warnings": report.warnings,
            "last_error": report.last_error,
            "close_message": report.close_message,
            "calls": report.methods,
        }
    )


async def run_sessions(
    registration: QwcRegistration,
    *,
    password: str,
    company_file: Path,
    url: str | None = None,
    once: bool = True,
    every_seconds: int | None = None,
    http_client: httpx.AsyncClient | None = None,
    out: Callable[[str], None] = print,
    new_company: Mapping[str, Any] | None = None,
) -> SessionReport:
    """Run one session (``once``) or keep running on the schedule; returns the last report.

    The company file is a JSON file shared with other runs (``CompanyFile.load_or_create``);
    ``new_company`` are the constructor arguments (``edition``, ``multi_currency``,
    ``seed_demo`` …) used when the file does not exist yet."""
    company = CompanyFile.load_or_create(company_file, **dict(new_company or {}))
    interval = every_seconds or registration.run_every_seconds or DEFAULT_INTERVAL_SECONDS
    async with WebConnectorSimulator(
        url or registration.app_url,
        username=registration.user_name,
        password=password,
        company=company,
        owner_id=registration.owner_id,
        file_id=registration.file_id,
        http_client=http_client,
    ) as simulator:
        while True:
            report = await simulator.run_once()
            company.save()  # the FileID stamp is not a processed request, so autosave misses it
            out(summary(report))
            if once:
                return report
            await asyncio.sleep(interval)

"""The Grafana dashboard (deploy/grafana/dashboards/espqb.json) and the metrics behind it.

Every panel must query series that `espqb.observability.metrics` defines, and each figure the
dashboard promises must really be produced: the sampled gauges from the database, the counters
where sends finish and where the Web Connector polls, and /metrics on a running service.
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY, Counter, Gauge, Histogram
from sqlalchemy import delete, update

from espqb.config import REPO_ROOT
from espqb.db import Database
from espqb.db.models import Company, JobStatus, QboConnection, QboWebhookNotice, QbwcCredential, SendJob
from espqb.db.types import utcnow
from espqb.observability import metrics
from espqb.observability.sampling import MetricsSampler
from espqb.queue import ClaimedJob, JobOutcome, Worker, enqueue_send
from qbwc_gateway.app import create_app as create_qbwc_app
from tests.notifications.receivers import free_port
from tests.qbwc.harness import office
from tests.support.api import running, service_settings

DASHBOARD = REPO_ROOT / "deploy/grafana/dashboards/espqb.json"
METRIC_NAME = re.compile(r"\bespqb_[a-z0-9_]+")


def dashboard() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DASHBOARD.read_text())
    return loaded


def panels() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for panel in dashboard()["panels"]:
        found.append(panel)
        found.extend(panel.get("panels", []))  # collapsed rows keep their panels inside
    return [p for p in found if p["type"] != "row"]


def defined_series() -> dict[str, str]:
    """Every series name the metrics module can produce → the metric family it belongs to."""
    series: dict[str, str] = {}
    for value in vars(metrics).values():
        if not isinstance(value, Counter | Gauge | Histogram):
            continue
        for family in value.describe():
            suffixes = {
                "counter": ("_total", "_created"),
                "gauge": ("",),
                "histogram": ("_bucket", "_sum", "_count", "_created"),
            }[family.type]
            for suffix in suffixes:
                series[family.name + suffix] = family.name
    return series


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


# --------------------------------------------------------------------------- the dashboard file


def test_every_panel_queries_metrics_the_services_define() -> None:
    known = defined_series()
    for panel in panels():
        assert panel["datasource"] == {"type": "prometheus", "uid": "prometheus"}, panel["title"]
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            names = METRIC_NAME.findall(target["expr"])
            assert names, (panel["title"], target["expr"])
            unknown = [name for name in names if name not in known]
            assert not unknown, f"{panel['title']}: {unknown} are not in espqb.observability.metrics"
    for variable in dashboard()["templating"]["list"]:
        assert set(METRIC_NAME.findall(variable["definition"])) <= set(known)


def test_the_dashboard_shows_every_figure_of_the_issue() -> None:
    used = {
        defined_series()[name]: panel["title"]
        for panel in panels()
        for target in panel["targets"]
        for name in METRIC_NAME.findall(target["expr"])
    }
    for family in (
        "espqb_queue_jobs",  # queue depth by status
        "espqb_send_seconds",  # send latency
        "espqb_jobs_finished",  # sends and failures (which companies: espqb status)
        "espqb_qbwc_polls",  # Web Connector polls
        "espqb_qbwc_companies",  # … and how long ago each company's last one was, in buckets
        "espqb_qbo_token_refresh_failures",
        "espqb_qbo_reauth_due_connections",  # deadlines in the next 14 days
        "espqb_qbo_webhook_notices",  # Intuit's notices waiting or given up on
    ):
        assert family in used, f"no panel shows {family}"
    deadlines = next(p for p in panels() if "espqb_qbo_reauth_due_connections" in p["targets"][0]["expr"])
    assert all(due in deadlines["targets"][0]["expr"] for due in ("overdue", "1d", "7d", "14d"))
    assert "later" not in deadlines["targets"][0]["expr"]


def test_no_series_is_labelled_by_company_or_realm() -> None:
    """Series stay bounded as distributors grow: per-company figures are in espqb status and the API."""
    for value in vars(metrics).values():
        if isinstance(value, Counter | Gauge | Histogram):
            assert not {"company", "realm"} & set(value._labelnames), value._name
    for panel in panels():
        for target in panel["targets"]:
            assert "company" not in target["expr"] and "$company" not in target.get("legendFormat", "")
    assert dashboard()["templating"]["list"] == []


def test_panels_have_unique_ids_and_do_not_overlap() -> None:
    every = dashboard()["panels"]
    ids = [panel["id"] for panel in every]
    assert len(ids) == len(set(ids))
    taken: set[tuple[int, int]] = set()
    for panel in every:
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24, panel["title"]
        cells = {
            (x, y)
            for x in range(grid["x"], grid["x"] + grid["w"])
            for y in range(grid["y"], grid["y"] + grid["h"])
        }
        assert not cells & taken, f"{panel['title']} overlaps another panel"
        taken |= cells


# ------------------------------------------------------------------ the figures are produced


async def _company(db: Database) -> str:
    company = f"co-{uuid.uuid4().hex[:8]}"  # the registry is per process: keep series apart
    async with db.transaction() as session:
        session.add(Company(id=company, name="Sampled"))
    return company


async def _enqueue(db: Database, company: str, order: str, target: str = "qbo", **extra: Any) -> uuid.UUID:
    async with db.transaction() as session:
        result = await enqueue_send(
            session,
            company_id=company,
            order_number=order,
            target=target,
            payload={"order": order},
            requested_by="u1",
            **extra,
        )
    return result.job.id


async def test_the_sampler_sets_the_gauges_from_the_database(db: Database) -> None:
    company = await _company(db)
    await _enqueue(db, company, "1")
    await _enqueue(db, company, "2")
    await _enqueue(db, company, "3", "qbd", initial_status=JobStatus.WAITING_FOR_WEB_CONNECTOR)
    polled_at = utcnow() - timedelta(minutes=7)
    reauthorized = utcnow() - timedelta(days=100)
    async with db.transaction() as session:
        session.add(
            QbwcCredential(company_id=company, username=f"u-{company}", file_id="{f}", last_poll_at=polled_at)
        )
        session.add(
            QboConnection(company_id=company, realm_id="r1", status="connected", reauthorized_at=reauthorized)
        )
        for status in ("pending", "failed", "failed", "processed"):
            session.add(
                QboWebhookNotice(
                    company_id=company,
                    realm_id="r1",
                    notice={"entity": "Invoice", "entity_id": "1", "operation": "Void"},
                    status=status,
                )
            )

    class Deadline:
        kind = "policy"

        def __init__(self, row: QboConnection) -> None:
            self.at = row.reauthorized_at + timedelta(days=180)

    sampler = MetricsSampler(db, deadline_of=Deadline)
    await sampler.sample_once()

    assert sample("espqb_queue_jobs", target="qbo", status="queued") == 2
    assert sample("espqb_queue_jobs", target="qbd", status="waiting_for_web_connector") == 1
    assert sample("espqb_qbwc_companies", last_poll="15m") == 1  # polled 7 minutes ago
    assert sample("espqb_qbwc_companies", last_poll="never") == 0
    assert sample("espqb_qbo_reauth_due_connections", due="later") == 1  # 80 days ahead
    assert sample("espqb_qbo_reauth_due_connections", due="14d") == 0
    assert sample("espqb_qbo_webhook_notices", state="pending") == 1
    assert sample("espqb_qbo_webhook_notices", state="failed") == 2  # the processed one is not counted

    # The queue drains and the company removes its Web Connector and disconnects.
    async with db.transaction() as session:
        await session.execute(update(SendJob).values(status=JobStatus.CANCELLED, finished_at=utcnow()))
        await session.execute(delete(QbwcCredential).where(QbwcCredential.company_id == company))
        await session.execute(update(QboConnection).values(status="disconnected"))
        await session.execute(update(QboWebhookNotice).values(status="processed"))
    await sampler.sample_once()

    assert sample("espqb_queue_jobs", target="qbo", status="queued") == 0  # 0, not its last value
    assert sample("espqb_qbwc_companies", last_poll="15m") == 0
    assert sample("espqb_qbo_reauth_due_connections", due="later") == 0
    assert sample("espqb_qbo_webhook_notices", state="failed") == 0


async def test_the_sampler_counts_companies_in_buckets(db: Database) -> None:
    now = utcnow()
    async with db.transaction() as session:
        for n, (polled, reauthorized) in enumerate(
            [(now - timedelta(hours=3), now - timedelta(days=175)), (None, now - timedelta(days=181))]
        ):
            company = await _company(db)
            session.add(
                QbwcCredential(
                    company_id=company, username=f"u-{n}-{company}", file_id="{f}", last_poll_at=polled
                )
            )
            session.add(
                QboConnection(
                    company_id=company, realm_id=f"r{n}", status="connected", reauthorized_at=reauthorized
                )
            )

    class Deadline:
        kind = "policy"

        def __init__(self, row: QboConnection) -> None:
            self.at = row.reauthorized_at + timedelta(days=180)

    await MetricsSampler(db, deadline_of=Deadline).sample_once()

    assert sample("espqb_qbwc_companies", last_poll="1d") == 1  # three hours ago
    assert sample("espqb_qbwc_companies", last_poll="never") == 1
    assert sample("espqb_qbo_reauth_due_connections", due="7d") == 1  # in five days
    assert sample("espqb_qbo_reauth_due_connections", due="overdue") == 1


async def test_a_send_finished_by_the_worker_is_counted_and_timed(db: Database) -> None:
    company = await _company(db)
    for order in ("1", "2", "3"):
        await _enqueue(db, company, order)
    latency_before = sample("espqb_send_seconds_count", target="qbo")
    succeeded_before = sample("espqb_jobs_finished_total", target="qbo", status="succeeded")
    failed_before = sample("espqb_jobs_finished_total", target="qbo", status="failed")

    async def handler(job: ClaimedJob) -> JobOutcome:
        if job.order_number == "2":
            return JobOutcome.failed("The vendor is inactive in QuickBooks")
        if job.order_number == "3":
            return JobOutcome.retry("QuickBooks Online is busy")  # not an end: not counted
        return JobOutcome.succeeded()

    assert await Worker(db, target="qbo", handler=handler, worker_id="w-metrics").run_once() == 3

    assert sample("espqb_jobs_finished_total", target="qbo", status="succeeded") - succeeded_before == 1
    assert sample("espqb_jobs_finished_total", target="qbo", status="failed") - failed_before == 1
    assert sample("espqb_send_seconds_count", target="qbo") - latency_before == 2


async def test_web_connector_polls_and_desktop_sends_are_counted(database_url: str) -> None:
    def polls(answer: str) -> float:
        return sample("espqb_qbwc_polls_total", answer=answer)

    async with office(database_url) as place:
        before = {answer: polls(answer) for answer in ("none", "session", "nvu")}
        sent_before = sample("espqb_jobs_finished_total", target="qbd", status="succeeded")
        await place.send()

        await place.update()  # the lists, then the order
        await place.update()  # nothing left to do
        await place.update(password="not-the-password")

        assert polls("session") - before["session"] == 1
        assert polls("none") - before["none"] == 1
        assert polls("nvu") - before["nvu"] == 1
        sent = sample("espqb_jobs_finished_total", target="qbd", status="succeeded")
        assert sent - sent_before == 1


async def test_a_running_service_publishes_the_sampled_gauges(database_url: str, db: Database) -> None:
    company = await _company(db)
    await _enqueue(db, company, "7", "qbd", initial_status=JobStatus.WAITING_FOR_WEB_CONNECTOR)

    port = free_port()
    async with running(create_qbwc_app, service_settings(database_url, metrics_port=port)) as (app, http):
        assert isinstance(app.state.ctx.metrics_sampler, MetricsSampler)
        public = await http.get("/metrics")
        assert public.status_code == 404  # not on the public port
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as internal:
            for _ in range(100):  # the sampler's first pass runs as the service starts
                body = (await internal.get("/metrics")).text
                line = re.search(
                    r'^espqb_queue_jobs\{status="waiting_for_web_connector",target="qbd"\} (\S+)$', body, re.M
                )
                if line and float(line[1]) >= 1:
                    break
                await asyncio.sleep(0.05)
            else:
                raise AssertionError("/metrics never showed the waiting Desktop job")
    assert app.state.ctx.metrics_sampler is None  # stopped with the service
    async with httpx.AsyncClient() as after:
        with pytest.raises(httpx.ConnectError):  # … and so is the internal port
            await after.get(f"http://127.0.0.1:{port}/metrics", timeout=2)


def test_the_worker_and_scheduler_processes_serve_their_metrics() -> None:
    port = free_port()
    server = metrics.serve_metrics(port, addr="127.0.0.1")
    assert server is not None and metrics.serve_metrics(0) is None
    try:
        body = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    finally:
        server.shutdown()
        server.server_close()
    for family in (
        "espqb_jobs_finished_total",
        "espqb_send_seconds",
        "espqb_qbo_token_refresh_failures_total",
    ):
        assert f"# TYPE {family} " in body

"""Prometheus metrics. Defined once per process; each service serves them on its internal
``METRICS_PORT`` (or on ``/metrics`` with ``METRICS_TOKEN``), never openly on the public port.

Labels stay bounded: no company or realm label, so the number of series does not grow with the
number of distributors. Per-company figures are in ``espqb status`` and the API."""

from __future__ import annotations

from datetime import datetime
from wsgiref.simple_server import WSGIServer

from prometheus_client import Counter, Gauge, Histogram, start_http_server

HTTP_REQUESTS = Counter(
    "espqb_http_requests_total", "HTTP requests served", ["service", "method", "route", "status"]
)
HTTP_LATENCY = Histogram("espqb_http_request_seconds", "HTTP request latency", ["service", "route"])

JOBS_ENQUEUED = Counter("espqb_jobs_enqueued_total", "Send jobs enqueued", ["target"])
JOBS_FINISHED = Counter("espqb_jobs_finished_total", "Send jobs finished, by outcome", ["target", "status"])
SEND_LATENCY = Histogram(
    "espqb_send_seconds",
    "From enqueue to the job's end",
    ["target"],
    buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600),
)
QUEUE_DEPTH = Gauge("espqb_queue_jobs", "Send jobs by status (sampled)", ["target", "status"])

QBWC_POLLS = Counter(
    "espqb_qbwc_polls_total",
    "Web Connector authenticate calls, by answer (throttled: refused for wrong passwords from the address)",
    ["answer"],
)
# Companies with a Web Connector set up, by how long ago it last polled (sampled): "15m", "1h", "1d",
# "older", "never". Auto-Run polls every 15 minutes by default.
QBWC_COMPANIES = Gauge(
    "espqb_qbwc_companies", "Companies with a Web Connector, by when it last polled (sampled)", ["last_poll"]
)

TOKEN_REFRESH_FAILURES = Counter(
    "espqb_qbo_token_refresh_failures_total", "QBO token refreshes that failed", ["reason"]
)
TOKEN_REFRESHES = Counter("espqb_qbo_token_refreshes_total", "QBO token refreshes")
# QuickBooks Online connections by how soon they must be re-authorised (sampled): "overdue", "1d",
# "7d", "14d" (within that many days, not a shorter one), "later".
REAUTH_DUE = Gauge(
    "espqb_qbo_reauth_due_connections",
    "QBO connections by how soon they must be re-authorised (sampled)",
    ["due"],
)
QBO_CALLS = Counter("espqb_qbo_api_calls_total", "Calls to the QBO API", ["kind", "status"])
# Intuit's webhook notices not applied (sampled): "pending" (stored, not applied yet) and "failed"
# (given up on after every retry; they stay until someone looks: espqb status names the latest).
WEBHOOK_NOTICES = Gauge(
    "espqb_qbo_webhook_notices",
    "Intuit's webhook notices not applied, pending or given up on (sampled)",
    ["state"],
)

# A job's end, as counted by JOBS_FINISHED and timed by SEND_LATENCY. "held" is not an end: the job
# continues by itself once QuickBooks Online is re-authorised.
FINISHED_STATUSES = frozenset({"succeeded", "partially_succeeded", "failed", "cancelled"})


def observe_job_finished(
    *, target: str, status: str, enqueued_at: datetime | None, finished_at: datetime
) -> None:
    """Count a job that reached a final status and time it from enqueue to that moment.

    Called where jobs finish (the queue's completion, its lease rescue, the Web Connector session);
    a status that is not final (a retry, a hold) is ignored, so callers need not check."""
    if status not in FINISHED_STATUSES:
        return
    JOBS_FINISHED.labels(target, status).inc()
    if enqueued_at is not None:
        SEND_LATENCY.labels(target).observe(max((finished_at - enqueued_at).total_seconds(), 0.0))


def serve_metrics(port: int, addr: str = "0.0.0.0") -> WSGIServer | None:  # noqa: S104 - a container port
    """Expose /metrics on `port` from a process without a web app (the worker, the scheduler), so
    Prometheus also sees what only they count: finished sends, token refreshes. 0 turns it off.
    The server runs in a daemon thread until the process ends (or ``shutdown()``)."""
    if not port:
        return None
    server, _thread = start_http_server(port, addr=addr)
    return server

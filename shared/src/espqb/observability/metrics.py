"""Prometheus metrics. Defined once per process; `/metrics` on each service exposes them."""

from __future__ import annotations

from datetime import datetime
from wsgiref.simple_server import WSGIServer

from prometheus_client import Counter, Gauge, Histogram, start_http_server

HTTP_REQUESTS = Counter(
    "espqb_http_requests_total", "HTTP requests served", ["service", "method", "route", "status"]
)
HTTP_LATENCY = Histogram("espqb_http_request_seconds", "HTTP request latency", ["service", "route"])

JOBS_ENQUEUED = Counter("espqb_jobs_enqueued_total", "Send jobs enqueued", ["target", "company"])
JOBS_FINISHED = Counter(
    "espqb_jobs_finished_total", "Send jobs finished, by outcome", ["target", "company", "status"]
)
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
QBWC_LAST_SEEN = Gauge("espqb_qbwc_last_seen_timestamp", "Last Web Connector poll (unix time)", ["company"])

TOKEN_REFRESH_FAILURES = Counter(
    "espqb_qbo_token_refresh_failures_total", "QBO token refreshes that failed", ["company", "reason"]
)
TOKEN_REFRESHES = Counter("espqb_qbo_token_refreshes_total", "QBO token refreshes", ["company"])
REAUTH_DEADLINE = Gauge(
    "espqb_qbo_reauth_deadline_timestamp",
    "When the QBO connection must be re-authorised (unix time)",
    ["company"],
)
QBO_CALLS = Counter("espqb_qbo_api_calls_total", "Calls to the QBO API", ["realm", "kind", "status"])

# A job's end, as counted by JOBS_FINISHED and timed by SEND_LATENCY. "held" is not an end: the job
# continues by itself once QuickBooks Online is re-authorised.
FINISHED_STATUSES = frozenset({"succeeded", "partially_succeeded", "failed", "cancelled"})


def observe_job_finished(
    *, target: str, company_id: str, status: str, enqueued_at: datetime | None, finished_at: datetime
) -> None:
    """Count a job that reached a final status and time it from enqueue to that moment.

    Called where jobs finish (the queue's completion, its lease rescue, the Web Connector session);
    a status that is not final (a retry, a hold) is ignored, so callers need not check."""
    if status not in FINISHED_STATUSES:
        return
    JOBS_FINISHED.labels(target, company_id, status).inc()
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

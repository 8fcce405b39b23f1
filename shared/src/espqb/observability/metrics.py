"""Prometheus metrics. Defined once per process; `/metrics` on each service exposes them."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter(
    "espqb_http_requests_total", "HTTP requests served", ["service", "method", "route", "status"]
)
HTTP_LATENCY = Histogram("espqb_http_request_seconds", "HTTP request latency", ["service", "route"])

JOBS_ENQUEUED = Counter("espqb_jobs_enqueued_total", "Send jobs enqueued", ["target", "company"])
JOBS_FINISHED = Counter("espqb_jobs_finished_total", "Send jobs finished, by outcome", ["target", "company", "status"])
SEND_LATENCY = Histogram(
    "espqb_send_seconds",
    "From enqueue to the job's end",
    ["target"],
    buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600),
)
QUEUE_DEPTH = Gauge("espqb_queue_jobs", "Send jobs by status (sampled)", ["target", "status"])

QBWC_POLLS = Counter("espqb_qbwc_polls_total", "Web Connector authenticate calls", ["company", "answer"])
QBWC_LAST_SEEN = Gauge("espqb_qbwc_last_seen_timestamp", "Last Web Connector poll (unix time)", ["company"])

TOKEN_REFRESH_FAILURES = Counter(
    "espqb_qbo_token_refresh_failures_total", "QBO token refreshes that failed", ["company", "reason"]
)
TOKEN_REFRESHES = Counter("espqb_qbo_token_refreshes_total", "QBO token refreshes", ["company"])
REAUTH_DEADLINE = Gauge(
    "espqb_qbo_reauth_deadline_timestamp", "When the QBO connection must be re-authorised (unix time)", ["company"]
)
QBO_CALLS = Counter("espqb_qbo_api_calls_total", "Calls to the QBO API", ["realm", "kind", "status"])

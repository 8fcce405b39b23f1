"""Structured logs: JSON lines in production, a readable console format in development.

Every line — from structlog loggers and from the standard library's ``logging`` (the queue, the SOAP
layer, uvicorn) alike — goes through the same processors, so every line carries what is bound in
structlog's context variables: the ``request_id`` of the HTTP request being served
(``espqb.api.middleware``) and the ``job_id``/``company_id`` of the send job being worked on
(``job_log_context``, bound by the queue worker and the Web Connector session).

A redaction processor removes anything that looks like a secret (passwords, tokens, secrets,
authorization headers) from every event, whatever the caller passed.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

import structlog

from espqb.config import Settings

__all__ = [
    "REDACTED",
    "configure_from_settings",
    "configure_logging",
    "job_log_context",
    "redact",
    "wants_json",
]

_SECRET_KEY = re.compile(
    r"(password|passwd|secret|token|authorization|api[_-]?key|cookie|code_verifier)", re.I
)
_BEARER = re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/=-]+", re.I)
REDACTED = "[redacted]"

# Marks the root handler this module installs, so configuring again replaces it and leaves other
# handlers (pytest's log capture, an embedding application's) alone.
_OUR_HANDLER = "_espqb_handler"


def redact(value: Any, key: str = "") -> Any:
    if key and _SECRET_KEY.search(key) and not key.endswith(("_at", "_count", "_id")):
        return REDACTED if value not in (None, "", [], {}) else value
    if isinstance(value, dict):
        return {k: redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(redact(v) for v in value)
    if isinstance(value, str):
        return _BEARER.sub(r"\1" + REDACTED, value)
    return value


def _redact_processor(_logger: Any, _method: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (v if k == "event" and isinstance(v, str) and not _BEARER.search(v) else redact(v, k))
        for k, v in event_dict.items()
    }


def wants_json(settings: Settings) -> bool:
    """LOG_FORMAT decides; unset, development gets the console format and everything else JSON."""
    return (settings.log_format or ("console" if settings.is_development else "json")) == "json"


def configure_from_settings(settings: Settings, *, stream: TextIO | None = None) -> None:
    """What every process (the two services, the worker, the scheduler, the CLI) calls at start."""
    configure_logging(json_logs=wants_json(settings), level=settings.log_level, stream=stream)


class _CurrentStderr:
    """Whatever ``sys.stderr`` is when a line is written, not when logging was configured: a test
    runner (or a CLI test harness) swaps it and closes the old one, which must not break logging."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()

    def isatty(self) -> bool:
        return sys.stderr.isatty()


def configure_logging(*, json_logs: bool, level: str = "INFO", stream: TextIO | None = None) -> None:
    """Configure structlog and the standard library's logging for this process; `stream` defaults
    to standard error."""
    out: Any = stream if stream is not None else _CurrentStderr()
    numeric_level = logging.getLevelName(level.upper())
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _redact_processor,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if json_logs
        # Plain tracebacks: rich's pretty ones with locals take seconds to render per error.
        else structlog.dev.ConsoleRenderer(
            colors=out.isatty(), exception_formatter=structlog.dev.plain_traceback
        )
    )
    exceptions: Any = structlog.processors.format_exc_info if json_logs else structlog.dev.set_exc_info
    structlog.configure(
        processors=[*shared, exceptions, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(numeric_level),
        logger_factory=structlog.PrintLoggerFactory(out),
        cache_logger_on_first_use=False,
    )
    _route_standard_logging(shared, renderer, json_logs=json_logs, level=numeric_level, stream=out)


def _route_standard_logging(
    shared: list[Any], renderer: Any, *, json_logs: bool, level: int, stream: Any
) -> None:
    """Standard-library records get the same processors (context variables, redaction) and renderer
    as structlog's own lines, so a JSON log stays one JSON object per line."""
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[structlog.stdlib.add_logger_name, *shared],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info if json_logs else structlog.dev.set_exc_info,
            renderer,
        ],
    )
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    setattr(handler, _OUR_HANDLER, True)
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _OUR_HANDLER, False)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # uvicorn installs its own plain-text handlers before the app factory runs; hand its records to
    # the root handler instead. Its access log repeats what RequestContextMiddleware logs (with the
    # request id), so only its warnings are kept.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
    # APScheduler says at INFO that it runs and finished each job: with notification delivery every
    # 10 s that is two lines every 10 s of an idle system. Its warnings (missed runs) and errors stay.
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, root.level))


@contextmanager
def job_log_context(job_id: object, company_id: str | None = None, **more: object) -> Iterator[None]:
    """Bind a send job's id (and its company) to every log line written inside the block.

    Context variables are per asyncio task, so jobs handled side by side in their own tasks (the
    queue worker) each keep their own id; the previous values come back when the block ends."""
    values: dict[str, object] = {"job_id": str(job_id), **more}
    if company_id is not None:
        values["company_id"] = company_id
    with structlog.contextvars.bound_contextvars(**values):
        yield

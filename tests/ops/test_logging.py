"""Structured logs: one JSON object per line in production, carrying the request id of the HTTP
request and the job id of the send being worked on, with secrets redacted; a readable console
format in development."""

from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import structlog

from espqb.config import Settings
from espqb.db import Database
from espqb.db.models import Company
from espqb.observability.logging import configure_logging, wants_json
from espqb.queue import ClaimedJob, JobOutcome, Worker, enqueue_send
from qbwc_gateway.app import create_app as create_qbwc_app
from tests.qbwc.harness import office
from tests.support.api import auth, running, service_settings


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    yield
    configure_logging(json_logs=False)  # back to the development default for the tests after these


def json_lines(text: str) -> list[dict[str, Any]]:
    """Every line must be one JSON object: that is what a log shipper relies on."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_a_request_logs_json_lines_with_its_request_id_and_no_secrets(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import asyncio

    async def scenario() -> None:
        settings = service_settings(database_url, log_format="json")
        async with running(create_qbwc_app, settings) as (_app, http):
            capsys.readouterr()
            headers = {**auth(), "X-Request-ID": "req-7f3a"}
            response = await http.get("/v1/integration", headers=headers)
            assert response.headers["x-request-id"] == "req-7f3a"
            with structlog.contextvars.bound_contextvars(request_id="req-8b21"):
                # What code running inside a request writes, through structlog and the standard library.
                structlog.get_logger("espqb.test").warning(
                    "calling intuit", password="hunter2", refresh_token="rt-secret-value", realm_id="9341"
                )
                logging.getLogger("espqb.test.stdlib").warning("retrying with Bearer abc.def.ghi")

    asyncio.run(scenario())
    lines = json_lines(capsys.readouterr().err)

    [access] = [line for line in lines if line.get("event") == "request"]
    assert access["request_id"] == "req-7f3a"
    assert (access["path"], access["status"], access["level"]) == ("/v1/integration", 200, "info")
    assert "timestamp" in access
    [inside] = [line for line in lines if line.get("event") == "calling intuit"]
    assert inside["request_id"] == "req-8b21"
    assert inside["password"] == inside["refresh_token"] == "[redacted]"
    assert inside["realm_id"] == "9341"  # ids are not secrets
    [stdlib] = [line for line in lines if line.get("logger") == "espqb.test.stdlib"]
    assert stdlib["request_id"] == "req-8b21"
    assert stdlib["event"] == "retrying with Bearer [redacted]"
    everything = json.dumps(lines)
    assert (
        "hunter2" not in everything
        and "rt-secret-value" not in everything
        and "abc.def.ghi" not in everything
    )


async def test_every_line_written_while_a_job_runs_carries_its_job_id(db: Database) -> None:
    async with db.transaction() as session:
        session.add(Company(id="acme", name="Acme"))
    async with db.transaction() as session:
        enqueued = await enqueue_send(
            session, company_id="acme", order_number="10245", target="qbo", payload={}, requested_by="u1"
        )
    stream = io.StringIO()
    configure_logging(json_logs=True, stream=stream)

    async def handler(job: ClaimedJob) -> JobOutcome:
        structlog.get_logger("qbo_gateway.sender").info(
            "invoice created", access_token="at-secret", qb_id="1042"
        )
        logging.getLogger("qbo_gateway.client").info("POST /v3/company/9341/invoice 200")
        return JobOutcome.succeeded()

    await Worker(db, target="qbo", handler=handler, worker_id="w-log").run_once()
    structlog.get_logger("after").info("outside any job")

    lines = json_lines(stream.getvalue())
    during = [line for line in lines if line["event"] != "outside any job"]
    assert {line["event"] for line in during} >= {"invoice created", "POST /v3/company/9341/invoice 200"}
    for line in during:
        assert line["job_id"] == str(enqueued.job.id)
        assert (line["company_id"], line["order_number"]) == ("acme", "10245")
    [created] = [line for line in during if line["event"] == "invoice created"]
    assert created["access_token"] == "[redacted]" and created["qb_id"] == "1042"
    [after] = [line for line in lines if line["event"] == "outside any job"]
    assert "job_id" not in after  # the binding ends with the job


async def test_a_web_connector_session_logs_the_job_it_sends(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    async with office(database_url, log_format="json") as place:
        job = await place.send()
        capsys.readouterr()
        await place.update()
        lines = json_lines(capsys.readouterr().err)

    handed = [line for line in lines if line["event"] == "desktop send handed to the web connector"]
    ended = [line for line in lines if line["event"] == "desktop send attempt ended"]
    assert [(line["job_id"], line["company_id"]) for line in handed] == [(job["id"], "acme")]
    assert [(line["job_id"], line["status"]) for line in ended] == [(job["id"], "succeeded")]
    soap = [line for line in lines if line.get("event") == "request" and line.get("path") == "/qbwc"]
    assert soap and all(uuid.UUID(line["request_id"].replace("-", "")) for line in soap)


def test_development_logs_are_readable_text_and_production_logs_json() -> None:
    assert not wants_json(Settings(env="development"))
    assert wants_json(Settings(env="development", log_format="json"))
    # Production refuses the development secrets, so its settings are built without validation here.
    assert wants_json(Settings.model_construct(env="production", log_format=None))
    assert not wants_json(Settings.model_construct(env="production", log_format="console"))
    stream = io.StringIO()
    configure_logging(json_logs=False, stream=stream)

    with structlog.contextvars.bound_contextvars(job_id="job-1"):
        structlog.get_logger("espqb.test").info("invoice created", password="hunter2")

    text = stream.getvalue()
    assert "invoice created" in text and "job_id=job-1" in text
    assert "hunter2" not in text
    with pytest.raises(json.JSONDecodeError):
        json.loads(text.splitlines()[0])

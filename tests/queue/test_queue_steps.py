"""Per-document step results: what was written to QuickBooks, its id, and errors in plain words."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from espqb.db import Database
from espqb.db.models import JobStep, StepStatus
from espqb.queue import enqueue_send, record_step, step_status_label
from tests.queue.queue_support import audit_events


async def _job(db: Database, company_id: str) -> uuid.UUID:
    async with db.transaction() as session:
        result = await enqueue_send(
            session, company_id=company_id, order_number="A7102", target="qbo", payload={}, requested_by="u1"
        )
    return result.job.id


async def test_steps_are_upserted_by_key_and_every_outcome_is_audited(db: Database, company_id: str) -> None:
    job_id = await _job(db, company_id)
    async with db.transaction() as session:
        await record_step(session, job_id, "invoice", "invoice", "create", StepStatus.PENDING)
        await record_step(
            session,
            job_id,
            "customer",
            "customer",
            "link",
            StepStatus.SUCCEEDED,
            qb_id="58",
            summary="Customer linked",
        )
    async with db.transaction() as session:
        await record_step(
            session,
            job_id,
            "invoice",
            "invoice",
            "create",
            StepStatus.FAILED,
            error="QuickBooks refused the invoice: the tax code TX9 does not exist",
        )
    async with db.transaction() as session:
        step = await record_step(
            session,
            job_id,
            "invoice",
            "invoice",
            "create",
            "succeeded",
            qb_id="1042",
            qb_version="0",
            summary="Invoice 1042 for 218.50 created",
        )
        assert step.qb_id == "1042"
    async with db.sessions() as session:
        steps = {
            s.key: s
            for s in (await session.execute(select(JobStep).where(JobStep.job_id == job_id))).scalars()
        }
    assert set(steps) == {"invoice", "customer"}
    invoice = steps["invoice"]
    assert (invoice.status, invoice.qb_id, invoice.qb_version) == ("succeeded", "1042", "0")
    assert invoice.summary == "Invoice 1042 for 218.50 created"
    assert invoice.error is None
    assert step_status_label(invoice.status) == "Done"
    entries = [(e.event, e.message) for e in await audit_events(db, job_id) if e.event.startswith("step.")]
    assert entries == [
        ("step.succeeded", "Customer linked"),
        ("step.failed", "QuickBooks refused the invoice: the tax code TX9 does not exist"),
        ("step.succeeded", "Invoice 1042 for 218.50 created"),
    ]

"""A write that reached QuickBooks Online without an answer is recorded on its step with the exact
requestid (and batch item id), so the next attempt repeats that request and Intuit replays it."""

from __future__ import annotations

from espqb.db import Database
from espqb.db.models import StepStatus
from espqb.integration import service as integration_service
from espqb.orders import a7102_request
from espqb.queue import enqueue_send, record_step
from espqb.sending.wording import QUICKBOOKS_ONLINE, sent_without_answer
from qbo_gateway.sender.loading import load_inputs

RID = "4b0c6f3e-2f7a-5d3c-9a51-8a3e1c0f7b42"
IN_DOUBT_SUMMARY = sent_without_answer(QUICKBOOKS_ONLINE)


async def test_unanswered_writes_are_loaded_for_replay(db: Database) -> None:
    payload = a7102_request().model_dump(mode="json")
    async with db.transaction() as session:
        await integration_service.install(session, "acme", "qbo", "alice")
        job = (
            await enqueue_send(
                session,
                company_id="acme",
                order_number="10245",
                target="qbo",
                payload=payload,
                requested_by="alice",
            )
        ).job
        await record_step(
            session,
            job.id,
            "invoice",
            "invoice",
            "create",
            StepStatus.FAILED,
            summary=IN_DOUBT_SUMMARY,
            error="No answer",
            request_id=RID,
            batch_item_id="b1",
        )
        await record_step(
            session,
            job.id,
            "customer",
            "customer",
            "create",
            StepStatus.FAILED,
            summary=IN_DOUBT_SUMMARY,
            error="No answer",
            request_id=RID,
        )
        await record_step(
            session, job.id, "item:S61125/A7102", "item", "create", StepStatus.FAILED, error="Refused"
        )
    async with db.transaction() as session:
        inputs = await load_inputs(session, "acme", job.id, payload)
    assert inputs.in_doubt == {"invoice": (RID, "b1"), "customer": (RID, None)}
    assert RID not in IN_DOUBT_SUMMARY  # what a person reads carries no machine state

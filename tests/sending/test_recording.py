"""Recording a result on either product: the mapping (documents carry their order number, list
records their name) and the step; a record another ESP record owns is handed back unless chosen."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from espqb.db import Database
from espqb.db.models import JobStep, Mapping, StepStatus
from espqb.integration import service as integration_service
from espqb.orders import a7102_request
from espqb.plan import PlanSettings, Target
from espqb.queue import enqueue_send
from espqb.sending.inputs import held_names, load_send_inputs, plan_settings
from espqb.sending.recording import Settled, StepRecorder
from tests.plan.factories import SETTINGS

COMPANY = "acme"


async def _job(db: Database, target: Target) -> uuid.UUID:
    async with db.transaction() as session:
        await integration_service.install(session, COMPANY, target, "alice")
        return (
            await enqueue_send(
                session,
                company_id=COMPANY,
                order_number="10245",
                target=target,
                payload=a7102_request().model_dump(mode="json"),
                requested_by="alice",
            )
        ).job.id


@pytest.mark.parametrize("target", ["qbo", "qbd"])
async def test_results_map_and_record_then_load_as_known(db: Database, target: Target) -> None:
    job_id = await _job(db, target)
    recorder = StepRecorder(company_id=COMPANY, target=target, job_id=job_id, order_number="10245")
    async with db.transaction() as session:
        assert isinstance(await plan_settings(session, COMPANY), PlanSettings)
        settings = SETTINGS
        inputs = await load_send_inputs(
            session,
            COMPANY,
            target,
            a7102_request(),
            settings=settings,
            names=(await held_names(session, COMPANY, target)).names,
        )
        plan = inputs.plan()
        customer, invoice = plan.operation("customer"), plan.operation("invoice")
        await recorder.pending(session, invoice)
        assert (
            await recorder.succeeded(session, customer, Settled("80", "0", "Acme"), summary="Customer")
            is None
        )
        assert (
            await recorder.succeeded(session, invoice, Settled("81", "1", "ignored", "10245"), summary="Inv")
            is None
        )
        await recorder.note_version(session, invoice, "2")
    async with db.transaction() as session:
        rows = {row.kind: row for row in await session.scalars(select(Mapping))}
        steps = {step.key: step for step in await session.scalars(select(JobStep))}
        names = await held_names(session, COMPANY, target)
        again = await load_send_inputs(
            session, COMPANY, target, a7102_request(), settings=settings, names=names.names
        )
    assert (rows["customer"].qb_name, rows["customer"].order_number) == ("Acme", None)
    assert (rows["invoice"].qb_name, rows["invoice"].order_number, rows["invoice"].qb_ref_number) == (
        None,
        "10245",
        "10245",
    )
    assert steps["invoice"].status == StepStatus.SUCCEEDED and steps["invoice"].qb_id == "81"
    assert (rows["invoice"].qb_version, steps["invoice"].qb_version) == ("2", "1")
    assert names.owners == {("customer", "80"): inputs.request.order.customer.esp_id}
    assert again.mapped[("invoice", "10245")] == "81"
    assert again.plan().operation("customer").action == "link"


async def test_a_record_another_esp_record_owns(db: Database) -> None:
    job_id = await _job(db, "qbo")
    recorder = StepRecorder(company_id=COMPANY, target="qbo", job_id=job_id, order_number="10245")
    async with db.transaction() as session:
        inputs = await load_send_inputs(
            session,
            COMPANY,
            "qbo",
            a7102_request(),
            settings=SETTINGS,
            names=(await held_names(session, COMPANY, "qbo")).names,
        )
        customer = inputs.plan().operation("customer")
        await recorder.remember(session, customer, Settled("80", name="Acme"))
    other = inputs.request.order.customer.model_copy(update={"esp_id": "C-other"})
    order = inputs.request.order.model_copy(update={"customer": other})
    async with db.transaction() as session:
        theirs = await load_send_inputs(
            session,
            COMPANY,
            "qbo",
            inputs.request.model_copy(update={"order": order}),
            settings=inputs.settings,
            names=inputs.mappings.names_in_use,
        )
        op = theirs.plan().operation("customer")
        owned = await recorder.succeeded(session, op, Settled("80", origin="found"), summary="Found")
        assert owned is not None and owned.owner == inputs.request.order.customer.esp_id
        assert await recorder.succeeded(session, op, Settled("80", origin="linked"), summary="Linked") is None
        await recorder.failed(
            session, theirs.plan().operation("invoice"), "No answer", in_doubt=("rid", "b0")
        )
    async with db.transaction() as session:
        steps = {step.key: step for step in await session.scalars(select(JobStep))}
    assert steps["customer"].summary == (
        "Linked; it stays linked to ESP record C1001, so later sends do not use it unless chosen again"
    ).replace("C1001", inputs.request.order.customer.esp_id)
    assert (steps["invoice"].request_id, steps["invoice"].batch_item_id) == ("rid", "b0")

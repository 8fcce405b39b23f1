"""Intuit's notices are stored before the 200 and applied afterwards: by the replica that received them,
or — when it was killed first — by the scheduler's drain on another process. Applying one twice changes
nothing more; one that keeps failing is tried again with backoff, then left failed."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from espqb.db.models import QboWebhookNotice
from espqb.db.types import utcnow
from qb_sandbox.intuit import DEMO_REALM_ID
from qbo_gateway.company import CompanyProfiles
from qbo_gateway.connection.scheduler import ConnectionScheduler
from qbo_gateway.webhooks import ChangeProcessor, parse_notifications, sign
from qbo_gateway.webhooks.notices import NoticePolicy, NoticeReport, drain_notices
from qbo_gateway.webhooks.processing import Change
from tests.qbo.webhooks.support import (
    World,
    in_quickbooks,
    intuit_audit,
    invoice_mapping,
    notice_body,
    open_world,
    outbox,
    post_notice,
)
from tests.support.api import auth

SETTLE = NoticePolicy().settle_seconds
CLAIM = NoticePolicy().claim_seconds


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[World]:
    async with open_world(database_url) as opened:
        yield opened


@pytest.fixture
def killed_after_answering(monkeypatch: pytest.MonkeyPatch) -> None:
    """The replica answers Intuit and dies before it applies anything."""

    async def dies(*args: Any, **kwargs: Any) -> None:
        return None

    monkeypatch.setattr("qbo_gateway.webhooks.endpoints.apply_received", dies)


def _processor(world: World) -> ChangeProcessor:
    return ChangeProcessor(world.db, world.client, settings=world.settings)


def _at(seconds: float) -> Any:
    moment = utcnow() + timedelta(seconds=seconds)
    return lambda: moment


async def _drain(world: World, seconds_later: float, **policy: Any) -> NoticeReport:
    return await drain_notices(
        world.db,
        _processor(world),
        clock=_at(seconds_later),
        policy=NoticePolicy(jitter=lambda: 0.0, **policy),
    )


async def _stored(world: World) -> list[QboWebhookNotice]:
    async with world.db.sessions() as session:
        return list(await session.scalars(select(QboWebhookNotice).order_by(QboWebhookNotice.id)))


async def _post_void(world: World) -> None:
    in_quickbooks(world, "Void")
    response = await post_notice(world, notice_body(DEMO_REALM_ID, "Invoice", world.invoice["Id"], "Void"))
    assert response.status_code == 200
    assert response.json() == {"accepted": 1, "ignored_realms": 0}


async def test_the_receiving_replica_applies_its_notices_right_after_the_answer(world: World) -> None:
    await _post_void(world)

    assert (await invoice_mapping(world)).qb_status == "voided"
    (row,) = await _stored(world)
    assert (row.status, row.attempts, row.company_id, row.realm_id) == ("processed", 1, "acme", DEMO_REALM_ID)
    assert row.processed_at is not None
    assert (await _drain(world, SETTLE + CLAIM + 1)).attempted == 0  # nothing left for the drain


@pytest.mark.usefixtures("killed_after_answering")
async def test_a_notice_a_killed_replica_left_is_applied_by_the_drain(world: World) -> None:
    await _post_void(world)

    # Intuit has its 200 and will not send it again: the notice is in the database, not yet applied.
    (row,) = await _stored(world)
    assert row.status == "pending" and row.attempts == 0
    assert row.notice["entity"] == "Invoice" and row.notice["operation"] == "Void"
    assert row.notice["entity_id"] == world.invoice["Id"]
    assert (await invoice_mapping(world)).qb_status is None

    # Within the receiving replica's window the drain leaves it alone; after it, the drain applies it.
    assert (await _drain(world, 1)).attempted == 0
    report = await _drain(world, SETTLE + 1)

    assert (report.processed, report.retrying, report.gave_up) == (1, 0, 0)
    assert (await invoice_mapping(world)).qb_status == "voided"
    assert await intuit_audit(world) == ["qbo.invoice.voided"]
    job = (await world.http.get(f"/v1/jobs/{world.job_id}", headers=auth())).json()
    assert job["flags"] == ["voided"]
    assert len(await outbox(world)) == 1
    (row,) = await _stored(world)
    assert row.status == "processed" and row.processed_at is not None


@pytest.mark.usefixtures("killed_after_answering")
async def test_applying_a_notice_again_changes_nothing_more(world: World) -> None:
    await _post_void(world)
    await _drain(world, SETTLE + 1)
    assert await intuit_audit(world) == ["qbo.invoice.voided"]

    # A process whose claim lapsed applies it again; Intuit sends it again; it is applied unstored.
    async with world.db.transaction() as session:
        await session.execute(update(QboWebhookNotice).values(status="pending"))
    assert (await _drain(world, SETTLE + CLAIM + 2)).processed == 1
    await post_notice(world, notice_body(DEMO_REALM_ID, "Invoice", world.invoice["Id"], "Void", "legacy"))
    await _drain(world, 2 * (SETTLE + CLAIM))
    notices = parse_notifications(notice_body(DEMO_REALM_ID, "Invoice", world.invoice["Id"], "Void"))
    await _processor(world).process(notices, {DEMO_REALM_ID: "acme"})

    assert await intuit_audit(world) == ["qbo.invoice.voided"]
    assert len(await outbox(world)) == 1
    job = (await world.http.get(f"/v1/jobs/{world.job_id}", headers=auth())).json()
    assert job["flags"] == ["voided"] and len(job["warnings"]) == 1
    assert [row.status for row in await _stored(world)] == ["processed", "processed"]


@pytest.mark.usefixtures("killed_after_answering")
async def test_a_replica_killed_while_applying_leaves_the_notice_to_the_drain_after_its_claim(
    world: World,
) -> None:
    await _post_void(world)
    claimed_until = utcnow() + timedelta(seconds=CLAIM)
    async with world.db.transaction() as session:  # it claimed the notice, then died
        await session.execute(update(QboWebhookNotice).values(attempts=1, next_attempt_at=claimed_until))

    assert (await _drain(world, SETTLE + 1)).attempted == 0
    assert (await _drain(world, CLAIM + 1)).processed == 1
    assert (await invoice_mapping(world)).qb_status == "voided"
    (row,) = await _stored(world)
    assert row.attempts == 2


@pytest.mark.usefixtures("killed_after_answering")
async def test_a_notice_that_fails_is_tried_again_later(world: World) -> None:
    await _post_void(world)
    world.tokens.needs_reauth.add("acme")  # QuickBooks cannot be asked for now

    report = await _drain(world, SETTLE + 1)

    assert (report.processed, report.retrying) == (0, 1)
    (row,) = await _stored(world)
    assert row.status == "pending" and row.attempts == 1
    assert row.last_error is not None and "NeedsReauthorization" in row.last_error
    assert (await invoice_mapping(world)).qb_status is None
    # Not again at once: the backoff (30 s after a first failure, with no jitter: 15 s at least).
    assert (await _drain(world, SETTLE + 2)).attempted == 0

    world.tokens.needs_reauth.clear()  # re-authorised
    assert (await _drain(world, SETTLE + 1 + 30)).processed == 1
    assert (await invoice_mapping(world)).qb_status == "voided"
    (row,) = await _stored(world)
    assert (row.status, row.attempts, row.last_error) == ("processed", 2, None)


@pytest.mark.usefixtures("killed_after_answering")
async def test_a_notice_that_keeps_failing_is_left_failed(world: World) -> None:
    await _post_void(world)
    world.tokens.needs_reauth.add("acme")

    await _drain(world, SETTLE + 1, max_attempts=2)
    report = await _drain(world, SETTLE + 1 + 30, max_attempts=2)

    assert report.gave_up == 1
    (row,) = await _stored(world)
    assert (row.status, row.attempts) == ("failed", 2)
    assert row.last_error is not None
    assert (await _drain(world, 10_000, max_attempts=2)).attempted == 0  # left for ops, not retried
    assert (await invoice_mapping(world)).qb_status is None


@pytest.mark.usefixtures("killed_after_answering")
async def test_a_notice_is_marked_processed_only_with_its_effects(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _post_void(world)
    original = ChangeProcessor.write

    async def writes_then_fails(
        self: ChangeProcessor, session: AsyncSession, company_id: str, notice: Any, changes: Sequence[Change]
    ) -> None:
        await original(self, session, company_id, notice, list(changes))
        raise RuntimeError("the database went away mid-write")

    monkeypatch.setattr(ChangeProcessor, "write", writes_then_fails)
    assert (await _drain(world, SETTLE + 1)).retrying == 1

    (row,) = await _stored(world)
    assert row.status == "pending"
    assert (await invoice_mapping(world)).qb_status is None  # nothing half-written
    assert await intuit_audit(world) == []


@pytest.mark.usefixtures("killed_after_answering")
async def test_the_scheduler_runs_the_drain(world: World) -> None:
    await _post_void(world)
    connection = world.state.connection
    later: datetime = utcnow() + timedelta(seconds=SETTLE + 1)
    scheduler = ConnectionScheduler(
        world.db,
        world.settings,
        connection.tokens,
        connection.http,
        lambda: later,
        profiles=CompanyProfiles(world.db, world.client),
    )

    assert await scheduler.run_webhook_notices()
    assert (await invoice_mapping(world)).qb_status == "voided"


async def test_a_refused_notice_is_not_stored(world: World) -> None:
    body = notice_body(DEMO_REALM_ID, "Invoice", world.invoice["Id"], "Void")
    assert (await post_notice(world, body, signature=sign("someone-else", body))).status_code == 401
    assert (await post_notice(world, notice_body("123456789", "Invoice", "1", "Void"))).status_code == 400
    assert await _stored(world) == []


async def test_processed_notices_are_deleted_after_a_week_and_failed_ones_kept(world: World) -> None:
    await _post_void(world)  # applied at once: processed
    async with world.db.transaction() as session:
        session.add(
            QboWebhookNotice(
                company_id="acme",
                realm_id=DEMO_REALM_ID,
                notice={"entity": "Invoice", "entity_id": "999", "operation": "Void", "occurred_at": None},
                status="failed",
                attempts=8,
                last_error="QuickBooks said no",
                next_attempt_at=utcnow(),
            )
        )

    assert (await _drain(world, 6 * 86400)).purged == 0
    assert (await _drain(world, 8 * 86400)).purged == 1
    assert [row.status for row in await _stored(world)] == ["failed"]

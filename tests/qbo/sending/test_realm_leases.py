"""Intuit's per-realm limits across worker processes: one worker at a time owns a realm (PostgreSQL).

Each worker has its own database pool here, as separate processes would; the handlers stand in for
the QBO sender and record who was sending to which realm when."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from espqb.db import Database
from espqb.db.models import Company, JobStatus, QboConnection, SendJob
from espqb.queue import ClaimedJob, JobOutcome, Worker, claim, enqueue_send, rescue_expired
from espqb.queue.group_leases import GroupLeases, owned_groups
from qbo_gateway.client import RealmLimiter
from qbo_gateway.worker import realm_leases
from tests.queue.queue_support import ManualClock

LEASE = 30.0


def groups(**options: object) -> GroupLeases:
    return realm_leases(RealmLimiter(), **options)  # type: ignore[arg-type]


async def connect(db: Database, realms: dict[str, str]) -> None:
    """Companies (id → realm), each connected to QBO."""
    async with db.transaction() as session:
        for company_id, realm_id in realms.items():
            session.add(Company(id=company_id, name=company_id.title()))
            session.add(QboConnection(company_id=company_id, realm_id=realm_id))


async def queue(db: Database, company_id: str, count: int, *, start: int = 0) -> list[uuid.UUID]:
    ids = []
    async with db.transaction() as session:
        for n in range(start, start + count):
            result = await enqueue_send(
                session,
                company_id=company_id,
                order_number=f"{company_id}-{n}",
                target="qbo",
                payload={},
                requested_by="u1",
            )
            ids.append(result.job.id)
    return ids


@pytest.fixture
async def second_pool(database_url: str) -> AsyncIterator[Database]:
    other = Database.from_url(database_url)
    try:
        yield other
    finally:
        await other.dispose()


def postgres_only(db: Database) -> None:
    if not db.is_postgres:
        pytest.skip("realm leases share a realm between processes; SQLite runs one process")


async def statuses(db: Database) -> Counter[str]:
    async with db.sessions() as session:
        return Counter(str(s) for s in (await session.execute(select(SendJob.status))).scalars())


async def test_two_workers_on_one_realm_never_send_to_it_at_the_same_time(
    db: Database, second_pool: Database
) -> None:
    postgres_only(db)
    # Two companies of ours on one realm, a third on a realm of its own.
    await connect(db, {"acme": "R1", "acme-east": "R1", "zeta": "R2"})
    for company in ("acme", "acme-east", "zeta"):
        await queue(db, company, 6)
    realm = {"acme": "R1", "acme-east": "R1", "zeta": "R2"}
    sending: dict[str, set[str]] = {"R1": set(), "R2": set()}
    sent_by: dict[str, set[str]] = {"R1": set(), "R2": set()}
    overlaps: list[str] = []
    handled = Counter[uuid.UUID]()

    def handler_of(worker_id: str):  # type: ignore[no-untyped-def]
        async def handler(job: ClaimedJob) -> JobOutcome:
            r = realm[job.company_id]
            sent_by[r].add(worker_id)
            sending[r].add(worker_id)
            if len(sending[r]) > 1:
                overlaps.append(r)
            handled[job.id] += 1
            await asyncio.sleep(0.01)
            sending[r].discard(worker_id)
            return JobOutcome.succeeded("Invoice created")

        return handler

    workers = [
        Worker(pool, target="qbo", handler=handler_of(name), worker_id=name, concurrency=4, groups=groups())
        for pool, name in ((db, "w-a"), (second_pool, "w-b"))
    ]
    stop = asyncio.Event()
    runs = [asyncio.create_task(w.run(stop)) for w in workers]
    try:
        for _ in range(200):
            if (await statuses(db))["succeeded"] == 18:
                break
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        await asyncio.gather(*runs)

    assert overlaps == []
    assert await statuses(db) == Counter({"succeeded": 18})
    assert set(handled.values()) == {1}
    # Each realm was sent to by exactly one of them.
    assert [len(sent_by["R1"]), len(sent_by["R2"])] == [1, 1]


async def test_a_realm_taken_in_a_claim_is_refused_to_the_other_worker_until_it_lapses(
    db: Database, second_pool: Database
) -> None:
    postgres_only(db)
    await connect(db, {"acme": "R1"})
    await queue(db, "acme", 4)
    clock = ManualClock(datetime.now(UTC) + timedelta(seconds=1))
    realm_groups = groups()

    # Both claim at once: the realm goes to one of them only.
    first, second = await asyncio.gather(
        claim(
            db, target="qbo", worker_id="w-a", lease_seconds=LEASE, limit=2, clock=clock, groups=realm_groups
        ),
        claim(
            second_pool,
            target="qbo",
            worker_id="w-b",
            lease_seconds=LEASE,
            limit=2,
            clock=clock,
            groups=realm_groups,
        ),
    )
    assert sorted([len(first), len(second)]) == [0, 2]
    owner = "w-a" if first else "w-b"
    other, other_pool = ("w-b", second_pool) if owner == "w-a" else ("w-a", db)
    assert await owned_groups(db, realm_groups, worker_id=owner, clock=clock) == ["R1"]

    owner_pool = db if owner == "w-a" else second_pool

    async def claim_as(pool: Database, worker_id: str) -> list[ClaimedJob]:
        return await claim(
            pool,
            target="qbo",
            worker_id=worker_id,
            lease_seconds=LEASE,
            limit=4,
            clock=clock,
            groups=realm_groups,
        )

    # Two jobs of the realm wait, but they are the owner's to take.
    assert await claim_as(other_pool, other) == []
    assert len(await claim_as(owner_pool, owner)) == 2
    # More arrive: still the owner's while its lease (a job lease and a rate window) runs.
    await queue(db, "acme", 2, start=4)
    clock.advance(LEASE)
    assert await claim_as(other_pool, other) == []
    # Past it (the owner stopped heartbeating), the other worker takes the realm over.
    clock.advance(realm_groups.handover_seconds + 1)
    assert len(await claim_as(other_pool, other)) == 2
    assert await owned_groups(db, realm_groups, worker_id=other, clock=clock) == ["R1"]
    assert await owned_groups(db, realm_groups, worker_id=owner, clock=clock) == []
    assert await claim_as(owner_pool, owner) == []


async def test_a_dead_workers_realm_lapses_and_another_worker_sends_its_jobs_exactly_once(
    db: Database, second_pool: Database
) -> None:
    postgres_only(db)
    await connect(db, {"acme": "R1"})
    job_ids = await queue(db, "acme", 3)
    clock = ManualClock(datetime.now(UTC) + timedelta(seconds=1))
    realm_groups = groups()

    # The doomed worker claims all three (one, then the rest of its realm) and dies: no completion,
    # no heartbeat, no release.
    taken = []
    for _ in range(2):
        taken += await claim(
            db,
            target="qbo",
            worker_id="doomed",
            lease_seconds=LEASE,
            limit=3,
            clock=clock,
            groups=realm_groups,
        )
    assert sorted(job.id for job in taken) == sorted(job_ids)

    handled = Counter[uuid.UUID]()

    async def handler(job: ClaimedJob) -> JobOutcome:
        handled[job.id] += 1
        return JobOutcome.succeeded("Invoice created")

    survivor = Worker(
        second_pool,
        target="qbo",
        handler=handler,
        worker_id="survivor",
        lease_seconds=LEASE,
        clock=clock,
        groups=realm_groups,
    )
    # Its job leases expire: the jobs go back to the queue, but the realm is still the dead worker's
    # for a rate window, so nobody sends to it yet.
    clock.advance(LEASE + 1)
    assert await rescue_expired(second_pool, target="qbo", clock=clock) == 3
    assert await survivor.run_once() == 0
    assert (await statuses(db))["queued"] == 3

    # Once the realm lease lapses the survivor takes the realm and sends each job once.
    clock.advance(realm_groups.handover_seconds)
    done = 0
    for _ in range(5):
        done += await survivor.run_once()
    assert done == 3
    assert handled == Counter({job_id: 1 for job_id in job_ids})
    assert await statuses(db) == Counter({"succeeded": 3})
    assert await owned_groups(db, realm_groups, worker_id="survivor", clock=clock) == ["R1"]


async def test_realms_spread_over_workers_and_are_sent_to_in_parallel(
    db: Database, second_pool: Database
) -> None:
    postgres_only(db)
    await connect(db, {"acme": "R1", "zeta": "R2"})
    await queue(db, "acme", 3)
    await queue(db, "zeta", 3)
    realm = {"acme": "R1", "zeta": "R2"}
    # At most one realm each: the second worker gets the realm the first one could not take.
    realm_groups = groups(max_groups=1)
    both_running = asyncio.Event()
    running: set[str] = set()
    sent_by: dict[str, set[str]] = {"R1": set(), "R2": set()}

    def handler_of(worker_id: str):  # type: ignore[no-untyped-def]
        async def handler(job: ClaimedJob) -> JobOutcome:
            sent_by[realm[job.company_id]].add(worker_id)
            running.add(worker_id)
            if len(running) == 2:
                both_running.set()
            try:
                await asyncio.wait_for(both_running.wait(), 5)
            finally:
                running.discard(worker_id)
            return JobOutcome.succeeded("Invoice created")

        return handler

    workers = [
        Worker(
            pool, target="qbo", handler=handler_of(name), worker_id=name, concurrency=3, groups=realm_groups
        )
        for pool, name in ((db, "w-a"), (second_pool, "w-b"))
    ]
    stop = asyncio.Event()
    runs = [asyncio.create_task(w.run(stop)) for w in workers]
    try:
        for _ in range(200):
            if (await statuses(db))["succeeded"] == 6:
                break
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        await asyncio.gather(*runs)

    assert both_running.is_set()  # the two realms were being sent to at the same time
    assert await statuses(db) == Counter({"succeeded": 6})
    assert len(sent_by["R1"]) == len(sent_by["R2"]) == 1 and sent_by["R1"] != sent_by["R2"]


async def test_with_realm_leases_a_single_process_on_sqlite_claims_as_before(db: Database) -> None:
    await connect(db, {"acme": "R1", "zeta": "R2"})
    await queue(db, "acme", 2)
    await queue(db, "zeta", 2)
    handled = Counter[str]()

    async def handler(job: ClaimedJob) -> JobOutcome:
        handled[job.company_id] += 1
        return JobOutcome.succeeded("Invoice created")

    worker = Worker(db, target="qbo", handler=handler, worker_id="solo", concurrency=10, groups=groups())
    done = 0
    for _ in range(4):
        done += await worker.run_once()
    assert done == 4
    assert handled == Counter({"acme": 2, "zeta": 2})
    assert await statuses(db) == Counter({str(JobStatus.SUCCEEDED): 4})

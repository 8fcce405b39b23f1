"""Flags on a send job: what a person must look at after QuickBooks was written, findable with
``GET /v1/jobs?flag=…`` and told to the company's admins (the notifications outbox).

* ``drift``: QuickBooks shows other figures than ESP planned (verify-after-write);
* ``voided`` / ``deleted``: a document the job wrote was voided or deleted in QuickBooks afterwards,
  behind a job that says it was sent.

``raise_flag`` writes the flag, the job's warning and the admins' notification in the caller's
transaction, each once however often the same event is reported.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Literal, cast, get_args

from sqlalchemy import ColumnElement, Table, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from espqb.config import Settings
from espqb.db.insert_once import insert_once
from espqb.db.models import JobFlag, SendJob
from espqb.db.types import utcnow
from espqb.notifications import notify_company_admins

__all__ = ["FLAGS", "Flag", "flagged", "flags_of", "raise_flag"]

Flag = Literal["drift", "voided", "deleted"]
FLAGS: tuple[Flag, ...] = get_args(Flag)

job_flags = cast(Table, JobFlag.__table__)

_PRODUCT = {"qbo": "QuickBooks Online", "qbd": "QuickBooks Desktop"}
_SUBJECT = {
    "drift": "Order {order}: {product} shows other figures than ESP",
    "voided": "Order {order}: a document sent to {product} was voided there",
    "deleted": "Order {order}: a document sent to {product} was deleted there",
}


async def raise_flag(
    session: AsyncSession,
    job: SendJob,
    flag: Flag,
    warnings: Sequence[str],
    *,
    settings: Settings,
) -> bool:
    """Flag ``job``, add ``warnings`` to it (each once) and tell the admins. True when the flag is new;
    the same event reported again (a webhook delivered twice) notifies once."""
    new = await insert_once(session, job_flags, {"job_id": job.id, "flag": flag, "created_at": utcnow()})
    missing = [w for w in warnings if w not in (job.warnings or [])]
    if missing:
        job.warnings = [*(job.warnings or []), *missing]
    if not missing and not new:
        return False
    subject = _SUBJECT[flag].format(order=job.order_number, product=_PRODUCT.get(job.target, job.target))
    await notify_company_admins(
        session,
        job.company_id,
        kind=f"job.{flag}",
        subject=subject,
        body="\n".join([*warnings, f"Send job {job.id} (order {job.order_number})."]),
        dedupe_key=f"job:{job.id}:{flag}:{len(job.warnings or [])}",
        payload={
            "job_id": str(job.id),
            "order_number": job.order_number,
            "flag": flag,
            "warnings": list(warnings),
        },
        settings=settings,
    )
    return new


def flagged(flag: Flag) -> ColumnElement[bool]:
    """The condition "the job carries ``flag``", for a query on ``SendJob``."""
    return exists().where(JobFlag.job_id == SendJob.id, JobFlag.flag == flag)


async def flags_of(session: AsyncSession, job_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    out: dict[uuid.UUID, list[str]] = {j: [] for j in job_ids}
    if not job_ids:
        return out
    rows = await session.execute(
        select(JobFlag.job_id, JobFlag.flag).where(JobFlag.job_id.in_(list(job_ids))).order_by(JobFlag.flag)
    )
    for job_id, flag in rows.all():
        out[job_id].append(flag)
    return out

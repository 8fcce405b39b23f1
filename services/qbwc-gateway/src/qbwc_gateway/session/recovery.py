"""Recovering a write message set whose answer never came back, without writing anything twice.

The set handed out keeps the one ``newMessageSetID`` it was first sent with, for as long as it is
unanswered: it is the only id under which QuickBooks can have kept its answer. A later session
asks for that answer with a status check — an empty set carrying only ``oldMessageSetID`` — which
processes nothing (docs/web-connector.md §0.8, §1.2 #9, §3.1):

* the kept answer comes back: it is applied like any answer, and nothing was written twice;
* ``messageSetStatusCode`` 600 (nothing kept under that id: the set never arrived, or its answer
  was replaced by a later set's, or is gone): what the set would have added is looked up first —
  documents by number and ESP key, list entries by name (``encoder.recovery``) — and what exists
  is adopted; only what is missing is added, in a new set with a new id.

A job whose earlier attempt ended before everything was answered is treated the same way: the
documents it creates are looked up before they are added.
"""

from __future__ import annotations

import structlog

from espqb.plan import BillOp, InvoiceOp, Operation, PaymentOp, Plan, PurchaseOrderOp
from espqb.sending import wording

from ..encoder import Done, Purpose, message_set
from ..encoder.recovery import esp_key, is_ours
from ..listcache import cached_entry
from ..listcache import repository as cache_repository
from ..responses import QbResponse, ResponseSet, Ret
from . import results
from .state import Outstanding, SessionState

log = structlog.get_logger(__name__)

# How often a lookup QuickBooks refused is tried again before the operation is given up.
MAX_LOOKUP_FAILURES = 2
_DOCUMENTS = (InvoiceOp, PaymentOp, PurchaseOrderOp, BillOp)


def status_check(outstanding: Outstanding, *, version: str) -> str:
    """The message set that asks QuickBooks for the answer it kept for ``outstanding``."""
    assert outstanding.message_set_id is not None
    return message_set([], version=version, old_message_set_id=outstanding.message_set_id)


def nothing_kept(outstanding: Outstanding, answers: ResponseSet) -> bool:
    """QuickBooks answered the status check with no kept answer (``messageSetStatusCode`` 600, or any
    other non-zero code with no responses): it cannot tell what it did."""
    code = answers.message_set_status_code
    return outstanding.message_set_id is not None and not answers.responses and code not in (None, 0)


def look_up_before_adding(state: SessionState, outstanding: Outstanding) -> None:
    """Mark every add of ``outstanding`` to be looked up before it is sent again."""
    marked = 0
    for tag in outstanding.requests.values():
        if tag.kind != "job" or tag.purpose != Purpose.WRITE:
            continue
        for job_id, op_key in tag.targets:
            progress = state.jobs.get(job_id)
            if progress is not None and not progress.finished:
                progress.verify[op_key] = tag.name or ""
                marked += 1
    log.info(
        "quickbooks kept no answer for an unanswered message set; looking up before adding again",
        message_set_id=outstanding.message_set_id,
        writes=marked,
    )


def documents_to_look_up(plan: Plan) -> dict[str, str]:
    """A later attempt of a job: the documents it would add, to look up first."""
    return {op.key: "" for op in plan.operations if isinstance(op, _DOCUMENTS) and op.action == "create"}


def _adopted(ret: Ret) -> tuple[Done, str | None]:
    lines = ret.data.get("PurchaseOrderLineRet")
    rows = lines if isinstance(lines, list) else [lines] if lines is not None else []
    line_ids = tuple(str(r["TxnLineID"]) for r in rows if isinstance(r, dict) and r.get("TxnLineID"))
    done = Done(
        ret.text("ListID") or ret.text("TxnID") or "",
        ret.text("EditSequence"),
        ret.text("FullName") or ret.text("Name") or ret.text("Initial"),
        line_ids,
    )
    return done, ret.text("RefNumber")


def _match(ctx: results.JobContext, op: Operation, response: QbResponse, name: str | None) -> Ret | None:
    if isinstance(op, _DOCUMENTS):
        key = esp_key(ctx.order_number, op.key)
        return next((r for r in response.rets if is_ours(r.data, key)), None)
    wanted = (name or "").casefold()
    return next(
        (
            r
            for r in response.rets
            if (r.text("FullName") or r.text("Name") or r.text("Initial") or "").casefold() == wanted
        ),
        None,
    )


async def verified(ctx: results.JobContext, op: Operation, response: QbResponse, name: str | None) -> None:
    """Apply the answer to a lookup: adopt what the lost set wrote, or let the add go ahead."""
    progress = ctx.progress
    if response.status.is_error:
        if progress.retry(f"verify:{op.key}") <= MAX_LOOKUP_FAILURES:
            return  # asked again in the next round trip
        progress.verify.pop(op.key, None)
        await results.fail(
            ctx,
            op,
            f"QuickBooks could not say whether {wording.mention(op)} was already saved "
            f"({' '.join(response.status.message.split())}), so it was not sent again. Check QuickBooks, "
            "then send the order again.",
        )
        return
    ret = _match(ctx, op, response, name)
    progress.verify.pop(op.key, None)
    if ret is None:
        return  # never written: the add goes in the next set
    done, ref_number = _adopted(ret)
    entry = cached_entry(ret)  # a customer, vendor or item: the list cache shows it at once
    if entry is not None:
        await cache_repository.upsert_entries(ctx.session, ctx.company_id, [entry])
    await results.settle(ctx, op, done, origin="created", ref_number=ref_number)

"""HTTP only: POST /v1/orders/{order_number}/send and /preview."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Path, Response
from pydantic import Field

from espqb.api.deps import ContextDep, PrincipalDep, SessionDep
from espqb.api.errors import V1_PROBLEMS
from espqb.jobs import presenter
from espqb.jobs.schemas import JobOut
from espqb.orders.request import SendRequest
from espqb.queue.enqueue import request_session
from espqb.sending.preview import PreviewOut, preview_order
from espqb.sending.service import send_order

router = APIRouter(prefix="/v1", tags=["sending"], responses=V1_PROBLEMS)

_JOB = "#/paths/~1v1~1jobs~1{job_id}"
# OpenAPI links: what a client (and a stateful test) can do next with the job a send answers.
JOB_LINKS = {
    name: {
        "operationRef": f"{_JOB}{suffix}",
        "parameters": {"job_id": "$response.body#/id"},
        "description": description,
    }
    for name, suffix, description in (
        ("GetJob", "/get", "The send job, with its per-document steps"),
        ("RetryJob", "~1retry/post", "Send the job again once it failed, was partly sent or cancelled"),
        ("CancelJob", "~1cancel/post", "Cancel the job while it has not started sending"),
    )
}


OrderNumber = Annotated[
    str,
    Path(
        min_length=1,
        max_length=64,
        pattern=r"^[^\x00]*$",
        description="The order's number: must equal the body's `order.order_number` (else 422).",
    ),
]


class SendOut(JobOut):
    disposition: Literal["queued", "replaced_queued", "follow_up_queued", "unchanged"] = Field(
        description="queued: a new send; replaced_queued: the order's send had not started and now "
        "carries this order and these choices; follow_up_queued: the order's send is under way, this "
        "one updates the documents after it; unchanged: the same send again, nothing changed"
    )


@router.post(
    "/orders/{order_number}/send",
    status_code=202,
    summary="Send a completed order to QuickBooks",
    responses={
        200: {
            "description": "The same send was already accepted (same Idempotency-Key, or the same order and "
            "choices as the order's latest send): that job is returned, with `disposition` `unchanged`",
            "model": SendOut,
            "links": JOB_LINKS,
        },
        202: {"description": "The send job, queued", "links": JOB_LINKS},
        403: {"description": "The Details tab does not let this user send (these documents)"},
        409: {
            "description": "Refused now rather than failing later: no QuickBooks integration is installed "
            "(or connected), the company uses the other QuickBooks product than this service, or no income "
            "account is chosen (request nor settings) for items QuickBooks must create",
        },
    },
)
async def send(
    order_number: OrderNumber,
    body: SendRequest,
    principal: PrincipalDep,
    ctx: ContextDep,
    response: Response,
    idempotency_key: Annotated[
        str | None,
        Header(
            min_length=1,
            max_length=200,
            pattern=r"^[!-~]+$",
            description="Repeat a send safely: the same key returns the same job. Reusing a key for "
            "another payload is refused (409).",
        ),
    ] = None,
) -> SendOut:
    """The "QB" button. The order snapshot and the dialog's choices are stored in a durable send
    job (202). The body's `order.order_number` must be the URL's `order_number` (422 otherwise). The job's steps say, per document, what was created or updated in QuickBooks.
    The latest send of an order wins: sent again with changes while its job has not started, that
    job takes the new order and choices (`replaced_queued`); while its job is under way, a follow-up
    job (`waiting_for_previous_send`) updates the documents once it has finished
    (`follow_up_queued`). The same order and choices again return the standing job (200, `unchanged`).
    QuickBooks Online sends start within seconds; QuickBooks Desktop sends wait for the next Web
    Connector poll (status `waiting_for_web_connector`)."""
    # Not the request's usual transaction (SessionDep): the send's reads and its one write
    # (espqb.queue.enqueue.request_session), so that a new send costs no BEGIN and no COMMIT.
    async with request_session(ctx.db) as session:
        result = await send_order(
            session,
            principal,
            order_number,
            body,
            idempotency_key=idempotency_key,
            max_attempts=ctx.settings.job_max_attempts,
            start_state=ctx.start_state,
            service_product=ctx.service_product,
        )
        if not result.created:
            response.status_code = 200
        if result.disposition == "queued" and result.job.target != "qbd":
            # A job this request just inserted has no steps run and no flags yet: nothing more to read.
            job = presenter.job_out(result.job, [])
        else:
            await session.flush()
            job = (await presenter.present(session, [result.job]))[0]
    return SendOut(**job.model_dump(), disposition=result.disposition)


@router.post(
    "/orders/{order_number}/preview",
    summary="What Send would do, writing nothing",
    responses={
        403: {"description": "The Details tab does not let this user send (these documents)"},
        409: {"description": "No QuickBooks integration is installed"},
    },
)
async def preview(
    order_number: OrderNumber,
    body: SendRequest,
    session: SessionDep,
    principal: PrincipalDep,
    ctx: ContextDep,
) -> PreviewOut:
    """The "Send to QuickBooks" dialog before Send: the same body as `/send`, planned the same way —
    each customer, vendor, item and document with its action (`create`, `link`, `update`), the names
    as they will appear in QuickBooks (fitted to QuickBooks' lengths, clear of names this
    integration already holds), the lines, the totals (equal to ESP's order total), the warnings and,
    when Send would be refused, every problem with its field (`sendable` false; a refusal is not an
    error here). Nothing is written: no job, no mapping. Names QuickBooks itself already uses for
    other records are found at send time."""
    return await preview_order(session, principal, order_number, body, service_product=ctx.service_product)

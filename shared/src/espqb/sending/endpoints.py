"""HTTP only: POST /v1/orders/{order_number}/send."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Response

from espqb.api.deps import ContextDep, PrincipalDep, SessionDep
from espqb.api.errors import V1_PROBLEMS
from espqb.jobs import presenter
from espqb.jobs.schemas import JobOut
from espqb.orders.request import SendRequest
from espqb.sending.service import send_order

router = APIRouter(prefix="/v1", tags=["sending"], responses=V1_PROBLEMS)


@router.post(
    "/orders/{order_number}/send",
    status_code=202,
    summary="Send a completed order to QuickBooks",
    responses={
        200: {"description": "The same send was already accepted: its job is returned", "model": JobOut},
        403: {"description": "The Details tab does not let this user send (these documents)"},
        409: {"description": "No QuickBooks integration is installed or connected"},
    },
)
async def send(
    order_number: Annotated[str, Path(min_length=1, max_length=64)],
    body: SendRequest,
    session: SessionDep,
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
) -> JobOut:
    """The "QB" button. The order snapshot and the dialog's choices are stored in a durable send
    job (202). The job's steps say, per document, what was created or updated in QuickBooks.
    Sending an order whose previous job is still active returns that job (200) instead of a second one.
    QuickBooks Online sends start within seconds; QuickBooks Desktop sends wait for the next Web
    Connector poll (status `waiting_for_web_connector`)."""
    job, created = await send_order(
        session,
        principal,
        order_number,
        body,
        idempotency_key=idempotency_key,
        max_attempts=ctx.settings.job_max_attempts,
        start_state=ctx.extras.get("start_state"),
    )
    if not created:
        response.status_code = 200
    await session.flush()
    return (await presenter.present(session, [job]))[0]

"""HTTP only: ``POST /v1/qbo/webhooks``, Intuit's data-change notifications.

The signature is checked on the raw body first (401 when it is wrong), the body is parsed (400 when
it is neither format), the realms must be companies of ours (400 when none is), the notices of our
realms are stored in the same transaction (``qbo_webhook_notices``), and then the answer is 200 at once:
Intuit wants it within 3 s and holds back later events until it gets it (docs/quickbooks-online.md
§2.13). The stored notices are applied after the answer by this process, in a background task; if it
dies first, the scheduler's drain applies them (``qbo_gateway.webhooks.notices``).
"""

from __future__ import annotations

import structlog
from fastapi import APIRouter, BackgroundTasks, Request
from pydantic import BaseModel

from espqb.api.deps import ContextDep
from espqb.api.errors import ApiError
from qbo_gateway.state import QboDep
from qbo_gateway.webhooks import repository
from qbo_gateway.webhooks.notices import apply_received, store_notices
from qbo_gateway.webhooks.payloads import MalformedNotification, parse_notifications
from qbo_gateway.webhooks.processing import ChangeProcessor
from qbo_gateway.webhooks.signature import SIGNATURE_HEADER, is_signed_by_intuit

__all__ = ["router"]

log = structlog.get_logger(__name__)

router = APIRouter(prefix="/v1/qbo", tags=["qbo webhooks"])


class WebhookSignatureInvalid(ApiError):
    status, slug, title = 401, "webhook-signature-invalid", "The webhook signature does not match"


class WebhookMalformed(ApiError):
    status, slug, title = 400, "webhook-malformed", "The webhook body cannot be read"


class WebhookUnknownRealm(ApiError):
    status, slug, title = 400, "webhook-unknown-realm", "The webhook is about a company we do not know"


class WebhookAccepted(BaseModel):
    accepted: int
    ignored_realms: int


@router.post(
    "/webhooks",
    summary="Intuit's data-change notifications (CloudEvents or legacy)",
    description=(
        "Checks Intuit's signature, stores the notices of our companies' realms and answers 200 at once; "
        "the notices are applied afterwards (by this replica, or by the scheduler's drain if it dies "
        "first). `accepted`: the notices stored; `ignored_realms`: realms of no company here."
    ),
    responses={
        401: {"description": "Bad or missing intuit-signature"},
        400: {"description": "Unreadable body or unknown realm"},
    },
)
async def receive(
    request: Request, ctx: ContextDep, qbo: QboDep, background: BackgroundTasks
) -> WebhookAccepted:
    body = await request.body()
    verifier = ctx.settings.intuit_webhook_verifier_token.get_secret_value()
    if not is_signed_by_intuit(body, request.headers.get(SIGNATURE_HEADER), verifier):
        log.warning(
            "qbo webhook refused: bad signature",
            bytes=len(body),
            client=request.client.host if request.client else None,
        )
        raise WebhookSignatureInvalid(f"The {SIGNATURE_HEADER} header is missing or does not sign this body.")
    try:
        notices = parse_notifications(body)
    except MalformedNotification as exc:
        log.warning("qbo webhook refused: malformed", reason=str(exc))
        raise WebhookMalformed(str(exc)) from None
    realms = {notice.realm_id for notice in notices}
    async with ctx.db.transaction() as session:
        companies = await repository.companies_by_realm(session, realms)
        unknown = sorted(realms - set(companies))
        if unknown:
            log.warning("qbo webhook about unknown realms", realms=unknown, known=len(companies))
        if realms and not companies:
            raise WebhookUnknownRealm(
                f"No company here is connected to QuickBooks Online realm(s) {', '.join(unknown)}."
            )
        # Stored before the 200: once Intuit has it, it never sends these notices again.
        stored = await store_notices(session, notices, companies)
    if stored:
        processor = ChangeProcessor(
            ctx.db, qbo.sending.client, settings=ctx.settings, profiles=qbo.sending.sender.profiles
        )
        background.add_task(apply_received, ctx.db, processor, stored)
    return WebhookAccepted(accepted=len(stored), ignored_realms=len(unknown))

"""Intuit's data-change webhooks: the two payload formats and the signature (docs/quickbooks-online.md §2.13).

- legacy: ``{"eventNotifications": [{"realmId", "dataChangeEvent": {"entities": [{"name", "id",
  "operation", "lastUpdated"}]}}]}``, operations ``Create``, ``Update``, ``Delete``, ``Merge``, ``Void``,
  ``Emailed``;
- CloudEvents: a JSON array of events with ``specversion`` "1.0", ``id``, ``source``, ``type`` such as
  ``qbo.invoice.created.v1`` (past tense, except ``void``), ``datacontenttype``, ``time``,
  ``intuitentityid``, ``intuitaccountid`` (the realm) and ``data`` ``{}``.

Both are signed the same way: header ``intuit-signature`` = base64(HMAC-SHA256(verifier token, raw body)).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

WebhookFormat = Literal["legacy", "cloudevents"]
OPERATIONS = ("Create", "Update", "Delete", "Merge", "Void", "Emailed")
# CloudEvents wire spelling: "void", not "voided" (ballerina asyncapi-triggers PR #193,
# docs/quickbooks-online.md §2.13).
_CLOUDEVENT_VERBS = {
    "Create": "created",
    "Update": "updated",
    "Delete": "deleted",
    "Merge": "merged",
    "Void": "void",
    "Emailed": "emailed",
}
SIGNATURE_HEADER = "intuit-signature"


@dataclass(frozen=True, slots=True)
class ChangeEvent:
    entity: str  # "Invoice"
    entity_id: str
    operation: str  # one of OPERATIONS
    at: datetime


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def legacy_payload(realm_id: str, events: list[ChangeEvent]) -> dict[str, Any]:
    return {
        "eventNotifications": [
            {
                "realmId": realm_id,
                "dataChangeEvent": {
                    "entities": [
                        {
                            "name": e.entity,
                            "id": e.entity_id,
                            "operation": e.operation,
                            "lastUpdated": _utc(e.at),
                        }
                        for e in events
                    ]
                },
            }
        ]
    }


def cloudevents_payload(realm_id: str, events: list[ChangeEvent], *, source: str) -> list[dict[str, Any]]:
    return [
        {
            "specversion": "1.0",
            "id": str(uuid.uuid4()),
            "source": source,
            "type": f"qbo.{e.entity.lower()}.{_CLOUDEVENT_VERBS[e.operation]}.v1",
            "datacontenttype": "application/json",
            "time": _utc(e.at),
            "intuitentityid": e.entity_id,
            "intuitaccountid": realm_id,
            "data": {},
        }
        for e in events
    ]


def encode(realm_id: str, events: list[ChangeEvent], fmt: WebhookFormat, *, source: str) -> bytes:
    for event in events:
        if event.operation not in OPERATIONS:
            raise ValueError(
                f"unknown webhook operation {event.operation!r}; use one of {', '.join(OPERATIONS)}"
            )
    payload: Any = (
        legacy_payload(realm_id, events)
        if fmt == "legacy"
        else cloudevents_payload(realm_id, events, source=source)
    )
    return json.dumps(payload, separators=(",", ":")).encode()


def sign(verifier_token: str, body: bytes) -> str:
    digest = hmac.new(verifier_token.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


@dataclass(frozen=True, slots=True)
class WebhookDelivery:
    """One POST the sandbox made, for tests to inspect."""

    url: str
    body: bytes
    signature: str
    status_code: int | None
    error: str | None = None

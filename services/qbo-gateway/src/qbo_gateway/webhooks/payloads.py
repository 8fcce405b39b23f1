"""Webhook bodies → typed change notices, whichever of Intuit's two formats they use
(docs/quickbooks-online.md §2.13).

* CloudEvents (mandatory since 2026): a JSON array of events; ``type`` is ``qbo.<entity>.<verb>.v1``
  (verbs ``created``, ``updated``, ``deleted``, ``merged``, ``void``, ``emailed``), ``intuitaccountid``
  the realm and ``intuitentityid`` the record.
* Legacy: ``{"eventNotifications": [{"realmId", "dataChangeEvent": {"entities": [{"name", "id",
  "operation", "lastUpdated"}]}}]}``.

Both become ``ChangeNotice``\\ s with the legacy operation names; anything else is
``MalformedNotification``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from espqb.errors import EspqbError

__all__ = ["ChangeNotice", "MalformedNotification", "parse_notifications"]

_VERBS = {
    "created": "Create",
    "updated": "Update",
    "deleted": "Delete",
    "merged": "Merge",
    "void": "Void",
    "voided": "Void",
    "emailed": "Emailed",
}
OPERATIONS = frozenset(_VERBS.values())
# Entity names as QBO spells them; CloudEvents carries them lower-cased.
ENTITIES = {
    name.lower(): name
    for name in (
        "Account",
        "Bill",
        "BillPayment",
        "Budget",
        "Class",
        "CreditMemo",
        "Currency",
        "Customer",
        "Department",
        "Deposit",
        "Employee",
        "Estimate",
        "Invoice",
        "Item",
        "JournalCode",
        "JournalEntry",
        "Payment",
        "PaymentMethod",
        "Preferences",
        "Purchase",
        "PurchaseOrder",
        "RefundReceipt",
        "SalesReceipt",
        "TaxAgency",
        "Term",
        "TimeActivity",
        "Transfer",
        "Vendor",
        "VendorCredit",
        "ChangeOrder",
        "CompanyCurrency",
    )
}


class MalformedNotification(EspqbError, ValueError):
    """The body is neither a CloudEvents array nor a legacy notification. The endpoint answers it as
    `WebhookMalformed` (400)."""

    slug, title = "webhook-notification-malformed", "The notification is not understood"


@dataclass(frozen=True, slots=True)
class ChangeNotice:
    realm_id: str
    entity: str  # "Invoice"
    entity_id: str
    operation: str  # Create / Update / Delete / Merge / Void / Emailed
    occurred_at: datetime | None = None


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class _CloudEvent(_Model):
    specversion: str
    id: str
    type: str = Field(min_length=1, max_length=200)
    time: datetime | None = None
    intuitentityid: str = Field(min_length=1, max_length=64)
    intuitaccountid: str = Field(min_length=1, max_length=64)


class _Entity(_Model):
    name: str = Field(min_length=1, max_length=64)
    id: str = Field(min_length=1, max_length=64)
    operation: str
    lastUpdated: datetime | None = None


class _DataChange(_Model):
    entities: list[_Entity] = Field(default_factory=list)


class _Notification(_Model):
    realmId: str = Field(min_length=1, max_length=64)
    dataChangeEvent: _DataChange = Field(default_factory=_DataChange)


class _Legacy(_Model):
    eventNotifications: list[_Notification]


def _entity_name(raw: str) -> str:
    return ENTITIES.get(raw.lower(), raw[:1].upper() + raw[1:])


def _from_cloud_event(event: _CloudEvent) -> ChangeNotice:
    parts = event.type.split(".")
    if len(parts) < 3 or parts[0] != "qbo" or parts[2].lower() not in _VERBS:
        raise MalformedNotification(f"unknown event type {event.type!r}")
    return ChangeNotice(
        realm_id=event.intuitaccountid,
        entity=_entity_name(parts[1]),
        entity_id=event.intuitentityid,
        operation=_VERBS[parts[2].lower()],
        occurred_at=event.time,
    )


def _from_legacy(payload: _Legacy) -> list[ChangeNotice]:
    notices = []
    for notification in payload.eventNotifications:
        for entity in notification.dataChangeEvent.entities:
            operation = entity.operation[:1].upper() + entity.operation[1:].lower()
            if operation not in OPERATIONS:
                raise MalformedNotification(f"unknown operation {entity.operation!r}")
            notices.append(
                ChangeNotice(
                    realm_id=notification.realmId,
                    entity=_entity_name(entity.name),
                    entity_id=entity.id,
                    operation=operation,
                    occurred_at=entity.lastUpdated,
                )
            )
    return notices


def parse_notifications(body: bytes) -> list[ChangeNotice]:
    try:
        data: Any = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedNotification("the body is not JSON") from exc
    try:
        if isinstance(data, list):
            return [_from_cloud_event(_CloudEvent.model_validate(event)) for event in data]
        if isinstance(data, dict) and "eventNotifications" in data:
            return _from_legacy(_Legacy.model_validate(data))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        raise MalformedNotification(f"{where}: {first.get('msg')}") from exc
    raise MalformedNotification("expected a CloudEvents array or an eventNotifications object")

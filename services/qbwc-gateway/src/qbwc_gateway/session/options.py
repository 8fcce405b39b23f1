"""The session's tunables, read from the settings with defaults that suit the Web Connector."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from espqb.config import Settings


@dataclass(frozen=True, slots=True)
class SessionOptions:
    # Several orders per round trip, under a size cap (QBWC_MAX_MESSAGE_BYTES) and a count cap that
    # keeps one round trip well inside the Web Connector's patience (~2 minutes, docs/web-connector.md §7).
    max_message_bytes: int = 2_000_000
    max_jobs_per_message_set: int = 50
    ticket_ttl: timedelta = timedelta(minutes=30)
    # Another session of the company that called within this window is alive: answer "busy".
    busy_window: timedelta = timedelta(seconds=90)
    # Refresh the list cache at least this often, even with no orders to send (fresh drop-downs).
    cache_max_age: timedelta = timedelta(hours=1)
    max_round_trips: int = 40
    # qbXML 13.0 has no macro for a bill's LinkToTxnID, so a bill can only be linked to a purchase
    # order whose TxnID is already known: linking a new PO and its bill costs a second round trip.
    # Off by default (one round trip per order); QBWC_LINK_BILLS_TO_PURCHASE_ORDERS turns it on.
    link_bills_to_purchase_orders: bool = False

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: object) -> SessionOptions:
        values: dict[str, object] = {
            "max_message_bytes": settings.qbwc_max_message_bytes,
            "ticket_ttl": timedelta(seconds=settings.qbwc_ticket_ttl_seconds),
            "link_bills_to_purchase_orders": settings.qbwc_link_bills_to_purchase_orders,
        }
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]

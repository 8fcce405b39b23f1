"""The states of a QuickBooks Online connection, and what a held send says while it waits.

`qbo_connections.status`:

- ``connected``: tokens stored and working;
- ``needs_reauth``: Intuit refused the refresh token (``invalid_grant``) or still answered 401 with a
  fresh access token; sends are held until an admin reconnects;
- ``disconnected``: an admin disconnected (or uninstalled); the tokens are revoked and deleted, but the
  row keeps which books (realm) the company's mappings belong to, so reconnecting to different books
  still needs an explicit confirmation.

A company with no row has never connected.
"""

from __future__ import annotations

from typing import Final

CONNECTED: Final = "connected"
NEEDS_REAUTH: Final = "needs_reauth"
DISCONNECTED: Final = "disconnected"
NOT_CONNECTED: Final = "not_connected"  # no row: only ever shown, never stored

QBO: Final = "qbo"  # the send-job target and the integration product

RECONNECT_HOW = "An admin can reconnect in ESP: Admin → Integrations → QuickBooks Online → Reconnect."

NEEDS_REAUTH_HOLD_REASON = (
    "QuickBooks Online needs to be re-authorised before this order can be sent. "
    f"{RECONNECT_HOW} The send continues by itself afterwards."
)
DISCONNECTED_HOLD_REASON = (
    "QuickBooks Online was disconnected before this order was sent. "
    f"{RECONNECT_HOW} The send continues by itself afterwards."
)

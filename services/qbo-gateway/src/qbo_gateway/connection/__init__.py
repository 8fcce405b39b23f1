"""The QuickBooks Online connection: connect (OAuth 2.0), keep tokens alive, re-authorisation
deadlines and reminders.

For the rest of the gateway:

- `TokenProvider` (`QboState.connection.tokens`): `credentials(company_id) -> QboCredentials`,
  `after_unauthorized(company_id, rejected_access_token)`, `mark_needs_reauthorization(company_id, reason)`;
  raises `NotConnected`, `NeedsReauthorization` (hold the send) or `TokenRefreshUnavailable` (retry later).
- `router`, `running_connection`: what app.py registers.
"""

from qbo_gateway.connection.endpoints import router
from qbo_gateway.connection.errors import (
    ConnectionProblem,
    NeedsReauthorization,
    NotConnected,
    TokenRefreshUnavailable,
)
from qbo_gateway.connection.lifecycle import running_connection
from qbo_gateway.connection.tokens import QboCredentials, TokenProvider

__all__ = [
    "ConnectionProblem",
    "NeedsReauthorization",
    "NotConnected",
    "QboCredentials",
    "TokenProvider",
    "TokenRefreshUnavailable",
    "router",
    "running_connection",
]

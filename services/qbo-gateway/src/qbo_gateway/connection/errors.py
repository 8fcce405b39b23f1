"""What can go wrong with a QuickBooks Online connection, as the rest of the gateway sees it.

`NotConnected` and `NeedsReauthorization` are what `TokenProvider` raises instead of credentials; a
sender turns the second into a held job (never a failed one). `TokenRefreshUnavailable` is a passing
problem at Intuit's token endpoint: try again later. `QboNotConnectedProblem` is the 409 the JSON API
answers when a company that never connected (or disconnected) tries to send.
"""

from __future__ import annotations

from espqb.api.errors import Conflict
from espqb.errors import EspqbError
from qbo_gateway.connection.statuses import RECONNECT_HOW


class ConnectionProblem(EspqbError):
    """Why no credentials can be given for a company; a send is held or retried, a lookup answers
    `QboNotConnectedProblem` or `UpstreamUnavailable`."""

    slug, title = (
        "quickbooks-online-connection-problem",
        "QuickBooks Online cannot be reached for this company",
    )

    def __init__(self, company_id: str, message: str) -> None:
        super().__init__(message)
        self.company_id = company_id
        self.message = message


class NotConnected(ConnectionProblem):
    """The company has no working QuickBooks Online tokens (never connected, or disconnected)."""


class NeedsReauthorization(ConnectionProblem):
    """Intuit no longer accepts the company's authorisation; an admin must reconnect."""


class TokenRefreshUnavailable(ConnectionProblem):
    """Intuit's token endpoint could not be used just now (network, 5xx); nothing was lost."""


class QboNotConnectedProblem(Conflict):
    slug, title = "qbo-not-connected", "QuickBooks Online is not connected"


def not_connected_problem(disconnected: bool) -> QboNotConnectedProblem:
    if disconnected:
        return QboNotConnectedProblem(
            f"QuickBooks Online was disconnected for this company, so orders cannot be sent. {RECONNECT_HOW}"
        )
    return QboNotConnectedProblem(
        "QuickBooks Online is installed but not connected yet, so orders cannot be sent. An admin must "
        "connect it first: Admin → Integrations → QuickBooks Online → Connect (POST /v1/qbo/connect)."
    )

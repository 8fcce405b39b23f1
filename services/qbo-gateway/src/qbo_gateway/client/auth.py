"""The client's seam with the connection: who gives it a realm and an access token.

The connection package (``qbo_gateway.connection.tokens.TokenProvider``) stores, refreshes and
revokes tokens; the client only asks. ``TokenSource`` is the structural type the client needs, so
tests can hand it a small in-memory fake and the client never imports the connection package.
"""

from __future__ import annotations

from typing import Protocol


class Credentials(Protocol):
    """What one API call needs: the company's realm and a current access token."""

    @property
    def realm_id(self) -> str: ...

    @property
    def access_token(self) -> str: ...


class TokenSource(Protocol):
    async def credentials(self, company_id: str) -> Credentials:
        """The realm and a valid access token; raises the connection's ``NeedsReauthorization`` /
        ``NotConnected`` (``qbo_gateway.connection.errors``) when there is none."""
        ...

    async def after_unauthorized(self, company_id: str, rejected_access_token: str) -> Credentials:
        """Intuit refused ``rejected_access_token`` (401): refresh it (once, serialised) and answer the new one."""
        ...

    async def mark_needs_reauthorization(self, company_id: str, reason: str) -> None:
        """Intuit refuses the company's tokens even after a refresh: an admin has to reconnect."""
        ...

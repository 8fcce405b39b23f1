"""Intuit's OAuth 2.0 authorisation server, as state and rules (no HTTP here).

What it models, with the facts it follows (docs/quickbooks-online.md §1):

- clients with a secret and exact-match redirect URIs (§1.3);
- an authorisation request that must ask for ``response_type=code`` and the
  ``com.intuit.quickbooks.accounting`` scope, answered by the user choosing a company (realm);
- single-use authorisation codes: a second exchange of the same code fails *and* revokes the tokens the
  first exchange issued (§1.3, Intuit staff on oauth-jsclient #173);
- access tokens valid 3,600 s (§1.4);
- refresh tokens with a rolling 100-day expiry, rotated on every refresh; a superseded refresh token keeps
  working for 24 hours after its successor was issued, then answers ``invalid_grant`` (§1.4: "Your
  previous refresh tokens expire 24 hours after you receive a new one");
- a hard five-year cap counted from the user's authorisation, reported as
  ``x_refresh_token_hard_expires_in`` only when the request asked for it (§1.4);
- revocation of a grant through a refresh or access token, or by the user disconnecting (§1.5).
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

ACCOUNTING_SCOPE = "com.intuit.quickbooks.accounting"
OPENID_SCOPES = frozenset({"openid", "profile", "email", "phone", "address"})


@dataclass(frozen=True, slots=True)
class TokenLifetimes:
    access: timedelta = timedelta(seconds=3600)
    refresh_rolling: timedelta = timedelta(days=100)
    refresh_hard: timedelta = timedelta(days=5 * 365)
    superseded_refresh_grace: timedelta = timedelta(hours=24)
    # Intuit does not publish the code lifetime; RFC 6749 §4.1.2 recommends at most ten minutes.
    authorization_code: timedelta = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class OAuthClient:
    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AuthorizationRequest:
    request_id: str
    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    state: str | None


@dataclass(slots=True)
class AuthorizationCode:
    client_id: str
    redirect_uri: str
    realm_id: str
    scopes: tuple[str, ...]
    issued_at: datetime
    grant_id: str | None = None  # set by the first exchange


@dataclass(slots=True)
class Grant:
    """One user authorisation of one client for one company."""

    grant_id: str
    client_id: str
    realm_id: str
    scopes: tuple[str, ...]
    authorized_at: datetime
    revoked_at: datetime | None = None


@dataclass(slots=True)
class RefreshToken:
    grant_id: str
    issued_at: datetime
    expires_at: datetime
    superseded_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class AccessToken:
    grant_id: str
    expires_at: datetime


class AuthorizeError(Exception):
    """A problem with an authorisation request that must not be redirected (unknown client or URI)."""


@dataclass(slots=True)
class RedirectableError(Exception):
    """A problem reported back to the client's redirect URI (RFC 6749 §4.1.2.1)."""

    redirect_uri: str
    error: str
    description: str
    state: str | None

    def location(self) -> str:
        params = {"error": self.error, "error_description": self.description}
        if self.state is not None:
            params["state"] = self.state
        return _with_query(self.redirect_uri, params)


class TokenError(Exception):
    """An error from the token or revocation endpoint: ``{"error": ..., "error_description": ...}``."""

    def __init__(self, error: str, description: str, http_status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.http_status = http_status

    def as_json(self) -> dict[str, str]:
        return {"error_description": self.description, "error": self.error}


class AccessDenied(Exception):
    """An API call whose bearer token is missing, unknown, expired or revoked."""


def _with_query(uri: str, params: dict[str, str]) -> str:
    return f"{uri}{'&' if '?' in uri else '?'}{urlencode(params)}"


def _new_token(prefix: str) -> str:
    return f"{prefix}{secrets.token_urlsafe(40)}"


@dataclass(slots=True)
class OAuthCounters:
    token_calls: int = 0
    refresh_calls: int = 0
    revoke_calls: int = 0


class OAuthServer:
    def __init__(self, now: Callable[[], datetime], lifetimes: TokenLifetimes | None = None) -> None:
        self._now = now
        self.lifetimes = lifetimes or TokenLifetimes()
        self.clients: dict[str, OAuthClient] = {}
        self.counters = OAuthCounters()
        self._requests: dict[str, AuthorizationRequest] = {}
        self._codes: dict[str, AuthorizationCode] = {}
        self.grants: dict[str, Grant] = {}
        self._refresh_tokens: dict[str, RefreshToken] = {}
        self._access_tokens: dict[str, AccessToken] = {}
        self._latest_refresh: dict[str, str] = {}  # grant -> newest refresh token

    # -- clients -----------------------------------------------------------------------------------------

    def register_client(
        self, client_id: str, client_secret: str, redirect_uris: list[str] | tuple[str, ...]
    ) -> OAuthClient:
        client = OAuthClient(client_id, client_secret, tuple(redirect_uris))
        self.clients[client_id] = client
        return client

    def authenticate_client(
        self, authorization: str | None, form_client_id: str | None, form_client_secret: str | None
    ) -> OAuthClient:
        """HTTP Basic (what Intuit's SDKs send) or ``client_secret_post`` (also in Intuit's discovery doc)."""
        client_id, secret = form_client_id, form_client_secret
        if authorization and authorization.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
            except (binascii.Error, UnicodeDecodeError) as exc:
                raise TokenError("invalid_client", "Malformed basic authorization header", 401) from exc
            client_id, _, secret = decoded.partition(":")
        client = self.clients.get(client_id or "")
        if client is None or secret is None or not secrets.compare_digest(client.client_secret, secret):
            raise TokenError("invalid_client", "Client authentication failed", 401)
        return client

    # -- authorisation (the consent page) ----------------------------------------------------------------

    def begin_authorization(
        self,
        *,
        client_id: str | None,
        redirect_uri: str | None,
        response_type: str | None,
        scope: str | None,
        state: str | None,
    ) -> AuthorizationRequest:
        client = self.clients.get(client_id or "")
        if client is None:
            raise AuthorizeError("The client_id is not registered with this app")
        # RFC 6749 §4.1.2.1: never redirect to an unverified URI; Intuit registers URIs per app (§1.3).
        if not redirect_uri or redirect_uri not in client.redirect_uris:
            raise AuthorizeError("The redirect_uri does not match a redirect URI registered for this app")
        if response_type != "code":
            raise RedirectableError(
                redirect_uri, "unsupported_response_type", "response_type must be code", state
            )
        scopes = tuple(s for s in (scope or "").split() if s)
        if ACCOUNTING_SCOPE not in scopes:
            raise RedirectableError(
                redirect_uri, "invalid_scope", f"scope must include {ACCOUNTING_SCOPE}", state
            )
        request = AuthorizationRequest(
            secrets.token_urlsafe(16), client.client_id, redirect_uri, scopes, state
        )
        self._requests[request.request_id] = request
        return request

    def pending_request(self, request_id: str) -> AuthorizationRequest:
        request = self._requests.get(request_id)
        if request is None:
            raise AuthorizeError("This authorization request has expired or was already answered")
        return request

    def approve(self, request_id: str, realm_id: str) -> str:
        """The user pressed Connect: returns the redirect location with ``code``, ``state``, ``realmId``."""
        request = self.pending_request(request_id)
        del self._requests[request_id]
        code = _new_token("AB11")
        self._codes[code] = AuthorizationCode(
            request.client_id, request.redirect_uri, realm_id, request.scopes, self._now()
        )
        params = {"code": code}
        if request.state is not None:
            params["state"] = request.state
        params["realmId"] = realm_id
        return _with_query(request.redirect_uri, params)

    def deny(self, request_id: str) -> str:
        """The user pressed Cancel: ``error=access_denied`` with the state echoed."""
        request = self.pending_request(request_id)
        del self._requests[request_id]
        params = {"error": "access_denied"}
        if request.state is not None:
            params["state"] = request.state
        return _with_query(request.redirect_uri, params)

    # -- token endpoint ----------------------------------------------------------------------------------

    def exchange_code(
        self, client: OAuthClient, code: str | None, redirect_uri: str | None, *, include_hard_expiry: bool
    ) -> dict[str, Any]:
        self.counters.token_calls += 1
        if not code:
            raise TokenError("invalid_request", "code is required")
        record = self._codes.get(code)
        now = self._now()
        if record is None or record.client_id != client.client_id:
            raise TokenError("invalid_grant", "Invalid authorization code")
        if record.grant_id is not None:
            # docs/quickbooks-online.md §1.3: reusing a code "would invalidate the token for that auth code on
            # our side".
            self.revoke_grant(record.grant_id)
            raise TokenError("invalid_grant", "Authorization code has already been used")
        if now - record.issued_at > self.lifetimes.authorization_code:
            raise TokenError("invalid_grant", "Authorization code has expired")
        if redirect_uri != record.redirect_uri:  # RFC 6749 §4.1.3
            raise TokenError("invalid_grant", "redirect_uri does not match the authorization request")
        grant = Grant(secrets.token_hex(8), client.client_id, record.realm_id, record.scopes, now)
        self.grants[grant.grant_id] = grant
        record.grant_id = grant.grant_id
        return self._issue(grant, include_hard_expiry, now)

    def refresh(
        self, client: OAuthClient, refresh_token: str | None, *, include_hard_expiry: bool
    ) -> dict[str, Any]:
        self.counters.token_calls += 1
        self.counters.refresh_calls += 1
        if not refresh_token:
            raise TokenError("invalid_request", "refresh_token is required")
        record = self._refresh_tokens.get(refresh_token)
        if record is None:
            raise TokenError("invalid_grant", "Incorrect or invalid refresh token")
        grant = self.grants[record.grant_id]
        if grant.client_id != client.client_id:
            raise TokenError("invalid_grant", "Incorrect or invalid refresh token")
        now = self._now()
        if grant.revoked_at is not None or self._refresh_expired(record, grant, now):
            raise TokenError("invalid_grant", "Token has been expired or revoked")
        return self._issue(grant, include_hard_expiry, now)

    def _refresh_expired(self, record: RefreshToken, grant: Grant, now: datetime) -> bool:
        if now >= record.expires_at or now >= grant.authorized_at + self.lifetimes.refresh_hard:
            return True
        return (
            record.superseded_at is not None
            and now >= record.superseded_at + self.lifetimes.superseded_refresh_grace
        )

    def _issue(self, grant: Grant, include_hard_expiry: bool, now: datetime) -> dict[str, Any]:
        hard_deadline = grant.authorized_at + self.lifetimes.refresh_hard
        refresh_expires = min(now + self.lifetimes.refresh_rolling, hard_deadline)
        previous = self._latest_refresh.get(grant.grant_id)
        if previous is not None:
            superseded = self._refresh_tokens[previous]
            if superseded.superseded_at is None:
                superseded.superseded_at = now
        refresh_value = _new_token("RT1-")
        self._refresh_tokens[refresh_value] = RefreshToken(grant.grant_id, now, refresh_expires)
        self._latest_refresh[grant.grant_id] = refresh_value
        access_value = _new_token("eyJ")
        self._access_tokens[access_value] = AccessToken(grant.grant_id, now + self.lifetimes.access)
        body: dict[str, Any] = {
            "token_type": "bearer",
            "access_token": access_value,
            "expires_in": int(self.lifetimes.access.total_seconds()),
            "refresh_token": refresh_value,
            "x_refresh_token_expires_in": int((refresh_expires - now).total_seconds()),
        }
        if include_hard_expiry:
            body["x_refresh_token_hard_expires_in"] = int((hard_deadline - now).total_seconds())
        return body

    # -- revocation --------------------------------------------------------------------------------------

    def revoke(self, client: OAuthClient, token: str | None) -> None:
        """Revoke the grant behind a refresh or access token. Unknown tokens are ignored (RFC 7009 §2.2)."""
        self.counters.revoke_calls += 1
        if not token:
            raise TokenError("invalid_request", "token is required")
        record: RefreshToken | AccessToken | None = self._refresh_tokens.get(
            token
        ) or self._access_tokens.get(token)
        if record is None:
            return
        if self.grants[record.grant_id].client_id == client.client_id:
            self.revoke_grant(record.grant_id)

    def revoke_grant(self, grant_id: str) -> None:
        grant = self.grants[grant_id]
        if grant.revoked_at is None:
            grant.revoked_at = self._now()

    def disconnect_realm(self, realm_id: str) -> int:
        """The user disconnected the app in QuickBooks: every grant for the company is revoked (§1.5 d)."""
        revoked = 0
        for grant in self.grants.values():
            if grant.realm_id == realm_id and grant.revoked_at is None:
                self.revoke_grant(grant.grant_id)
                revoked += 1
        return revoked

    def has_live_grant(self, realm_id: str) -> bool:
        return any(g.realm_id == realm_id and g.revoked_at is None for g in self.grants.values())

    # -- resource server side ----------------------------------------------------------------------------

    def grant_for_access_token(self, authorization: str | None) -> Grant:
        if not authorization or not authorization.lower().startswith("bearer "):
            raise AccessDenied("Authorization header is missing or is not a bearer token")
        token = authorization[7:].strip()
        record = self._access_tokens.get(token)
        if record is None:
            raise AccessDenied("Malformed bearer token: unknown token")
        grant = self.grants[record.grant_id]
        if grant.revoked_at is not None:
            raise AccessDenied("Token revoked")
        if self._now() >= record.expires_at:
            raise AccessDenied("Token expired")
        return grant

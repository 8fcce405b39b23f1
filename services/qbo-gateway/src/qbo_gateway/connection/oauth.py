"""Talking to Intuit's OAuth 2.0 server (authlib's httpx-based `AsyncOAuth2Client`).

- Endpoints come from Intuit's discovery document (INTUIT_DISCOVERY_URL), fetched once and cached
  (docs/quickbooks-online.md §1.1: "Use the discovery documents to get the latest endpoint URLs").
- Client authentication is HTTP Basic, as Intuit's own clients send it (docs/quickbooks-online.md §1.1).
- Code exchange and refresh send ``x-include-refresh-token-hard-expires-in: true`` so the answer
  carries ``x_refresh_token_hard_expires_in``, Intuit's five-year cap (docs/quickbooks-online.md §1.4;
  Intuit's Python client never sends it, so we add it ourselves).
- Revocation POSTs ``{"token": …}`` as JSON with Basic auth, like Intuit's Python client (§1.5).

Every answer is parsed into a `TokenGrant` here, at the edge; every failure becomes one
`TokenRequestFailed` whose ``error`` is Intuit's OAuth error code (``invalid_grant``, …) or one of
ours (``server_error``, ``unreachable``, ``invalid_response``). Tokens never appear in its message.
"""

from __future__ import annotations

import asyncio
import time
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import authlib.deprecate
import httpx
from pydantic import BaseModel, ConfigDict, ValidationError

from espqb.config import Settings
from espqb.errors import EspqbError

with warnings.catch_warnings():
    # authlib 1.9 announces, on import, a future move from httpx to an "httpx2" package that this
    # project does not use; the httpx client it ships works as documented. (authlib.deprecate,
    # imported above, installs an "always" filter of its own that this one must come after.)
    warnings.simplefilter("ignore", authlib.deprecate.AuthlibDeprecationWarning)
    from authlib.integrations.httpx_client import AsyncOAuth2Client, OAuthError

ACCOUNTING_SCOPE = "com.intuit.quickbooks.accounting"  # docs/quickbooks-online.md §1.2
HARD_EXPIRY_HEADER = "x-include-refresh-token-hard-expires-in"
_TOKEN_HEADERS = {
    "Accept": "application/json",
    "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8",
    HARD_EXPIRY_HEADER: "true",
}
DISCOVERY_TTL_SECONDS = 24 * 3600.0


class TokenRequestFailed(EspqbError):
    """Intuit's token endpoint refused or failed a request; ``http_status`` is what it answered."""

    slug, title = "quickbooks-online-token-request-failed", "Intuit refused the token request"

    def __init__(self, error: str, description: str, http_status: int | None = None) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.http_status = http_status

    @property
    def invalid_grant(self) -> bool:
        """Intuit will never accept this refresh token (or code) again; retrying cannot help
        (docs/quickbooks-online.md §1.5)."""
        return self.error == "invalid_grant"


@dataclass(frozen=True)
class IntuitEndpoints:
    authorization: str
    token: str
    revocation: str


class _TokenResponse(BaseModel):
    model_config = ConfigDict(extra="ignore")

    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int
    x_refresh_token_expires_in: int | None = None
    x_refresh_token_hard_expires_in: int | None = None


@dataclass(frozen=True)
class TokenGrant:
    """A token endpoint answer. Lifetimes are in seconds from when the request was sent."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    access_expires_in: int
    refresh_expires_in: int | None
    refresh_hard_expires_in: int | None

    def access_expires_at(self, requested_at: datetime) -> datetime:
        return requested_at + timedelta(seconds=self.access_expires_in)

    def refresh_expires_at(self, requested_at: datetime) -> datetime | None:
        if self.refresh_expires_in is None:
            return None
        return requested_at + timedelta(seconds=self.refresh_expires_in)

    def refresh_hard_expires_at(self, requested_at: datetime) -> datetime | None:
        if self.refresh_hard_expires_in is None:
            return None
        return requested_at + timedelta(seconds=self.refresh_hard_expires_in)


def _grant(payload: Any) -> TokenGrant:
    try:
        parsed = _TokenResponse.model_validate(dict(payload))
    except (ValidationError, TypeError, ValueError):
        raise TokenRequestFailed(
            "invalid_response", "Intuit's token answer lacks the expected fields"
        ) from None
    if parsed.token_type.lower() != "bearer":
        raise TokenRequestFailed("invalid_response", f"unexpected token type {parsed.token_type!r}")
    return TokenGrant(
        access_token=parsed.access_token,
        refresh_token=parsed.refresh_token,
        access_expires_in=parsed.expires_in,
        refresh_expires_in=parsed.x_refresh_token_expires_in,
        refresh_hard_expires_in=parsed.x_refresh_token_hard_expires_in,
    )


class IntuitOAuth:
    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout_seconds: float = 30.0,
    ) -> None:
        self._settings = settings
        # No `scope` on the client: authlib would add it to refresh requests, which Intuit's own
        # clients do not send; it is passed to the authorisation URL only.
        self._client = AsyncOAuth2Client(
            client_id=settings.intuit_client_id,
            client_secret=settings.intuit_client_secret.get_secret_value(),
            token_endpoint_auth_method="client_secret_basic",
            redirect_uri=settings.intuit_redirect_uri,
            transport=transport,
            timeout=timeout_seconds,
        )
        self._endpoints: IntuitEndpoints | None = None
        self._fetched_at = 0.0
        self._discovery_lock = asyncio.Lock()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def endpoints(self) -> IntuitEndpoints:
        async with self._discovery_lock:
            fresh = time.monotonic() - self._fetched_at < DISCOVERY_TTL_SECONDS
            if self._endpoints is None or not fresh:
                self._endpoints = await self._discover()
                self._fetched_at = time.monotonic()
            return self._endpoints

    async def _discover(self) -> IntuitEndpoints:
        try:
            # `withhold_token`: authlib's client would otherwise insist on a bearer token of its own.
            response = await self._client.request(
                "GET", self._settings.intuit_discovery_url, withhold_token=True
            )
            response.raise_for_status()
            document = response.json()
            return IntuitEndpoints(
                authorization=str(document["authorization_endpoint"]),
                token=str(document["token_endpoint"]),
                revocation=str(document["revocation_endpoint"]),
            )
        except httpx.HTTPStatusError as exc:
            raise TokenRequestFailed(
                "server_error",
                f"the discovery document answered HTTP {exc.response.status_code}",
                exc.response.status_code,
            ) from None
        except httpx.HTTPError as exc:
            raise TokenRequestFailed(
                "unreachable", f"the discovery document could not be read ({type(exc).__name__})"
            ) from None
        except (ValueError, KeyError, TypeError):
            raise TokenRequestFailed(
                "invalid_response", "the discovery document is not what Intuit publishes"
            ) from None

    async def authorization_url(self, state: str) -> str:
        endpoints = await self.endpoints()
        url, _state = self._client.create_authorization_url(
            endpoints.authorization, state=state, scope=ACCOUNTING_SCOPE
        )
        return str(url)

    async def exchange_code(self, code: str) -> TokenGrant:
        endpoints = await self.endpoints()
        return _grant(
            await self._token_request(
                self._client.fetch_token(
                    endpoints.token,
                    grant_type="authorization_code",
                    code=code,
                    redirect_uri=self._settings.intuit_redirect_uri,
                    headers=dict(_TOKEN_HEADERS),
                )
            )
        )

    async def refresh(self, refresh_token: str) -> TokenGrant:
        endpoints = await self.endpoints()
        # authlib keeps the last answer on the client object (`client.token`); that is ignored
        # here — the answer is taken from the return value, which is per call.
        return _grant(
            await self._token_request(
                self._client.refresh_token(
                    endpoints.token, refresh_token=refresh_token, headers=dict(_TOKEN_HEADERS)
                )
            )
        )

    async def revoke(self, token: str) -> None:
        endpoints = await self.endpoints()
        try:
            response = await self._client.post(
                endpoints.revocation,
                json={"token": token},
                headers={"Accept": "application/json"},
                auth=httpx.BasicAuth(
                    self._settings.intuit_client_id, self._settings.intuit_client_secret.get_secret_value()
                ),
            )
        except httpx.HTTPError as exc:
            raise TokenRequestFailed(
                "unreachable", f"Intuit could not be reached ({type(exc).__name__})"
            ) from None
        if response.status_code >= 400:
            error, description = _error_fields(response)
            raise TokenRequestFailed(error, description, response.status_code)

    async def _token_request(self, call: Any) -> Any:
        try:
            return await call
        except OAuthError as exc:
            raise TokenRequestFailed(str(exc.error), str(exc.description or "")) from None
        except httpx.HTTPStatusError as exc:
            status = exc.response.status_code
            raise TokenRequestFailed(
                "server_error", f"Intuit's token endpoint answered HTTP {status}", status
            ) from None
        except httpx.HTTPError as exc:
            raise TokenRequestFailed(
                "unreachable", f"Intuit could not be reached ({type(exc).__name__})"
            ) from None
        except ValueError:
            raise TokenRequestFailed(
                "invalid_response", "Intuit's token endpoint did not answer JSON"
            ) from None


def _error_fields(response: httpx.Response) -> tuple[str, str]:
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return body["error"], str(body.get("error_description") or "")
    return "server_error", f"HTTP {response.status_code}"

"""The ESP front end's bearer token: a JWT signed by ESP, verified on every /v1 request.

HS256 with ESP_JWT_SECRET, or RS256 with keys from ESP_JWKS_URL. Verified with joserfc (the
authlib project's JOSE library, which authlib itself now delegates to). Only the configured
algorithms are accepted, so `alg=none` and algorithm-confusion tokens are refused.
Claims: `sub` (user), `company_id`, `roles` (`admin`/`user`), `teams`, and `exp` (required).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, OctKey

from espqb.errors import EspqbError

CLOCK_SKEW_SECONDS = 30


class InvalidToken(EspqbError):
    """The bearer token is missing, malformed, badly signed, expired or lacks a claim. The API
    answers it as `espqb.api.errors.Unauthorized` (401), with its words."""

    slug, title = "invalid-token", "The ESP token is not valid"


@dataclass(frozen=True)
class Principal:
    user_id: str
    company_id: str
    roles: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles


@dataclass
class TokenVerifier:
    secret: str | None = None
    jwks_url: str | None = None
    issuer: str | None = None
    audience: str | None = None
    http: httpx.AsyncClient | None = None
    jwks_ttl_seconds: float = 600.0
    _jwks: KeySet | None = field(default=None, init=False, repr=False)
    _jwks_fetched_at: float = field(default=0.0, init=False, repr=False)

    async def verify(self, token: str) -> Principal:
        try:
            if self.jwks_url:
                decoded = jwt.decode(token, await self._keyset(), algorithms=["RS256"])
            elif self.secret:
                decoded = jwt.decode(token, OctKey.import_key(self.secret), algorithms=["HS256"])
            else:  # pragma: no cover - configuration guarantees one of the two
                raise InvalidToken("no verification key is configured")
            claims = _claims_registry(self.issuer, self.audience)
            claims.validate(decoded.claims)
        except (JoseError, ValueError) as exc:
            raise InvalidToken(_describe(exc)) from None
        return _principal(decoded.claims)

    async def _keyset(self) -> KeySet:
        if self._jwks is None or time.monotonic() - self._jwks_fetched_at > self.jwks_ttl_seconds:
            assert self.jwks_url
            client = self.http or httpx.AsyncClient(timeout=10)
            try:
                response = await client.get(self.jwks_url)
                response.raise_for_status()
                self._jwks = KeySet.import_key_set(response.json())
                self._jwks_fetched_at = time.monotonic()
            finally:
                if self.http is None:
                    await client.aclose()
        return self._jwks


def _claims_registry(issuer: str | None, audience: str | None) -> jwt.JWTClaimsRegistry:
    options: dict[str, Any] = {
        "exp": {"essential": True},
        "sub": {"essential": True},
        "company_id": {"essential": True},
    }
    if issuer:
        options["iss"] = {"essential": True, "value": issuer}
    if audience:
        options["aud"] = {"essential": True, "value": audience}
    return jwt.JWTClaimsRegistry(leeway=CLOCK_SKEW_SECONDS, **options)


def _principal(claims: dict[str, Any]) -> Principal:
    roles = claims.get("roles") or []
    teams = claims.get("teams") or []
    if isinstance(roles, str):
        roles = [roles]
    if not isinstance(roles, list) or not isinstance(teams, list):
        raise InvalidToken("the roles and teams claims must be lists")
    return Principal(
        user_id=str(claims["sub"]),
        company_id=str(claims["company_id"]),
        roles=tuple(str(r) for r in roles),
        teams=tuple(str(t) for t in teams),
    )


def _describe(exc: Exception) -> str:
    name = type(exc).__name__
    if name == "ExpiredTokenError":
        return "the token has expired"
    if name in {"BadSignatureError"}:
        return "the token's signature does not verify"
    if name in {"MissingClaimError", "InvalidClaimError"}:
        return f"the token's claims are not acceptable ({exc})"
    if name in {"UnsupportedAlgorithmError"}:
        return "the token's signing algorithm is not accepted"
    return "the token is not a valid ESP token"


def mint_token(
    secret: str,
    *,
    company_id: str,
    user_id: str,
    roles: list[str] | tuple[str, ...] = ("admin",),
    teams: list[str] | tuple[str, ...] = (),
    ttl_seconds: int = 8 * 3600,
    now: float | None = None,
) -> str:
    """A development/test token signed with the HS256 secret (`espqb mint-token`)."""
    issued = int(now if now is not None else time.time())
    claims = {
        "sub": user_id,
        "company_id": company_id,
        "roles": list(roles),
        "teams": list(teams),
        "iat": issued,
        "exp": issued + ttl_seconds,
    }
    return jwt.encode({"alg": "HS256"}, claims, OctKey.import_key(secret))

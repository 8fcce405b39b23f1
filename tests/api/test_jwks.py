"""RS256 tokens verified with keys from ESP's JWKS URL (the option to a shared HS256 secret)."""

from __future__ import annotations

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, OctKey, RSAKey

from espqb.security.jwt import InvalidToken, TokenVerifier


def _keys() -> tuple[RSAKey, dict[str, object]]:
    key = RSAKey.generate_key(2048, parameters={"kid": "esp-1", "alg": "RS256", "use": "sig"})
    return key, KeySet([key]).as_dict(private=False)


def _token(key: RSAKey, **claims: object) -> str:
    body = {"sub": "alice", "company_id": "acme", "roles": ["admin"], "exp": 4_102_444_800, **claims}
    return jwt.encode({"alg": "RS256", "kid": "esp-1"}, body, key)


async def test_rs256_token_from_jwks_is_accepted_and_others_refused() -> None:
    key, jwks = _keys()
    calls = 0

    def serve(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(200, json=jwks)

    async with httpx.AsyncClient(transport=httpx.MockTransport(serve)) as http:
        verifier = TokenVerifier(jwks_url="https://esp.example/jwks.json", http=http, audience="espqb")
        principal = await verifier.verify(_token(key, aud="espqb"))
        assert (principal.company_id, principal.user_id, principal.is_admin) == ("acme", "alice", True)
        await verifier.verify(_token(key, aud="espqb"))
        assert calls == 1  # the key set is cached

        other, _ = _keys()
        with pytest.raises(InvalidToken):
            await verifier.verify(_token(other, aud="espqb"))  # signed by a key ESP does not publish
        with pytest.raises(InvalidToken):
            await verifier.verify(_token(key, aud="someone-else"))
        hs256 = jwt.encode(
            {"alg": "HS256"},
            {"sub": "a", "company_id": "c", "exp": 4_102_444_800},
            OctKey.import_key("x" * 40),
        )
        with pytest.raises(InvalidToken):
            await verifier.verify(hs256)  # algorithm confusion: only RS256 is accepted with a JWKS

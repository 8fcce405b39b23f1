"""Every /v1 request needs ESP's token; a bad one gets 401 as problem+json, never a stack trace."""

from __future__ import annotations

import base64
import json

import httpx

from espqb.security.jwt import mint_token
from tests.support.api import auth, token


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


async def test_valid_token_reads_settings(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/settings", headers=auth())
    assert response.status_code == 200
    assert response.json()["item_name_source"] == "product_number"


async def test_missing_token_is_401_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/settings")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["type"].endswith("/unauthorized") and body["status"] == 401
    assert "Traceback" not in response.text


async def test_tampered_token_is_401(client: httpx.AsyncClient) -> None:
    header, payload, signature = token(company="acme").split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["company_id"] = "someone-else"
    forged = f"{header}.{_b64(claims)}.{signature}"
    response = await client.get("/v1/settings", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401
    assert "signature" in response.json()["detail"]


async def test_expired_token_is_401(client: httpx.AsyncClient) -> None:
    from espqb.config import DEV_JWT_SECRET

    expired = mint_token(DEV_JWT_SECRET, company_id="acme", user_id="alice", ttl_seconds=-3600)
    response = await client.get("/v1/settings", headers={"Authorization": f"Bearer {expired}"})
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


async def test_alg_none_token_is_401(client: httpx.AsyncClient) -> None:
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64({'sub': 'alice', 'company_id': 'acme', 'roles': ['admin'], 'exp': 9999999999})}."
    response = await client.get("/v1/settings", headers={"Authorization": f"Bearer {unsigned}"})
    assert response.status_code == 401


async def test_token_signed_with_another_secret_is_401(client: httpx.AsyncClient) -> None:
    other = mint_token("another-secret-of-sufficient-length-0123456789", company_id="acme", user_id="alice")
    response = await client.get("/v1/settings", headers={"Authorization": f"Bearer {other}"})
    assert response.status_code == 401


async def test_non_admin_cannot_change_settings_or_integration(client: httpx.AsyncClient) -> None:
    user = auth(user="bob", roles=["user"])
    assert (await client.put("/v1/settings", headers=user, json={"allow_bills": False})).status_code == 403
    assert (
        await client.post("/v1/integration/install", headers=user, json={"product": "qbo"})
    ).status_code == 403
    assert (await client.post("/v1/integration/uninstall", headers=user)).status_code == 403
    # reading is fine
    assert (await client.get("/v1/settings", headers=user)).status_code == 200

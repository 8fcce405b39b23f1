"""Helpers for the Intuit sandbox tests: a tiny QBO client that speaks to the app like a gateway would."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx

from qb_sandbox.intuit import ACCOUNTING_SCOPE

CLIENT_ID = "test-client"
CLIENT_SECRET = "test-secret"
REDIRECT_URI = "https://esp.example.com/v1/qbo/callback"
MINOR_VERSION = "75"
# A frozen source clock for the sandbox: time moves only when a test calls sandbox.advance(), so token
# lifetimes and throttle windows are exact.
START = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)


def decimal_json(response: httpx.Response) -> Any:
    """The body with numbers as Decimal, the way a careful client parses money."""
    return json.loads(response.text, parse_float=Decimal)


class QboApi:
    """Calls /v3/company/{realm}/… with a bearer token and minorversion=75 on every call."""

    def __init__(self, http: httpx.AsyncClient, realm_id: str, access_token: str) -> None:
        self.http = http
        self.realm_id = realm_id
        self.access_token = access_token

    @property
    def base(self) -> str:
        return f"/v3/company/{self.realm_id}"

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}", "Accept": "application/json"}

    def params(self, **extra: Any) -> dict[str, Any]:
        return {"minorversion": MINOR_VERSION, **{k: v for k, v in extra.items() if v is not None}}

    async def post(self, resource: str, body: Any, **params: Any) -> httpx.Response:
        return await self.http.post(
            f"{self.base}/{resource}", json=body, headers=self.headers(), params=self.params(**params)
        )

    async def read(self, resource: str, entity_id: str) -> httpx.Response:
        return await self.http.get(
            f"{self.base}/{resource}/{entity_id}", headers=self.headers(), params=self.params()
        )

    async def query(self, text: str) -> httpx.Response:
        return await self.http.get(
            f"{self.base}/query", headers=self.headers(), params=self.params(query=text)
        )

    async def batch(self, items: list[dict[str, Any]], **params: Any) -> httpx.Response:
        return await self.post("batch", {"BatchItemRequest": items}, **params)

    async def created(self, resource: str, body: dict[str, Any], kind: str) -> dict[str, Any]:
        """Create and return the entity; fails the test with Intuit's fault if the create failed."""
        response = await self.post(resource, body)
        assert response.status_code == 200, response.text
        entity: dict[str, Any] = decimal_json(response)[kind]
        return entity


def fault_codes(response: httpx.Response) -> list[str]:
    return [error["code"] for error in response.json()["Fault"]["Error"]]


def consent_request_id(page: str) -> str:
    match = re.search(r'name="request_id" value="([^"]+)"', page)
    assert match, "the consent page has no request_id field"
    return match.group(1)


def authorize_params(**overrides: str) -> dict[str, str]:
    params = {
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "response_type": "code",
        "scope": f"{ACCOUNTING_SCOPE} openid email",
        "state": "csrf-123",
    }
    params.update(overrides)
    return params

"""ESP's front ends call the API from the browser: their origins are allowed, others are not."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from pydantic import ValidationError

from espqb.config import Settings
from qbo_gateway.app import create_app as create_qbo_app
from qbwc_gateway.app import create_app as create_qbwc_app
from tests.support.api import auth, running, service_settings

APPS: dict[str, Callable[[Settings], FastAPI]] = {
    "qbo-gateway": create_qbo_app,
    "qbwc-gateway": create_qbwc_app,
}
ESP = "https://app.esp.example"


def _preflight(origin: str) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
    }


@pytest.mark.parametrize("gateway", APPS)
async def test_an_allowed_origin_gets_its_preflight_and_reads_the_answers(
    gateway: str, database_url: str
) -> None:
    settings = service_settings(database_url, cors_allowed_origins=f"{ESP}, https://console.esp.example/")
    async with running(APPS[gateway], settings) as (_app, http):
        preflight = await http.options("/v1/orders/10245/send", headers=_preflight(ESP))
        read = await http.get("/v1/integration", headers={**auth(), "Origin": ESP})
        stranger = await http.options("/v1/orders/10245/send", headers=_preflight("https://evil.example"))
        stranger_read = await http.get(
            "/v1/integration", headers={**auth(), "Origin": "https://evil.example"}
        )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == ESP
    allowed = preflight.headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed and "idempotency-key" in allowed
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert read.status_code == 200 and read.headers["access-control-allow-origin"] == ESP
    assert "x-request-id" in read.headers["access-control-expose-headers"].lower()
    # Another origin gets no permission: the browser keeps the answer from its page.
    assert stranger.status_code == 400 and "access-control-allow-origin" not in stranger.headers
    assert "access-control-allow-origin" not in stranger_read.headers


async def test_without_an_allow_list_no_origin_is_allowed(database_url: str) -> None:
    async with running(create_qbwc_app, service_settings(database_url)) as (_app, http):
        preflight = await http.options("/v1/orders/10245/send", headers=_preflight(ESP))
    assert "access-control-allow-origin" not in preflight.headers


@pytest.mark.parametrize("value", ["*", "https://app.esp.example/path", "app.esp.example"])
def test_the_allow_list_takes_origins_only(value: str) -> None:
    with pytest.raises(ValidationError, match="CORS_ALLOWED_ORIGINS"):
        Settings(env="development", cors_allowed_origins=value)

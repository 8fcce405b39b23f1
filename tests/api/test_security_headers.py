"""Every answer of both services carries the security headers; /v1 answers are never cached."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx
import pytest
from fastapi import FastAPI

from espqb.config import Settings
from qbo_gateway.app import create_app as create_qbo_app
from qbwc_gateway.app import create_app as create_qbwc_app
from tests.support.api import auth, running, service_settings
from tests.support.servers import serve_in_thread

SERVICES = {"qbo-gateway": create_qbo_app, "qbwc-gateway": create_qbwc_app}
Factory = Callable[[Settings], FastAPI]


@asynccontextmanager
async def service(factory: Factory, database_url: str, base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with running(factory, service_settings(database_url)) as (app, _):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as http:
            yield http


def assert_secured(response: httpx.Response) -> None:
    headers = response.headers
    where = f"{response.request.method} {response.request.url.path} → {response.status_code}"
    assert headers["x-content-type-options"] == "nosniff", where
    assert headers["referrer-policy"] == "no-referrer", where
    assert headers["x-frame-options"] == "DENY", where
    assert "frame-ancestors 'none'" in headers["content-security-policy"], where
    assert "server" not in headers, where


@pytest.mark.parametrize("name", SERVICES)
async def test_every_answer_carries_the_headers_and_v1_is_never_cached(name: str, database_url: str) -> None:
    async with service(SERVICES[name], database_url, "http://testserver") as http:
        answers = {
            "settings": await http.get("/v1/settings", headers=auth()),
            "unauthorised": await http.get("/v1/jobs"),
            "not found": await http.get("/v1/jobs/00000000-0000-0000-0000-000000000000", headers=auth()),
            "health": await http.get("/healthz"),
            "openapi": await http.get("/openapi.json"),
            "docs": await http.get("/docs"),
            "no such page": await http.get("/nowhere"),
        }
    assert [r.status_code for r in answers.values()] == [200, 401, 404, 200, 200, 200, 404]
    for response in answers.values():
        assert_secured(response)
        assert "strict-transport-security" not in response.headers  # plain http
    for key in ("settings", "unauthorised", "not found"):
        assert answers[key].headers["cache-control"] == "no-store", key
    # The docs page keeps its own policy (its inline start-up script runs) and is not framed either.
    docs_policy = answers["docs"].headers["content-security-policy"]
    assert "'unsafe-inline'" in docs_policy and "frame-ancestors 'none'" in docs_policy


@pytest.mark.parametrize("name", SERVICES)
async def test_https_answers_carry_hsts(name: str, database_url: str) -> None:
    async with service(SERVICES[name], database_url, "https://testserver") as http:
        response = await http.get("/v1/settings", headers=auth())
    assert response.status_code == 200
    assert response.headers["strict-transport-security"].startswith("max-age=")
    assert_secured(response)


async def test_a_wrong_method_is_405_with_allow(database_url: str) -> None:
    async with service(create_qbo_app, database_url, "http://testserver") as http:
        response = await http.delete("/v1/settings", headers=auth())
    assert response.status_code == 405
    assert set(response.headers["allow"].replace(" ", "").split(",")) == {"GET", "PUT"}
    assert response.headers["content-type"].startswith("application/problem+json")
    assert_secured(response)


def test_behind_a_proxy_https_is_recognised_and_no_server_header_is_sent(database_url: str) -> None:
    app = create_qbwc_app(service_settings(database_url))
    with serve_in_thread(app, proxy_headers=True, forwarded_allow_ips="127.0.0.1") as url:
        proxied = httpx.get(f"{url}/healthz", headers={"X-Forwarded-Proto": "https"}, timeout=10)
        direct = httpx.get(f"{url}/qbwc?wsdl", timeout=10)
    assert proxied.status_code == 200 and direct.status_code == 200
    assert proxied.headers["strict-transport-security"].startswith("max-age=")
    assert "strict-transport-security" not in direct.headers
    assert_secured(proxied)
    assert_secured(direct)

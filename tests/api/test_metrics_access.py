"""Prometheus metrics are never open on the public port: an internal METRICS_PORT, or a token."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from fastapi import FastAPI

from espqb.config import Settings
from qbo_gateway.app import create_app as create_qbo_app
from qbwc_gateway.app import create_app as create_qbwc_app
from tests.notifications.receivers import free_port
from tests.support.api import auth, running, service_settings

TOKEN = "scrape-token-0123456789abcdef"


@pytest.mark.parametrize("factory", [create_qbo_app, create_qbwc_app], ids=["qbo-gateway", "qbwc-gateway"])
async def test_the_public_metrics_answer_only_the_token(
    factory: Callable[[Settings], FastAPI], database_url: str
) -> None:
    async with running(factory, service_settings(database_url, metrics_token=TOKEN)) as (_app, http):
        await http.get("/v1/settings", headers=auth())
        anonymous = await http.get("/metrics")
        wrong = await http.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
        esp_user = await http.get("/metrics", headers=auth())  # an ESP token is not the metrics token
        scraped = await http.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})

    assert [r.status_code for r in (anonymous, wrong, esp_user)] == [401, 401, 401]
    assert TOKEN not in anonymous.text
    assert scraped.status_code == 200
    assert 'espqb_http_requests_total{method="GET",route="/v1/settings"' in scraped.text
    assert "company=" not in scraped.text and "realm=" not in scraped.text


async def test_without_a_token_metrics_are_only_on_the_internal_port(database_url: str) -> None:
    port = free_port()
    settings = service_settings(database_url, metrics_port=port)
    async with running(create_qbo_app, settings) as (_app, http), httpx.AsyncClient() as internal:
        await http.get("/healthz")
        public = await http.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        private = await internal.get(f"http://127.0.0.1:{port}/metrics")

    assert public.status_code == 404
    assert private.status_code == 200 and "espqb_http_requests_total" in private.text

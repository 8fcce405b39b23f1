"""The sandbox over a real socket (as the gateway uses it), its webhooks, control API and runner."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import httpx
import pytest

from qb_sandbox.intuit import DEMO_REALM_ID, IntuitSandbox, WebhookSettings, create_intuit_app
from qb_sandbox.intuit.__main__ import sandbox_from_env
from qb_sandbox.intuit.live_server import serve_on_loopback
from qb_sandbox.intuit.webhooks import WebhookFormat
from tests.sandbox.intuit.intuit_helpers import CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, START, QboApi

VERIFIER = "verifier-abc"


async def test_served_by_uvicorn_on_a_loopback_port(sandbox: IntuitSandbox) -> None:
    async with (
        serve_on_loopback(create_intuit_app(sandbox)) as base_url,
        httpx.AsyncClient(base_url=base_url) as http,
    ):
        discovery = (await http.get("/.well-known/openid-configuration")).json()
        assert discovery["token_endpoint"] == f"{base_url}/oauth2/v1/tokens/bearer"
        qbo = QboApi(http, DEMO_REALM_ID, sandbox.connect(CLIENT_ID)["access_token"])
        created = await qbo.post("customer", {"DisplayName": "Over The Wire"})
        assert created.status_code == 200
        assert created.json()["Customer"]["DisplayName"] == "Over The Wire"


async def test_client_timeout_works_against_the_live_server(sandbox: IntuitSandbox) -> None:
    sandbox.configure_faults(timeout_delay_s=0.3)
    sandbox.inject_next(DEMO_REALM_ID, "timeout")
    app = create_intuit_app(sandbox)
    async with serve_on_loopback(app) as base_url, httpx.AsyncClient(base_url=base_url, timeout=0.1) as http:
        qbo = QboApi(http, DEMO_REALM_ID, sandbox.connect(CLIENT_ID)["access_token"])
        with pytest.raises(httpx.ReadTimeout):
            await qbo.read("customer", "1")


def _webhook_sandbox(
    fmt: WebhookFormat, received: list[httpx.Request], *, automatic: bool = False
) -> IntuitSandbox:
    def record(request: httpx.Request) -> httpx.Response:
        received.append(request)
        return httpx.Response(200)

    settings = WebhookSettings(
        url="https://esp.example.com/v1/qbo/webhooks",
        verifier_token=VERIFIER,
        format=fmt,
        automatic=automatic,
    )
    sandbox = IntuitSandbox(
        now=lambda: START, webhooks=settings, webhook_transport=httpx.MockTransport(record)
    )
    sandbox.register_client(CLIENT_ID, CLIENT_SECRET, [REDIRECT_URI])
    return sandbox


def _signature_is_valid(request: httpx.Request) -> bool:
    expected = base64.b64encode(
        hmac.new(VERIFIER.encode(), request.content, hashlib.sha256).digest()
    ).decode()
    return hmac.compare_digest(request.headers["intuit-signature"], expected)


async def test_legacy_webhook_is_signed_over_the_raw_body() -> None:
    received: list[httpx.Request] = []
    sandbox = _webhook_sandbox("legacy", received)
    delivery = await sandbox.emit_webhook(DEMO_REALM_ID, "Invoice", "42", "Create")
    assert delivery.status_code == 200
    [request] = received
    assert _signature_is_valid(request)
    notification = json.loads(request.content)["eventNotifications"][0]
    assert notification["realmId"] == DEMO_REALM_ID
    entity = notification["dataChangeEvent"]["entities"][0]
    assert (entity["name"], entity["id"], entity["operation"]) == ("Invoice", "42", "Create")
    assert entity["lastUpdated"] == "2026-03-02T17:00:00.000Z"


async def test_cloudevents_webhook_is_an_array_of_typed_events() -> None:
    received: list[httpx.Request] = []
    sandbox = _webhook_sandbox("cloudevents", received)
    await sandbox.emit_webhook(DEMO_REALM_ID, "Invoice", "42", "Void")
    [request] = received
    assert _signature_is_valid(request)
    [event] = json.loads(request.content)
    assert event["specversion"] == "1.0"
    assert event["type"] == "qbo.invoice.void.v1"
    assert event["intuitentityid"] == "42"
    assert event["intuitaccountid"] == DEMO_REALM_ID
    assert event["data"] == {}


async def test_automatic_webhooks_follow_writes_of_a_connected_company() -> None:
    received: list[httpx.Request] = []
    sandbox = _webhook_sandbox("legacy", received, automatic=True)
    transport = httpx.ASGITransport(app=create_intuit_app(sandbox))
    async with httpx.AsyncClient(transport=transport, base_url="https://intuit.test") as http:
        qbo = QboApi(http, DEMO_REALM_ID, sandbox.connect(CLIENT_ID)["access_token"])
        created = (await qbo.post("customer", {"DisplayName": "Hooked"})).json()["Customer"]
        await qbo.read("customer", created["Id"])  # reads send nothing
    assert len(received) == 1
    entity = json.loads(received[0].content)["eventNotifications"][0]["dataChangeEvent"]["entities"][0]
    assert (entity["name"], entity["id"], entity["operation"]) == ("Customer", created["Id"], "Create")


async def test_control_api_inspects_and_steers_the_sandbox(http: httpx.AsyncClient, qbo: QboApi) -> None:
    await qbo.post("customer", {"DisplayName": "Seen By Demo"})
    listed = (await http.get(f"/_sandbox/realms/{DEMO_REALM_ID}/entities/Customer")).json()
    assert "Seen By Demo" in [c["DisplayName"] for c in listed]
    kinds = (await http.get(f"/_sandbox/realms/{DEMO_REALM_ID}/entities")).json()
    assert kinds["Customer"] == 3

    assert (
        await http.post(f"/_sandbox/realms/{DEMO_REALM_ID}/inject", json={"status": 429})
    ).status_code == 200
    assert (await qbo.read("customer", "1")).status_code == 429

    await http.post("/_sandbox/clock/advance", json={"seconds": 3601})
    assert (await qbo.read("customer", "1")).status_code == 401

    state = (await http.get("/_sandbox/state")).json()
    assert state["api"]["status_counts"] == {"200": 1, "429": 1, "401": 1}
    assert state["now"].startswith("2026-03-02T18:00:01")


async def test_control_api_registers_clients_and_companies(
    http: httpx.AsyncClient, sandbox: IntuitSandbox
) -> None:
    client = {"client_id": "demo-2", "client_secret": "s2", "redirect_uris": ["http://localhost:9000/cb"]}
    assert (await http.post("/_sandbox/clients", json=client)).status_code == 201
    realm = (await http.post("/_sandbox/realms", json={"name": "Demo Two"})).json()["realm_id"]
    assert realm in sandbox.companies
    assert (await http.post("/_sandbox/realms", json={"name": "Again", "realm_id": realm})).status_code == 409
    assert (await http.post("/_sandbox/faults", json={"p_429": 2})).status_code == 422


def test_runner_reads_its_client_and_webhook_settings_from_the_environment() -> None:
    defaults = sandbox_from_env({})
    assert defaults.oauth.clients["dev-client"].redirect_uris == ("http://localhost:8001/v1/qbo/callback",)
    assert defaults.webhooks.automatic is False

    configured = sandbox_from_env(
        {
            "INTUIT_SANDBOX_CLIENT_ID": "esp",
            "INTUIT_SANDBOX_CLIENT_SECRET": "shh",
            "INTUIT_SANDBOX_REDIRECT_URIS": "http://a/cb, http://b/cb",
            "INTUIT_SANDBOX_WEBHOOK_URL": "http://localhost:8001/v1/qbo/webhooks",
            "INTUIT_SANDBOX_VERIFIER_TOKEN": "vt",
        }
    )
    assert configured.oauth.clients["esp"].redirect_uris == ("http://a/cb", "http://b/cb")
    assert configured.webhooks.automatic is True
    assert configured.webhooks.verifier_token == "vt"

"""Intuit's OAuth 2.0 as the gateway meets it: consent, code exchange, refresh rotation, revocation."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from qb_sandbox.intuit import DEMO_REALM_ID, IntuitSandbox
from tests.sandbox.intuit.intuit_helpers import (
    CLIENT_ID,
    CLIENT_SECRET,
    REDIRECT_URI,
    QboApi,
    authorize_params,
    consent_request_id,
)

DAY = 24 * 3600
HARD_EXPIRY_HEADER = {"x-include-refresh-token-hard-expires-in": "true"}


async def _authorize(http: httpx.AsyncClient, realm_id: str = DEMO_REALM_ID) -> httpx.URL:
    page = await http.get("/connect/oauth2", params=authorize_params())
    assert page.status_code == 200
    answer = await http.post(
        "/connect/oauth2",
        data={"request_id": consent_request_id(page.text), "realm_id": realm_id, "action": "connect"},
    )
    assert answer.status_code == 302
    return httpx.URL(answer.headers["location"])


async def _exchange(http: httpx.AsyncClient, code: str, **headers: str) -> httpx.Response:
    return await http.post(
        "/oauth2/v1/tokens/bearer",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI},
        auth=(CLIENT_ID, CLIENT_SECRET),
        headers=headers,
    )


async def _refresh(http: httpx.AsyncClient, refresh_token: str, **headers: str) -> httpx.Response:
    return await http.post(
        "/oauth2/v1/tokens/bearer",
        data={"grant_type": "refresh_token", "refresh_token": refresh_token},
        auth=(CLIENT_ID, CLIENT_SECRET),
        headers=headers,
    )


async def _company_info(
    http: httpx.AsyncClient, access_token: str, realm_id: str = DEMO_REALM_ID
) -> httpx.Response:
    return await QboApi(http, realm_id, access_token).read("companyinfo", realm_id)


async def test_discovery_document_points_at_the_sandbox_itself(http: httpx.AsyncClient) -> None:
    doc = (await http.get("/.well-known/openid-configuration")).json()
    assert doc["authorization_endpoint"] == "https://intuit.test/connect/oauth2"
    assert doc["token_endpoint"] == "https://intuit.test/oauth2/v1/tokens/bearer"
    for key in ("issuer", "revocation_endpoint", "userinfo_endpoint", "jwks_uri"):
        assert doc[key].startswith("https://intuit.test/"), key
    assert (await http.get(httpx.URL(doc["jwks_uri"]).path)).status_code == 200
    assert (await http.get("/.well-known/openid_sandbox_configuration")).json() == doc


async def test_full_code_flow_returns_intuits_token_fields_and_opens_the_api(http: httpx.AsyncClient) -> None:
    page = await http.get("/connect/oauth2", params=authorize_params())
    assert '<button id="connect" type="submit"' in page.text
    assert "no-store" in page.headers["cache-control"]

    callback = await _authorize(http)
    assert str(callback).startswith(REDIRECT_URI)
    assert callback.params["state"] == "csrf-123"
    assert callback.params["realmId"] == DEMO_REALM_ID

    response = await _exchange(http, callback.params["code"])
    assert response.status_code == 200
    tokens = response.json()
    assert set(tokens) == {
        "token_type",
        "access_token",
        "expires_in",
        "refresh_token",
        "x_refresh_token_expires_in",
    }
    assert tokens["token_type"] == "bearer"
    assert tokens["expires_in"] == 3600
    assert tokens["x_refresh_token_expires_in"] == 100 * DAY
    assert response.headers["cache-control"] == "no-store"

    info = await _company_info(http, tokens["access_token"])
    assert info.status_code == 200
    assert info.json()["CompanyInfo"]["CompanyName"] == "ESP Demo Promotions"


async def test_cancel_redirects_with_access_denied_and_the_state(http: httpx.AsyncClient) -> None:
    page = await http.get("/connect/oauth2", params=authorize_params(state="s-42"))
    answer = await http.post(
        "/connect/oauth2", data={"request_id": consent_request_id(page.text), "action": "cancel"}
    )
    assert answer.status_code == 302
    location = httpx.URL(answer.headers["location"])
    assert location.params["error"] == "access_denied"
    assert location.params["state"] == "s-42"
    assert "code" not in location.params


@pytest.mark.parametrize(
    ("override", "reason"),
    [
        ({"client_id": "someone-else"}, "client_id"),
        ({"redirect_uri": REDIRECT_URI + "/other"}, "redirect_uri"),
    ],
)
async def test_unknown_client_or_unregistered_redirect_is_refused_without_redirecting(
    http: httpx.AsyncClient, override: dict[str, str], reason: str
) -> None:
    page = await http.get("/connect/oauth2", params=authorize_params(**override))
    assert page.status_code == 400
    assert "location" not in page.headers
    assert reason in page.text


@pytest.mark.parametrize(
    ("override", "error"),
    [({"scope": "openid email"}, "invalid_scope"), ({"response_type": "token"}, "unsupported_response_type")],
)
async def test_bad_scope_or_response_type_is_reported_to_the_client(
    http: httpx.AsyncClient, override: dict[str, str], error: str
) -> None:
    page = await http.get("/connect/oauth2", params=authorize_params(**override))
    assert page.status_code == 302
    location = httpx.URL(page.headers["location"])
    assert location.params["error"] == error
    assert location.params["state"] == "csrf-123"


async def test_reusing_a_code_fails_and_revokes_what_the_first_exchange_issued(
    http: httpx.AsyncClient,
) -> None:
    code = (await _authorize(http)).params["code"]
    first = (await _exchange(http, code)).json()
    second = await _exchange(http, code)
    assert second.status_code == 400
    assert second.json()["error"] == "invalid_grant"
    assert (await _company_info(http, first["access_token"])).status_code == 401
    assert (await _refresh(http, first["refresh_token"])).json()["error"] == "invalid_grant"


async def test_an_old_code_or_a_different_redirect_uri_is_invalid_grant(
    http: httpx.AsyncClient, sandbox: IntuitSandbox
) -> None:
    stale = (await _authorize(http)).params["code"]
    sandbox.advance(11 * 60)
    assert (await _exchange(http, stale)).json()["error"] == "invalid_grant"

    code = (await _authorize(http)).params["code"]
    response = await http.post(
        "/oauth2/v1/tokens/bearer",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "https://evil.example.com/cb",
        },
        auth=(CLIENT_ID, CLIENT_SECRET),
    )
    assert response.json()["error"] == "invalid_grant"


async def test_wrong_client_secret_is_invalid_client(http: httpx.AsyncClient) -> None:
    code = (await _authorize(http)).params["code"]
    response = await http.post(
        "/oauth2/v1/tokens/bearer",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI},
        auth=(CLIENT_ID, "wrong"),
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


async def test_client_secret_post_is_accepted_too(http: httpx.AsyncClient) -> None:
    code = (await _authorize(http)).params["code"]
    response = await http.post(
        "/oauth2/v1/tokens/bearer",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
    )
    assert response.status_code == 200


async def test_refresh_rotates_and_a_superseded_token_dies_24_hours_later(
    http: httpx.AsyncClient, sandbox: IntuitSandbox
) -> None:
    first = (await _exchange(http, (await _authorize(http)).params["code"])).json()
    refreshed = (await _refresh(http, first["refresh_token"])).json()
    assert refreshed["refresh_token"] != first["refresh_token"]
    assert refreshed["access_token"] != first["access_token"]
    assert sandbox.refresh_calls == 1
    assert (await _company_info(http, refreshed["access_token"])).status_code == 200

    sandbox.advance(23 * 3600)
    assert (await _refresh(http, first["refresh_token"])).status_code == 200  # still inside the 24 h grace

    sandbox.advance(2 * 3600)
    reused = await _refresh(http, first["refresh_token"])
    assert reused.status_code == 400
    assert reused.json()["error"] == "invalid_grant"
    assert sandbox.token_calls == 4  # one exchange and three refreshes, failed ones included


async def test_latest_refresh_token_keeps_working_and_rolls_its_100_days(
    http: httpx.AsyncClient, sandbox: IntuitSandbox
) -> None:
    tokens = (await _exchange(http, (await _authorize(http)).params["code"])).json()
    for _ in range(3):
        sandbox.advance(99 * DAY)
        response = await _refresh(http, tokens["refresh_token"])
        assert response.status_code == 200
        tokens = response.json()
        assert tokens["x_refresh_token_expires_in"] == 100 * DAY
    sandbox.advance(100 * DAY)
    assert (await _refresh(http, tokens["refresh_token"])).json()["error"] == "invalid_grant"


async def test_hard_expiry_is_reported_only_on_request_and_caps_the_grant(
    http: httpx.AsyncClient, sandbox: IntuitSandbox
) -> None:
    five_years = int(timedelta(days=5 * 365).total_seconds())
    tokens = (await _exchange(http, (await _authorize(http)).params["code"], **HARD_EXPIRY_HEADER)).json()
    assert tokens["x_refresh_token_hard_expires_in"] == five_years

    sandbox.advance(30 * DAY)
    plain = (await _refresh(http, tokens["refresh_token"])).json()
    assert "x_refresh_token_hard_expires_in" not in plain
    asked = (await _refresh(http, plain["refresh_token"], **HARD_EXPIRY_HEADER)).json()
    assert asked["x_refresh_token_hard_expires_in"] == five_years - 30 * DAY

    # Refreshing every 90 days keeps the rolling clock alive, but not past five years from consent.
    current = asked
    elapsed = 30 * DAY
    while elapsed + 90 * DAY < five_years:
        sandbox.advance(90 * DAY)
        elapsed += 90 * DAY
        current = (await _refresh(http, current["refresh_token"], **HARD_EXPIRY_HEADER)).json()
    assert current["x_refresh_token_expires_in"] == current["x_refresh_token_hard_expires_in"] < 100 * DAY
    sandbox.advance(current["x_refresh_token_hard_expires_in"])
    assert (await _refresh(http, current["refresh_token"])).json()["error"] == "invalid_grant"


@pytest.mark.parametrize("path", ["/oauth2/v1/tokens/revoke", "/v2/oauth2/tokens/revoke"])
async def test_revoking_the_refresh_token_ends_the_grant(http: httpx.AsyncClient, path: str) -> None:
    tokens = (await _exchange(http, (await _authorize(http)).params["code"])).json()
    response = await http.post(path, json={"token": tokens["refresh_token"]}, auth=(CLIENT_ID, CLIENT_SECRET))
    assert response.status_code == 200
    assert (await _refresh(http, tokens["refresh_token"])).json()["error"] == "invalid_grant"
    assert (await _company_info(http, tokens["access_token"])).status_code == 401


async def test_disconnecting_in_quickbooks_revokes_every_grant_of_the_company(
    http: httpx.AsyncClient, sandbox: IntuitSandbox
) -> None:
    tokens = (await _exchange(http, (await _authorize(http)).params["code"])).json()
    assert sandbox.disconnect(DEMO_REALM_ID) == 1
    assert (await _refresh(http, tokens["refresh_token"])).json()["error"] == "invalid_grant"


async def test_expired_access_token_gets_the_lower_case_auth_fault(
    http: httpx.AsyncClient, sandbox: IntuitSandbox
) -> None:
    tokens = (await _exchange(http, (await _authorize(http)).params["code"])).json()
    sandbox.advance(3601)
    response = await _company_info(http, tokens["access_token"])
    assert response.status_code == 401
    body = response.json()
    assert body["fault"]["type"] == "AUTHENTICATION"
    error = body["fault"]["error"][0]
    assert error["code"] == "3200"
    assert error["message"] == "message=AuthenticationFailed; errorCode=003200; statusCode=401"
    assert "Fault" not in body
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_missing_bearer_token_is_401_and_a_token_for_another_company_is_403(
    http: httpx.AsyncClient, sandbox: IntuitSandbox
) -> None:
    missing = await http.get(
        f"/v3/company/{DEMO_REALM_ID}/companyinfo/{DEMO_REALM_ID}", params={"minorversion": 75}
    )
    assert missing.status_code == 401
    other_realm = sandbox.add_company("Other Books")
    tokens = sandbox.connect(CLIENT_ID, DEMO_REALM_ID)
    response = await _company_info(http, tokens["access_token"], other_realm)
    assert response.status_code == 403
    assert response.json()["fault"]["error"][0]["code"] == "3100"


async def test_company_chooser_lists_every_company_and_connects_the_chosen_one(
    http: httpx.AsyncClient, sandbox: IntuitSandbox
) -> None:
    second = sandbox.add_company("Second Promotions LLC")
    page = await http.get("/connect/oauth2", params=authorize_params())
    assert "Second Promotions LLC" in page.text
    callback = await _authorize(http, second)
    assert callback.params["realmId"] == second
    tokens = (await _exchange(http, callback.params["code"])).json()
    assert (await _company_info(http, tokens["access_token"], second)).status_code == 200


async def test_userinfo_answers_for_an_openid_grant(http: httpx.AsyncClient) -> None:
    tokens = (await _exchange(http, (await _authorize(http)).params["code"])).json()
    response = await http.get(
        "/v1/openid_connect/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert response.status_code == 200
    assert response.json()["realmid"] == DEMO_REALM_ID

"""Installing the Web Connector app: the .qwc file, the password, throttling, the status page."""

from __future__ import annotations

import pytest
from lxml import etree
from sqlalchemy import select

from espqb.db.models import QbwcCredential
from qb_sandbox.desktop import CompanyFile
from qb_sandbox.webconnector import SessionOutcome
from qbwc_gateway.install import OWNER_ID, QwcConfigError, check_app_url
from tests.qbwc.harness import Office, office
from tests.support.api import auth


def qwc_fields(text: str) -> dict[str, str]:
    root = etree.fromstring(text.encode())
    assert root.tag == "QBWCXML"
    fields = {child.tag: child.text or "" for child in root if len(child) == 0}
    scheduler = root.find("Scheduler")
    for child in scheduler if scheduler is not None else []:
        fields[f"Scheduler/{child.tag}"] = child.text or ""
    return fields


async def download(desk: Office, **params: str) -> str:
    response = await desk.http.get("/v1/qbwc/qwc", headers=desk.headers(), params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/x-qwc")
    assert 'filename="esp-quickbooks.qwc"' in response.headers["content-disposition"]
    return response.text


async def test_the_qwc_file_registers_this_company_with_the_web_connector(desk: Office) -> None:
    fields = qwc_fields(await download(desk))

    assert fields["AppName"] == "ESP Orders (acme)"
    assert fields["AppURL"] == "http://localhost:8002/qbwc"  # development: localhost may be http
    assert fields["AppSupport"] == "http://localhost:8002/qbwc/support"
    assert fields["UserName"] == desk.username
    assert fields["OwnerID"] == OWNER_ID
    assert fields["FileID"].startswith("{") and len(fields["FileID"]) == 38
    assert fields["QBType"] == "QBFS"
    assert fields["Scheduler/RunEveryNMinutes"] == "15"
    assert (fields["IsReadOnly"], fields["PersonalDataPref"], fields["UnattendedModePref"]) == (
        "false",
        "pdpOptional",
        "umpOptional",
    )
    assert fields["AuthFlags"] == "0xF"
    assert fields["AppID"] == "" and len(fields["AppDescription"]) <= 80
    support = await desk.http.get("/qbwc/support")
    assert support.status_code == 200 and "Web Connector" in support.text


async def test_the_file_id_is_stable_for_a_company_and_differs_between_companies(desk: Office) -> None:
    first, again = qwc_fields(await download(desk)), qwc_fields(await download(desk, run_every_seconds="30"))
    await desk.http.post("/v1/integration/install", headers=auth(company="globex"), json={"product": "qbd"})
    other = await desk.http.get("/v1/qbwc/qwc", headers=auth(company="globex"))
    other_fields = qwc_fields(other.text)

    assert first["FileID"] == again["FileID"]
    assert again["Scheduler/RunEveryNSeconds"] == "30" and "Scheduler/RunEveryNMinutes" not in again
    assert other_fields["FileID"] != first["FileID"]
    assert other_fields["OwnerID"] == first["OwnerID"]
    assert other_fields["UserName"] != first["UserName"]


async def test_only_admins_of_a_desktop_company_get_the_file_and_the_password(desk: Office) -> None:
    user = auth(company="acme", user="bob", roles=("user",))
    assert (await desk.http.get("/v1/qbwc/qwc", headers=user)).status_code == 403
    assert (await desk.http.post("/v1/qbwc/password", headers=user)).status_code == 403
    await desk.http.post("/v1/integration/install", headers=auth(company="online"), json={"product": "qbo"})
    refused = await desk.http.get("/v1/qbwc/qwc", headers=auth(company="online"))
    assert refused.status_code == 409
    assert "QuickBooks Online" in refused.json()["detail"]


@pytest.mark.parametrize(
    ("url", "development", "ok"),
    [
        ("https://qb.example.com", False, True),
        ("http://localhost:8002", True, True),
        ("http://localhost:8002", False, False),
        ("http://qb.example.com", True, False),
        ("https://203.0.113.7", False, False),
    ],
)
def test_the_web_connector_address_rules(url: str, development: bool, ok: bool) -> None:
    if ok:
        check_app_url(url, development=development)
    else:
        with pytest.raises(QwcConfigError):
            check_app_url(url, development=development)


async def test_a_plain_http_address_cannot_go_into_the_file(database_url: str) -> None:
    async with office(database_url, qbwc_public_url="http://qb.example.com") as desk:
        response = await desk.http.get("/v1/qbwc/qwc", headers=desk.headers())
    assert response.status_code == 409
    assert "must be https" in response.json()["detail"]


async def test_a_new_password_is_shown_once_kept_as_a_hash_and_replaces_the_old_one(desk: Office) -> None:
    old = desk.password
    response = await desk.http.post("/v1/qbwc/password", headers=desk.headers())
    new = response.json()["password"]

    assert response.headers["cache-control"] == "no-store"
    assert len(new) >= 32 and new != old
    async with desk.app.state.ctx.db.transaction() as session:
        stored = (await session.execute(select(QbwcCredential.password_hash))).scalar_one()
    assert stored.startswith("hmac-sha256$") and new not in stored and old not in stored

    assert (await desk.update(password=old)).authenticate_status == "nvu"
    assert (await desk.update(password=new)).authenticate_status == "none"  # accepted; nothing to do


async def test_the_status_page_shows_polls_sessions_cache_and_pending_sends(desk: Office) -> None:
    empty = await desk.status()
    await desk.read_lists()
    await desk.send()
    waiting = await desk.status()
    await desk.update()
    done = await desk.status()

    assert empty["web_connector"]["last_poll_at"] is None and empty["cache"]["fresh"] is False
    assert waiting["pending"]["waiting"] == 1 and waiting["pending"]["oldest_waiting_since"] is not None
    assert waiting["cache"]["fresh"] is True and waiting["cache"]["entries"]["Account"] == 8
    assert done["pending"] == {"waiting": 0, "sending": 0, "oldest_waiting_since": None}
    assert done["last_session"]["outcome"] == "1 order sent to QuickBooks."
    assert done["company_file"]["company_name"] == "Demo Promo Co"
    assert done["qbxml_version"] == "13.0"
    assert done["web_connector"]["last_poll_at"] >= waiting["web_connector"]["last_poll_at"]


async def test_after_uninstalling_the_web_connector_is_refused(desk: Office) -> None:
    await desk.http.post("/v1/integration/uninstall", headers=desk.headers())

    report = await desk.update()

    assert report.authenticate_status == "nvu"
    assert "not installed" in (await desk.status())["web_connector"]["last_session_outcome"]


async def test_a_configured_company_file_is_named_and_a_reset_lets_another_file_in(desk: Office) -> None:
    path = "C:\\Books\\acme.qbw"
    assert (
        await desk.http.put("/v1/qbwc/company-file", headers=desk.headers(), json={"path": path})
    ).status_code == 204
    named = await desk.read_lists()
    assert named.authenticate_status == path

    desk.company = CompanyFile("Acme 2025 Books", seed_demo=True, clock=desk.clock)
    await desk.send()
    refused = await desk.update()
    assert refused.outcome is SessionOutcome.SERVER_ERROR
    assert (await desk.http.post("/v1/qbwc/company-file/reset", headers=desk.headers())).status_code == 204
    accepted = await desk.update()

    assert accepted.outcome is SessionOutcome.COMPLETED, accepted.last_error
    assert (await desk.status())["company_file"]["company_name"] == "Acme 2025 Books"
    assert len(desk.company.documents("Invoice")) == 1

"""Every step that wrote or linked a record says where to find it: a link into QuickBooks Online
(production, Intuit's sandbox or the local sandbox, from the API the gateway talks to), or on Desktop
the document's number and TxnID."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI

from espqb.config import Settings
from espqb.db import Database
from espqb.db.models import JobStatus, JobStep, Mapping, SendJob, StepStatus
from espqb.integration.repository import ensure_company
from espqb.jobs.links import qbo_app_url
from qbo_gateway.app import create_app as create_qbo_app
from qbwc_gateway.app import create_app as create_qbwc_app
from tests.support.api import auth, running, service_settings

GATEWAYS: dict[str, tuple[Callable[[Settings], FastAPI], str]] = {
    "qbo-gateway": (create_qbo_app, "qbo"),
    "qbwc-gateway": (create_qbwc_app, "qbd"),
}


async def _sent_job(db: Database, target: str) -> str:
    """A finished job of order 10245: customer created, invoice created, a payment that failed."""
    ids = {"qbo": ("58", "146", None), "qbd": ("80000012-1733400000", "1A2-1733400000", None)}[target]
    async with db.transaction() as session:
        await ensure_company(session, "acme")
        job = SendJob(
            company_id="acme", order_number="10245", target=target, status=JobStatus.SUCCEEDED, payload={}
        )
        session.add(job)
        await session.flush()
        session.add_all(
            [
                JobStep(
                    job_id=job.id,
                    key="customer",
                    kind="customer",
                    action="create",
                    status=StepStatus.SUCCEEDED,
                    qb_id=ids[0],
                ),
                JobStep(
                    job_id=job.id,
                    key="invoice",
                    kind="invoice",
                    action="create",
                    status=StepStatus.SUCCEEDED,
                    qb_id=ids[1],
                ),
                JobStep(
                    job_id=job.id,
                    key="payment:P1",
                    kind="payment",
                    action="create",
                    status=StepStatus.FAILED,
                    qb_id=ids[2],
                ),
                Mapping(
                    company_id="acme",
                    target=target,
                    kind="invoice",
                    esp_key="10245",
                    order_number="10245",
                    qb_id=ids[1],
                    qb_ref_number="10245",
                ),
            ]
        )
        return str(job.id)


@pytest.mark.parametrize("gateway", GATEWAYS)
async def test_a_finished_jobs_steps_link_to_what_they_wrote(
    gateway: str, database_url: str, db: Database
) -> None:
    factory, target = GATEWAYS[gateway]
    settings = service_settings(database_url, intuit_api_base_url="https://sandbox-quickbooks.api.intuit.com")
    async with running(factory, settings) as (_app, http):
        job_id = await _sent_job(db, target)
        one = (await http.get(f"/v1/jobs/{job_id}", headers=auth())).json()
        listed = (await http.get("/v1/jobs", headers=auth())).json()["items"][0]
    links = {step["key"]: step["link"] for step in one["steps"]}
    assert listed["steps"] == one["steps"]
    assert links["payment:P1"] is None  # nothing written, nothing to show
    if target == "qbo":
        assert links["invoice"] == {
            "url": "https://app.sandbox.qbo.intuit.com/app/invoice?txnId=146",
            "ref_number": "10245",
            "txn_id": None,
            "list_id": None,
        }
        assert links["customer"]["url"] == "https://app.sandbox.qbo.intuit.com/app/customerdetail?nameId=58"
    else:
        assert links["invoice"] == {
            "url": None,
            "ref_number": "10245",
            "txn_id": "1A2-1733400000",
            "list_id": None,
        }
        assert links["customer"] == {
            "url": None,
            "ref_number": None,
            "txn_id": None,
            "list_id": "80000012-1733400000",
        }


@pytest.mark.parametrize(
    ("api", "override", "app"),
    [
        ("https://quickbooks.api.intuit.com", None, "https://app.qbo.intuit.com"),
        ("https://sandbox-quickbooks.api.intuit.com", None, "https://app.sandbox.qbo.intuit.com"),
        ("http://127.0.0.1:8003", None, "http://127.0.0.1:8003"),
        ("https://quickbooks.api.intuit.com", "https://qbo.example/", "https://qbo.example"),
    ],
)
def test_the_quickbooks_online_app_follows_the_api_the_gateway_talks_to(
    api: str, override: str | None, app: str
) -> None:
    assert qbo_app_url(api, override) == app

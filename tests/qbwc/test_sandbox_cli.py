"""`espqb-dev sandbox web-connector --once` against a qbwc-gateway listening on a real port."""

from __future__ import annotations

from pathlib import Path

import httpx
from typer.testing import CliRunner

from espqb_devtools.main import app as cli
from qbwc_gateway.app import create_app
from tests.qbwc.harness import a7102
from tests.support.api import auth, service_settings
from tests.support.servers import serve_in_thread


def test_one_update_from_the_command_line_sends_the_queued_order(database_url: str, tmp_path: Path) -> None:
    books = tmp_path / "books.json"
    with serve_in_thread(create_app(service_settings(database_url, log_level="WARNING"))) as base:
        with httpx.Client(base_url=base, headers=auth(), timeout=30) as http:
            http.post("/v1/integration/install", json={"product": "qbd"}).raise_for_status()
            accounts = {"income": {"name": "Sales"}, "cogs": {"name": "Cost of Goods Sold"}}
            http.put("/v1/settings", json={"default_accounts": accounts}).raise_for_status()
            credentials = http.post("/v1/qbwc/password").json()
            http.post("/v1/orders/10245/send", json=a7102()).raise_for_status()

        args = ["sandbox", "web-connector", "--once", "--url", f"{base}/qbwc", "--company-file", str(books)]
        # The lists a document's details name, for a newly created file (docs/web-connector.md §3.17).
        lists = [
            "--class-tracking",
            "--sales-rep",
            "JD=Jane Doe",
            "--class",
            "West",
            "--ship-method",
            "UPS Ground",
        ]
        env = {"ESPQB_QBWC_USERNAME": credentials["username"], "ESPQB_QBWC_PASSWORD": credentials["password"]}
        refused = CliRunner().invoke(cli, [*args, "--sales-rep", "JD"], env=env)
        result = CliRunner().invoke(cli, [*args, *lists], env=env)

    assert refused.exit_code != 0 and "INITIALS=Full Name" in refused.output
    assert result.exit_code == 0, result.output
    assert "outcome:        completed" in result.output
    assert "Invoice 1" in result.output and "Bill 1" in result.output
    assert books.exists()  # the books persist for the next run
    from qb_sandbox.desktop import CompanyFile

    company = CompanyFile.from_json(books.read_text(encoding="utf-8"))
    assert company.class_tracking
    [rep] = company.documents("SalesRep")
    assert (rep["Initial"], rep["SalesRepEntityRef"]["FullName"]) == ("JD", "Jane Doe")
    assert [c["Name"] for c in company.documents("Class")] == ["West"]
    assert [m["Name"] for m in company.documents("ShipMethod")] == ["UPS Ground"]


def test_the_command_line_can_create_a_canadian_company_file(database_url: str, tmp_path: Path) -> None:
    from qb_sandbox.desktop import CompanyFile

    books = tmp_path / "maple.json"
    args = [
        "sandbox",
        "web-connector",
        "--once",
        "--company-file",
        str(books),
        "--edition",
        "ca",
        "--multi-currency",
    ]
    app = create_app(service_settings(database_url, log_level="WARNING"))
    with serve_in_thread(app) as base, httpx.Client(base_url=base, headers=auth(), timeout=30) as http:
        http.post("/v1/integration/install", json={"product": "qbd"}).raise_for_status()
        accounts = {"income": {"name": "Sales"}, "cogs": {"name": "Cost of Goods Sold"}}
        http.put("/v1/settings", json={"default_accounts": accounts}).raise_for_status()
        credentials = http.post("/v1/qbwc/password").json()
        order = a7102()
        order["order"]["currency"] = "CAD"
        http.post("/v1/orders/10245/send", json=order).raise_for_status()
        env = {"ESPQB_QBWC_USERNAME": credentials["username"], "ESPQB_QBWC_PASSWORD": credentials["password"]}
        result = CliRunner().invoke(cli, [*args, "--url", f"{base}/qbwc"], env=env)
        status = http.get("/v1/qbwc/status").json()
    assert result.exit_code == 0, result.output
    company = CompanyFile.from_json(books.read_text(encoding="utf-8"))
    assert (company.country, company.multi_currency) == ("CA", True)
    # The gateway read the file as Canadian, and wrote the CAD order into it.
    assert (status["company"]["country"], status["company"]["home_currency"]) == ("CA", "CAD")
    assert "Invoice 1" in result.output
    refused = CliRunner().invoke(cli, [*args[:5], "--edition", "fr"], env=env)
    assert refused.exit_code != 0 and "choose us, ca or uk" in refused.output

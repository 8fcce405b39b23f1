"""The OpenAPI says what the services do: problem responses, enums, and the rules a schema can carry."""

from __future__ import annotations

from typing import Any

import pytest

from espqb.db.models import JobStatus, MappingKind, StepStatus
from qbo_gateway.app import create_app as create_qbo_app
from qbwc_gateway.app import create_app as create_qbwc_app
from tests.support.api import service_settings

PROBLEM = "application/problem+json"


def spec(factory: Any) -> dict[str, Any]:
    openapi: dict[str, Any] = factory(service_settings("sqlite+aiosqlite:///unused.sqlite3")).openapi()
    return openapi


def test_the_qbo_connection_routes_document_401_and_422_as_problems() -> None:
    paths = spec(create_qbo_app)["paths"]
    for path, method in (
        ("/v1/qbo/connect", "post"),
        ("/v1/qbo/disconnect", "post"),
        ("/v1/qbo/connection", "get"),
    ):
        responses = paths[path][method]["responses"]
        assert PROBLEM in responses["401"]["content"], path
        assert PROBLEM in responses["403" if method == "post" else "401"]["content"], path
    connect = paths["/v1/qbo/connect"]["post"]["responses"]
    assert PROBLEM in connect["422"]["content"]
    assert PROBLEM in connect["409"]["content"] and "not the installed" in connect["409"]["description"]


@pytest.mark.parametrize("factory", [create_qbo_app, create_qbwc_app], ids=["qbo-gateway", "qbwc-gateway"])
def test_statuses_and_kinds_are_enums_and_text_refuses_nul(factory: Any) -> None:
    openapi = spec(factory)
    schemas = openapi["components"]["schemas"]
    assert set(schemas["JobStatus"]["enum"]) == {str(s) for s in JobStatus}
    assert set(schemas["StepStatus"]["enum"]) == {str(s) for s in StepStatus}
    assert set(schemas["MappingKind"]["enum"]) == {str(k) for k in MappingKind}
    assert schemas["JobOut"]["properties"]["target"]["enum"] == ["qbo", "qbd"]
    assert "invoice" in schemas["StepOut"]["properties"]["kind"]["enum"]
    send = openapi["paths"]["/v1/orders/{order_number}/send"]["post"]
    [number] = [p for p in send["parameters"] if p["name"] == "order_number"]
    assert "order.order_number" in number["description"]
    assert number["schema"]["pattern"] == "^[^\\x00]*$"
    assert schemas["Customer"]["properties"]["esp_id"]["pattern"] == "^[^\\x00]*$"
    patterns = [
        prop.get("pattern")
        for schema in schemas.values()
        for prop in schema.get("properties", {}).values()
        if isinstance(prop, dict)
    ]
    assert patterns.count("^[^\\x00]*$") >= 10  # the order's text fields say it


def test_the_oauth_callback_documents_its_422_as_the_problem_it_answers() -> None:
    """A NUL character in the callback's URL is refused with a problem (not FastAPI's validation list,
    not an HTML page): the OpenAPI says so."""
    responses = spec(create_qbo_app)["paths"]["/v1/qbo/callback"]["get"]["responses"]
    assert list(responses["422"]["content"]) == [PROBLEM]
    assert responses["422"]["content"][PROBLEM]["schema"] == {"$ref": "#/components/schemas/Problem"}

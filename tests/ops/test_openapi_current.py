"""The committed OpenAPI specs in openapi/ must match what the code serves (`make openapi`)."""

from __future__ import annotations

import pytest

from espqb.config import REPO_ROOT
from espqb_cli.commands.openapi import render, service_specs


@pytest.mark.parametrize("service", ["qbo-gateway", "qbwc-gateway"])
def test_committed_spec_is_current(service: str) -> None:
    path = REPO_ROOT / "openapi" / f"{service}.json"
    assert path.exists(), f"{path} is missing: run `make openapi`"
    assert path.read_text() == render(service_specs()[service]), (
        f"{path} is stale: run `make openapi` and commit"
    )


def test_send_request_documents_the_a7102_example() -> None:
    spec = service_specs()["qbo-gateway"]
    send = spec["paths"]["/v1/orders/{order_number}/send"]["post"]
    schema_ref = send["requestBody"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    examples = spec["components"]["schemas"][schema_ref]["examples"]
    order = examples[0]["order"]
    assert order["lines"][0]["product_number"] == "A7102"
    assert order["total"] == "218.50"
    assert send["responses"]["202"]["description"]

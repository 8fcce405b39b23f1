"""Property-based API conformance: schemathesis generates requests from each service's OpenAPI and runs
every check it has on each answer: nothing answers 5xx; statuses, content types, headers and bodies are
the documented ones; an operation that declares authentication refuses the same request without it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import ALL_CHECKS

from qbo_gateway.app import create_app as qbo_app
from qbwc_gateway.app import create_app as qbwc_app
from tests.support.api import auth, service_settings
from tests.support.servers import serve_in_thread

# FastAPI emits OpenAPI 3.1, which schemathesis 3.x supports behind this switch.
schemathesis.experimental.OPEN_API_3_1.enable()

FACTORIES = {"qbo-gateway": (qbo_app, "qbo"), "qbwc-gateway": (qbwc_app, "qbd")}
# Every check schemathesis has: no 5xx; documented statuses, content types, headers and bodies; an
# operation that declares authentication refuses a request without it. (Its invalid-data check only
# acts on generated invalid data, which this test does not generate: for the order schema that costs
# minutes of CPU per run.)
CHECKS = ALL_CHECKS


@pytest.fixture(params=sorted(FACTORIES))
def service(request: pytest.FixtureRequest, database_url: str) -> Iterator[tuple[str, str]]:
    factory, product = FACTORIES[request.param]
    with serve_in_thread(factory(service_settings(database_url))) as url:
        yield url, product


def test_no_server_errors_and_responses_match_schema(service: tuple[str, str]) -> None:
    base_url, product = service
    # Install the service's product first so most routes reach their real logic, not a 409.
    httpx.post(f"{base_url}/v1/integration/install", headers=auth(), json={"product": product}, timeout=10)
    schema = schemathesis.from_uri(f"{base_url}/openapi.json", base_url=base_url)
    headers = auth()
    failures: list[str] = []

    for operation in schema.get_all_operations():
        op = operation.ok()  # type: ignore[union-attr]  # a schema error would fail here, loudly
        if op.path in {"/metrics"}:
            continue

        @settings(
            max_examples=8,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
            derandomize=True,
        )
        @given(case=op.as_strategy())
        def run(case: schemathesis.Case) -> None:
            response = case.call(headers=headers, timeout=10)
            # The token is the caller's (ESP's), not generated: ignored_auth re-sends without it.
            case.validate_response(
                response, checks=CHECKS, headers=headers, transport_kwargs={"headers": headers}
            )

        try:
            run()
        except Exception as exc:  # collect every failing operation, report all at once
            failures.append(f"{op.method.upper()} {op.path}: {str(exc)[:600]}")
    assert not failures, "\n\n".join(failures)

"""Property-based API conformance: schemathesis generates requests from each service's OpenAPI and runs
every check it has on each answer: nothing answers 5xx; statuses, content types, headers and bodies are
the documented ones; an operation that declares authentication refuses the same request without it;
valid requests are not refused.

Two phases, on both services and both database backends, valid data only:
- per operation: every operation but /metrics. (Invalid data is not generated: for the order body it
  costs minutes of CPU per run, and for the other operations schemathesis 3.x mutates the Authorization
  header this test must send valid, so it reports the valid answer as "accepted negative data".)
- stateful: a state machine built from the OpenAPI links follows a send to its job (get, retry, cancel)
  and a CRM link to its unlink. Its sends carry a real order (the A7102 example under a few order
  numbers), so each run reaches jobs; the link check asks a stand-in for QuickBooks that has every
  customer id, so links are kept and can be removed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, precondition
from schemathesis import DataGenerationMethod
from schemathesis.checks import ALL_CHECKS
from schemathesis.specs.openapi.checks import use_after_free
from schemathesis.specs.openapi.stateful import ensure_links_followed, transition
from schemathesis.stateful.state_machine import APIStateMachine
from sqlalchemy import create_engine, text

from espqb.db import Database
from espqb.db.engine import normalise_database_url
from espqb.db.models import QboConnection
from espqb.db.types import utcnow
from espqb.lookups.provider import LookupItem
from espqb.orders.examples import a7102_request
from qbo_gateway.app import create_app as qbo_app
from qbwc_gateway.app import create_app as qbwc_app
from tests.support.api import auth, service_settings
from tests.support.servers import serve_in_thread

# FastAPI emits OpenAPI 3.1, which schemathesis 3.x supports behind this switch.
schemathesis.experimental.OPEN_API_3_1.enable()

FACTORIES = {"qbo-gateway": (qbo_app, "qbo"), "qbwc-gateway": (qbwc_app, "qbd")}
# Every check schemathesis has: no 5xx; documented statuses, content types, headers and bodies; an
# operation that declares authentication refuses a request without it; invalid data refused (4xx),
# valid data accepted.
CHECKS = ALL_CHECKS
SEND = ("/v1/orders/{order_number}/send", "POST")
ORDER_NUMBERS = ("ST-1", "ST-2", "ST-3")


class EveryCustomer:
    """Stands in for QuickBooks when a link is checked: it has an active customer under every id."""

    async def find(self, db: Database, company_id: str, kind: str, qb_id: str) -> LookupItem | None:
        return LookupItem(id=qb_id, name=f"Customer {qb_id}")


async def _connected(database_url: str) -> None:
    """QuickBooks Online connected for "acme": otherwise every send is refused (409) for that."""
    db = Database.from_url(database_url)
    try:
        async with db.transaction() as session:
            session.add(
                QboConnection(company_id="acme", realm_id="r1", status="connected", reauthorized_at=utcnow())
            )
    finally:
        await db.dispose()


@pytest.fixture(params=sorted(FACTORIES))
def service(request: pytest.FixtureRequest, database_url: str) -> Iterator[tuple[str, str, str]]:
    """The service over HTTP, its product installed for "acme" so routes reach their real logic."""
    factory, product = FACTORIES[request.param]
    app: FastAPI = factory(service_settings(database_url))
    with serve_in_thread(app) as url:
        app.state.ctx.records = EveryCustomer()
        installed = httpx.post(f"{url}/v1/integration/install", headers=auth(), json={"product": product})
        assert installed.status_code == 200, installed.text
        if product == "qbo":
            asyncio.run(_connected(database_url))
        yield url, product, database_url


def _forget_sends_and_links(database_url: str) -> None:
    """Each run of the state machine starts from an installed company with no job and no link, so a
    run's answers depend only on its own steps (Hypothesis replays runs and expects the same answers)."""
    url = normalise_database_url(database_url).replace("+asyncpg", "+psycopg").replace("+aiosqlite", "")
    engine = create_engine(url)
    with engine.begin() as connection:
        for table in ("job_flags", "job_steps", "send_jobs", "mappings"):
            connection.execute(text(f"DELETE FROM {table}"))
    engine.dispose()


def _schema(base_url: str) -> Any:
    return schemathesis.from_uri(
        f"{base_url}/openapi.json", base_url=base_url, data_generation_methods=[DataGenerationMethod.positive]
    )


def test_no_server_errors_and_responses_match_schema(service: tuple[str, str, str]) -> None:
    base_url, _product, _database_url = service
    schema = _schema(base_url)
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
                response, checks=CHECKS, headers=headers, transport_kwargs={"headers": headers, "timeout": 10}
            )

        try:
            run()
        except Exception as exc:  # collect every failing operation, report all at once
            failures.append(f"{op.method.upper()} {op.path}: {str(exc)[:600]}")
    assert not failures, "\n\n".join(failures)


def _valid_sends(schema: Any) -> st.SearchStrategy[schemathesis.Case]:
    """Sends QuickBooks would take: the A7102 order under a few numbers (a repeat gives the 200)."""
    operation = schema[SEND[0]][SEND[1]]

    def send(number: str) -> schemathesis.Case:
        body = a7102_request().model_dump(mode="json")
        body["order"]["order_number"] = number
        body["choices"]["income_account"] = {"name": "Sales"}
        return operation.make_case(  # type: ignore[no-any-return]
            path_parameters={"order_number": number}, headers={}, body=body, media_type="application/json"
        )

    return st.sampled_from(ORDER_NUMBERS).map(send)


def _workflow(schema: Any, database_url: str, seen: set[tuple[str, int]]) -> type[APIStateMachine]:
    """The state machine of the OpenAPI links, its send rule drawing valid sends."""
    headers = auth()
    base: type[APIStateMachine] = schema.as_state_machine()
    send_rule = next(name for name in dir(base) if name.startswith("POST_v1_orders_"))

    class Workflow(base):  # type: ignore[valid-type,misc]
        def setup(self) -> None:
            _forget_sends_and_links(database_url)

        def _add_results_to_targets(self, targets: Any, results: list[Any]) -> None:
            # Hypothesis (6.160 here) calls this (plural) where schemathesis 3.x overrides the singular
            # `_add_result_to_targets`: without this, answers never reach the links' bundles and the
            # machine cannot follow a single link ("no progress can be made").
            for result in results:
                target = self._get_target_for_result(result) if result is not None else None
                if target is not None:
                    RuleBasedStateMachine._add_results_to_targets(self, (target,), [result])

        def after_call(self, response: Any, case: schemathesis.Case) -> None:
            seen.add((case.operation.verbose_name, response.status_code))

        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
            return {"headers": headers, "timeout": 10}

        def validate_response(
            self, response: Any, case: schemathesis.Case, additional_checks: tuple[Any, ...] = ()
        ) -> None:
            case.validate_response(
                response,
                checks=CHECKS,
                additional_checks=(use_after_free,),
                headers=headers,
                transport_kwargs={"headers": headers, "timeout": 10},
            )

    # The generated send rule, drawing valid sends instead (the name stays: the links name it).
    rule = transition(
        name=send_rule, target=Bundle("catch_all"), previous=st.none(), case=_valid_sends(schema)
    )
    setattr(Workflow, send_rule, precondition(ensure_links_followed)(rule))
    return Workflow


def test_stateful_links_from_sends_to_jobs_and_from_links_to_unlinks(service: tuple[str, str, str]) -> None:
    base_url, _product, database_url = service
    seen: set[tuple[str, int]] = set()
    workflow = _workflow(_schema(base_url), database_url, seen)
    workflow.run(
        settings=settings(
            max_examples=30,
            stateful_step_count=8,
            phases=[Phase.generate],  # no shrinking: a failure is reported as found, within the time
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
            derandomize=True,
        )
    )
    # The links were followed: sends made jobs that were read and cancelled, links were removed.
    reached = {
        ("POST /v1/orders/{order_number}/send", 202),
        ("GET /v1/jobs/{job_id}", 200),
        ("POST /v1/jobs/{job_id}/cancel", 200),
        ("POST /v1/jobs/{job_id}/retry", 409),
        ("DELETE /v1/crm/customers/{esp_customer_id}/quickbooks-link", 204),
    }
    assert reached <= seen, sorted(reached - seen)

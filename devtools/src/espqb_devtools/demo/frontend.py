"""The ESP front end, as far as the demo needs it: the JSON calls Admin → Integrations and the "QB"
button make, each with the company admin's signed JWT."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from types import TracebackType
from typing import Any, Self

import httpx

from espqb.orders import SendRequest
from espqb.security.jwt import mint_token

__all__ = ["SETTLED", "DemoError", "EspFrontEnd"]

# Job statuses after which nothing more happens without a person (jobs/schemas.py).
SETTLED = frozenset({"succeeded", "partially_succeeded", "failed", "cancelled", "held"})


class DemoError(RuntimeError):
    """Something the demo needed did not happen; the message says what, in words."""


class EspFrontEnd:
    def __init__(self, base_url: str, company_id: str, jwt_secret: str, user_id: str = "demo-admin") -> None:
        token = mint_token(
            jwt_secret, company_id=company_id, user_id=user_id, roles=["admin"], ttl_seconds=3600
        )
        self.company_id = company_id
        self.http = httpx.AsyncClient(
            base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30.0
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.http.aclose()

    async def call(
        self, method: str, path: str, *, expect: Iterable[int] = (200,), **kwargs: Any
    ) -> httpx.Response:
        response = await self.http.request(method, path, **kwargs)
        if response.status_code not in set(expect):
            raise DemoError(f"{method} {path} for {self.company_id} answered {_describe(response)}")
        return response

    async def json(self, method: str, path: str, *, expect: Iterable[int] = (200,), **kwargs: Any) -> Any:
        return (await self.call(method, path, expect=expect, **kwargs)).json()

    # -- Admin → Integrations ---------------------------------------------------------------------------
    async def install(self, product: str) -> dict[str, Any]:
        result: dict[str, Any] = await self.json("POST", "/v1/integration/install", json={"product": product})
        return result

    async def put_settings(self, body: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = await self.json("PUT", "/v1/settings", json=body)
        return result

    async def lookup(self, kind: str, *, type_filter: str | None = None) -> list[dict[str, Any]]:
        params = {"type": type_filter} if type_filter else {}
        page = await self.json("GET", f"/v1/quickbooks/{kind}", params=params)
        items: list[dict[str, Any]] = page["items"]
        return items

    # -- The "QB" button and the job it makes ---------------------------------------------------------
    async def send(self, request: SendRequest) -> dict[str, Any]:
        number = request.order.order_number
        job: dict[str, Any] = await self.json(
            "POST", f"/v1/orders/{number}/send", json=request.model_dump(mode="json"), expect=(202,)
        )
        return job

    async def job(self, job_id: str) -> dict[str, Any]:
        result: dict[str, Any] = await self.json("GET", f"/v1/jobs/{job_id}")
        return result

    async def wait_until_settled(
        self, job_ids: list[str], timeout_seconds: float = 30.0
    ) -> list[dict[str, Any]]:
        """Poll the jobs as the ESP page does until each has finished (or the time is up)."""
        deadline = time.monotonic() + timeout_seconds
        while True:
            jobs = [await self.job(job_id) for job_id in job_ids]
            waiting = [job for job in jobs if job["status"] not in SETTLED]
            if not waiting:
                return jobs
            if time.monotonic() > deadline:
                states = ", ".join(f"order {j['order_number']}: {j['status_label']}" for j in waiting)
                raise DemoError(f"jobs still unfinished after {timeout_seconds:.0f} s ({states})")
            await asyncio.sleep(0.2)


def _describe(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"{response.status_code}: {response.text[:200]}"
    if isinstance(body, dict) and "title" in body:
        return f"{response.status_code} {body['title']}: {body.get('detail', '')}"
    return f"{response.status_code}: {str(body)[:200]}"

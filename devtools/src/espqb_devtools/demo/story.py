"""What the two stories share: their result, the narration, and the steps both products take the
same way (a fresh company, sending the orders)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from espqb.money import format_money
from espqb.orders import SendRequest

from .books import Books
from .frontend import DemoError, EspFrontEnd
from .jobs import JobView

__all__ = ["Say", "StoryResult", "require_fresh_company", "send_orders"]

Say = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class StoryResult:
    product: str
    books: Books
    jobs: tuple[JobView, ...]  # one per request, in the order they were sent


async def require_fresh_company(esp: EspFrontEnd) -> None:
    """The stories start from nothing; a company left by an earlier run would mix two sets of books."""
    integration = await esp.json("GET", "/v1/integration")
    if integration["status"] != "not_installed":
        raise DemoError(
            f"company {esp.company_id} already exists in this database ({integration['status']}); "
            "run the demo on an empty database (leave out --database-url to get a fresh one)"
        )


async def send_orders(esp: EspFrontEnd, requests: Sequence[SendRequest], say: Say) -> list[dict[str, Any]]:
    """Press "QB" on each order; the jobs as accepted (202)."""
    jobs = []
    for request in requests:
        job = await esp.send(request)
        order = request.order
        say(
            f"order {order.order_number} ({order.customer.company_name}, total {format_money(order.total)}, "
            f"{len(order.suppliers)} supplier(s)) sent: job {job['status_label'].lower()}"
        )
        jobs.append(job)
    return jobs

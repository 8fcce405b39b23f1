"""The body of "send this order to QuickBooks": the order snapshot and the dialog's choices."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from espqb.orders.choices import SendChoices
from espqb.orders.snapshot import OrderSnapshot

__all__ = ["SendRequest"]


def _a7102_request_example(schema: dict[str, Any]) -> None:
    from espqb.orders.examples import a7102_request  # late import: the example builds this class

    schema["examples"] = [a7102_request().model_dump(mode="json")]


class SendRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra=_a7102_request_example)

    order: OrderSnapshot
    choices: SendChoices = Field(default_factory=SendChoices)

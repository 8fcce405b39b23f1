"""The qbo-gateway's own state while the app runs: the connection runtime (Intuit's OAuth client, the
token provider, the scheduler) and the sending runtime (the QBO API client, the lookups, the send
worker). Built by the app's lifespan (`qbo_gateway.app`), read by endpoints through `QboDep`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends

from espqb.api.deps import gateway_dependency

if TYPE_CHECKING:
    from qbo_gateway.connection.runtime import ConnectionRuntime
    from qbo_gateway.worker import SendingRuntime


@dataclass(frozen=True)
class QboState:
    connection: ConnectionRuntime
    sending: SendingRuntime


QboDep = Annotated[QboState, Depends(gateway_dependency(QboState))]

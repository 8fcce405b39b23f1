"""The qbwc-gateway's own state while the app runs: the Web Connector handler (the SOAP service's
conversations) and the session options it was made with. Built by the app's lifespan
(`qbwc_gateway.app`), read by endpoints through `DesktopDep`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from espqb.api.deps import ContextDep, gateway_state

from .session import DesktopWebConnector, SessionOptions

__all__ = ["DesktopDep", "DesktopState", "get_desktop"]


@dataclass(frozen=True)
class DesktopState:
    handler: DesktopWebConnector
    options: SessionOptions


def get_desktop(ctx: ContextDep) -> DesktopState:
    return gateway_state(ctx, DesktopState)


DesktopDep = Annotated[DesktopState, Depends(get_desktop)]

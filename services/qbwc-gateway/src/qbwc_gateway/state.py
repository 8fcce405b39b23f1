"""The qbwc-gateway's own state while the app runs: the Web Connector handler (the SOAP service's
conversations) and the session options it was made with. Built by the app's lifespan
(`qbwc_gateway.app`), read by endpoints through `DesktopDep`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends

from espqb.api.deps import gateway_dependency

if TYPE_CHECKING:  # the session package imports the install endpoints, which import this module
    from .session import DesktopWebConnector, SessionOptions


@dataclass(frozen=True)
class DesktopState:
    handler: DesktopWebConnector
    options: SessionOptions


DesktopDep = Annotated[DesktopState, Depends(gateway_dependency(DesktopState))]

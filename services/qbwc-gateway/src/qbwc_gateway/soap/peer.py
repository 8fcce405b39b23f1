"""The address of the Web Connector calling, for the handler: the client address uvicorn reports
(the proxy's ``X-Forwarded-For`` when uvicorn runs with ``--proxy-headers`` behind a trusted proxy).

The handler's methods mirror the WSDL, so the address travels beside them, set for each call."""

from __future__ import annotations

from contextvars import ContextVar

_CLIENT_ADDRESS: ContextVar[str | None] = ContextVar("qbwc_client_address", default=None)


def set_client_address(address: str | None) -> None:
    _CLIENT_ADDRESS.set(address)


def client_address() -> str | None:
    """The calling Web Connector's address, or None outside a SOAP call."""
    return _CLIENT_ADDRESS.get()

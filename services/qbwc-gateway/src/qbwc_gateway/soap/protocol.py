"""The seam between the SOAP layer and the Web Connector session logic.

One async method per Web Connector callback, with Python names and the WSDL's types. The SOAP layer
parses and renders; whatever implements this decides tickets, passwords, the job queue and qbXML.
Return values are exactly what the Web Connector will read; the meaning of each is in
docs/web-connector.md §1.3.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class WebConnectorHandler(Protocol):
    async def server_version(self) -> str:
        """Free text the Web Connector shows as the service's version (docs/web-connector.md §1.3)."""
        ...

    async def client_version(self, str_version: str) -> str:
        """``""`` to proceed; ``"W:<text>"`` warn, ``"E:<text>"`` refuse, ``"O:<version>"`` ask for a
        newer Web Connector (docs/web-connector.md §1.3, PG p.66)."""
        ...

    async def authenticate(self, str_user_name: str, str_password: str) -> list[str]:
        """``[ticket, status_or_company_path, (postpone_seconds), (min_run_every_seconds)]``;
        status ``"nvu"`` bad login, ``"none"`` nothing to do, ``"busy"``, ``""`` the open company
        file, else a full company-file path (docs/web-connector.md §1.4)."""
        ...

    async def send_request_xml(
        self,
        ticket: str,
        str_hcp_response: str,
        str_company_file_name: str,
        qbxml_country: str,
        qbxml_major_vers: int,
        qbxml_minor_vers: int,
    ) -> str:
        """The next qbXML request set, or ``""`` (the Web Connector then calls getLastError)
        (docs/web-connector.md §1.5). ``str_hcp_response`` is non-empty only on the first call of a
        session."""
        ...

    async def receive_response_xml(self, ticket: str, response: str, hresult: str, message: str) -> int:
        """0-99 more work, 100 done, negative: error, the Web Connector calls getLastError
        (docs/web-connector.md §1.6)."""
        ...

    async def connection_error(self, ticket: str, hresult: str, message: str) -> str:
        """``"done"`` to stop, or a company-file path (``""``: the open one) to retry
        (docs/web-connector.md §1.8)."""
        ...

    async def get_last_error(self, ticket: str) -> str:
        """Message for the user; ``"NoOp"`` pauses 5 s then sendRequestXML again;
        ``"Interactive mode"`` starts interactive mode (docs/web-connector.md §1.7)."""
        ...

    async def close_connection(self, ticket: str) -> str:
        """Text shown in the Web Connector's status column (docs/web-connector.md §1.3)."""
        ...

    async def get_interactive_url(self, wc_ticket: str, session_id: str) -> str: ...

    async def interactive_done(self, wc_ticket: str) -> str: ...

    async def interactive_rejected(self, wc_ticket: str, reason: str) -> str: ...


class WithoutInteractiveMode:
    """Mixin answering the optional interactive-mode callbacks for a service that never asks for
    interactive mode (it never returns ``"Interactive mode"`` from getLastError).

    No published WSDL declares these methods and they need Internet Explorer on the user's machine
    (docs/web-connector.md §1.3, §1.9), so the answers only have to be harmless.
    """

    async def get_interactive_url(self, wc_ticket: str, session_id: str) -> str:
        # An empty URL: there is no page to open.
        return ""

    async def interactive_done(self, wc_ticket: str) -> str:
        # "Done" tells the Web Connector the (non-existent) interactive session is over (PG p.75).
        return "Done"

    async def interactive_rejected(self, wc_ticket: str, reason: str) -> str:
        return "Interactive mode is not used by this service."

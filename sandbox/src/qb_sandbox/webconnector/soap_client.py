"""The simulator's SOAP plumbing: zeep built from Intuit's WSDL, talking through an httpx AsyncClient.

zeep's ``AsyncClient`` with an ``AsyncTransport`` was chosen over running the sync client in a thread:
it goes through the caller's ``httpx.AsyncClient``, so tests can point it at
``httpx.ASGITransport(app)`` and no thread or socket is involved.

The real Web Connector does not read a WSDL: its calls are built in. Intuit's classic WSDL lacks
``serverVersion`` and ``clientVersion`` (docs/web-connector.md §1.1), yet the Web Connector 2.1+ sends both,
so an operation the loaded WSDL does not declare is sent as the same document/literal envelope by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import httpx
import zeep
import zeep.exceptions
from lxml import etree
from zeep.proxy import AsyncServiceProxy
from zeep.transports import AsyncTransport

INTUIT_NS = "http://developer.intuit.com/"
SOAP11_ENV_NS = "http://schemas.xmlsoap.org/soap/envelope/"
BINDING_QNAME = f"{{{INTUIT_NS}}}QBWebConnectorSvcSoap"
# What QBWC's .NET SOAP client announces; some servers sniff it.
WEB_CONNECTOR_USER_AGENT = (
    "Mozilla/4.0 (compatible; MSIE 6.0; MS Web Services Client Protocol 4.0.30319.42000)"
)


class SoapCallError(Exception):
    """A call did not produce a result."""


class SoapFaultAnswer(SoapCallError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class HttpFailure(SoapCallError):
    """The exchange failed below SOAP: connection refused or dropped, or an answer that is not SOAP."""


@dataclass(frozen=True, slots=True)
class HttpDrop:
    """Fault injection: lose the HTTP exchange of the next call to ``method``.

    ``before_send``: the request never reaches the service. ``after_send``: the service handles it but
    the connection drops before the answer arrives.
    """

    method: str
    when: Literal["before_send", "after_send"] = "before_send"


class _DroppingTransport(AsyncTransport):
    def __init__(self, client: httpx.AsyncClient, wsdl_client: httpx.Client) -> None:
        # zeep replaces the client's headers wholesale; keep the caller's client as it was.
        saved_headers = client.headers.copy()
        super().__init__(client=client, wsdl_client=wsdl_client)
        client.headers = saved_headers
        self.pending_drop: HttpDrop | None = None

    async def post(self, address: str, message: Any, headers: Mapping[str, str]) -> httpx.Response:
        headers = {**headers, "User-Agent": WEB_CONNECTOR_USER_AGENT}
        method = headers.get("SOAPAction", "").strip('"').rsplit("/", 1)[-1]
        drop = self.pending_drop
        if drop is None or drop.method != method:
            return await super().post(address, message, headers)
        self.pending_drop = None
        if drop.when == "before_send":
            raise httpx.ConnectError(f"simulated: the {method} request was lost before reaching the service")
        await super().post(address, message, headers)
        raise httpx.ReadError(f"simulated: the connection dropped before the {method} answer arrived")


def _safe_xml_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


class WebConnectorSoapClient:
    """Calls the Web Connector service's operations by their WSDL names and returns plain values."""

    def __init__(self, url: str, *, wsdl_path: str | Path, http_client: httpx.AsyncClient) -> None:
        self._url = url
        self._transport = _DroppingTransport(http_client, httpx.Client())
        try:
            settings = zeep.Settings(
                strict=True, xml_huge_tree=False, forbid_dtd=True, forbid_entities=True, forbid_external=True
            )
            # Loading the WSDL is synchronous in zeep (a local file, or the sync wsdl client for a URL).
            self._zeep = zeep.AsyncClient(str(wsdl_path), transport=self._transport, settings=settings)
        finally:
            # Only needed to load the WSDL; the calls go through the async client.
            self._transport.wsdl_client.close()
        binding = self._zeep.wsdl.bindings[BINDING_QNAME]
        self._service = AsyncServiceProxy(self._zeep, binding, address=url)
        self.wsdl_operations: frozenset[str] = frozenset(binding.all())

    def drop_next(self, drop: HttpDrop | None) -> None:
        self._transport.pending_drop = drop

    async def call(self, method: str, **params: str | int) -> Any:
        """Call ``method``; raises ``SoapFaultAnswer`` or ``HttpFailure``."""
        try:
            if method in self.wsdl_operations:
                return await getattr(self._service, method)(**params)
            return await self._call_by_hand(method, params)
        except zeep.exceptions.Fault as fault:
            raise SoapFaultAnswer(str(fault.code or ""), str(fault.message or "")) from None
        except (httpx.TransportError, zeep.exceptions.TransportError, zeep.exceptions.XMLSyntaxError) as exc:
            raise HttpFailure(str(exc)) from exc

    async def _call_by_hand(self, method: str, params: Mapping[str, str | int]) -> str:
        """Document/literal call for a string-returning operation the WSDL does not declare."""
        envelope = etree.Element(f"{{{SOAP11_ENV_NS}}}Envelope", nsmap={"soap": SOAP11_ENV_NS})
        body = etree.SubElement(envelope, f"{{{SOAP11_ENV_NS}}}Body")
        call = etree.SubElement(body, f"{{{INTUIT_NS}}}{method}", nsmap={None: INTUIT_NS})
        for name, value in params.items():
            etree.SubElement(call, f"{{{INTUIT_NS}}}{name}").text = str(value)
        headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{INTUIT_NS}{method}"'}
        message = etree.tostring(envelope, xml_declaration=True, encoding="utf-8")
        response = await self._transport.post(self._url, message, headers)
        if b"<!DOCTYPE" in response.content:
            raise HttpFailure("the answer contains a DOCTYPE")
        try:
            root = etree.fromstring(response.content, _safe_xml_parser())
        except etree.XMLSyntaxError as exc:
            raise HttpFailure(f"HTTP {response.status_code}: the answer is not XML") from exc
        fault = root.find(f"{{{SOAP11_ENV_NS}}}Body/{{{SOAP11_ENV_NS}}}Fault")
        if fault is not None:
            raise SoapFaultAnswer(fault.findtext("faultcode") or "", fault.findtext("faultstring") or "")
        if response.status_code != 200:
            raise HttpFailure(f"HTTP {response.status_code}")
        result = root.find(f".//{{{INTUIT_NS}}}{method}Result")
        return "" if result is None else result.text or ""

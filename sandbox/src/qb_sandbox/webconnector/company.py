"""What the Web Connector needs from the QuickBooks side: a company file that answers qbXML.

``qb_sandbox.desktop.CompanyFile`` implements both protocols; tests may use any fake that does.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

# One definition of "ProcessRequest threw", shared with the simulated company file: the Web Connector
# then calls receiveResponseXML with an empty response and this HRESULT and message
# (docs/web-connector.md §1.6).
from qb_sandbox.desktop.status import RequestProcessorError

__all__ = [
    "DEFAULT_QBXML_COUNTRY",
    "UNEXPECTED_ERROR_HRESULT",
    "CompanyFileLike",
    "RegistersFileID",
    "ReportsCountry",
    "RequestProcessorError",
]

# Used when a company file fails with something other than RequestProcessorError (docs/web-connector.md §4.2).
UNEXPECTED_ERROR_HRESULT = "0x80040402"
# qbXMLCountry for a company file that does not report its country (docs/web-connector.md §3.10).
DEFAULT_QBXML_COUNTRY = "US"


@runtime_checkable
class CompanyFileLike(Protocol):
    @property
    def file_path(self) -> str:
        """Full path of the company file, sent as ``strCompanyFileName`` (docs/web-connector.md §1.5)."""
        ...

    def process(self, request_xml: str) -> str:
        """QuickBooks' request processor (ProcessRequest): a qbXML request set in, its response out.
        Raises :class:`RequestProcessorError` where the real one throws (e.g. unparseable qbXML)."""
        ...

    def hcp_response(self) -> str:
        """HostQuery + CompanyQuery + PreferencesQuery responses, which the Web Connector sends as
        ``strHCPResponse`` on the first sendRequestXML of a session (docs/web-connector.md §1.5)."""
        ...


@runtime_checkable
class RegistersFileID(Protocol):
    """A company file the Web Connector can stamp with the ``.qwc`` FileID: it stores it as a private
    data extension owned by the ``.qwc`` OwnerID the first time it connects (docs/web-connector.md §2), and
    the service reads it back from the CompanyQuery answer in ``strHCPResponse``
    (docs/web-connector.md §1.5)."""

    def set_file_id(self, owner_id: str, file_id: str) -> None: ...


@runtime_checkable
class ReportsCountry(Protocol):
    """A company file that knows its edition's country (``US``, ``CA``, ``UK``): the Web Connector
    sends it as ``qbXMLCountry`` on every ``sendRequestXML`` (docs/web-connector.md §3.10)."""

    @property
    def country(self) -> str: ...

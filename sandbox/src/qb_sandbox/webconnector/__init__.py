"""A simulated QuickBooks Web Connector (the SOAP client side), built with zeep from Intuit's WSDL."""

from .client import DEFAULT_WC_VERSION, QB_NOT_RUNNING_HRESULT, QB_NOT_RUNNING_MESSAGE, WebConnectorSimulator
from .company import CompanyFileLike, RegistersFileID, RequestProcessorError
from .qwc import QwcError, QwcRegistration, parse_qwc, read_qwc
from .report import CallRecord, Exchange, SessionOutcome, SessionReport
from .soap_client import HttpDrop

__all__ = [
    "DEFAULT_WC_VERSION",
    "QB_NOT_RUNNING_HRESULT",
    "QB_NOT_RUNNING_MESSAGE",
    "CallRecord",
    "CompanyFileLike",
    "Exchange",
    "HttpDrop",
    "QwcError",
    "QwcRegistration",
    "RegistersFileID",
    "RequestProcessorError",
    "SessionOutcome",
    "SessionReport",
    "WebConnectorSimulator",
    "parse_qwc",
    "read_qwc",
]

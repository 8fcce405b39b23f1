"""A simulated QuickBooks Desktop company file and the qbXML 13.0 schema validator.

* :class:`CompanyFile` – answers qbXML message sets like QuickBooks Desktop behind the Web
  Connector (``process``, ``process_for_web_connector``, ``hcp_response``), with fault
  injection, inspection (``documents``, ``find``) and JSON persistence; a US, Canadian or UK
  file (``edition=``), with or without multi-currency (``multi_currency=``, ``home_currency=``).
* :func:`validate_qbxml` / :func:`assert_valid_qbxml` – check any qbXML document against
  Intuit's ``qbxmlops130.xsd``.
"""

from .company_file import DEFAULT_FILE_PATH, DEFAULT_QBXML_VERSIONS, CompanyFile, ProcessResult
from .qbxml_schema import QbXmlValidationError, assert_valid_qbxml, validate_qbxml
from .status import HRESULT_PARSE_ERROR, QbXmlParseError, RequestProcessorError

__all__ = [
    "DEFAULT_FILE_PATH",
    "DEFAULT_QBXML_VERSIONS",
    "HRESULT_PARSE_ERROR",
    "CompanyFile",
    "ProcessResult",
    "QbXmlParseError",
    "QbXmlValidationError",
    "RequestProcessorError",
    "assert_valid_qbxml",
    "validate_qbxml",
]

"""Intuit's published contracts, vendored byte for byte (origins and checksums: ``PROVENANCE.md``).

The simulators and the tests read them from here through :mod:`importlib.resources`, so a clone of the
repository (or an installed ``qb-sandbox`` wheel) carries everything it checks against:

* ``qbxml/``: the qbXML 13.0 XML Schema set (entry point ``qbxmlops130.xsd``) and Intuit's annotated
  sample-message file ``qbxmlops130.xml`` (field order, optionality and lengths as comments);
* ``webconnector/``: the Web Connector WSDL, plus two published variants (``consolibyte/`` adds
  ``serverVersion``/``clientVersion``; ``intuit-troubleshoot-sample/`` is Intuit's troubleshooting sample);
* ``qbo/``: the QuickBooks Online v3 entity schema from Intuit's Java SDK (entry point
  ``IntuitRestServiceDef.xsd``).
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

__all__ = ["PROVENANCE", "WSDL_VARIANTS", "contract_path", "qbo_schema_dir", "qbxml_schema_dir", "wsdl_path"]

_ROOT = files(__name__)

PROVENANCE = "PROVENANCE.md"

WSDL_VARIANTS = ("intuit", "consolibyte", "intuit-troubleshoot-sample")


def _as_path(resource: Traversable) -> Path:
    # The package is installed from a source tree or an unpacked wheel, never a zip: resources are files.
    path = Path(str(resource))
    if not path.exists():
        raise FileNotFoundError(f"vendored Intuit contract missing: {path} (see {PROVENANCE})")
    return path


def contract_path(relative: str) -> Path:
    """The vendored file ``relative`` (e.g. ``"qbxml/qbxmlops130.xsd"``)."""
    return _as_path(_ROOT.joinpath(*relative.split("/")))


def qbxml_schema_dir() -> Path:
    """The folder holding the qbXML 13.0 XSD set (the schema's includes resolve inside it)."""
    return contract_path("qbxml")


def qbo_schema_dir() -> Path:
    """The folder holding Intuit's QuickBooks Online entity XSDs."""
    return contract_path("qbo")


def wsdl_path(variant: str = "intuit") -> Path:
    """The Web Connector WSDL: Intuit's (default) or one of the published variants."""
    if variant not in WSDL_VARIANTS:
        raise ValueError(f"unknown WSDL variant {variant!r}; known: {', '.join(WSDL_VARIANTS)}")
    if variant == "intuit":
        return contract_path("webconnector/QBWebConnectorSvc.wsdl")
    return contract_path(f"webconnector/{variant}/QBWebConnectorSvc.wsdl")

"""The WSDL we serve at ``GET /qbwc?wsdl``: Intuit's contract with our own address in it.

The file ships as package data next to this module (see the comment at its top for provenance);
production has no ``shared/`` folder to read it from.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from urllib.parse import urlsplit

from lxml import etree

WSDL_FILE_NAME = "QBWebConnectorSvc.wsdl"
WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
WSDL_SOAP_NS = "http://schemas.xmlsoap.org/wsdl/soap/"


def packaged_wsdl_bytes() -> bytes:
    return resources.files(__package__).joinpath(WSDL_FILE_NAME).read_bytes()


@lru_cache(maxsize=8)
def wsdl_for(public_url: str) -> bytes:
    """The WSDL with ``soap:address location`` set to ``public_url`` (the URL the Web Connector
    posts to, e.g. ``https://qb.example.com/qbwc``)."""
    parts = urlsplit(public_url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ValueError(f"public_url must be an absolute http(s) URL, got {public_url!r}")
    # Our own file: trusted, but parsed with the same care as everything else.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    tree = etree.fromstring(packaged_wsdl_bytes(), parser).getroottree()
    root = tree.getroot()
    addresses = root.findall(f"{{{WSDL_NS}}}service/{{{WSDL_NS}}}port/{{{WSDL_SOAP_NS}}}address")
    if not addresses:
        raise RuntimeError("the packaged WSDL has no soap:address")
    for address in addresses:
        address.set("location", public_url)
    # Serialise the tree, not the root, to keep the provenance comment that precedes the root.
    return bytes(etree.tostring(tree, xml_declaration=True, encoding="utf-8"))

"""The ``.qwc`` file a user adds to the Web Connector (pure; docs/web-connector.md §2).

Rules the Web Connector enforces: AppURL must be https, except ``localhost`` for development
(QBWC1010/QBWC1051); no IP addresses (QBWC1001/1002); AppSupport on the same domain (QBWC1000) and
reachable. OwnerID stays the same for the application and FileID for the company: changing them
makes the Web Connector see a new registration (QBWC1039).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from lxml import etree

from espqb.errors import EspqbError

DEFAULT_RUN_EVERY_MINUTES = 15
LOCALHOST = "localhost"


class QwcConfigError(EspqbError, ValueError):
    """The service's public URL cannot go into a .qwc the Web Connector would accept. The endpoint
    answers it as `QwcUnavailable`."""

    slug, title = "qwc-misconfigured", "The service's public URL cannot go into a .qwc file"


@dataclass(frozen=True, slots=True)
class QwcSpec:
    app_name: str
    app_url: str
    app_support: str
    app_description: str
    username: str
    owner_id: str
    file_id: str
    run_every_minutes: int | None = DEFAULT_RUN_EVERY_MINUTES
    run_every_seconds: int | None = None


def check_app_url(url: str, *, development: bool) -> None:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not host:
        raise QwcConfigError(f"QBWC_PUBLIC_URL {url!r} has no host name.")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        raise QwcConfigError(
            f"QBWC_PUBLIC_URL {url!r} uses an IP address; the Web Connector only accepts host names (QBWC1001)."
        )
    if parts.scheme == "https":
        return
    if parts.scheme == "http" and host == LOCALHOST and development:
        return
    raise QwcConfigError(
        f"QBWC_PUBLIC_URL {url!r} must be https: the Web Connector refuses other addresses "
        "(QBWC1010), except http://localhost during development."
    )


def render_qwc(spec: QwcSpec) -> str:
    if spec.run_every_seconds is not None and spec.run_every_minutes is not None:
        raise ValueError("choose RunEveryNMinutes or RunEveryNSeconds, not both (the first one wins in QBWC)")
    if urlsplit(spec.app_url).hostname != urlsplit(spec.app_support).hostname:
        raise ValueError("AppURL and AppSupport must be on the same domain (QBWC1000)")
    root = etree.Element("QBWCXML")

    def add(tag: str, text: str) -> None:
        etree.SubElement(root, tag).text = text

    add("AppName", spec.app_name)
    add("AppID", "")
    add("AppURL", spec.app_url)
    add("AppDescription", spec.app_description[:80])  # ≤80 characters recommended
    add("AppSupport", spec.app_support)
    add("UserName", spec.username)
    add("OwnerID", spec.owner_id)
    add("FileID", spec.file_id)
    add("QBType", "QBFS")
    scheduler = etree.SubElement(root, "Scheduler")
    if spec.run_every_seconds is not None:
        etree.SubElement(scheduler, "RunEveryNSeconds").text = str(spec.run_every_seconds)
    else:
        etree.SubElement(scheduler, "RunEveryNMinutes").text = str(spec.run_every_minutes)
    add("IsReadOnly", "false")  # we write invoices, bills and purchase orders
    add("PersonalDataPref", "pdpOptional")  # customer names and addresses, nothing more
    add("UnattendedModePref", "umpOptional")
    add("AuthFlags", "0xF")  # every QuickBooks Desktop edition (Intuit's own sample uses 0xF)
    add("Style", "Document")  # our WSDL is document/literal
    body = etree.tostring(root, pretty_print=True, encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?>\n{body}'

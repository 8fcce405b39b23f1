"""What the first ``sendRequestXML`` of a session tells us about QuickBooks and the company file.

``strHCPResponse`` holds the HostQuery, CompanyQuery and PreferencesQuery responses
(docs/web-connector.md §1.5): the product and the qbXML versions it speaks, the company's name and the Web
Connector's ``FileID`` data extension (docs/web-connector.md §2), and whether sales tax and multi-currency are
on, and the home currency (docs/web-connector.md §3.10-§3.13).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .message_set import Ret, parse_response_set
from .xml_reader import QbXmlReadError, as_list, text_at

# The encoder writes qbXML 13.0, the newest version with a published schema (docs/web-connector.md §3.1, §8).
PREFERRED_QBXML_VERSION = "13.0"
# defMacro/useMacro and the error-recovery attributes our messages rely on are older than this.
OLDEST_USABLE_QBXML_VERSION = (7, 0)


@dataclass(frozen=True, slots=True)
class HostInfo:
    product_name: str | None
    major_version: str | None
    country: str | None
    supported_versions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CompanyIdentity:
    company_name: str | None
    legal_name: str | None
    # DataExt "FileID" values written by the Web Connector, by OwnerID (docs/web-connector.md §1.5, §2).
    file_ids: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CompanyPreferences:
    sales_tax_on: bool
    default_sales_tax_item: str | None
    taxable_code: str | None
    non_taxable_code: str | None
    multi_currency_on: bool
    # MultiCurrencyPreferences/HomeCurrencyRef: the currency's *name* ("Canadian Dollar"), not its ISO
    # code (docs/web-connector.md §3.13); may be absent while multi-currency is off.
    home_currency: str | None = None
    # SalesTaxPreferences/IsUsingAmountsIncludeTax (CA/UK): the "amounts include tax" default.
    amounts_include_tax: bool | None = None
    # AccountingPreferences/IsUsingClassTracking: classes on documents (docs/web-connector.md §3.17).
    class_tracking: bool = False


@dataclass(frozen=True, slots=True)
class HcpInfo:
    host: HostInfo
    company: CompanyIdentity
    preferences: CompanyPreferences


def _first(rets: tuple[Ret, ...], kind: str) -> Ret | None:
    return next((r for r in rets if r.kind == kind), None)


def parse_hcp(text: str) -> HcpInfo:
    """Read ``strHCPResponse``; raises ``QbXmlReadError`` when it holds no HostRet/CompanyRet."""
    responses = parse_response_set(text).responses
    rets = tuple(ret for response in responses for ret in response.rets)
    host_ret, company_ret, prefs_ret = (
        _first(rets, "HostRet"),
        _first(rets, "CompanyRet"),
        _first(rets, "PreferencesRet"),
    )
    if host_ret is None or company_ret is None:
        raise QbXmlReadError("strHCPResponse lacks the HostQuery or CompanyQuery answer")
    host = HostInfo(
        product_name=host_ret.text("ProductName"),
        major_version=host_ret.text("MajorVersion"),
        country=host_ret.text("Country"),
        supported_versions=tuple(str(v) for v in as_list(host_ret.data.get("SupportedQBXMLVersion"))),
    )
    file_ids: dict[str, str] = {}
    for ext in as_list(company_ret.data.get("DataExtRet")):
        if isinstance(ext, dict) and ext.get("DataExtName") == "FileID" and ext.get("OwnerID"):
            file_ids[str(ext["OwnerID"]).upper()] = str(ext.get("DataExtValue") or "").upper()
    company = CompanyIdentity(
        company_name=company_ret.text("CompanyName"),
        legal_name=company_ret.text("LegalCompanyName"),
        file_ids=file_ids,
    )
    prefs = prefs_ret.data if prefs_ret is not None else {}
    sales_tax = prefs.get("SalesTaxPreferences")
    # QuickBooks only answers SalesTaxPreferences when sales tax is turned on in the company file.
    preferences = CompanyPreferences(
        sales_tax_on=isinstance(sales_tax, dict),
        default_sales_tax_item=text_at(prefs, "SalesTaxPreferences", "DefaultItemSalesTaxRef", "FullName"),
        taxable_code=text_at(prefs, "SalesTaxPreferences", "DefaultTaxableSalesTaxCodeRef", "FullName"),
        non_taxable_code=text_at(
            prefs, "SalesTaxPreferences", "DefaultNonTaxableSalesTaxCodeRef", "FullName"
        ),
        multi_currency_on=text_at(prefs, "MultiCurrencyPreferences", "IsMultiCurrencyOn") == "true",
        home_currency=text_at(prefs, "MultiCurrencyPreferences", "HomeCurrencyRef", "FullName"),
        amounts_include_tax=_flag(text_at(prefs, "SalesTaxPreferences", "IsUsingAmountsIncludeTax")),
        class_tracking=text_at(prefs, "AccountingPreferences", "IsUsingClassTracking") == "true",
    )
    return HcpInfo(host=host, company=company, preferences=preferences)


def _flag(text: str | None) -> bool | None:
    return None if text is None else text.strip().lower() == "true"


def _version_key(version: str) -> tuple[int, int] | None:
    major, _, minor = version.strip().partition(".")
    try:
        return int(major), int(minor or 0)
    except ValueError:
        return None


def choose_qbxml_version(supported: Sequence[str], major: int = 0, minor: int = 0) -> str | None:
    """The qbXML version to write: 13.0 when QuickBooks supports it, else the newest it supports
    below 13.0 (the SDK is backward compatible, docs/web-connector.md §3.1); None when QuickBooks is too old.

    ``supported`` comes from HostQuery; when it is empty, the request processor's own level
    (``qbXMLMajorVers``/``qbXMLMinorVers`` of sendRequestXML) stands in for it.
    """
    keys = [k for k in (_version_key(v) for v in supported) if k is not None]
    if not keys and major:
        keys = [(major, 0), (major, minor)] if (major, minor) >= (13, 0) else [(major, minor)]
    preferred = _version_key(PREFERRED_QBXML_VERSION)
    assert preferred is not None
    if any(k >= preferred for k in keys):
        return PREFERRED_QBXML_VERSION
    usable = [k for k in keys if OLDEST_USABLE_QBXML_VERSION <= k < preferred]
    if not usable:
        return None
    best = max(usable)
    return f"{best[0]}.{best[1]}"

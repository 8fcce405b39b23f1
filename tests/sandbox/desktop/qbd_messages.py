"""Helpers for the company-file tests: wrap requests in a message set, send them, read answers.

Every response the company file writes is checked against the qbXML schema here, so each test
also proves the simulator answers in QuickBooks' exact shape.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from lxml import etree

from qb_sandbox.desktop import CompanyFile, validate_qbxml

PROLOG = '<?xml version="1.0" encoding="utf-8"?><?qbxml version="13.0"?>'


def message_set(*requests: str, on_error: str = "stopOnError", **attributes: str) -> str:
    attrs = "".join(f' {k}="{v}"' for k, v in attributes.items())
    body = "".join(requests)
    return f'{PROLOG}<QBXML><QBXMLMsgsRq onError="{on_error}"{attrs}>{body}</QBXMLMsgsRq></QBXML>'


@dataclass
class TickingClock:
    """A deterministic clock: every reading is one second after the previous one."""

    now: datetime = field(default_factory=lambda: datetime(2024, 3, 1, 9, 0, 0, tzinfo=UTC))
    step: timedelta = timedelta(seconds=1)

    def __call__(self) -> datetime:
        self.now += self.step
        return self.now


def send(company: CompanyFile, *requests: str, **options: str) -> list[etree._Element]:
    """Process a message set; returns its …Rs elements (after checking the whole response)."""
    return responses_of(company.process(message_set(*requests, **options)))


def responses_of(response_xml: str) -> list[etree._Element]:
    problems = validate_qbxml(response_xml)
    assert problems == [], problems
    root = etree.fromstring(response_xml.encode())
    msgs = root.find("QBXMLMsgsRs")
    assert msgs is not None
    return list(msgs)


def status_of(rs: etree._Element) -> int:
    return int(rs.get("statusCode", "-1"))


def text(element: etree._Element, path: str) -> str:
    found = element.findtext(path)
    assert found is not None, f"{path} missing in {etree.tostring(element)[:300]!r}"
    return found


def money(element: etree._Element, path: str) -> Decimal:
    return Decimal(text(element, path))


def each(element: etree._Element, path: str) -> Iterator[etree._Element]:
    yield from element.iterfind(path)


# -- request builders for the lists a test needs ---------------------------------------------
def customer_add(name: str, request_id: str = "c", extra: str = "") -> str:
    return f'<CustomerAddRq requestID="{request_id}"><CustomerAdd><Name>{name}</Name>{extra}</CustomerAdd></CustomerAddRq>'


def vendor_add(name: str, request_id: str = "v") -> str:
    return f'<VendorAddRq requestID="{request_id}"><VendorAdd><Name>{name}</Name></VendorAdd></VendorAddRq>'


def account_add(name: str, account_type: str, request_id: str = "a") -> str:
    return (
        f'<AccountAddRq requestID="{request_id}"><AccountAdd><Name>{name}</Name>'
        f"<AccountType>{account_type}</AccountType></AccountAdd></AccountAddRq>"
    )


def non_inventory_add(
    name: str, price: str, account: str = "Sales", request_id: str = "i", extra: str = ""
) -> str:
    return (
        f'<ItemNonInventoryAddRq requestID="{request_id}"><ItemNonInventoryAdd><Name>{name}</Name>{extra}'
        f"<SalesOrPurchase><Price>{price}</Price><AccountRef><FullName>{account}</FullName></AccountRef>"
        "</SalesOrPurchase></ItemNonInventoryAdd></ItemNonInventoryAddRq>"
    )


def subtotal_add(name: str = "Subtotal", request_id: str = "s") -> str:
    return f'<ItemSubtotalAddRq requestID="{request_id}"><ItemSubtotalAdd><Name>{name}</Name></ItemSubtotalAdd></ItemSubtotalAddRq>'


def discount_add(name: str, rate_xml: str, account: str = "Discounts Given", request_id: str = "d") -> str:
    return (
        f'<ItemDiscountAddRq requestID="{request_id}"><ItemDiscountAdd><Name>{name}</Name>{rate_xml}'
        f"<AccountRef><FullName>{account}</FullName></AccountRef></ItemDiscountAdd></ItemDiscountAddRq>"
    )


def invoice_line(item: str, extra: str = "") -> str:
    return f"<InvoiceLineAdd><ItemRef><FullName>{item}</FullName></ItemRef>{extra}</InvoiceLineAdd>"

"""An in-memory QuickBooks Desktop company file that answers qbXML.

This stands in for QuickBooks behind the Web Connector: the Web Connector simulator hands it
the qbXML our server returned from ``sendRequestXML`` and passes the answer back through
``receiveResponseXML``::

    books = CompanyFile(clock=fixed_clock)
    try:
        response = books.process(request_xml)          # qbXML response document
    except RequestProcessorError as exc:               # QuickBooks could not parse the set:
        hresult, message = exc.hresult, exc.message    # → receiveResponseXML(hresult, message)

or, without exceptions, ``books.process_for_web_connector(xml)`` → ``ProcessResult(response,
hresult, message)`` – exactly the three values ``receiveResponseXML`` carries (docs/web-connector.md §1.6).

Editions (docs/web-connector.md §3.10–§3.13): ``CompanyFile(edition="ca", multi_currency=True,
seed_demo=True)`` is a Canadian file – ``HostRet/Country`` ``CA``, tax codes linked to tax items,
the Canadian rules on writes (:mod:`.editions`, :mod:`.coded_tax`, :mod:`.edition_rules`) – with
the currency list and Canadian Dollar as home currency (:mod:`.currencies`).

The company file is pure: no I/O except reading the qbXML schema, deterministic for a given
``clock``. It can be written to JSON (``to_json``/``from_json``, or ``load_or_create(path)`` +
``save()``) so that a sandbox run in several processes keeps one set of books.
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from lxml import etree

from . import status
from .books import Books, CompanyInfo
from .catalog import LIST_KINDS, TXN_KINDS
from .currencies import home_currency, home_currency_name, seed_currencies
from .edition_rules import with_edition_rules
from .editions import edition_named, edition_of
from .host_info import company_ret, host_handlers, host_ret, preferences_ret
from .list_requests import list_handlers
from .message_set import FaultPlan, process_message_set
from .purchase_txns import purchase_handlers
from .qb_values import amount, dec
from .references import refresh_ref_names
from .request_types import Handler, QueryIterator, Runtime
from .sales_math import DISCOUNT
from .sales_txns import invoice_total, sales_handlers
from .seed import (
    add_class,
    add_customer_message,
    add_sales_rep,
    add_ship_method,
    add_terms,
    seed_demo_company,
)
from .status import RequestProcessorError
from .xml_codec import Record, record_to_element, serialize
from .xsd_model import xsd_model

Clock = Callable[[], datetime]

DEFAULT_COMPANY_NAME = "Demo Promo Co"
DEFAULT_FILE_PATH = "C:\\Users\\Public\\Documents\\Intuit\\QuickBooks\\Company Files\\demo.qbw"
# A QuickBooks Desktop 2023 (US) request processor accepts qbXML 1.0 through 16.0.
DEFAULT_QBXML_VERSIONS: tuple[str, ...] = (
    "1.0", "1.1", "2.0", "2.1", "3.0", "4.0", "4.1", "5.0", "6.0", "7.0",
    "8.0", "9.0", "10.0", "11.0", "12.0", "13.0", "14.0", "15.0", "16.0",
)  # fmt: skip


def _system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ProcessResult:
    """The three values the Web Connector passes to ``receiveResponseXML``."""

    response: str  # qbXML response, "" when the request processor failed
    hresult: str = ""  # e.g. "0x80040400" for a message set that failed to parse
    message: str = ""

    @property
    def ok(self) -> bool:
        return not self.hresult


def _handlers() -> dict[str, Handler]:
    return with_edition_rules(
        {**host_handlers(), **list_handlers(), **sales_handlers(), **purchase_handlers()}
    )


class CompanyFile:
    """A simulated QuickBooks Desktop company file (see module docstring)."""

    def __init__(
        self,
        company_name: str = DEFAULT_COMPANY_NAME,
        file_path: str = DEFAULT_FILE_PATH,
        qbxml_versions: tuple[str, ...] | None = None,
        clock: Clock | None = None,
        *,
        edition: str = "us",
        multi_currency: bool = False,
        home_currency: str | None = None,
        seed_demo: bool = False,
        replay_under_new_id: bool = False,
        class_tracking: bool = False,
    ) -> None:
        """``edition``: "us", "ca" or "uk" (docs/web-connector.md §3.10–§3.12, :mod:`.editions`) –
        the host's Country and ProductName, the sales tax lists ``seed_demo`` adds and the
        edition's rules on writes. ``multi_currency`` turns multi-currency on and seeds the
        currency list; ``home_currency`` (a currency name or ISO code) defaults to the edition's
        (§3.13, :mod:`.currencies`). ``qbxml_versions`` defaults to the edition's product.
        ``class_tracking`` turns on the class tracking preference (``IsUsingClassTracking``, §3.17);
        the lists a document's details name are filled with :meth:`add_terms`, :meth:`add_class`,
        :meth:`add_ship_method`, :meth:`add_customer_message` and :meth:`add_sales_rep`.
        """
        self._clock: Clock = clock or _system_clock
        # Error recovery: is a replayed answer kept again under the replaying set's newMessageSetID?
        # Intuit does not say; a client must be right either way (see ``message_set``).
        self.replay_under_new_id = replay_under_new_id
        preset = edition_named(edition)
        self._books = Books(
            CompanyInfo(
                company_name,
                file_path,
                tuple(qbxml_versions if qbxml_versions is not None else preset.qbxml_versions),
                product_name=preset.product_name,
                major_version=preset.major_version,
                country=preset.country,
                multi_currency=multi_currency,
                home_currency=home_currency_name(preset, home_currency) if home_currency else None,
                class_tracking=class_tracking,
            )
        )
        self._handlers: Mapping[str, Handler] = _handlers()
        self._faults = FaultPlan()
        self._iterators: dict[str, QueryIterator] = {}
        self.path: Path | None = None
        self.autosave = False
        if seed_demo:
            seed_demo_company(self._books, self._clock())
        if multi_currency:
            seed_currencies(self._books, self._clock())

    # -- identity ------------------------------------------------------------------------
    @property
    def company_name(self) -> str:
        return self._books.info.company_name

    @property
    def file_path(self) -> str:
        """The company-file path QuickBooks reports (``authenticate`` may return it,
        docs/web-connector.md §1.4)."""
        return self._books.info.file_path

    @property
    def edition(self) -> str:
        """ "us", "ca" or "uk"."""
        return edition_of(self._books).key

    @property
    def country(self) -> str:
        """``HostRet/Country``, which the Web Connector also sends as ``qbXMLCountry``
        (docs/web-connector.md §3.10)."""
        return self._books.info.country

    @property
    def multi_currency(self) -> bool:
        return self._books.info.multi_currency

    @property
    def home_currency(self) -> str:
        """The home currency's name in the currency list (e.g. "Canadian Dollar")."""
        return home_currency(self._books)

    @property
    def qbxml_versions(self) -> tuple[str, ...]:
        return self._books.info.qbxml_versions

    @property
    def requests_processed(self) -> int:
        """How many ``…Rq`` requests have been processed (replayed error-recovery sets not counted)."""
        return self._books.requests_processed

    @property
    def class_tracking(self) -> bool:
        """``PreferencesRet/AccountingPreferences/IsUsingClassTracking`` (docs/web-connector.md §3.17)."""
        return self._books.info.class_tracking

    @class_tracking.setter
    def class_tracking(self, value: bool) -> None:
        self._books.info.class_tracking = value

    # -- the lists a document's details name (as a bookkeeper would enter them in QuickBooks) ----
    def add_terms(self, name: str, due_days: int | None = None) -> str:
        """A standard terms entry (``StdDueDays``); returns its ListID."""
        return str(add_terms(self._books, self._clock(), name, due_days)["ListID"])

    def add_class(self, name: str) -> str:
        return str(add_class(self._books, self._clock(), name)["ListID"])

    def add_ship_method(self, name: str) -> str:
        return str(add_ship_method(self._books, self._clock(), name)["ListID"])

    def add_customer_message(self, name: str) -> str:
        return str(add_customer_message(self._books, self._clock(), name)["ListID"])

    def add_sales_rep(self, initial: str, person: str) -> str:
        """A sales rep known by ``initial``, standing for the other name ``person`` (added if missing)."""
        return str(add_sales_rep(self._books, self._clock(), initial, person)["ListID"])

    # -- qbXML ------------------------------------------------------------------------------
    def process(self, request_xml: str | bytes) -> str:
        """Process one qbXML message set; returns the qbXML response.

        Raises :class:`RequestProcessorError` (``QbXmlParseError`` for HRESULT 0x80040400) when
        QuickBooks' request processor would fail instead of answering.
        """
        runtime = Runtime(now=self._clock(), iterators=self._iterators)
        response = process_message_set(
            self._books,
            request_xml,
            self._handlers,
            runtime,
            self._faults,
            replay_under_new_id=self.replay_under_new_id,
        )
        if self.autosave and self.path is not None:
            self.save()
        return response

    def process_for_web_connector(self, request_xml: str | bytes) -> ProcessResult:
        """Like :meth:`process`, but a request-processor failure comes back as hresult/message."""
        try:
            return ProcessResult(self.process(request_xml))
        except RequestProcessorError as exc:
            return ProcessResult("", exc.hresult, exc.message)

    def hcp_response(self, owner_ids: list[str] | None = None) -> str:
        """The ``strHCPResponse`` of a session's first ``sendRequestXML``: HostQuery, CompanyQuery
        and PreferencesQuery responses in one qbXML document (docs/web-connector.md §1.5).

        ``owner_ids`` limits the company's private data extensions (e.g. the Web Connector's
        FileID) to those owners; None includes all of them.
        """
        schema = xsd_model()
        root_model = {
            "HostQueryRs": "HostRet",
            "CompanyQueryRs": "CompanyRet",
            "PreferencesQueryRs": "PreferencesRet",
        }
        records = {
            "HostRet": host_ret(self._books),
            "CompanyRet": company_ret(self._books, owner_ids),
            "PreferencesRet": preferences_ret(self._books),
        }
        root = etree.Element("QBXML")
        msgs = etree.SubElement(root, "QBXMLMsgsRs")
        for rs_name, ret_name in root_model.items():
            rs = etree.SubElement(msgs, rs_name)
            rs.set("statusCode", "0")
            rs.set("statusSeverity", "Info")
            rs.set("statusMessage", status.STATUS_OK_MESSAGE)
            rs.append(record_to_element(ret_name, records[ret_name], schema.element(ret_name)))
        return serialize(root)

    def set_company_data_ext(self, owner_id: str, name: str, value: str) -> None:
        """Store a private data extension on the company (the Web Connector's FileID,
        docs/web-connector.md §2)."""
        self._books.company_data_ext.setdefault(owner_id, {})[name] = value

    def set_file_id(self, owner_id: str, file_id: str) -> None:
        self.set_company_data_ext(owner_id, "FileID", file_id)

    # -- fault injection ----------------------------------------------------------------------
    def inject_record_in_use(self, kind: str, times: int = 1, code: int = status.RECORD_IN_USE) -> None:
        """The next ``times`` Add/Mod requests of ``kind`` ("Customer", "Invoice", …) fail with
        ``code`` – one of 3170/3175/3176/3180, the lock family a client should retry
        (docs/web-connector.md §4.1).
        """
        if code not in status.RECORD_IN_USE_FAMILY:
            raise ValueError(f"{code} is not a record-in-use status code {status.RECORD_IN_USE_FAMILY}")
        if kind not in LIST_KINDS and kind not in TXN_KINDS:
            raise ValueError(f"unknown list or transaction type {kind!r}")
        self._faults.record_in_use.setdefault(kind, []).extend([code] * times)

    # -- inspection -----------------------------------------------------------------------------
    def documents(self, kind: str) -> list[Record]:
        """Every record of a list or transaction type, as ``…Ret``-shaped dicts (copies).

        Invoices also carry two derived keys: ``TotalAmount`` (Subtotal + SalesTaxTotal) and
        ``DiscountTotal`` (sum of the discount-item lines).
        """
        if kind in LIST_KINDS:
            records = list(self._books.list_records(kind).values())
            records.sort(key=lambda r: str(r.get("FullName") or r.get("Name", "")).casefold())
        elif kind in TXN_KINDS:
            records = sorted(self._books.txn_records(kind).values(), key=lambda r: int(r["TxnNumber"]))
        else:
            raise ValueError(f"unknown list or transaction type {kind!r}")
        documents = [refresh_ref_names(self._books, copy.deepcopy(r)) for r in records]
        if kind == "Invoice":
            for invoice in documents:
                invoice["TotalAmount"] = amount(invoice_total(invoice))
                invoice["DiscountTotal"] = amount(self._discount_total(invoice))
        return documents

    def _discount_total(self, invoice: Record) -> Decimal:
        total = Decimal(0)
        for line in invoice.get("InvoiceLineRet", []):
            found = self._books.find_list_id(str((line.get("ItemRef") or {}).get("ListID", "")))
            if found and found[0] == DISCOUNT:
                total += dec(str(line.get("Amount", "0")))
        return total

    def find(self, kind: str, **criteria: Any) -> list[Record]:
        """Records of ``kind`` whose fields equal ``criteria``; ``__`` reaches into nested
        elements: ``find("Invoice", RefNumber="A7102", CustomerRef__FullName="Acme")``."""

        def matches(record: Record) -> bool:
            for key, wanted in criteria.items():
                value: Any = record
                for part in key.split("__"):
                    value = value.get(part) if isinstance(value, dict) else None
                if value != wanted:
                    return False
            return True

        return [r for r in self.documents(kind) if matches(r)]

    def get(self, kind: str, record_id: str) -> Record | None:
        """One record by ListID/TxnID."""
        key = "ListID" if kind in LIST_KINDS else "TxnID"
        found = self.find(kind, **{key: record_id})
        return found[0] if found else None

    # -- persistence ----------------------------------------------------------------------------
    def to_json(self) -> str:
        return json.dumps(self._books.to_dict(), indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str, clock: Clock | None = None) -> CompanyFile:
        books = Books.from_dict(json.loads(text))
        company = cls(books.info.company_name, books.info.file_path, books.info.qbxml_versions, clock)
        company._books = books
        return company

    @classmethod
    def load_or_create(
        cls, path: str | os.PathLike[str], *, autosave: bool = True, **kwargs: Any
    ) -> CompanyFile:
        """Open the JSON company file at ``path``, or create one (``kwargs`` go to the constructor).

        With ``autosave`` every processed message set is written back, so several processes
        running the simulated Web Connector one after another share the same books.
        """
        target = Path(path)
        if target.exists():
            company = cls.from_json(target.read_text(encoding="utf-8"), kwargs.get("clock"))
        else:
            company = cls(**kwargs)
        company.path = target
        company.autosave = autosave
        if not target.exists():
            company.save()
        return company

    def save(self, path: str | os.PathLike[str] | None = None) -> None:
        """Write the company file atomically (temp file + rename) to ``path`` or ``self.path``."""
        target = Path(path) if path is not None else self.path
        if target is None:
            raise ValueError("no path: pass one or use CompanyFile.load_or_create(path)")
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(prefix=target.name, suffix=".tmp", dir=target.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(self.to_json())
        os.replace(temp_name, target)

"""The persistent state of a simulated company file, and how it is written to JSON.

Records are stored in their ``…Ret`` shape (see :mod:`.xml_codec`), keyed by ListID/TxnID.
Everything here is plain data so that ``to_json``/``from_json`` round-trip exactly.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .xml_codec import Record

JSON_FORMAT = "qb-sandbox-desktop-company/1"

# Desktop ListIDs look like "80000001-1700000000": a hex sequence that starts at 0x80000001,
# a dash, and the creation time in epoch seconds. TxnIDs/TxnLineIDs use an unpadded hex
# sequence with the same suffix (e.g. "1B6-1197762153").
FIRST_LIST_SEQUENCE = 0x80000001
FIRST_TXN_SEQUENCE = 0x10


@dataclass
class IdMint:
    list_sequence: int = FIRST_LIST_SEQUENCE
    txn_sequence: int = FIRST_TXN_SEQUENCE
    txn_number: int = 1
    last_edit_sequence: int = 0
    iterator_sequence: int = 1

    def list_id(self, now: datetime) -> str:
        value = f"{self.list_sequence:08X}-{int(now.timestamp())}"
        self.list_sequence += 1
        return value

    def txn_id(self, now: datetime) -> str:
        value = f"{self.txn_sequence:X}-{int(now.timestamp())}"
        self.txn_sequence += 1
        return value

    def next_txn_number(self) -> int:
        value = self.txn_number
        self.txn_number += 1
        return value

    def edit_sequence(self, now: datetime) -> str:
        # Desktop uses a timestamp-like number; it must still change on two edits in one second.
        value = max(int(now.timestamp()), self.last_edit_sequence + 1)
        self.last_edit_sequence = value
        return str(value)

    def iterator_id(self) -> str:
        value = f"{{{self.iterator_sequence:08x}-0000-4000-8000-{self.iterator_sequence:012x}}}"
        self.iterator_sequence += 1
        return value


@dataclass
class CompanyInfo:
    company_name: str
    file_path: str
    qbxml_versions: tuple[str, ...]
    product_name: str = "QuickBooks Pro 2023"
    major_version: str = "33"
    minor_version: str = "0"
    country: str = "US"
    legal_name: str | None = None
    # Sales tax preferences; None = sales tax is turned off in this company file.
    sales_tax: dict[str, str] | None = None
    multi_currency: bool = False
    # The currency list's Name of the home currency (docs/web-connector.md §3.13); None: the
    # edition's own (US Dollar, Canadian Dollar, British Pound Sterling).
    home_currency: str | None = None
    # AccountingPreferences/IsUsingClassTracking (docs/web-connector.md §3.17): off in a new file.
    class_tracking: bool = False


@dataclass
class StoredMessageSet:
    """What error recovery keeps for a message set sent with ``newMessageSetID``."""

    response_xml: str
    status_code: int


@dataclass
class Books:
    info: CompanyInfo
    mint: IdMint = field(default_factory=IdMint)
    lists: dict[str, dict[str, Record]] = field(default_factory=dict)
    txns: dict[str, dict[str, Record]] = field(default_factory=dict)
    # (OwnerID, DataExtName) → value; the Web Connector stores its FileID here (docs/web-connector.md §2).
    company_data_ext: dict[str, dict[str, str]] = field(default_factory=dict)
    # Error recovery keeps the answer of the last set sent with a newMessageSetID: one entry at most.
    message_sets: dict[str, StoredMessageSet] = field(default_factory=dict)
    requests_processed: int = 0

    # -- lookups ---------------------------------------------------------------------------
    def list_records(self, kind: str) -> dict[str, Record]:
        return self.lists.setdefault(kind, {})

    def txn_records(self, kind: str) -> dict[str, Record]:
        return self.txns.setdefault(kind, {})

    def find_list_id(self, list_id: str) -> tuple[str, Record] | None:
        for kind, records in self.lists.items():
            record = records.get(list_id)
            if record is not None:
                return kind, record
        return None

    def find_txn_id(self, txn_id: str) -> tuple[str, Record] | None:
        for kind, records in self.txns.items():
            record = records.get(txn_id)
            if record is not None:
                return kind, record
        return None

    # -- persistence ------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        info = self.info
        return {
            "format": JSON_FORMAT,
            "info": {
                "company_name": info.company_name,
                "file_path": info.file_path,
                "qbxml_versions": list(info.qbxml_versions),
                "product_name": info.product_name,
                "major_version": info.major_version,
                "minor_version": info.minor_version,
                "country": info.country,
                "legal_name": info.legal_name,
                "sales_tax": info.sales_tax,
                "multi_currency": info.multi_currency,
                "home_currency": info.home_currency,
                "class_tracking": info.class_tracking,
            },
            "mint": {
                "list_sequence": self.mint.list_sequence,
                "txn_sequence": self.mint.txn_sequence,
                "txn_number": self.mint.txn_number,
                "last_edit_sequence": self.mint.last_edit_sequence,
                "iterator_sequence": self.mint.iterator_sequence,
            },
            "lists": copy.deepcopy(self.lists),
            "txns": copy.deepcopy(self.txns),
            "company_data_ext": copy.deepcopy(self.company_data_ext),
            "message_sets": {
                key: {"response_xml": value.response_xml, "status_code": value.status_code}
                for key, value in self.message_sets.items()
            },
            "requests_processed": self.requests_processed,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Books:
        if data.get("format") != JSON_FORMAT:
            raise ValueError(f"not a simulated company file (format {data.get('format')!r})")
        raw_info = data["info"]
        info = CompanyInfo(
            company_name=raw_info["company_name"],
            file_path=raw_info["file_path"],
            qbxml_versions=tuple(raw_info["qbxml_versions"]),
            product_name=raw_info["product_name"],
            major_version=raw_info["major_version"],
            minor_version=raw_info["minor_version"],
            country=raw_info["country"],
            legal_name=raw_info.get("legal_name"),
            sales_tax=raw_info.get("sales_tax"),
            multi_currency=bool(raw_info.get("multi_currency", False)),
            home_currency=raw_info.get("home_currency"),
            class_tracking=bool(raw_info.get("class_tracking", False)),
        )
        return cls(
            info=info,
            mint=IdMint(**data["mint"]),
            lists=copy.deepcopy(data["lists"]),
            txns=copy.deepcopy(data["txns"]),
            company_data_ext=copy.deepcopy(data.get("company_data_ext", {})),
            message_sets={
                key: StoredMessageSet(value["response_xml"], int(value["status_code"]))
                for key, value in data.get("message_sets", {}).items()
            },
            requests_processed=int(data.get("requests_processed", 0)),
        )

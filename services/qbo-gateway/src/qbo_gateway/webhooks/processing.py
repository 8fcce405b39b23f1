"""Applying Intuit's change notices to what we know: a mapped invoice that was paid, voided or deleted
in QuickBooks says so on its mapping (``qb_status``), and the audit log records the change.

A notice says only *that* a record changed (docs/quickbooks-online.md §2.13), so nothing is recorded
on its word: the record is read from QBO first. An invoice's state: balance 0 → ``paid``, less than
the total → ``partially_paid``, else ``open``. A payment that changed may have paid one of our
invoices, so the invoices it applies to are read as well. A notice of a delete, void or merge is
recorded only when QuickBooks confirms it: the record is gone (``deleted``; ``merged`` for a merge),
or it is still there voided — QBO keeps a voided transaction with zero amounts and "Voided" as its
private note (``voided``). Notices arrive late, twice or out of order; reading the current state
makes each one safe to apply again.

A change to the company's settings, tax codes, currencies or reference lists (``Preferences``, ``TaxCode``,
``TaxRate``, ``TaxAgency``, ``Currency``, ``CompanyCurrency``, ``Term``, ``Class``, ``Department``;
docs/quickbooks-online.md §6.2, §7) has the company read
again (``qbo_gateway.company``), once per company however many such notices came together.

A document voided or deleted behind a job that says it was sent is what a bookkeeper must hear
about: the job gets a warning and the ``voided`` / ``deleted`` flag, and the admins a notification
(``espqb.jobs.flags``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from espqb.audit import record_audit
from espqb.config import Settings
from espqb.db import Database
from espqb.db.models import JobStatus, Mapping
from espqb.db.types import utcnow
from espqb.jobs.flags import Flag, raise_flag
from qbo_gateway.client import ObjectNotFound, QboClient
from qbo_gateway.company import CompanyProfiles
from qbo_gateway.webhooks import repository
from qbo_gateway.webhooks.payloads import ChangeNotice

__all__ = ["Change", "ChangeProcessor", "invoice_status", "is_about_the_company", "is_voided"]

log = structlog.get_logger(__name__)

ACTOR = "intuit"
MAPPING_KINDS = {
    "Invoice": "invoice",
    "Payment": "payment",
    "Bill": "bill",
    "PurchaseOrder": "purchase_order",
    "Customer": "customer",
    "Vendor": "vendor",
    "Item": "item",
}
_RECORDED = ("Delete", "Void", "Merge")  # recorded only as QuickBooks confirms them
_NAME_LISTS = ("customer", "vendor", "item")
# Entities whose change alters what the plan knows about the company (its edition, tax codes, currencies),
# compared case-folded: CloudEvents spells entities in lower case, and TaxCode/TaxRate are not in the
# webhook entity table Intuit documents (docs/quickbooks-online.md §6.2), so their spelling is not known.
COMPANY_ENTITIES = frozenset(
    e.casefold()
    for e in (
        "Preferences",
        "TaxCode",
        "TaxRate",
        "TaxAgency",
        "Currency",
        "CompanyCurrency",
        # The lists documents name (the plan links the entries it knows, docs/quickbooks-online.md §7).
        "Term",
        "Class",
        "Department",
    )
)
_GONE: dict[str, Flag] = {"voided": "voided", "deleted": "deleted"}
_DOCUMENTS = {"invoice": "Invoice", "payment": "Payment", "bill": "Bill", "purchase_order": "Purchase order"}


def is_voided(entity: dict[str, Any]) -> bool:
    """QBO keeps a voided transaction: its amounts are zero and its private note says "Voided"."""
    return str(entity.get("PrivateNote") or "").strip().casefold() == "voided"


def _version(entity: dict[str, Any]) -> str | None:
    return str(entity["SyncToken"]) if entity.get("SyncToken") is not None else None


def is_about_the_company(notice: ChangeNotice) -> bool:
    """A change to the company's settings, tax codes, currencies or lists: the company is read again."""
    return notice.entity.casefold() in COMPANY_ENTITIES


def invoice_status(invoice: dict[str, Any]) -> str:
    """paid / partially_paid / open, from the invoice QBO holds now."""
    total = Decimal(str(invoice.get("TotalAmt", "0")))
    balance = Decimal(str(invoice.get("Balance", total)))
    if total > 0 and balance <= 0:
        return "paid"
    if balance < total:
        return "partially_paid"
    return "open"


@dataclass(frozen=True, slots=True)
class Change:
    """What QuickBooks shows now of one of our records, to be written on its mapping."""

    kind: str  # the mapping's kind: "invoice", "customer", …
    qb_id: str
    status: str
    version: str | None  # the record's SyncToken; None when it is gone


class ChangeProcessor:
    """Applies a notice in two steps: ``read`` asks QuickBooks (no transaction open meanwhile) and
    ``write`` records what it shows, in the caller's transaction — so a stored notice is marked applied
    in the same transaction as its effects (``qbo_gateway.webhooks.notices``)."""

    def __init__(
        self, db: Database, client: QboClient, *, settings: Settings, profiles: CompanyProfiles | None = None
    ) -> None:
        self.db = db
        self.client = client
        self.settings = settings
        self.profiles = profiles or CompanyProfiles(db, client)

    async def process(self, notices: list[ChangeNotice], companies: dict[str, str]) -> None:
        """Applies notices that are not stored (``companies``: realm → company). One notice failing
        never stops the others."""
        reread: list[str] = []
        for notice in notices:
            company_id = companies.get(notice.realm_id)
            if company_id is None:
                continue
            if is_about_the_company(notice):
                if company_id not in reread:
                    reread.append(company_id)
                continue
            try:
                changes = await self.read(company_id, notice)
                async with self.db.transaction() as session:
                    await self.write(session, company_id, notice, changes)
            except Exception:
                log.exception(
                    "qbo webhook notice not applied",
                    company=company_id,
                    entity=notice.entity,
                    entity_id=notice.entity_id,
                    operation=notice.operation,
                )
        for company_id in reread:
            await self.profiles.refresh_quietly(company_id, actor=ACTOR)

    async def read(self, company_id: str, notice: ChangeNotice) -> list[Change]:
        """What QuickBooks shows now of the records of ours the notice is about (none: nothing to do).
        Raises what the client raises."""
        kind = MAPPING_KINDS.get(notice.entity)
        if kind is None:
            return []
        changes: list[Change] = []
        if notice.entity == "Payment" and notice.operation in ("Create", "Update"):
            for invoice_id in await self._invoices_paid_by(company_id, notice.entity_id):
                changes += await self._invoice_now(company_id, invoice_id)
        if notice.operation in _RECORDED:
            changes += await self._confirm(company_id, kind, notice)
        elif notice.entity == "Invoice":
            changes += await self._invoice_now(company_id, notice.entity_id)
        return changes

    async def write(
        self, session: AsyncSession, company_id: str, notice: ChangeNotice, changes: list[Change]
    ) -> None:
        """Records ``changes`` on their mappings; a status a mapping already has is not recorded again,
        so writing the same changes twice changes nothing more."""
        for change in changes:
            await self._record(session, company_id, notice, change)

    async def _is_ours(self, company_id: str, kind: str, qb_id: str) -> bool:
        async with self.db.transaction() as session:
            return await repository.mapping_of(session, company_id, kind, qb_id) is not None

    async def _confirm(self, company_id: str, kind: str, notice: ChangeNotice) -> list[Change]:
        """A delete, void or merge: recorded as QuickBooks shows the record now, never on the notice's word."""
        if not await self._is_ours(company_id, kind, notice.entity_id):
            return []  # not one of ours: nothing to read
        entity = await self._read(company_id, notice.entity, notice.entity_id)
        qb_id = notice.entity_id
        if entity is None:
            status = "merged" if notice.operation == "Merge" else "deleted"
            return [Change(kind, qb_id, status, None)]
        if is_voided(entity):
            return [Change(kind, qb_id, "voided", _version(entity))]
        if notice.operation != "Void" and kind in _NAME_LISTS and entity.get("Active") is False:
            # A customer, vendor or item is never deleted, only made inactive (docs/quickbooks-online.md
            # §2.1); one merged into another is left inactive as well.
            status = "merged" if notice.operation == "Merge" else "deleted"
            return [Change(kind, qb_id, status, _version(entity))]
        if notice.entity == "Invoice":
            # QuickBooks does not show what the notice said (it was undone, or the notice is stale).
            return [Change(kind, qb_id, invoice_status(entity), _version(entity))]
        log.info(
            "qbo webhook notice not confirmed by QuickBooks",
            company=company_id,
            entity=notice.entity,
            entity_id=notice.entity_id,
            operation=notice.operation,
        )
        return []

    async def _read(self, company_id: str, entity: str, entity_id: str) -> dict[str, Any] | None:
        """The record as QBO holds it now; None when it is gone (deleted, or merged away)."""
        try:
            found = await self.client.read(company_id, entity, entity_id)
        except ObjectNotFound:
            return None
        return None if found.get("status") == "Deleted" else found

    async def _invoices_paid_by(self, company_id: str, payment_id: str) -> list[str]:
        try:
            payment = await self.client.read(company_id, "Payment", payment_id)
        except ObjectNotFound:
            return []
        return [
            str(link.get("TxnId"))
            for line in payment.get("Line") or []
            for link in line.get("LinkedTxn") or []
            if link.get("TxnType") == "Invoice"
        ]

    async def _invoice_now(self, company_id: str, invoice_id: str) -> list[Change]:
        if not await self._is_ours(company_id, "invoice", invoice_id):
            return []  # not one of ours: nothing to read
        invoice = await self._read(company_id, "Invoice", invoice_id)
        if invoice is None:
            return [Change("invoice", invoice_id, "deleted", None)]
        status = "voided" if is_voided(invoice) else invoice_status(invoice)
        return [Change("invoice", invoice_id, status, _version(invoice))]

    async def _record(
        self, session: AsyncSession, company_id: str, notice: ChangeNotice, change: Change
    ) -> None:
        kind, qb_id, status, version = change.kind, change.qb_id, change.status, change.version
        mapping = await repository.mapping_of(session, company_id, kind, qb_id)
        if mapping is None:
            return
        changed_status = mapping.qb_status != status
        if version is not None:
            # Intuit moved the record on: the next update must send this SyncToken
            # (docs/quickbooks-online.md §2.9).
            mapping.qb_version = version
        if not changed_status:
            return
        previous = mapping.qb_status
        mapping.qb_status = status
        mapping.updated_at = utcnow()
        await record_audit(
            session,
            company_id,
            ACTOR,
            f"qbo.{kind}.{status}",
            f"QuickBooks Online {kind.replace('_', ' ')} {qb_id} ({mapping.qb_ref_number or mapping.esp_key}) is now {status.replace('_', ' ')}",
            {
                "qb_id": qb_id,
                "esp_key": mapping.esp_key,
                "order_number": mapping.order_number,
                "previous_status": previous,
                "status": status,
                "notice": {
                    "entity": notice.entity,
                    "entity_id": notice.entity_id,
                    "operation": notice.operation,
                },
            },
        )
        if kind in _DOCUMENTS and (gone := _GONE.get(status)) is not None:
            await self._surface(session, company_id, mapping, gone)

    async def _surface(self, session: AsyncSession, company_id: str, mapping: Mapping, status: Flag) -> None:
        """The job that sent the document says it was sent: it gets a warning and a flag, the admins
        a notification."""
        job = await repository.job_that_wrote(session, company_id, mapping)
        if job is None or job.status not in (JobStatus.SUCCEEDED, JobStatus.PARTIALLY_SUCCEEDED):
            return
        number = mapping.qb_ref_number or mapping.order_number or mapping.esp_key
        warning = (
            f"{_DOCUMENTS[mapping.kind]} {number} (QuickBooks Online Id {mapping.qb_id}) was {status} in "
            "QuickBooks Online after this job sent it."
        )
        await raise_flag(session, job, status, [warning], settings=self.settings)

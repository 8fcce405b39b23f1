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

__all__ = ["ChangeProcessor", "invoice_status", "is_voided"]

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


def invoice_status(invoice: dict[str, Any]) -> str:
    """paid / partially_paid / open, from the invoice QBO holds now."""
    total = Decimal(str(invoice.get("TotalAmt", "0")))
    balance = Decimal(str(invoice.get("Balance", total)))
    if total > 0 and balance <= 0:
        return "paid"
    if balance < total:
        return "partially_paid"
    return "open"


class ChangeProcessor:
    def __init__(
        self, db: Database, client: QboClient, *, settings: Settings, profiles: CompanyProfiles | None = None
    ) -> None:
        self.db = db
        self.client = client
        self.settings = settings
        self.profiles = profiles or CompanyProfiles(db, client)

    async def process(self, notices: list[ChangeNotice], companies: dict[str, str]) -> None:
        """``companies``: realm → company. One notice failing never stops the others."""
        reread: list[str] = []
        for notice in notices:
            company_id = companies.get(notice.realm_id)
            if company_id is None:
                continue
            if notice.entity.casefold() in COMPANY_ENTITIES:
                if company_id not in reread:
                    reread.append(company_id)
                continue
            try:
                await self._apply(company_id, notice)
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

    async def _apply(self, company_id: str, notice: ChangeNotice) -> None:
        kind = MAPPING_KINDS.get(notice.entity)
        if kind is None:
            return
        if notice.entity == "Payment" and notice.operation in ("Create", "Update"):
            for invoice_id in await self._invoices_paid_by(company_id, notice.entity_id):
                await self._refresh_invoice(company_id, invoice_id, notice)
        if notice.operation in _RECORDED:
            await self._confirm(company_id, kind, notice)
        elif notice.entity == "Invoice":
            await self._refresh_invoice(company_id, notice.entity_id, notice)

    async def _confirm(self, company_id: str, kind: str, notice: ChangeNotice) -> None:
        """A delete, void or merge: recorded as QuickBooks shows the record now, never on the notice's word."""
        async with self.db.transaction() as session:
            if await repository.mapping_of(session, company_id, kind, notice.entity_id) is None:
                return  # not one of ours: nothing to read
        entity = await self._read(company_id, notice.entity, notice.entity_id)
        if entity is None:
            status = "merged" if notice.operation == "Merge" else "deleted"
            await self._record(company_id, kind, notice, status, version=None)
        elif is_voided(entity):
            await self._record(company_id, kind, notice, "voided", version=_version(entity))
        elif notice.operation != "Void" and kind in _NAME_LISTS and entity.get("Active") is False:
            # A customer, vendor or item is never deleted, only made inactive (docs/quickbooks-online.md
            # §2.1); one merged into another is left inactive as well.
            status = "merged" if notice.operation == "Merge" else "deleted"
            await self._record(company_id, kind, notice, status, version=_version(entity))
        elif notice.entity == "Invoice":
            # QuickBooks does not show what the notice said (it was undone, or the notice is stale).
            await self._record(company_id, kind, notice, invoice_status(entity), version=_version(entity))
        else:
            log.info(
                "qbo webhook notice not confirmed by QuickBooks",
                company=company_id,
                entity=notice.entity,
                entity_id=notice.entity_id,
                operation=notice.operation,
            )

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

    async def _refresh_invoice(self, company_id: str, invoice_id: str, notice: ChangeNotice) -> None:
        async with self.db.transaction() as session:
            if await repository.mapping_of(session, company_id, "invoice", invoice_id) is None:
                return  # not one of ours: nothing to read
        invoice = await self._read(company_id, "Invoice", invoice_id)
        if invoice is None:
            status, version = "deleted", None
        else:
            status = "voided" if is_voided(invoice) else invoice_status(invoice)
            version = _version(invoice)
        await self._record(company_id, "invoice", notice, status, version=version, qb_id=invoice_id)

    async def _record(
        self,
        company_id: str,
        kind: str,
        notice: ChangeNotice,
        status: str,
        *,
        version: str | None,
        qb_id: str | None = None,
    ) -> None:
        qb_id = qb_id or notice.entity_id
        async with self.db.transaction() as session:
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

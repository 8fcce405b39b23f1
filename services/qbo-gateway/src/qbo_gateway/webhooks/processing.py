"""Applying Intuit's change notices to what we know: a mapped invoice that was paid, voided or deleted
in QuickBooks says so on its mapping (``qb_status``), and the audit log records the change.

A notice says only *that* a record changed (docs/quickbooks-online.md §2.13), so an invoice's new state is
read from QBO: balance 0 → ``paid``, less than the total → ``partially_paid``, else ``open``. A payment that
changed may have paid one of our invoices, so the invoices it applies to are read as well. Deletes,
voids and merges of any mapped record are recorded as such. Notices arrive late, twice or out of
order; reading the current state makes each one safe to apply again.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import structlog

from espqb.audit import record_audit
from espqb.db import Database
from espqb.db.types import utcnow
from qbo_gateway.client import ObjectNotFound, QboClient, QboFault
from qbo_gateway.webhooks import repository
from qbo_gateway.webhooks.payloads import ChangeNotice

__all__ = ["ChangeProcessor", "invoice_status"]

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
_RECORDED = {"Delete": "deleted", "Void": "voided", "Merge": "merged"}


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
    def __init__(self, db: Database, client: QboClient) -> None:
        self.db = db
        self.client = client

    async def process(self, notices: list[ChangeNotice], companies: dict[str, str]) -> None:
        """``companies``: realm → company. One notice failing never stops the others."""
        for notice in notices:
            company_id = companies.get(notice.realm_id)
            if company_id is None:
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

    async def _apply(self, company_id: str, notice: ChangeNotice) -> None:
        kind = MAPPING_KINDS.get(notice.entity)
        if kind is None:
            return
        if notice.entity == "Payment" and notice.operation in ("Create", "Update"):
            for invoice_id in await self._invoices_paid_by(company_id, notice.entity_id):
                await self._refresh_invoice(company_id, invoice_id, notice)
        if notice.operation in _RECORDED:
            await self._record(company_id, kind, notice, _RECORDED[notice.operation], version=None)
        elif notice.entity == "Invoice":
            await self._refresh_invoice(company_id, notice.entity_id, notice)

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
        try:
            invoice = await self.client.read(company_id, "Invoice", invoice_id)
        except ObjectNotFound:
            status, version = "deleted", None
        except QboFault:
            raise
        else:
            status, version = invoice_status(invoice), str(invoice.get("SyncToken"))
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

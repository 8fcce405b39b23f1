"""Payment (receive payment), applied to the invoice through a line ``LinkedTxn``
(docs/quickbooks-online.md §2.3).

The whole amount is applied to this order's invoice, so nothing is left unapplied. Without a
``DepositToAccountRef`` QBO deposits to Undeposited Funds, which is what a bookkeeper expects of a
payment not yet banked. The payment is in the invoice's currency (``CurrencyRef``, with the order's
``ExchangeRate`` when it fixes one): a field report has a payment without them booked at rate 1
(docs/quickbooks-online.md §6.7).
"""

from __future__ import annotations

from typing import Any

from espqb.plan.model import PaymentOp
from qbo_gateway.encoder.common import compact, iso_date
from qbo_gateway.encoder.context import EncodeContext, ref

__all__ = ["encode_payment"]


def encode_payment(op: PaymentOp, context: EncodeContext) -> dict[str, Any]:
    return compact(
        {
            "CustomerRef": ref(context.id_of(op.customer_key)),
            "TotalAmt": op.amount,
            "TxnDate": iso_date(op.txn_date),
            "CurrencyRef": ref(op.currency) if op.currency else None,
            "ExchangeRate": op.exchange_rate,
            "PaymentRefNum": op.reference,
            "PrivateNote": op.memo,
            "ARAccountRef": context.account(op.ar_account) if op.ar_account else None,
            "Line": [
                {
                    "Amount": op.amount,
                    "LinkedTxn": [{"TxnId": context.id_of(op.invoice_key), "TxnType": "Invoice"}],
                }
            ],
        }
    )

"""Telling a company's admins that something needs them (re-authorise QuickBooks Online, …).

`notify_company_admins` writes to the outbox inside the caller's transaction; `deliver_due` sends
what is due (signed webhook to ESP, e-mail over SMTP) and retries with backoff. The webhook
signature scheme, for ESP's receiver, is described in `espqb.notifications.signing`.
"""

from espqb.notifications.delivery import DeliveryPolicy, DeliveryReport, deliver_due
from espqb.notifications.outbox import notify_company_admins
from espqb.notifications.signing import signature_header, verify_signature

__all__ = [
    "DeliveryPolicy",
    "DeliveryReport",
    "deliver_due",
    "notify_company_admins",
    "signature_header",
    "verify_signature",
]

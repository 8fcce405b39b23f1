"""Intuit's webhooks: signature check, both payload formats, and what a change means for our mappings.

``router`` serves ``POST /v1/qbo/webhooks``, which stores the notices before its 200
(``qbo_gateway.webhooks.notices``: applied by the receiving process right after the answer, or by the
scheduler's ``drain_notices`` when that process died first); ``ChangeProcessor`` applies notices (also
usable unstored, e.g. by a CDC catch-up later).
"""

from qbo_gateway.webhooks.endpoints import router
from qbo_gateway.webhooks.payloads import ChangeNotice, MalformedNotification, parse_notifications
from qbo_gateway.webhooks.processing import ChangeProcessor, invoice_status
from qbo_gateway.webhooks.signature import SIGNATURE_HEADER, is_signed_by_intuit, sign

__all__ = [
    "SIGNATURE_HEADER",
    "ChangeNotice",
    "ChangeProcessor",
    "MalformedNotification",
    "invoice_status",
    "is_signed_by_intuit",
    "parse_notifications",
    "router",
    "sign",
]

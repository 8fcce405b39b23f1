"""The two ways a notification leaves: a signed webhook POST to ESP, and an e-mail over SMTP.

Each returns None when the message was accepted, or a `Failure` (the reason in words, and whether
trying again could help). Neither ever puts a secret into that reason.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import aiosmtplib
import httpx

from espqb.config import Settings
from espqb.db.models import Notification
from espqb.notifications.signing import DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signature_header

USER_AGENT = "esp-quickbooks-notifications/1"


@dataclass(frozen=True)
class Failure:
    reason: str
    permanent: bool = False  # e.g. the mail server said the mailbox does not exist (5xx)


def webhook_body(notification: Notification) -> bytes:
    document: dict[str, Any] = {
        "id": notification.id,
        "event": notification.kind,
        "company_id": notification.company_id,
        "created_at": notification.created_at.isoformat(),
        "subject": notification.subject,
        "message": notification.body,
        "data": notification.payload or {},
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


async def post_webhook(
    http: httpx.AsyncClient,
    notification: Notification,
    *,
    secret: str,
    timeout_seconds: float,
    timestamp: int | None = None,
) -> Failure | None:
    url = notification.recipient
    if not url:
        return Failure("the notification has no webhook URL")
    body = webhook_body(notification)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        EVENT_HEADER: notification.kind,
        DELIVERY_HEADER: str(notification.id),
        # The signature's time is the sending time, not the event's: a retry hours later must
        # still pass the receiver's five-minute freshness check (signing.py).
        SIGNATURE_HEADER: signature_header(
            secret, body, int(time.time()) if timestamp is None else timestamp
        ),
    }
    try:
        response = await http.post(url, content=body, headers=headers, timeout=timeout_seconds)
    except httpx.TimeoutException:
        return Failure(f"the webhook did not answer within {timeout_seconds:g} s")
    except httpx.HTTPError as exc:
        return Failure(f"the webhook could not be reached ({type(exc).__name__})")
    if 200 <= response.status_code < 300:
        return None
    return Failure(f"the webhook answered HTTP {response.status_code}")


def email_message(notification: Notification, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = notification.recipient or ""
    message["Subject"] = notification.subject
    message["X-ESPQB-Event"] = notification.kind
    message.set_content(notification.body)
    return message


async def send_email(
    notification: Notification, settings: Settings, *, timeout_seconds: float
) -> Failure | None:
    if not settings.smtp_host:
        return Failure("e-mail is not configured (SMTP_HOST is not set)")
    if not notification.recipient:
        return Failure("the notification has no e-mail address")
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    try:
        await aiosmtplib.send(
            email_message(notification, settings.smtp_from),
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=password,
            start_tls=settings.smtp_starttls,
            timeout=timeout_seconds,
        )
    except aiosmtplib.SMTPRecipientsRefused:
        return Failure(f"the mail server refused the address {notification.recipient}", permanent=True)
    except aiosmtplib.SMTPResponseException as exc:
        # 5xx is the server's final word on this message; 4xx means "try again later" (RFC 5321 §4.2.1).
        return Failure(f"the mail server answered {exc.code}", permanent=500 <= exc.code < 600)
    except (aiosmtplib.SMTPException, OSError) as exc:
        return Failure(f"the mail server could not be reached ({type(exc).__name__})")
    return None

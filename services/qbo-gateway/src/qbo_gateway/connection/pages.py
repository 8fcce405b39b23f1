"""The plain HTML pages a browser lands on after Intuit's sign-in (the OAuth callback).

Each page says what happened and what to do next, in words; nothing on them comes from the
request without being escaped. They are served with `no-store` (docs/quickbooks-online.md §1.6: no caching of
sensitive pages) and no referrer, because the callback URL carries the authorisation code.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
}

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#222;line-height:1.45}"
    "h1{font-size:1.4rem}.ok h1{color:#2ca01c}.problem h1{color:#b42318}code{background:#f2f2f2;padding:0 .2rem}"
)

BACK_TO_ESP = "You can close this window and go back to ESP."
START_AGAIN = "Go back to ESP (Admin → Integrations → QuickBooks Online) and press Connect again."


@dataclass(frozen=True)
class Page:
    status_code: int
    html: str


def _page(status_code: int, outcome: str, page_class: str, title: str, paragraphs: list[str]) -> Page:
    body = "\n".join(f"  <p>{p}</p>" for p in paragraphs)
    html = f"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="robots" content="noindex"><title>{escape(title)}</title><style>{_STYLE}</style></head>
<body class="{page_class}" data-outcome="{escape(outcome)}">
  <h1 id="title">{escape(title)}</h1>
{body}
</body>
</html>
"""
    return Page(status_code, html)


def connected(company_name: str | None, realm_id: str, released_jobs: int) -> Page:
    books = (
        f'<strong id="company-name">{escape(company_name)}</strong>'
        if company_name
        else "your QuickBooks company"
    )
    paragraphs = [f"ESP is now connected to {books} (QuickBooks company <code>{escape(realm_id)}</code>)."]
    if released_jobs:
        paragraphs.append(
            f"{released_jobs} order send{'s that were' if released_jobs != 1 else ' that was'} waiting for the "
            "connection continue now."
        )
    paragraphs.append(BACK_TO_ESP)
    return _page(200, "connected", "ok", "Connected to QuickBooks Online", paragraphs)


def state_missing() -> Page:
    return _page(
        400,
        "state-missing",
        "problem",
        "This sign-in cannot be used",
        [
            "The answer from Intuit did not say which ESP sign-in it belongs to, so nothing was connected.",
            START_AGAIN,
        ],
    )


def state_unknown() -> Page:
    return _page(
        400,
        "state-unknown",
        "problem",
        "This sign-in was not started by ESP",
        [
            "The link back from Intuit does not match a sign-in started from ESP, so nothing was connected.",
            START_AGAIN,
        ],
    )


def state_expired() -> Page:
    return _page(
        400,
        "state-expired",
        "problem",
        "This sign-in took too long",
        [
            "A sign-in to QuickBooks must be completed within 10 minutes of starting it; nothing was connected.",
            START_AGAIN,
        ],
    )


def state_used() -> Page:
    return _page(
        400,
        "state-used",
        "problem",
        "This sign-in link was already used",
        [
            "Each sign-in can be completed only once, and this one already was. If you just connected, the "
            "connection is in place: check Admin → Integrations → QuickBooks Online in ESP.",
            "Otherwise " + START_AGAIN[0].lower() + START_AGAIN[1:],
        ],
    )


def access_denied() -> Page:
    return _page(
        400,
        "access-denied",
        "problem",
        "QuickBooks Online was not connected",
        [
            "The sign-in at Intuit was cancelled, so ESP was not given access and nothing changed.",
            START_AGAIN,
        ],
    )


def intuit_error(error: str, description: str | None) -> Page:
    detail = f"{escape(error)}" + (f": {escape(description)}" if description else "")
    return _page(
        400,
        "intuit-error",
        "problem",
        "Intuit did not authorise the connection",
        [f"Intuit answered <code>{detail}</code>; nothing was connected.", START_AGAIN],
    )


def incomplete_answer() -> Page:
    return _page(
        400,
        "incomplete",
        "problem",
        "The answer from Intuit is incomplete",
        [
            "It lacks the authorisation code or the QuickBooks company, so nothing was connected. Make sure "
            "you choose a QuickBooks Online company when Intuit asks.",
            START_AGAIN,
        ],
    )


def realm_change_needs_confirmation(current_name: str | None, current_realm: str, new_realm: str) -> Page:
    current = (
        f'<strong id="current-company">{escape(current_name)}</strong> (QuickBooks company <code>{escape(current_realm)}</code>)'
        if current_name
        else f'QuickBooks company <code id="current-company">{escape(current_realm)}</code>'
    )
    return _page(
        409,
        "realm-change-needs-confirmation",
        "problem",
        "These are different QuickBooks books",
        [
            f"ESP is connected to {current}, but you signed in to QuickBooks company "
            f'<code id="new-realm">{escape(new_realm)}</code>. Nothing was changed, so no order goes into the wrong books.',
            "To keep the current books, go back to ESP and press Connect again, then choose "
            f"{escape(current_name or current_realm)} at Intuit.",
            "To switch to the other books, an admin must confirm the change: in ESP choose Admin → Integrations → "
            "QuickBooks Online → Connect to different books (the API call is <code>POST /v1/qbo/connect</code> with "
            '<code>{"confirm_realm_change": true}</code>). ESP then forgets which QuickBooks customers, vendors, '
            "items and documents it linked in the current books.",
        ],
    )


def exchange_failed(reason: str) -> Page:
    return _page(
        502,
        "exchange-failed",
        "problem",
        "Intuit did not complete the connection",
        [f"Exchanging the sign-in for access failed ({escape(reason)}); nothing was connected.", START_AGAIN],
    )


def company_unreadable(reason: str) -> Page:
    return _page(
        502,
        "company-unreadable",
        "problem",
        "QuickBooks Online did not let ESP read the company",
        [
            f"Intuit accepted the sign-in but {escape(reason)}; the access was given back and nothing was connected. "
            "If this keeps happening, check that ESP's Intuit app keys match this environment (sandbox or production).",
            START_AGAIN,
        ],
    )


def not_installed() -> Page:
    return _page(
        409,
        "not-installed",
        "problem",
        "QuickBooks Online is not installed",
        [
            "The integration was uninstalled while you were signing in, so nothing was connected. Install "
            "QuickBooks Online again in ESP (Admin → Integrations) first.",
        ],
    )

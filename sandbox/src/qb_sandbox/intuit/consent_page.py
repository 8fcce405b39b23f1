"""The HTML pages of the authorisation step: Intuit's consent page with a company chooser, and errors."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from .oauth_server import AuthorizationRequest

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;color:#222}"
    "h1{font-size:1.4rem}label,select{display:block;margin:.5rem 0}"
    "button{margin-right:.5rem;padding:.4rem 1.2rem}#connect{background:#2ca01c;color:#fff;border:0}"
)


def consent_page(request: AuthorizationRequest, companies: Iterable[tuple[str, str]]) -> str:
    """A real form: choosing a company and pressing Connect (or Cancel) POSTs back to /connect/oauth2."""
    options = "\n".join(
        f'      <option value="{escape(realm_id)}">{escape(name)} ({escape(realm_id)})</option>'
        for realm_id, name in companies
    )
    scopes = "".join(f"<li>{escape(scope)}</li>" for scope in request.scopes)
    return f"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Intuit sandbox: connect an app</title><style>{_STYLE}</style></head>
<body>
  <h1>Connect <span id="client">{escape(request.client_id)}</span> to QuickBooks</h1>
  <p>The app asks for:</p>
  <ul id="scopes">{scopes}</ul>
  <form id="consent" method="post" action="oauth2">
    <input type="hidden" name="request_id" value="{escape(request.request_id)}">
    <label for="realm_id">Company</label>
    <select id="realm_id" name="realm_id">
{options}
    </select>
    <button id="connect" type="submit" name="action" value="connect">Connect</button>
    <button id="cancel" type="submit" name="action" value="cancel">Cancel</button>
  </form>
</body>
</html>
"""


def error_page(message: str) -> str:
    return f"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Intuit sandbox: authorization error</title><style>{_STYLE}</style></head>
<body>
  <h1>We can't connect this app</h1>
  <p id="error">{escape(message)}</p>
</body>
</html>
"""

"""The admin's browser on Intuit's consent page: read the form, choose the company, press Connect.

The page is parsed like a browser would submit it (hidden fields, the company chooser, the button
pressed), so the demo does not depend on how the page happens to be laid out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

__all__ = ["ConsentForm", "ConsentPageError", "read_consent_form"]


class ConsentPageError(ValueError):
    pass


@dataclass
class ConsentForm:
    action: str
    fields: dict[str, str] = field(default_factory=dict)
    companies: dict[str, str] = field(default_factory=dict)  # realm id → label shown
    chooser: str | None = None  # the <select>'s name
    buttons: dict[str, str] = field(default_factory=dict)  # button value → its name

    def connect(self, realm_id: str) -> dict[str, str]:
        """The form data of choosing ``realm_id`` and pressing Connect."""
        if self.chooser is None or realm_id not in self.companies:
            raise ConsentPageError(f"the consent page offers no company {realm_id} ({list(self.companies)})")
        if "connect" not in self.buttons:
            raise ConsentPageError("the consent page has no Connect button")
        return {**self.fields, self.chooser: realm_id, self.buttons["connect"]: "connect"}


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.form: ConsentForm | None = None
        self._option: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if tag == "form" and self.form is None:
            self.form = ConsentForm(action=attributes.get("action", ""))
        if self.form is None:
            return
        name = attributes.get("name", "")
        if tag == "input" and attributes.get("type") == "hidden" and name:
            self.form.fields[name] = attributes.get("value", "")
        elif tag == "select" and name:
            self.form.chooser = name
        elif tag == "option":
            self._option = attributes.get("value", "")
            self.form.companies[self._option] = ""
        elif tag == "button" and name:
            self.form.buttons[attributes.get("value", "")] = name

    def handle_data(self, data: str) -> None:
        if self.form is not None and self._option is not None:
            self.form.companies[self._option] += data.strip()

    def handle_endtag(self, tag: str) -> None:
        if tag == "option":
            self._option = None


def read_consent_form(html: str) -> ConsentForm:
    reader = _FormReader()
    reader.feed(html)
    reader.close()
    if reader.form is None:
        raise ConsentPageError("Intuit's sign-in page has no form; did the authorisation request fail?")
    return reader.form

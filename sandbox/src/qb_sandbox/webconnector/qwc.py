"""Read a ``.qwc`` file the way the Web Connector does when a user adds an application."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lxml import etree


class QwcError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class QwcRegistration:
    app_name: str
    app_url: str
    user_name: str
    owner_id: str
    file_id: str
    run_every_seconds: int | None = None


def parse_qwc(text: bytes | str) -> QwcRegistration:
    """The fields the simulator needs. Tag order does not matter; of RunEveryNMinutes and
    RunEveryNSeconds the first one wins (docs/web-connector.md §2)."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    if b"<!DOCTYPE" in data:
        raise QwcError("a .qwc file has no DOCTYPE")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise QwcError(f"not well-formed XML: {exc}") from None
    if root.tag != "QBWCXML":
        raise QwcError(f"root element is <{root.tag}>, expected <QBWCXML>")

    def required(tag: str) -> str:
        value = (root.findtext(tag) or "").strip()
        if not value:
            raise QwcError(f"<{tag}> is missing or empty")
        return value

    run_every: int | None = None
    scheduler = root.find("Scheduler")
    if scheduler is not None:
        for element in scheduler.iterchildren("RunEveryNMinutes", "RunEveryNSeconds"):
            try:
                amount = int((element.text or "").strip())
            except ValueError:
                raise QwcError(f"<{element.tag}> must be a whole number") from None
            run_every = amount * 60 if element.tag == "RunEveryNMinutes" else amount
            break
    return QwcRegistration(
        app_name=required("AppName"),
        app_url=required("AppURL"),
        user_name=required("UserName"),
        owner_id=required("OwnerID"),
        file_id=required("FileID"),
        run_every_seconds=run_every,
    )


def read_qwc(path: str | Path) -> QwcRegistration:
    return parse_qwc(Path(path).read_bytes())

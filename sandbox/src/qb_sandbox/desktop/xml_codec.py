"""Schema-driven conversion between qbXML elements and plain record dicts.

A record is a JSON-friendly dict keyed by element name: simple elements are ``str``, complex
ones nested dicts, repeatable ones lists (decided by the XSD's ``maxOccurs``). Rendering puts
children back in schema order, so a ``…Ret`` built from a record validates by construction.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from .xsd_model import ElementModel, xsd_model

Record = dict[str, Any]


def element_to_record(element: etree._Element, model: ElementModel) -> Record:
    """Read a request element into a record (attributes are not part of the record)."""
    schema = xsd_model()
    record: Record = {}
    for child in element:
        if not isinstance(child.tag, str):
            continue
        particle = model.particle(child.tag)
        child_model = schema.model_of(particle.decl) if particle is not None else None
        value: Any
        if child_model is None or child_model.is_simple:
            value = child.text or ""
        else:
            value = element_to_record(child, child_model)
        if particle is not None and particle.repeats:
            record.setdefault(child.tag, []).append(value)
        else:
            record[child.tag] = value
    return record


def record_to_element(name: str, record: Record, model: ElementModel) -> etree._Element:
    """Build ``<name>`` from a record, children in schema order."""
    element = etree.Element(name)
    _append_children(element, record, model)
    return element


def append_record(parent: etree._Element, name: str, record: Record, model: ElementModel) -> None:
    parent.append(record_to_element(name, record, model))


def _append_children(parent: etree._Element, record: Record, model: ElementModel) -> None:
    schema = xsd_model()
    try:
        keys = sorted(record, key=model.position)
    except KeyError as exc:
        raise ValueError(f"{exc.args[0]!r} is not a child of <{model.name}> in the qbXML schema") from exc
    for key in keys:
        value = record[key]
        particle = model.particle(key)
        assert particle is not None
        child_model = schema.model_of(particle.decl)
        for item in value if isinstance(value, list) else [value]:
            child = etree.SubElement(parent, key)
            if isinstance(item, dict):
                _append_children(child, item, child_model)
            else:
                child.text = str(item)


def conform(record: Record, model: ElementModel) -> Record:
    """Keep only the keys the schema allows under ``model`` (recursively).

    Used to carry an ``…Add`` payload over to its ``…Ret`` shape: fields with the same name
    move across, request-only fields (``BarCode``, ``OpenBalanceDate``…) drop out.
    """
    schema = xsd_model()
    out: Record = {}
    for key, value in record.items():
        particle = model.particle(key)
        if particle is None:
            continue
        child_model = schema.model_of(particle.decl)
        if child_model.is_simple:
            if isinstance(value, (str, list)):
                out[key] = value
            continue
        if isinstance(value, list):
            out[key] = [conform(v, child_model) for v in value if isinstance(v, dict)]
        elif isinstance(value, dict):
            out[key] = conform(value, child_model)
    return out


def serialize(root: etree._Element) -> str:
    """A qbXML response document as QuickBooks writes it (XML declaration, no qbxml PI)."""
    body = etree.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" ?>\n{body}'

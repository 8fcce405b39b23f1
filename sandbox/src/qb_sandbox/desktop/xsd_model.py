"""The qbXML 13.0 content model, read from Intuit's XSD set: which children an element has,
in which order, and which of them may repeat.

The company file keeps its records as plain dicts keyed by element name; this model is what
turns a request element into such a dict (knowing which children are lists) and a dict back
into a ``…Ret`` element with its children in schema order – so every response the simulator
writes is schema-valid by construction instead of by hand-maintained field lists.

The XSD set only uses ``element``/``complexType``/``sequence``/``choice``/``group`` and
``simpleContent`` extensions, so a small reader is enough.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from lxml import etree

from .qbxml_schema import safe_parser, schema_dir

_XS = "{http://www.w3.org/2001/XMLSchema}"
_FILES = ("qbxmltypes130.xsd", "qbxml130.xsd", "qbxmlso130.xsd", "qbxmlops130.xsd")
UNBOUNDED = 1_000_000


@dataclass
class Particle:
    """One child slot of an element: its name, declaration node and repeat bound."""

    name: str
    decl: etree._Element
    max_occurs: int

    @property
    def repeats(self) -> bool:
        return self.max_occurs > 1


@dataclass
class ElementModel:
    """Content model of one element declaration."""

    name: str
    is_simple: bool
    particles: list[Particle] = field(default_factory=list)
    max_length: int | None = None
    _order: dict[str, int] = field(default_factory=dict, repr=False)

    def particle(self, child: str) -> Particle | None:
        index = self._order.get(child)
        return None if index is None else self.particles[index]

    def position(self, child: str) -> int:
        return self._order[child]

    def child_names(self) -> list[str]:
        return [p.name for p in self.particles]


class XsdModel:
    """Lazily computed element models over the whole qbXML XSD set."""

    def __init__(self) -> None:
        directory = schema_dir()
        self._elements: dict[str, etree._Element] = {}
        self._types: dict[str, etree._Element] = {}
        self._groups: dict[str, etree._Element] = {}
        for name in _FILES:
            root = etree.parse(str(directory / name), safe_parser()).getroot()
            for node in root:
                if not isinstance(node.tag, str):
                    continue
                key = node.get("name")
                if key is None:
                    continue
                if node.tag == f"{_XS}element":
                    self._elements[key] = node
                elif node.tag == f"{_XS}complexType":
                    self._types[key] = node
                elif node.tag == f"{_XS}group":
                    self._groups[key] = node
        self._models: dict[int, ElementModel] = {}
        # lxml hands out proxy objects; keep every node we key by alive so ids stay unique.
        self._keepalive: list[etree._Element] = []

    # -- public --------------------------------------------------------------------------
    def element(self, name: str) -> ElementModel:
        """Model of a global element (e.g. ``InvoiceRet``, ``InvoiceAddRq``)."""
        return self.model_of(self._elements[name])

    def has_element(self, name: str) -> bool:
        return name in self._elements

    def child(self, parent: ElementModel, name: str) -> ElementModel | None:
        particle = parent.particle(name)
        return None if particle is None else self.model_of(particle.decl)

    def model_of(self, decl: etree._Element) -> ElementModel:
        key = id(decl)
        cached = self._models.get(key)
        if cached is not None:
            return cached
        self._keepalive.append(decl)
        if decl.get("ref"):
            decl = self._elements[decl.get("ref", "")]
        model = self._build(decl)
        self._models[key] = model
        return model

    # -- building ------------------------------------------------------------------------
    def _build(self, decl: etree._Element) -> ElementModel:
        name = decl.get("name", "")
        complex_node = self._complex_type(decl)
        if complex_node is None or complex_node.find(f"{_XS}simpleContent") is not None:
            return ElementModel(name=name, is_simple=True, max_length=self._max_length(decl))
        particles: list[Particle] = []
        for child in complex_node:
            if isinstance(child.tag, str):
                self._collect(child, particles, outer_max=1)
        model = ElementModel(name=name, is_simple=False, particles=[])
        for particle in particles:
            index = model._order.get(particle.name)
            if index is None:
                model._order[particle.name] = len(model.particles)
                model.particles.append(particle)
            else:
                # The same name can sit in two branches of a choice; keep the first slot,
                # remember it may repeat if either branch says so.
                existing = model.particles[index]
                existing.max_occurs = max(existing.max_occurs, particle.max_occurs)
        return model

    def _complex_type(self, decl: etree._Element) -> etree._Element | None:
        inline = decl.find(f"{_XS}complexType")
        if inline is not None:
            return inline
        type_name = decl.get("type")
        if type_name and type_name in self._types:
            return self._types[type_name]
        return None

    def _collect(self, node: etree._Element, out: list[Particle], outer_max: int) -> None:
        tag = node.tag
        own_max = _max_occurs(node)
        bound = min(UNBOUNDED, outer_max * own_max)
        if tag == f"{_XS}element":
            target = self._elements[node.get("ref", "")] if node.get("ref") else node
            out.append(Particle(name=target.get("name", ""), decl=node, max_occurs=bound))
        elif tag in (f"{_XS}sequence", f"{_XS}choice"):
            for child in node:
                if isinstance(child.tag, str):
                    self._collect(child, out, bound)
        elif tag == f"{_XS}group":
            group = self._groups[node.get("ref", "")]
            for child in group:
                if isinstance(child.tag, str):
                    self._collect(child, out, bound)
        # attributes, annotations: not part of the element content

    def _max_length(self, decl: etree._Element) -> int | None:
        node = decl
        if decl.get("ref"):
            node = self._elements[decl.get("ref", "")]
        facet = node.find(f".//{_XS}maxLength")
        return int(facet.get("value", "0")) if facet is not None else None


def _max_occurs(node: etree._Element) -> int:
    raw = node.get("maxOccurs", "1")
    return UNBOUNDED if raw == "unbounded" else int(raw)


@cache
def xsd_model() -> XsdModel:
    """The process-wide model (built on first use)."""
    return XsdModel()

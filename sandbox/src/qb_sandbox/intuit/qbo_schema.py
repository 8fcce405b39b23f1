"""Intuit's QuickBooks Online v3 XML Schema, read once and used to check JSON entity payloads.

The QBO JSON API is a direct mapping of Intuit's entity XSDs, vendored in :mod:`qb_sandbox.contracts`
(``qbo/``; origin in its PROVENANCE.md). This
module turns those XSDs into a small in-memory model and answers one question: *which parts of this
JSON payload would Intuit not recognise?*

    >>> from qb_sandbox.intuit.qbo_schema import check_entity
    >>> check_entity("Customer", {"DisplayName": "Acme", "PrimaryEmailAddr": {"Adress": "a@b.c"}})
    ["PrimaryEmailAddr.Adress: unknown field; EmailAddress has no 'Adress' (did you mean 'Address'?)"]

How the XSD maps onto JSON (Intuit's convention, as the QBO API and its SDKs use it):

- an element becomes a key with the same name; an element that may repeat (``maxOccurs`` > 1) is a
  JSON array (``Line``, ``LinkedTxn``, ``TaxLine``), any other element is a single value;
- attributes of a complex type are keys as well (``domain``, ``sparse``, ``status`` on every entity;
  ``bId`` and ``operation`` on a batch item);
- a complex type with simple content becomes an object whose text is under ``"value"``; that is why
  every ``ReferenceType`` is ``{"value": "42", "name": "optional"}`` and a ``MemoRef`` is
  ``{"value": "text"}``;
- ``xs:extension`` bases contribute their elements (an ``Invoice`` has the ``Transaction`` and
  ``IntuitEntity`` fields), ``xs:group`` references are inlined, and an element reference to the
  abstract ``IntuitObject`` accepts any member of its substitution group (``Customer``, ``Invoice``…);
- members of an ``xs:choice`` are alternatives: at most one of them may be present
  (``Line.SalesItemLineDetail`` *or* ``Line.DiscountLineDetail``); for ``Line`` the choice must also
  agree with ``DetailType``, which names the detail element (QBO convention, not an XSD rule).

What is checked: unknown keys (with a did-you-mean hint), object/array/scalar nesting, the shape of
references and other simple-content objects, enumeration values, and that scalars have the JSON type
their XSD type needs (numbers for ``xs:decimal``, booleans for ``xs:boolean``, ISO dates…). Numbers and
booleans sent as strings are accepted, because Intuit's JSON reader coerces them. Not checked:
``minOccurs`` (the XSD marks nearly every field optional; which fields an operation requires is an API
rule that the Intuit sandbox enforces itself) and string lengths.

The parsed schema is cached per directory (``load_schema``), so ``check_entity`` costs a dictionary walk
over the payload. The schema is read from the vendored copy unless a directory is passed.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree

from qb_sandbox.contracts import qbo_schema_dir

__all__ = [
    "ComplexType",
    "Field",
    "QboSchema",
    "SchemaProblem",
    "SimpleType",
    "UnknownEntityError",
    "check_entity",
    "default_schema_dir",
    "find_problems",
    "load_schema",
]

_XS = "http://www.w3.org/2001/XMLSchema"
_XS_TAG = "{" + _XS + "}"
_ENTRY_FILES = ("IntuitRestServiceDef.xsd", "SalesTax.xsd")

_STRING_TYPES = frozenset(
    {
        "xs:string",
        "xs:normalizedString",
        "xs:token",
        "xs:anyURI",
        "xs:ID",
        "xs:IDREF",
        "xs:NCName",
        "xs:Name",
        "xs:QName",
        "xs:language",
        "xs:base64Binary",
        "xs:hexBinary",
        "xs:time",
        "xs:duration",
        "xs:gYear",
        "xs:gYearMonth",
        "xs:gMonth",
        "xs:gMonthDay",
        "xs:gDay",
    }
)
_DECIMAL_TYPES = frozenset({"xs:decimal", "xs:double", "xs:float"})
_INTEGER_TYPES = frozenset(
    {
        "xs:int",
        "xs:integer",
        "xs:long",
        "xs:short",
        "xs:byte",
        "xs:positiveInteger",
        "xs:nonNegativeInteger",
        "xs:negativeInteger",
        "xs:nonPositiveInteger",
        "xs:unsignedInt",
        "xs:unsignedLong",
        "xs:unsignedShort",
        "xs:unsignedByte",
    }
)
_ANY_TYPES = frozenset({"xs:anyType", "xs:anySimpleType"})
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2})?$")
_DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$")


class UnknownEntityError(ValueError):
    """The name given to ``check_entity`` is neither a global element nor a complex type of the schema."""


@dataclass(frozen=True, slots=True)
class Field:
    """One JSON key of a complex type: an XSD element or attribute."""

    name: str
    type_name: str  # "xs:decimal" for built-ins, the local name for the schema's own types
    repeated: bool = False
    choice: int | None = None  # id of the xs:choice this element is an alternative in
    is_attribute: bool = False


@dataclass(frozen=True, slots=True)
class ComplexType:
    name: str
    fields: Mapping[str, Field]
    simple_value_type: str | None = None  # simple content: the JSON "value" key has this type
    open_content: bool = False  # xs:any: any further key is accepted


@dataclass(frozen=True, slots=True)
class SimpleType:
    name: str
    base: str  # the built-in xs:* type it finally restricts
    enumeration: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class SchemaProblem:
    """A place where a payload disagrees with the schema. ``str()`` gives the human-readable form."""

    path: str
    message: str
    kind: str  # "unknown-field", "nesting", "enumeration", "reference", "type", "choice"

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


@dataclass(slots=True)
class _Raw:
    """XSD nodes by name, before resolution."""

    complex_types: dict[str, etree._Element] = field(default_factory=dict)
    simple_types: dict[str, etree._Element] = field(default_factory=dict)
    groups: dict[str, etree._Element] = field(default_factory=dict)
    elements: dict[str, etree._Element] = field(default_factory=dict)


def _safe_parser() -> etree.XMLParser:
    # STYLE.md habit 5: no entity expansion, no DTD, no network, even for a trusted local file.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True)


def _local(qname: str) -> str:
    return qname.rsplit(":", 1)[-1]


def _type_ref(node: etree._Element, qname: str | None) -> str:
    """Normalise a type QName: built-ins become ``xs:<name>``, the target namespace's types their name."""
    if not qname:
        return "xs:anyType"
    prefix, _, local = qname.rpartition(":")
    namespace = node.nsmap.get(prefix or None)
    return f"xs:{local}" if namespace == _XS else local


def _max_occurs_many(node: etree._Element) -> bool:
    value = node.get("maxOccurs", "1")
    return value == "unbounded" or int(value) > 1


class QboSchema:
    """The QBO entity schema: complex types, simple types and global elements, resolved lazily."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._raw = _Raw()
        self._complex: dict[str, ComplexType] = {}
        self._simple: dict[str, SimpleType] = {}
        self._substitutes: dict[str, list[str]] = {}  # abstract head -> member element names
        self._element_types: dict[str, str] = {}  # global element -> type
        self._choice_ids = iter(range(1, 1_000_000))
        seen: set[Path] = set()
        for entry in _ENTRY_FILES:
            self._read(directory / entry, seen)
        for name, node in self._raw.elements.items():
            self._element_types[name] = _type_ref(node, node.get("type"))
            head = node.get("substitutionGroup")
            if head:
                self._substitutes.setdefault(_local(head), []).append(name)

    # -- reading -------------------------------------------------------------------------------------

    def _read(self, path: Path, seen: set[Path]) -> None:
        path = path.resolve()
        if path in seen:
            return
        seen.add(path)
        root = etree.parse(str(path), _safe_parser()).getroot()
        for child in root:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            name = child.get("name")
            if tag in (_XS_TAG + "include", _XS_TAG + "import"):
                location = child.get("schemaLocation")
                if location and "://" not in location:  # local files only, never the network
                    self._read(path.parent / location, seen)
            elif tag == _XS_TAG + "complexType" and name:
                self._raw.complex_types[name] = child
            elif tag == _XS_TAG + "simpleType" and name:
                self._raw.simple_types[name] = child
            elif tag == _XS_TAG + "group" and name:
                self._raw.groups[name] = child
            elif tag == _XS_TAG + "element" and name:
                self._raw.elements[name] = child

    # -- public lookups --------------------------------------------------------------------------------

    def has_type(self, name: str) -> bool:
        return name in self._raw.complex_types or name in self._raw.simple_types

    def element_names(self) -> list[str]:
        """Global element names (the entities: ``Customer``, ``Invoice``…)."""
        return sorted(self._element_types)

    def entity_type(self, entity_name: str) -> ComplexType:
        """The complex type behind a global element or complex-type name."""
        type_name = self._element_types.get(entity_name, entity_name)
        if type_name not in self._raw.complex_types:
            raise UnknownEntityError(f"{entity_name!r} is not an element or complex type of the QBO schema")
        return self.complex_type(type_name)

    def field_path_type(self, entity_name: str, dotted: str) -> str | None:
        """Type name at a dotted path (``MetaData.CreateTime``) of an entity, or None if there is none."""
        current = self.entity_type(entity_name)
        type_name: str | None = None
        for part in dotted.split("."):
            found = current.fields.get(part)
            if found is None:
                if part == "value" and current.simple_value_type:
                    return current.simple_value_type
                return None
            type_name = found.type_name
            if type_name in self._raw.complex_types:
                current = self.complex_type(type_name)
        return type_name

    def complex_type(self, name: str) -> ComplexType:
        cached = self._complex.get(name)
        if cached is None:
            cached = self._resolve_complex(name)
            self._complex[name] = cached
        return cached

    def simple_type(self, name: str) -> SimpleType:
        cached = self._simple.get(name)
        if cached is None:
            cached = self._resolve_simple(name)
            self._simple[name] = cached
        return cached

    # -- resolution ------------------------------------------------------------------------------------

    def _resolve_simple(self, name: str) -> SimpleType:
        node = self._raw.simple_types[name]
        restriction = node.find(_XS_TAG + "restriction")
        if restriction is None:  # xs:list / xs:union: treat as a string
            return SimpleType(name, "xs:string")
        base = _type_ref(restriction, restriction.get("base"))
        values = [e.get("value", "") for e in restriction.findall(_XS_TAG + "enumeration")]
        inherited: frozenset[str] | None = None
        if not base.startswith("xs:"):
            parent = self.simple_type(base)
            base, inherited = parent.base, parent.enumeration
        enumeration = frozenset(values) if values else inherited
        return SimpleType(name, base, enumeration)

    def _resolve_complex(self, name: str) -> ComplexType:
        node = self._raw.complex_types[name]
        fields: dict[str, Field] = {}
        state = {"open": False}
        simple_value: str | None = None
        for child in node:
            tag = child.tag
            if tag == _XS_TAG + "complexContent":
                for derivation in child:
                    if derivation.tag in (_XS_TAG + "extension", _XS_TAG + "restriction"):
                        base = _type_ref(derivation, derivation.get("base"))
                        if derivation.tag == _XS_TAG + "extension" and base in self._raw.complex_types:
                            parent = self.complex_type(base)
                            fields.update(parent.fields)
                            state["open"] = state["open"] or parent.open_content
                        self._collect(derivation, fields, state, choice=None)
            elif tag == _XS_TAG + "simpleContent":
                for derivation in child:
                    if derivation.tag in (_XS_TAG + "extension", _XS_TAG + "restriction"):
                        base = _type_ref(derivation, derivation.get("base"))
                        if base in self._raw.complex_types:  # simple content derived from simple content
                            parent = self.complex_type(base)
                            fields.update(parent.fields)
                            simple_value = parent.simple_value_type
                        else:
                            simple_value = base
                        self._collect(derivation, fields, state, choice=None)
            else:
                self._collect_one(child, fields, state, choice=None)
        return ComplexType(name, fields, simple_value, state["open"])

    def _collect(
        self, node: etree._Element, fields: dict[str, Field], state: dict[str, bool], choice: int | None
    ) -> None:
        for child in node:
            self._collect_one(child, fields, state, choice)

    def _collect_one(
        self, child: etree._Element, fields: dict[str, Field], state: dict[str, bool], choice: int | None
    ) -> None:
        tag = child.tag
        if not isinstance(tag, str):
            return
        if tag == _XS_TAG + "sequence" or tag == _XS_TAG + "all":
            self._collect(child, fields, state, choice)
        elif tag == _XS_TAG + "choice":
            # Every xs:choice in the QBO schema has maxOccurs 1, so its members are alternatives.
            inner = choice if _max_occurs_many(child) else next(self._choice_ids)
            self._collect(child, fields, state, inner)
        elif tag == _XS_TAG + "group":
            group = self._raw.groups.get(_local(child.get("ref", "")))
            if group is not None:
                self._collect(group, fields, state, choice)
        elif tag == _XS_TAG + "element":
            repeated = _max_occurs_many(child)
            ref = child.get("ref")
            if ref:
                target = _local(ref)
                members = self._substitutes.get(target, [])
                for member in members or [target]:
                    fields[member] = Field(
                        member, self._element_types.get(member, "xs:anyType"), repeated, choice
                    )
            else:
                element_name = child.get("name", "")
                fields[element_name] = Field(
                    element_name, _type_ref(child, child.get("type")), repeated, choice
                )
        elif tag == _XS_TAG + "attribute":
            attribute_name = child.get("name")
            if attribute_name:
                fields[attribute_name] = Field(
                    attribute_name, _type_ref(child, child.get("type")), is_attribute=True
                )
        elif tag == _XS_TAG + "any":
            state["open"] = True

    # -- checking --------------------------------------------------------------------------------------

    def find_problems(self, entity_name: str, payload: Any) -> list[SchemaProblem]:
        """Every disagreement between ``payload`` and the entity's type, in document order."""
        return list(self._check_complex("", self.entity_type(entity_name), payload))

    def _check_complex(self, path: str, ctype: ComplexType, value: Any) -> Iterator[SchemaProblem]:
        if not isinstance(value, Mapping):
            yield SchemaProblem(
                path, f"expected an object ({ctype.name}), got {_json_kind(value)}", "nesting"
            )
            return
        if ctype.simple_value_type is not None:
            yield from self._check_simple_content(path, ctype, value)
            return
        chosen: dict[int, str] = {}
        for key, item in value.items():
            child_path = f"{path}.{key}" if path else str(key)
            spec = ctype.fields.get(key)
            if spec is None:
                if not ctype.open_content:
                    yield SchemaProblem(child_path, _unknown_field_message(ctype, str(key)), "unknown-field")
                continue
            if spec.choice is not None and item is not None:
                other = chosen.setdefault(spec.choice, key)
                if other != key:
                    yield SchemaProblem(
                        path or ctype.name,
                        f"{other} and {key} are alternatives (xs:choice); give only one",
                        "choice",
                    )
            yield from self._check_field(child_path, spec, item)
        if ctype.name == "Line":
            yield from _check_line_detail(path, value, ctype)

    def _check_simple_content(
        self, path: str, ctype: ComplexType, value: Mapping[str, Any]
    ) -> Iterator[SchemaProblem]:
        attributes = sorted(k for k, f in ctype.fields.items() if f.is_attribute)
        shape = "{" + ", ".join(['"value": …', *(f'"{a}"?: …' for a in attributes)]) + "}"
        if "value" not in value:
            yield SchemaProblem(path, f'{ctype.name} must be shaped {shape}; "value" is missing', "reference")
        for key, item in value.items():
            child_path = f"{path}.{key}" if path else str(key)
            if key == "value":
                yield from self._check_scalar(child_path, ctype.simple_value_type or "xs:string", item)
            elif key in ctype.fields:
                yield from self._check_field(child_path, ctype.fields[key], item)
            else:
                yield SchemaProblem(child_path, f"unknown key; {ctype.name} is shaped {shape}", "reference")

    def _check_field(self, path: str, spec: Field, value: Any) -> Iterator[SchemaProblem]:
        if value is None:  # JSON null: "not set", which Intuit accepts for any field
            return
        if spec.repeated:
            if not isinstance(value, list):
                yield SchemaProblem(
                    path, f"expected a list because {spec.name} repeats, got {_json_kind(value)}", "nesting"
                )
                return
            for index, item in enumerate(value):
                yield from self._check_value(f"{path}[{index}]", spec.type_name, item)
            return
        if isinstance(value, list):
            yield SchemaProblem(
                path, f"{spec.name} occurs at most once; expected a single value, not a list", "nesting"
            )
            return
        yield from self._check_value(path, spec.type_name, value)

    def _check_value(self, path: str, type_name: str, value: Any) -> Iterator[SchemaProblem]:
        if type_name in self._raw.complex_types:
            ctype = self.complex_type(type_name)
            if ctype.simple_value_type is not None and not isinstance(value, Mapping):
                yield SchemaProblem(
                    path,
                    f'{ctype.name} must be an object {{"value": …}}, got {_json_kind(value)} '
                    f"(a reference is never a bare id)",
                    "reference",
                )
                return
            yield from self._check_complex(path, ctype, value)
        else:
            yield from self._check_scalar(path, type_name, value)

    def _check_scalar(self, path: str, type_name: str, value: Any) -> Iterator[SchemaProblem]:
        enumeration: frozenset[str] | None = None
        base = type_name
        if type_name in self._raw.simple_types:
            simple = self.simple_type(type_name)
            base, enumeration = simple.base, simple.enumeration
        if base in _ANY_TYPES or type_name == "IntuitAnyType":
            return
        if isinstance(value, (Mapping, list)):
            yield SchemaProblem(
                path, f"expected a {_describe(base)} value, got {_json_kind(value)}", "nesting"
            )
            return
        if enumeration is not None:
            text = _scalar_text(value)
            if text not in enumeration:
                allowed = ", ".join(sorted(enumeration))
                yield SchemaProblem(path, f"{text!r} is not one of {type_name}: {allowed}", "enumeration")
            return
        problem = _scalar_type_problem(base, value)
        if problem:
            yield SchemaProblem(path, problem, "type")


def _check_line_detail(path: str, line: Mapping[str, Any], ctype: ComplexType) -> Iterator[SchemaProblem]:
    """QBO names the detail element in ``DetailType``; the two must agree."""
    detail_type = line.get("DetailType")
    details = [k for k, f in ctype.fields.items() if f.choice is not None and line.get(k) is not None]
    if isinstance(detail_type, str) and details and detail_type not in details:
        yield SchemaProblem(
            path or "Line",
            f"DetailType is {detail_type!r} but the detail given is {details[0]}",
            "choice",
        )


def _unknown_field_message(ctype: ComplexType, key: str) -> str:
    guesses = difflib.get_close_matches(key, list(ctype.fields), n=1, cutoff=0.75)
    if not guesses:
        guesses = [name for name in ctype.fields if name.lower() == key.lower()]
    hint = f" (did you mean {guesses[0]!r}?)" if guesses else ""
    return f"unknown field; {ctype.name} has no {key!r}{hint}"


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float, Decimal)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def _describe(base: str) -> str:
    if base in _DECIMAL_TYPES:
        return "number"
    if base in _INTEGER_TYPES:
        return "integer"
    if base == "xs:boolean":
        return "boolean"
    return base.removeprefix("xs:")


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _scalar_type_problem(base: str, value: Any) -> str | None:
    if base in _DECIMAL_TYPES or base in _INTEGER_TYPES:
        if isinstance(value, bool):
            return f"expected a {_describe(base)}, got a boolean"
        if isinstance(value, (int, float, Decimal)):
            number: Decimal = Decimal(str(value))
        elif isinstance(value, str):
            try:
                number = Decimal(value.strip())
            except InvalidOperation:
                return f"expected a {_describe(base)}, got {value!r}"
        else:
            return f"expected a {_describe(base)}, got {_json_kind(value)}"
        if not number.is_finite():
            return f"expected a finite {_describe(base)}"
        if base in _INTEGER_TYPES and number != number.to_integral_value():
            return f"expected an integer, got {value}"
        return None
    if base == "xs:boolean":
        if isinstance(value, bool) or (isinstance(value, str) and value in ("true", "false")):
            return None
        return f"expected a boolean, got {_json_kind(value)}"
    if base == "xs:date":
        if isinstance(value, str) and _DATE_RE.match(value):
            return None
        return f"expected a date YYYY-MM-DD, got {value!r}"
    if base == "xs:dateTime":
        if isinstance(value, str) and (_DATETIME_RE.match(value) or _DATE_RE.match(value)):
            return None
        return f"expected an ISO 8601 date-time, got {value!r}"
    if base in _STRING_TYPES:
        # Jackson on Intuit's side turns a JSON number into a string field, so ids sent as numbers pass.
        if isinstance(value, bool):
            return "expected a string, got a boolean"
        return None
    return None


def default_schema_dir() -> Path:
    """The vendored copy of Intuit's QBO entity XSDs (:mod:`qb_sandbox.contracts`)."""
    return qbo_schema_dir()


@lru_cache(maxsize=4)
def _load(directory: Path) -> QboSchema:
    return QboSchema(directory)


def load_schema(directory: Path | None = None) -> QboSchema:
    """The parsed schema, cached per directory (parsing takes a fraction of a second, once)."""
    return _load((directory or default_schema_dir()).resolve())


def find_problems(entity_name: str, payload: Any) -> list[SchemaProblem]:
    """Structured problems (path, message, kind) for ``payload`` as entity ``entity_name``."""
    return load_schema().find_problems(entity_name, payload)


def check_entity(entity_name: str, payload: dict[str, Any]) -> list[str]:
    """Human-readable problems with ``payload`` as the QBO entity ``entity_name``; empty when it fits.

    ``entity_name`` is a global element of the schema (``"Invoice"``, ``"Customer"``,
    ``"BatchItemRequest"`` is a type name and works too). Raises ``UnknownEntityError`` for a name the
    schema does not define, since that is a programming error rather than a payload problem.
    """
    return [str(problem) for problem in find_problems(entity_name, payload)]

"""JSON on the wire with money kept exact: Decimal out as a JSON number, JSON numbers in as Decimal.

The standard library writes Decimal only by way of float; this writer prints ``format(d, "f")``
instead, so 2.30 leaves as ``2.30`` and never as a binary approximation.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

__all__ = ["dumps", "loads"]


def _write(value: Any, out: list[str]) -> None:
    if isinstance(value, Mapping):
        out.append("{")
        for index, (key, item) in enumerate(value.items()):
            if index:
                out.append(",")
            out.append(json.dumps(str(key)))
            out.append(":")
            _write(item, out)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _write(item, out)
        out.append("]")
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} cannot be sent to QuickBooks")
        out.append(format(value, "f"))
    elif isinstance(value, date):
        out.append(json.dumps(value.isoformat()))
    elif isinstance(value, float):
        raise TypeError("money and quantities travel as Decimal, never float")
    else:
        out.append(json.dumps(value))


def dumps(value: Any) -> bytes:
    out: list[str] = []
    _write(value, out)
    return "".join(out).encode("utf-8")


def loads(text: str | bytes) -> Any:
    return json.loads(text, parse_float=Decimal)

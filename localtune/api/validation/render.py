"""How values and member paths are spelled in AWS-style validation messages."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any


def lower_camel(member: str) -> str:
    """The wire path segment AWS prints for a member: ``ResourceLimits`` -> ``resourceLimits``."""
    return member[:1].lower() + member[1:]


def join_path(parent: str, segment: str) -> str:
    return f"{parent}.{segment}" if parent else segment


def java_double(value: float) -> str:
    """``Double.toString`` as Java spells it: ``3.0``, ``0.5``, ``1.0E7``, ``1.0E-4``."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    if 1e-3 <= abs(value) < 1e7:
        text = repr(float(value))
        return text if ("." in text or "e" in text) else text + ".0"
    sign, digits, exponent = Decimal(repr(float(value))).as_tuple()
    if not isinstance(exponent, int):  # pragma: no cover - finite values have int exponents
        return repr(float(value))
    head, tail = str(digits[0]), "".join(str(d) for d in digits[1:]).rstrip("0") or "0"
    power = exponent + len(digits) - 1
    return f"{'-' if sign else ''}{head}.{tail}E{power}"


def render_value(value: Any) -> str:
    """A request value as AWS quotes it in ``Value '...' at ...`` (Java ``toString`` style)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return java_double(value)
    if isinstance(value, int | str):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, bytes | bytearray):
        return repr(bytes(value))
    if isinstance(value, Mapping):
        inner = ", ".join(f"{render_value(k)}={render_value(v)}" for k, v in value.items())
        return "{" + inner + "}"
    if isinstance(value, Sequence):
        return "[" + ", ".join(render_value(v) for v in value) + "]"
    return str(value)


def type_name(value: Any) -> str:
    """A JSON-ish name for the Python type of ``value``, for wrong-type messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, list | tuple):
        return "list"
    return type(value).__name__

"""Model-level validation (rules V1–V3 of the reference), driven by botocore's service model.

The input of any SageMaker operation is walked against the operation's input shape as botocore
ships it (``botocore.session.get_session().get_service_model("sagemaker")``, loaded once), and
every problem is collected with its path, in the wording AWS services use::

    Value '0' at 'hyperParameterTuningJobConfig.resourceLimits.maxParallelTrainingJobs' failed
    to satisfy constraint: Member must have value greater than or equal to 1

Paths are lowerCamel per member; list elements are ``inputDataConfig.1.member.channelName``
(1-based, as AWS prints them). Map keys/values are reported on the map member with every
constraint of the key/value shape, as in the message SageMaker was observed to send
(``Map value must satisfy constraint: [...]``). Several violated constraints of one value give
several problems, one sentence each, as AWS counts them.

Decisions (the reference leaves them open; see the README's "Validation rules"):

* Unknown members are rejected (botocore rejects them client-side; the JSON service would drop
  them silently, which hides typos such as ``MaxParallelTrainingJob``). The message names the
  member and the allowed ones.
* A JSON ``null`` (Python ``None``) counts as an absent member.
* Wrong Python types get a clear sentence in the same form ("Member must be of type integer,
  got string"). Booleans are not integers; non-finite floats are rejected (JSON cannot carry
  them, so the real service would never see one).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Mapping
from typing import Any

import botocore.session
from botocore.model import (
    ListShape,
    MapShape,
    OperationNotFoundError,
    ServiceModel,
    Shape,
    StructureShape,
)

from localtune.api.validation.patterns import full_match
from localtune.api.validation.render import join_path, lower_camel, render_value, type_name
from localtune.errors import UnknownOperationException

INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)


@functools.cache
def service_model() -> ServiceModel:
    """SageMaker's service model as the installed botocore ships it (loaded once per process)."""
    return botocore.session.get_session().get_service_model("sagemaker")


def input_shape(operation: str) -> StructureShape | None:
    """The input shape of ``operation``; raises :class:`UnknownOperationException`."""
    try:
        return service_model().operation_model(operation).input_shape
    except OperationNotFoundError:
        raise UnknownOperationException(
            f"Operation '{operation}' is not an operation of the SageMaker API."
        ) from None


def check_input(operation: str, params: Any) -> list[str]:
    """Every model-level problem of ``params`` as input of ``operation`` (``[]`` if valid)."""
    shape = input_shape(operation)
    problems: list[str] = []
    if shape is None:
        if params:
            problems.append(
                f"Operation {operation} takes no parameters, got {render_value(params)}."
            )
        return problems
    if not isinstance(params, Mapping):
        problems.append(
            f"The request of {operation} must be an object (a dict), got {type_name(params)}."
        )
        return problems
    _Walker(problems).structure(shape, params, "")
    return problems


def check_output(operation: str, response: Mapping[str, Any]) -> list[str]:
    """Every way ``response`` (ResponseMetadata aside) departs from ``operation``'s output shape:
    missing required members, members the shape does not define, wrong types, constraints.
    Used to hold localtune's own answers to the service model."""
    shape = service_model().operation_model(operation).output_shape
    body = {k: v for k, v in response.items() if k != "ResponseMetadata"}
    problems: list[str] = []
    if shape is None:
        if body:
            problems.append(f"Operation {operation} has no output, got {sorted(body)}.")
        return problems
    _Walker(problems).structure(shape, body, "")
    return problems


def _constraint(value: Any, path: str, clause: str, shape: Shape | None = None) -> str:
    where = "the request" if not path else f"'{path}'"
    if value is None:
        return f"Value null at {where} failed to satisfy constraint: {clause}"
    if shape is not None and shape.metadata.get("sensitive"):
        return f"Value at {where} failed to satisfy constraint: {clause}"
    return f"Value '{render_value(value)}' at {where} failed to satisfy constraint: {clause}"


def _scalar_clauses(shape: Shape, value: Any) -> list[str]:
    """The constraint clauses of a scalar/collection ``shape`` that ``value`` violates."""
    meta = shape.metadata
    clauses: list[str] = []
    if isinstance(value, str | list | tuple | Mapping | bytes):
        size = len(value)
        if "max" in meta and size > meta["max"]:
            clauses.append(f"Member must have length less than or equal to {meta['max']}")
        if "min" in meta and size < meta["min"]:
            clauses.append(f"Member must have length greater than or equal to {meta['min']}")
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if "min" in meta and value < meta["min"]:
            clauses.append(f"Member must have value greater than or equal to {meta['min']}")
        if "max" in meta and value > meta["max"]:
            clauses.append(f"Member must have value less than or equal to {meta['max']}")
    if isinstance(value, str):
        enum = meta.get("enum")
        if enum and value not in enum:
            clauses.append(f"Member must satisfy enum value set: [{', '.join(enum)}]")
        pattern = meta.get("pattern")
        if pattern is not None and not full_match(pattern, value):
            clauses.append(f"Member must satisfy regular expression pattern: {pattern}")
    return clauses


def _all_clauses(shape: Shape) -> list[str]:
    """Every constraint of a map key/value shape, in the order SageMaker was observed to list."""
    meta = shape.metadata
    clauses = []
    if "max" in meta:
        clauses.append(f"Member must have length less than or equal to {meta['max']}")
    if "min" in meta:
        clauses.append(f"Member must have length greater than or equal to {meta['min']}")
    if meta.get("enum"):
        clauses.append(f"Member must satisfy enum value set: [{', '.join(meta['enum'])}]")
    if "pattern" in meta:
        clauses.append(f"Member must satisfy regular expression pattern: {meta['pattern']}")
    return clauses


class _Walker:
    """Walks one value tree against its shape, appending problems."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems

    def value(self, shape: Shape, value: Any, path: str) -> None:
        if not self._type_ok(shape, value, path):
            return
        if isinstance(shape, StructureShape):
            self.structure(shape, value, path)
            return
        for clause in _scalar_clauses(shape, value):
            self.problems.append(_constraint(value, path, clause, shape))
        if isinstance(shape, ListShape):
            for index, item in enumerate(value, start=1):
                self.member(shape.member, item, join_path(path, f"{index}.member"))
        elif isinstance(shape, MapShape):
            self.map(shape, value, path)

    def member(self, shape: Shape, value: Any, path: str) -> None:
        if value is None:
            self.problems.append(_constraint(None, path, "Member must not be null"))
        else:
            self.value(shape, value, path)

    def structure(self, shape: StructureShape, value: Mapping[Any, Any], path: str) -> None:
        if getattr(shape, "is_document_type", False):
            return
        members = shape.members
        unknown = [key for key in value if key not in members]
        for key in unknown:
            where = f"at '{path}'" if path else "in the request"
            self.problems.append(
                f"Unknown parameter '{key}' {where}, must be one of: {', '.join(members)}"
            )
        for name in shape.required_members:
            if value.get(name) is None:
                self.problems.append(
                    _constraint(None, join_path(path, lower_camel(name)), "Member must not be null")
                )
        present = [name for name in members if value.get(name) is not None]
        if shape.metadata.get("union") and len(present) != 1:
            self.problems.append(
                _constraint(value, path, f"Member must have exactly one of: {', '.join(members)}")
            )
        for name in present:
            self.value(members[name], value[name], join_path(path, lower_camel(name)))

    def map(self, shape: MapShape, value: Mapping[Any, Any], path: str) -> None:
        bad_key = bad_value = False
        for key, item in value.items():
            entry_path = join_path(path, str(key))
            if not isinstance(key, str):
                self.problems.append(
                    f"Value '{render_value(key)}' at '{path}' failed to satisfy constraint: "
                    f"Map keys must be strings, got {type_name(key)}"
                )
                continue
            bad_key = bad_key or bool(_scalar_clauses(shape.key, key))
            if isinstance(shape.value, StructureShape | ListShape | MapShape):
                self.member(shape.value, item, entry_path)
            elif item is None:
                self.problems.append(_constraint(None, entry_path, "Member must not be null"))
            elif self._type_ok(shape.value, item, entry_path):
                bad_value = bad_value or bool(_scalar_clauses(shape.value, item))
        for kind, flag, sub in (("key", bad_key, shape.key), ("value", bad_value, shape.value)):
            if flag:
                clauses = ", ".join(_all_clauses(sub))
                self.problems.append(
                    _constraint(value, path, f"Map {kind} must satisfy constraint: [{clauses}]")
                )

    def _type_ok(self, shape: Shape, value: Any, path: str) -> bool:
        expected = _type_problem(shape, value)
        if expected is None:
            return True
        self.problems.append(_constraint(value, path, expected, shape))
        return False


def _type_problem(shape: Shape, value: Any) -> str | None:
    """``None`` when ``value`` has a type the shape accepts, else the clause to report."""
    kind = shape.type_name
    got = type_name(value)
    if kind == "string":
        ok = isinstance(value, str)
    elif kind in ("integer", "long"):
        ok = isinstance(value, int) and not isinstance(value, bool)
        low, high = INT32 if kind == "integer" else INT64
        if ok and not low <= value <= high:
            bits = 32 if kind == "integer" else 64
            return f"Member must be a {bits}-bit integer (between {low} and {high})"
    elif kind in ("float", "double"):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if ok and not math.isfinite(value):
            return "Member must be a finite number"
    elif kind == "boolean":
        ok = isinstance(value, bool)
    elif kind == "timestamp":
        return _timestamp_problem(value)
    elif kind == "blob":
        ok = isinstance(value, bytes | bytearray | str)
    elif kind == "structure" or kind == "map":
        ok = isinstance(value, Mapping)
        kind = "object" if kind == "structure" else "map (an object)"
    elif kind == "list":
        ok = isinstance(value, list | tuple)
    else:  # pragma: no cover - every botocore type is handled above
        ok = True
    return None if ok else f"Member must be of type {kind}, got {got}"


def _timestamp_problem(value: Any) -> str | None:
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return None if math.isfinite(value) else "Member must be a finite epoch time"
    if isinstance(value, str):
        try:
            dt.datetime.fromisoformat(value)
        except ValueError:
            try:
                seconds = float(value)
            except ValueError:
                seconds = math.nan
            if not math.isfinite(seconds):
                return "Member must be a timestamp (ISO 8601 or epoch seconds)"
        return None
    return f"Member must be of type timestamp, got {type_name(value)}"

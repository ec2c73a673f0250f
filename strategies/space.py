"""Search space: SageMaker ``ParameterRanges`` parsed into typed parameters, with scaling.

Every parameter has one coordinate ``u`` in [0, 1] (the *unit space*, one column per parameter):

* **Continuous**: ``u`` is uniform on the scaled interval ``[t(min), t(max)]`` where ``t`` is the
  scaling transform — Linear ``t(x) = x``; Logarithmic ``t(x) = log x`` (min > 0);
  ReverseLogarithmic ``t(x) = -log(1 - x)`` (0 <= min, max < 1), i.e. uniform on ``log(1 - x)``.
* **Integer**: the same transforms, but over ``[t(min - 0.5), t(max + 0.5)]`` before rounding to the
  nearest integer, so every integer owns a full bin of width one (in the original domain) and the
  end points are not starved. On a log scale integer ``k`` therefore gets probability
  ``log((k + 0.5) / (k - 0.5)) / log((max + 0.5) / (min - 0.5))``. ReverseLogarithmic is not
  allowed on integers (SageMaker allows it for continuous ranges only).
* **Categorical**: value index ``i`` of ``k`` values sits at ``u = (i + 0.5) / k``.

``ScalingType=Auto`` (SageMaker: "the service picks"; the rule is UNKNOWN) resolves here to
**Logarithmic when min > 0 and max / min >= 1000** (the range spans at least three orders of
magnitude), otherwise Linear. It is never ReverseLogarithmic. The rule is the same for integers
(e.g. ``1..1000`` becomes logarithmic) and continuous ranges.

Order of parameters: all IntegerParameterRanges, then ContinuousParameterRanges, then
CategoricalParameterRanges, each in the order given.

A singleton range (min == max) is accepted here and always yields that value; whether SageMaker
rejects it is the request validator's concern, not the strategy's.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from strategies.errors import StrategyError

ParamValue = int | float | str
Scaling = Literal["Linear", "Logarithmic", "ReverseLogarithmic"]
_SCALINGS = ("Auto", "Linear", "Logarithmic", "ReverseLogarithmic")
_LIST_KEYS = (
    "IntegerParameterRanges",
    "ContinuousParameterRanges",
    "CategoricalParameterRanges",
)
AUTO_LOG_RATIO = 1000.0


def _t(x: np.ndarray | float, scaling: Scaling) -> Any:
    if scaling == "Logarithmic":
        return np.log(x)
    if scaling == "ReverseLogarithmic":
        return -np.log1p(-np.asarray(x, dtype=float))
    return np.asarray(x, dtype=float)


def _t_inv(z: np.ndarray, scaling: Scaling) -> np.ndarray:
    if scaling == "Logarithmic":
        return np.exp(z)
    if scaling == "ReverseLogarithmic":
        return -np.expm1(-z)
    return z


@dataclass(frozen=True)
class NumericParam:
    """An Integer or Continuous range with its resolved scaling."""

    name: str
    low: float
    high: float
    scaling: Scaling
    is_int: bool

    @functools.cached_property
    def bounds(self) -> tuple[float, float]:
        """Bounds of the scaled domain that maps linearly onto u in [0, 1]."""
        pad = 0.5 if self.is_int else 0.0
        return float(_t(self.low - pad, self.scaling)), float(_t(self.high + pad, self.scaling))

    def to_unit(self, values: np.ndarray) -> np.ndarray:
        """Values (any float array) → u, clipped into [0, 1]."""
        z_lo, z_hi = self.bounds
        if z_hi == z_lo:
            return np.full(np.shape(values), 0.5)
        clipped = np.clip(np.asarray(values, dtype=float), self.low, self.high)
        return np.clip((_t(clipped, self.scaling) - z_lo) / (z_hi - z_lo), 0.0, 1.0)

    def from_unit(self, u: np.ndarray) -> np.ndarray:
        """u → values of this parameter (rounded for integers), inside [low, high]."""
        z_lo, z_hi = self.bounds
        x = _t_inv(z_lo + np.clip(u, 0.0, 1.0) * (z_hi - z_lo), self.scaling)
        if self.is_int:
            x = np.floor(x + 0.5)
        return np.clip(x, self.low, self.high)

    def value(self, x: float) -> ParamValue:
        return int(x) if self.is_int else float(x)

    def value_at(self, u: float) -> ParamValue:
        """Scalar fast path of :meth:`from_unit` (one ask)."""
        z_lo, z_hi = self.bounds
        z = z_lo + min(max(u, 0.0), 1.0) * (z_hi - z_lo)
        if self.scaling == "Logarithmic":
            x = math.exp(z)
        elif self.scaling == "ReverseLogarithmic":
            x = -math.expm1(-z)
        else:
            x = z
        if self.is_int:
            x = math.floor(x + 0.5)
        return self.value(min(max(x, self.low), self.high))


@dataclass(frozen=True)
class CategoricalParam:
    name: str
    values: tuple[str, ...]

    def index(self, u: np.ndarray) -> np.ndarray:
        k = len(self.values)
        return np.minimum(np.floor(np.clip(u, 0.0, 1.0) * k), k - 1).astype(int)


Param = NumericParam | CategoricalParam


def _parse_number(raw: object, is_int: bool, where: str) -> float:
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise StrategyError(f"{where} must be a number given as a string; got {raw!r}")
    try:
        value = float(int(raw)) if is_int else float(raw)
    except (TypeError, ValueError):
        kind = "an integer" if is_int else "a number"
        raise StrategyError(f"{where} must be {kind}; got {raw!r}") from None
    if not math.isfinite(value):
        raise StrategyError(f"{where} must be finite; got {raw!r}")
    return value


def _resolve_scaling(scaling: str, low: float, high: float) -> Scaling:
    if scaling == "Auto":
        return "Logarithmic" if low > 0 and high / low >= AUTO_LOG_RATIO else "Linear"
    return scaling  # type: ignore[return-value]


def _numeric(spec: Mapping[str, Any], is_int: bool, where: str) -> NumericParam:
    name = _name(spec, where)
    low = _parse_number(spec.get("MinValue"), is_int, f"{where}.MinValue ({name})")
    high = _parse_number(spec.get("MaxValue"), is_int, f"{where}.MaxValue ({name})")
    scaling = spec.get("ScalingType", "Auto") or "Auto"
    if scaling not in _SCALINGS:
        raise StrategyError(
            f"{where}.ScalingType ({name}) must be one of {', '.join(_SCALINGS)}; got {scaling!r}"
        )
    if low > high:
        raise StrategyError(f"{where} ({name}): MinValue {low:g} is greater than MaxValue {high:g}")
    if scaling == "Logarithmic" and low <= 0:
        raise StrategyError(
            f"{where} ({name}): Logarithmic scaling needs MinValue > 0; got {low:g}"
        )
    if scaling == "ReverseLogarithmic":
        if is_int:
            raise StrategyError(
                f"{where} ({name}): ReverseLogarithmic scaling is only for continuous ranges"
            )
        if low < 0 or high >= 1:
            raise StrategyError(
                f"{where} ({name}): ReverseLogarithmic scaling needs 0 <= MinValue and "
                f"MaxValue < 1; got [{low:g}, {high:g}]"
            )
    return NumericParam(name, low, high, _resolve_scaling(scaling, low, high), is_int)


def _name(spec: Mapping[str, Any], where: str) -> str:
    if not isinstance(spec, Mapping):
        raise StrategyError(f"{where} must be a dict; got {spec!r}")
    name = spec.get("Name")
    if not isinstance(name, str) or not name:
        raise StrategyError(f"{where}.Name must be a non-empty string; got {name!r}")
    return name


def _categorical(spec: Mapping[str, Any], where: str) -> CategoricalParam:
    name = _name(spec, where)
    values = spec.get("Values")
    if not isinstance(values, Sequence) or isinstance(values, str) or not values:
        raise StrategyError(f"{where}.Values ({name}) must be a non-empty list; got {values!r}")
    if not all(isinstance(v, str) for v in values):
        raise StrategyError(f"{where}.Values ({name}) must be strings; got {list(values)!r}")
    if len(set(values)) != len(values):
        raise StrategyError(f"{where}.Values ({name}) contains duplicates: {list(values)!r}")
    return CategoricalParam(name, tuple(values))


class SearchSpace:
    """An ordered list of parameters and the maps between configurations and unit space."""

    def __init__(self, params: Sequence[Param]) -> None:
        names = [p.name for p in params]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise StrategyError(f"parameter names must be unique; repeated: {', '.join(dupes)}")
        if not params:
            raise StrategyError("ParameterRanges must define at least one range")
        self.params: tuple[Param, ...] = tuple(params)
        self.names = tuple(names)

    @classmethod
    def from_parameter_ranges(cls, ranges: Mapping[str, Any]) -> SearchSpace:
        """Parse SageMaker's ``ParameterRanges`` dict (missing lists mean empty)."""
        if not isinstance(ranges, Mapping):
            raise StrategyError(f"ParameterRanges must be a dict; got {type(ranges).__name__}")
        unknown = sorted(set(ranges) - {*_LIST_KEYS, "AutoParameters"})
        if unknown:
            raise StrategyError(f"ParameterRanges has unknown keys: {', '.join(unknown)}")
        if ranges.get("AutoParameters"):
            raise StrategyError(
                "AutoParameters must be resolved to ranges before creating a strategy"
            )
        params: list[Param] = []
        for key in _LIST_KEYS:
            items = ranges.get(key) or []
            if not isinstance(items, Sequence) or isinstance(items, str):
                raise StrategyError(f"ParameterRanges.{key} must be a list; got {items!r}")
            for i, spec in enumerate(items):
                where = f"{key}[{i}]"
                if key == "CategoricalParameterRanges":
                    params.append(_categorical(spec, where))
                else:
                    params.append(_numeric(spec, key == "IntegerParameterRanges", where))
        return cls(params)

    # -- sizes ------------------------------------------------------------------------------
    @property
    def n_params(self) -> int:
        return len(self.params)

    @property
    def n_encoded(self) -> int:
        """Columns of the GP encoding: one per numeric parameter, one-hot for categoricals."""
        return sum(1 if isinstance(p, NumericParam) else len(p.values) for p in self.params)

    def cardinality(self) -> int | None:
        """Number of distinct configurations, or None when a continuous range makes it infinite."""
        total = 1
        for p in self.params:
            if isinstance(p, CategoricalParam):
                total *= len(p.values)
            elif p.is_int:
                total *= int(p.high - p.low) + 1
            elif p.low != p.high:
                return None
        return total

    def is_discrete(self) -> bool:
        return self.cardinality() is not None

    # -- unit space -------------------------------------------------------------------------
    def snap(self, u: np.ndarray) -> np.ndarray:
        """Map points of [0, 1]^P onto feasible configurations (still in unit space)."""
        out = np.array(u, dtype=float, copy=True)
        for j, p in enumerate(self.params):
            if isinstance(p, CategoricalParam):
                out[:, j] = (p.index(out[:, j]) + 0.5) / len(p.values)
            else:
                out[:, j] = p.to_unit(p.from_unit(out[:, j]))
        return out

    def from_unit(self, u: np.ndarray) -> dict[str, ParamValue]:
        """One unit-space row → a configuration with Python int / float / str values."""
        config: dict[str, ParamValue] = {}
        for j, p in enumerate(self.params):
            if isinstance(p, CategoricalParam):
                k = len(p.values)
                config[p.name] = p.values[min(int(min(max(u[j], 0.0), 1.0) * k), k - 1)]
            else:
                config[p.name] = p.value_at(float(u[j]))
        return config

    def to_unit(self, config: Mapping[str, object]) -> np.ndarray:
        """A configuration → unit-space row. Values outside the range are clipped into it;
        an unknown categorical value becomes NaN (encoded as all-zero one-hot); a missing
        parameter becomes NaN too (imputed at the middle of the range by ``encode``). Numbers
        may be given as strings (as the engine stores hyperparameters)."""
        row = np.full(self.n_params, np.nan)
        for j, p in enumerate(self.params):
            if p.name not in config:
                continue
            raw = config[p.name]
            if isinstance(p, CategoricalParam):
                if str(raw) in p.values:
                    row[j] = (p.values.index(str(raw)) + 0.5) / len(p.values)
                continue
            try:
                x = float(raw)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                raise StrategyError(f"parameter {p.name!r} must be a number; got {raw!r}") from None
            if math.isfinite(x):
                row[j] = float(p.to_unit(np.asarray([x]))[0])
        return row

    def contains(self, config: Mapping[str, object]) -> bool:
        """True when ``config`` names exactly these parameters with values inside the ranges
        (integers integral, categoricals among the values); numbers may be strings."""
        if set(config) != set(self.names):
            return False
        row = self.to_unit(config)
        if np.isnan(row).any():
            return False
        snapped = self.from_unit(row)
        for p in self.params:
            if isinstance(p, CategoricalParam):
                continue
            x = float(config[p.name])  # type: ignore[arg-type]
            if not math.isclose(x, float(snapped[p.name]), rel_tol=1e-9, abs_tol=1e-12):
                return False
        return True

    def encode(self, u: np.ndarray) -> np.ndarray:
        """Unit-space rows (m, P) → GP inputs (m, n_encoded): numeric columns as is (NaN → 0.5),
        categoricals one-hot (NaN → all zeros)."""
        u = np.atleast_2d(u)
        cols: list[np.ndarray] = []
        for j, p in enumerate(self.params):
            col = u[:, j]
            if isinstance(p, NumericParam):
                cols.append(np.where(np.isnan(col), 0.5, col)[:, None])
            else:
                k = len(p.values)
                idx = p.index(np.nan_to_num(col, nan=0.0))
                onehot = np.zeros((len(col), k))
                onehot[np.arange(len(col)), idx] = 1.0
                onehot[np.isnan(col)] = 0.0
                cols.append(onehot)
        return np.hstack(cols)

    def continuous_dims(self) -> list[tuple[int, int]]:
        """(unit-space index, encoding column) of each continuous, non-singleton parameter —
        the coordinates a gradient-based local search may move."""
        out: list[tuple[int, int]] = []
        col = 0
        for j, p in enumerate(self.params):
            if isinstance(p, NumericParam):
                if not p.is_int and p.low != p.high:
                    out.append((j, col))
                col += 1
            else:
                col += len(p.values)
        return out

    def numeric_columns(self) -> list[int]:
        """Encoding columns of the integer and continuous (non-singleton) parameters."""
        out: list[int] = []
        col = 0
        for p in self.params:
            if isinstance(p, NumericParam):
                if p.low != p.high:
                    out.append(col)
                col += 1
            else:
                col += len(p.values)
        return out

    def neighbours(self, u: np.ndarray) -> np.ndarray:
        """Unit rows that differ from feasible row ``u`` in one discrete parameter: the next
        integer up and down, or any other categorical value. Shape [q, P] (q may be 0)."""
        rows: list[np.ndarray] = []
        for j, p in enumerate(self.params):
            if isinstance(p, CategoricalParam):
                options = [(i + 0.5) / len(p.values) for i in range(len(p.values))]
            elif p.is_int:
                k = float(p.from_unit(u[j : j + 1])[0])
                steps = [v for v in (k - 1.0, k + 1.0) if p.low <= v <= p.high]
                options = [float(x) for x in p.to_unit(np.asarray(steps))]
            else:
                continue
            for value in options:
                if value != u[j]:
                    row = u.copy()
                    row[j] = value
                    rows.append(row)
        return np.asarray(rows).reshape(len(rows), self.n_params)

    def key(self, u: np.ndarray) -> tuple[float, ...]:
        """A hashable identity of a unit-space row, for duplicate detection."""
        return tuple(np.round(np.asarray(u, dtype=float), 12).tolist())

    def keys(self, units: np.ndarray) -> list[tuple[float, ...]]:
        """:meth:`key` of every row of ``units`` [m, P] (vectorised)."""
        return [tuple(row) for row in np.round(np.asarray(units, dtype=float), 12).tolist()]

    # -- enumeration ------------------------------------------------------------------------
    def unit_values(self, j: int) -> list[float]:
        """All unit coordinates of discrete parameter j (integer or categorical)."""
        p = self.params[j]
        if isinstance(p, CategoricalParam):
            return [(i + 0.5) / len(p.values) for i in range(len(p.values))]
        if not p.is_int and p.low != p.high:
            raise StrategyError(f"continuous parameter {p.name!r} cannot be enumerated")
        values = np.arange(p.low, p.high + 1.0)
        return [float(v) for v in p.to_unit(values)]

    def iter_grid(self) -> Iterator[np.ndarray]:
        """Every configuration, lexicographically: the first parameter varies slowest."""
        axes = [self.unit_values(j) for j in range(self.n_params)]
        for combo in itertools.product(*axes):
            yield np.asarray(combo, dtype=float)

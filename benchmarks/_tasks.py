"""Benchmark tasks for the strategy suite: search spaces in SageMaker's ``ParameterRanges`` shape.

A task is a loss to *minimise* over a SageMaker search space. Three groups:

- ``synthetic``: closed-form test functions with known minima (bayesian-optimization.md §5),
  plus one mixed continuous/integer/categorical function built here;
- ``sklearn``: bayesmark-style 5-fold CV losses on scikit-learn's bundled datasets
  (see ``_tasks_ml``);
- ``xgboost``: XGBoost on breast_cancer with the project's seed search space.

Tasks are rebuilt by name inside worker processes (``get_task``), so nothing here must be pickled.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

Params = dict[str, Any]
Kind = Literal["continuous", "integer", "categorical"]


@dataclass(frozen=True)
class Dim:
    """One tuned hyperparameter, parsed from a SageMaker parameter range."""

    name: str
    kind: Kind
    low: float = 0.0
    high: float = 0.0
    scale: str = "Linear"
    values: tuple[str, ...] = ()


def dims_of(ranges: Mapping[str, Any]) -> list[Dim]:
    """Parse a SageMaker ``ParameterRanges`` dict (string bounds) into ``Dim``s, in order."""
    dims: list[Dim] = []
    for key, kind in (
        ("ContinuousParameterRanges", "continuous"),
        ("IntegerParameterRanges", "integer"),
    ):
        for r in ranges.get(key, []):
            scale = r.get("ScalingType", "Auto")
            dims.append(
                Dim(
                    r["Name"],
                    kind,  # type: ignore[arg-type]
                    float(r["MinValue"]),
                    float(r["MaxValue"]),
                    "Linear" if scale == "Auto" else scale,
                )
            )
    for r in ranges.get("CategoricalParameterRanges", []):
        dims.append(Dim(r["Name"], "categorical", values=tuple(r["Values"])))
    return dims


def coerce(dims: list[Dim], params: Mapping[str, Any]) -> Params:
    """Typed values (int/float/str) for a proposal; strategies may hand back strings."""
    out: Params = {}
    for d in dims:
        v = params[d.name]
        if d.kind == "integer":
            out[d.name] = round(float(v))
        elif d.kind == "continuous":
            out[d.name] = float(v)
        else:
            out[d.name] = str(v)
    return out


def sample_uniform(dims: list[Dim], rng: np.random.Generator) -> Params:
    """One independent draw per dimension, uniform in the dimension's scaling."""
    out: Params = {}
    for d in dims:
        if d.kind == "categorical":
            out[d.name] = d.values[int(rng.integers(len(d.values)))]
            continue
        if d.scale == "Logarithmic":
            x = math.exp(rng.uniform(math.log(d.low), math.log(d.high)))
        elif d.scale == "ReverseLogarithmic":
            x = 1.0 - math.exp(rng.uniform(math.log(1.0 - d.high), math.log(1.0 - d.low)))
        else:
            x = rng.uniform(d.low, d.high)
        if d.kind == "integer":
            x = min(max(round(x), int(d.low)), int(d.high))
        out[d.name] = x
    return out


def continuous(name: str, low: float, high: float, scale: str = "Linear") -> dict[str, str]:
    return {"Name": name, "MinValue": repr(low), "MaxValue": repr(high), "ScalingType": scale}


def integer(name: str, low: int, high: int, scale: str = "Linear") -> dict[str, str]:
    return {"Name": name, "MinValue": str(low), "MaxValue": str(high), "ScalingType": scale}


def categorical(name: str, values: list[str]) -> dict[str, Any]:
    return {"Name": name, "Values": list(values)}


def make_ranges(items: list[dict[str, Any]], kinds: list[Kind]) -> dict[str, list[Any]]:
    ranges: dict[str, list[Any]] = {
        "ContinuousParameterRanges": [],
        "IntegerParameterRanges": [],
        "CategoricalParameterRanges": [],
    }
    key = {
        "continuous": "ContinuousParameterRanges",
        "integer": "IntegerParameterRanges",
        "categorical": "CategoricalParameterRanges",
    }
    for item, kind in zip(items, kinds, strict=True):
        ranges[key[kind]].append(item)
    return ranges


@dataclass
class Task:
    """A loss to minimise. ``evaluate`` returns NaN when the configuration fails."""

    name: str
    group: str
    ranges: dict[str, list[Any]]
    loss: Callable[[Params], float]
    optimum: float | None = None
    cache_evaluations: bool = False
    _cache: dict[tuple[tuple[str, Any], ...], float] = field(default_factory=dict, repr=False)

    @property
    def dims(self) -> list[Dim]:
        return dims_of(self.ranges)

    @property
    def space_id(self) -> str:
        """A fingerprint of the ranges, stored in every record: results of a task whose search
        space has changed since (e.g. a reparametrised range) are never scored together."""
        text = json.dumps(self.ranges, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def evaluate(self, params: Mapping[str, Any]) -> float:
        typed = coerce(self.dims, params)
        key = tuple(sorted(typed.items()))
        if self.cache_evaluations and key in self._cache:
            return self._cache[key]
        try:
            value = float(self.loss(typed))
        except (ValueError, ArithmeticError, np.linalg.LinAlgError):
            value = math.nan
        if self.cache_evaluations:
            self._cache[key] = value
        return value


# --------------------------------------------------------------------------------------------
# Synthetic functions (botorch / SFU definitions, minimisation). Input: a 1-D array.
# --------------------------------------------------------------------------------------------

_HART6_A = np.array(
    [
        [10, 3, 17, 3.5, 1.7, 8],
        [0.05, 10, 17, 0.1, 8, 14],
        [3, 3.5, 1.7, 10, 17, 8],
        [17, 8, 0.05, 10, 0.1, 14],
    ]
)
_HART6_P = 1e-4 * np.array(
    [
        [1312, 1696, 5569, 124, 8283, 5886],
        [2329, 4135, 8307, 3736, 1004, 9991],
        [2348, 1451, 3522, 2883, 3047, 6650],
        [4047, 8828, 8732, 5743, 1091, 381],
    ]
)
_HART6_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])


def branin(x: np.ndarray) -> float:
    x1, x2 = x[0], x[1]
    b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
    return float((x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10)


def hartmann6(x: np.ndarray) -> float:
    inner = np.sum(_HART6_A * (x[None, :] - _HART6_P) ** 2, axis=1)
    return float(-np.sum(_HART6_ALPHA * np.exp(-inner)))


def ackley(x: np.ndarray) -> float:
    d = x.size
    s1 = math.sqrt(float(np.sum(x**2)) / d)
    s2 = float(np.sum(np.cos(2 * math.pi * x))) / d
    return -20.0 * math.exp(-0.2 * s1) - math.exp(s2) + 20.0 + math.e


def rosenbrock(x: np.ndarray) -> float:
    return float(np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2))


def levy(x: np.ndarray) -> float:
    w = 1.0 + (x - 1.0) / 4.0
    head = math.sin(math.pi * w[0]) ** 2
    mid = np.sum((w[:-1] - 1) ** 2 * (1 + 10 * np.sin(math.pi * w[:-1] + 1) ** 2))
    tail = (w[-1] - 1) ** 2 * (1 + math.sin(2 * math.pi * w[-1]) ** 2)
    return float(head + mid + tail)


# Mixed space (built here): Branin over two continuous inputs, plus an integer with its best value
# at 7, a log-scaled learning rate best at 10^-2.5, and a categorical with per-value offsets.
_MIXED_OFFSET = {"relu": 0.0, "tanh": 0.3, "sigmoid": 1.0}


def _mixed_loss(p: Params) -> float:
    base = branin(np.array([p["x1"], p["x2"]])) / 10.0
    return (
        base
        + 0.1 * (p["units"] - 7) ** 2
        + 0.5 * (math.log10(p["lr"]) + 2.5) ** 2
        + _MIXED_OFFSET[p["activation"]]
    )


def _box_task(
    name: str, fn: Callable[[np.ndarray], float], bounds: list[tuple[float, float]], f_star: float
) -> Task:
    items = [continuous(f"x{i + 1}", lo, hi) for i, (lo, hi) in enumerate(bounds)]
    ranges = make_ranges(items, ["continuous"] * len(items))
    names = [f"x{i + 1}" for i in range(len(bounds))]

    def loss(p: Params) -> float:
        return fn(np.array([p[n] for n in names], dtype=float))

    return Task(name, "synthetic", ranges, loss, optimum=f_star)


def _mixed_task() -> Task:
    ranges = make_ranges(
        [
            continuous("x1", -5.0, 10.0),
            continuous("x2", 0.0, 15.0),
            continuous("lr", 1e-4, 1.0, "Logarithmic"),
            integer("units", 1, 16),
            categorical("activation", list(_MIXED_OFFSET)),
        ],
        ["continuous", "continuous", "continuous", "integer", "categorical"],
    )
    return Task("mixed5", "synthetic", ranges, _mixed_loss, optimum=0.397887 / 10.0)


SYNTHETIC: dict[str, Callable[[], Task]] = {
    "branin": lambda: _box_task("branin", branin, [(-5.0, 10.0), (0.0, 15.0)], 0.397887),
    "hartmann6": lambda: _box_task("hartmann6", hartmann6, [(0.0, 1.0)] * 6, -3.32237),
    "ackley5": lambda: _box_task("ackley5", ackley, [(-32.768, 32.768)] * 5, 0.0),
    "rosenbrock4": lambda: _box_task("rosenbrock4", rosenbrock, [(-5.0, 10.0)] * 4, 0.0),
    "levy4": lambda: _box_task("levy4", levy, [(-10.0, 10.0)] * 4, 0.0),
    "mixed5": _mixed_task,
}


def task_names(group: str | None = None) -> list[str]:
    """All task names, or those of one group (``synthetic``, ``sklearn``, ``xgboost``)."""
    from benchmarks import _tasks_ml

    groups = {
        "synthetic": list(SYNTHETIC),
        "sklearn": _tasks_ml.sklearn_task_names(),
        "xgboost": _tasks_ml.xgboost_task_names(),
    }
    if group is None:
        return [n for names in groups.values() for n in names]
    return groups[group]


def get_task(name: str) -> Task:
    """Build a task by name; raises ``KeyError`` with the list of known names."""
    if name in SYNTHETIC:
        return SYNTHETIC[name]()
    from benchmarks import _tasks_ml

    task = _tasks_ml.build_task(name)
    if task is None:
        raise KeyError(f"unknown task {name!r}; known tasks: {', '.join(task_names())}")
    return task

"""Search methods behind one batch ask/tell interface, so every method runs in the same harness.

- ``localtune-random`` / ``localtune-bayesian``: the project's ``strategies`` package;
- ``optuna-tpe`` / ``optuna-gp``: Optuna's TPESampler and GPSampler with their defaults
  (``bench`` extra);
- ``skopt-gp``: scikit-optimize's ``Optimizer`` (GP, gp_hedge, its defaults; ``bench`` extra);
- ``harness-random``: uniform sampling written here, independent of the code under test (used by
  the harness smoke test and as a cross-check of the random baseline);
- ``localtune-bayesian:option=value[:option=value...]``: the Bayesian strategy with options passed
  to ``strategies.create`` (A/B variants, e.g. ``localtune-bayesian:patience=3``); values are
  parsed as int, float, true/false or none when they look like one, else kept as strings.

Every method sees the same space. SageMaker's ReverseLogarithmic scaling (no equivalent in
Optuna or skopt) is given to them as a log-scaled variable z = 1 - x, mapped back before
evaluation, so all methods search the same geometry.
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from benchmarks._tasks import Dim, Params, dims_of, sample_uniform


class Searcher(Protocol):
    def ask(self, k: int) -> list[tuple[Any, Params]]:
        """Up to k proposals (handle, params); fewer (or none) when the method is exhausted."""
        ...

    def tell(self, results: list[tuple[Any, float | None]]) -> None:
        """Results for earlier handles; None marks a failed evaluation."""
        ...


Factory = Callable[[dict[str, Any], int], Searcher]


@dataclass(frozen=True)
class Method:
    name: str
    make: Factory
    requires: tuple[str, ...] = ()

    def missing(self) -> str | None:
        """Why the method cannot run here (a missing module), or None when it can."""
        for module in self.requires:
            if importlib.util.find_spec(module) is None:
                return f"module {module!r} is not installed"
        if "strategies" in self.requires:
            import strategies

            if not hasattr(strategies, "create"):
                return "the strategies package has no create() yet"
        return None


class HarnessRandom:
    def __init__(self, ranges: dict[str, Any], seed: int) -> None:
        self._dims = dims_of(ranges)
        self._rng = np.random.default_rng(seed)

    def ask(self, k: int) -> list[tuple[Any, Params]]:
        return [(None, sample_uniform(self._dims, self._rng)) for _ in range(k)]

    def tell(self, results: list[tuple[Any, float | None]]) -> None:
        return None


class LocaltuneSearcher:
    def __init__(
        self, strategy_name: str, ranges: dict[str, Any], seed: int, **options: Any
    ) -> None:
        import strategies

        self._s = strategies.create(
            strategy_name, ranges, objective="Minimize", seed=seed, **options
        )

    def ask(self, k: int) -> list[tuple[Any, Params]]:
        out: list[tuple[Any, Params]] = []
        for _ in range(k):
            trial = self._s.ask()
            if trial is None:
                break
            out.append((trial.id, dict(trial.params)))
        return out

    def tell(self, results: list[tuple[Any, float | None]]) -> None:
        for trial_id, value in results:
            self._s.tell(trial_id, value)


def _external_bounds(d: Dim) -> tuple[float, float, bool]:
    """(low, high, log) as given to Optuna/skopt; ReverseLogarithmic becomes log over 1 - x."""
    if d.scale == "ReverseLogarithmic":
        return 1.0 - d.high, 1.0 - d.low, True
    return d.low, d.high, d.scale == "Logarithmic"


def _from_external(d: Dim, value: Any) -> Any:
    if d.kind == "continuous" and d.scale == "ReverseLogarithmic":
        return 1.0 - float(value)
    if d.kind == "integer":
        return int(value)
    if d.kind == "continuous":
        return float(value)
    return str(value)


class OptunaSearcher:
    def __init__(self, sampler: str, ranges: dict[str, Any], seed: int) -> None:
        import optuna

        optuna.logging.set_verbosity(optuna.logging.ERROR)
        made = (
            optuna.samplers.TPESampler(seed=seed)
            if sampler == "tpe"
            else optuna.samplers.GPSampler(seed=seed)
        )
        self._optuna = optuna
        self._study = optuna.create_study(direction="minimize", sampler=made)
        self._dims = dims_of(ranges)
        self._dists: dict[str, Any] = {}
        for d in self._dims:
            if d.kind == "categorical":
                self._dists[d.name] = optuna.distributions.CategoricalDistribution(d.values)
            elif d.kind == "integer":
                log = d.scale == "Logarithmic"
                self._dists[d.name] = optuna.distributions.IntDistribution(
                    int(d.low), int(d.high), log=log
                )
            else:
                low, high, log = _external_bounds(d)
                self._dists[d.name] = optuna.distributions.FloatDistribution(low, high, log=log)

    def ask(self, k: int) -> list[tuple[Any, Params]]:
        out: list[tuple[Any, Params]] = []
        for _ in range(k):
            trial = self._study.ask(self._dists)
            params = {d.name: _from_external(d, trial.params[d.name]) for d in self._dims}
            out.append((trial, params))
        return out

    def tell(self, results: list[tuple[Any, float | None]]) -> None:
        state = self._optuna.trial.TrialState
        for trial, value in results:
            if value is None:
                self._study.tell(trial, state=state.FAIL)
            else:
                self._study.tell(trial, value)


class SkoptSearcher:
    """skopt's Optimizer; a failed evaluation is told as the worst value seen so far (skopt has
    no notion of failure)."""

    def __init__(self, ranges: dict[str, Any], seed: int) -> None:
        from skopt import Optimizer
        from skopt.space import Categorical, Integer, Real

        self._dims = dims_of(ranges)
        space: list[Any] = []
        for d in self._dims:
            if d.kind == "categorical":
                space.append(Categorical(list(d.values), name=d.name))
            elif d.kind == "integer":
                prior = "log-uniform" if d.scale == "Logarithmic" else "uniform"
                space.append(Integer(int(d.low), int(d.high), prior=prior, name=d.name))
            else:
                low, high, log = _external_bounds(d)
                space.append(Real(low, high, prior="log-uniform" if log else "uniform"))
        self._opt = Optimizer(space, base_estimator="GP", random_state=seed)
        self._worst = -math.inf

    def ask(self, k: int) -> list[tuple[Any, Params]]:
        points = [self._opt.ask()] if k == 1 else self._opt.ask(n_points=k)
        out: list[tuple[Any, Params]] = []
        for x in points:
            params = {d.name: _from_external(d, v) for d, v in zip(self._dims, x, strict=True)}
            out.append((list(x), params))
        return out

    def tell(self, results: list[tuple[Any, float | None]]) -> None:
        finite = [v for _, v in results if v is not None]
        if finite:
            self._worst = max(self._worst, *finite)
        fallback = self._worst if math.isfinite(self._worst) else 1e12
        xs = [x for x, _ in results]
        ys = [fallback if v is None else v for _, v in results]
        self._opt.tell(xs, ys)


METHODS: dict[str, Method] = {
    "localtune-random": Method(
        "localtune-random", lambda r, s: LocaltuneSearcher("Random", r, s), ("strategies",)
    ),
    "localtune-bayesian": Method(
        "localtune-bayesian", lambda r, s: LocaltuneSearcher("Bayesian", r, s), ("strategies",)
    ),
    "optuna-tpe": Method("optuna-tpe", lambda r, s: OptunaSearcher("tpe", r, s), ("optuna",)),
    "optuna-gp": Method("optuna-gp", lambda r, s: OptunaSearcher("gp", r, s), ("optuna", "torch")),
    "skopt-gp": Method("skopt-gp", SkoptSearcher, ("skopt",)),
    "harness-random": Method("harness-random", HarnessRandom),
}
DEFAULT_METHODS = ("localtune-random", "localtune-bayesian", "optuna-tpe", "optuna-gp", "skopt-gp")
BASELINE_CANDIDATES = ("localtune-random", "harness-random")


def _option_value(text: str) -> Any:
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered == "none":
        return None
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            continue
    return text


def parse_variant(spec: str) -> tuple[str, dict[str, Any]]:
    """``name`` → (name, {}); ``localtune-bayesian:option=value[:...]`` → (its base, options).

    Raises KeyError naming the problem for a malformed option."""
    base, _, rest = spec.partition(":")
    options: dict[str, Any] = {}
    for item in rest.split(":") if rest else []:
        key, eq, value = item.partition("=")
        if not eq or not key:
            raise KeyError(f"method {spec!r}: option {item!r} is not NAME=VALUE")
        options[key] = _option_value(value)
    return base, options


def get_method(spec: str) -> Method:
    """A method by name, or a ``localtune-bayesian:option=value[:...]`` variant of ours.

    Raises KeyError naming the problem for an unknown method or a malformed option."""
    if spec in METHODS:
        return METHODS[spec]
    base, options = parse_variant(spec)
    if base != "localtune-bayesian" or not options:
        raise KeyError(f"unknown method {spec!r}; known: {', '.join(METHODS)}")

    def make(ranges: dict[str, Any], seed: int) -> Searcher:
        return LocaltuneSearcher("Bayesian", ranges, seed, **options)

    return Method(spec, make, ("strategies",))

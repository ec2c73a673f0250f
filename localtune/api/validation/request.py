"""A typed, forgiving view of a CreateHyperParameterTuningJob request for the semantic rules.

The semantic rules run even when the model-level walk found problems, so every accessor here
tolerates wrong types: a member of the wrong type reads as absent (the model-level problem
already names it). Paths are spelled the way semantic messages print them:
``HyperParameterTuningJobConfig.ParameterRanges.IntegerParameterRanges[0].MinValue``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

RANGE_KINDS = ("Integer", "Continuous", "Categorical")
OBJECTIVE_HP = "_tuning_objective_metric"

_INT_TEXT = re.compile(r"[+-]?[0-9]+")
_FLOAT_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def sub(obj: Any, key: str) -> dict[str, Any]:
    """``obj[key]`` when it is a dict, else ``{}``."""
    value = obj.get(key) if isinstance(obj, dict) else None
    return value if isinstance(value, dict) else {}


def has(obj: Any, key: str) -> bool:
    return isinstance(obj, dict) and obj.get(key) is not None


def items(obj: Any, key: str) -> list[tuple[int, dict[str, Any]]]:
    """``(index, element)`` of the list ``obj[key]``, keeping dict elements only."""
    value = obj.get(key) if isinstance(obj, dict) else None
    if not isinstance(value, list | tuple):
        return []
    return [(i, v) for i, v in enumerate(value) if isinstance(v, dict)]


def text(obj: Any, key: str) -> str | None:
    value = obj.get(key) if isinstance(obj, dict) else None
    return value if isinstance(value, str) else None


def integer(obj: Any, key: str) -> int | None:
    value = obj.get(key) if isinstance(obj, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def string_map(obj: Any, key: str) -> dict[str, str]:
    """The string-to-string entries of the map ``obj[key]``."""
    value = sub(obj, key)
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}


def parse_int(value: str | None) -> int | None:
    """An integer written as SageMaker range bounds are (``"10"``, ``"-3"``), else ``None``."""
    if value is None or not _INT_TEXT.fullmatch(value):
        return None
    return int(value)


def parse_float(value: str | None) -> float | None:
    """A finite decimal number (``"0.5"``, ``"1e-3"``, ``"10"``), else ``None``."""
    if value is None or not _FLOAT_TEXT.fullmatch(value):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


@dataclass(frozen=True)
class Range:
    """One entry of ``ParameterRanges`` with its message path."""

    kind: str  # "Integer" | "Continuous" | "Categorical"
    path: str
    body: dict[str, Any]

    @property
    def name(self) -> str | None:
        return text(self.body, "Name")

    @property
    def values(self) -> list[str]:
        raw = self.body.get("Values")
        return [v for v in raw if isinstance(v, str)] if isinstance(raw, list | tuple) else []

    def bounds(self) -> tuple[float, float] | None:
        """Parsed (min, max) of a numeric range, ``None`` if either does not parse."""
        parse = parse_int if self.kind == "Integer" else parse_float
        low = parse(text(self.body, "MinValue"))
        high = parse(text(self.body, "MaxValue"))
        if low is None or high is None:
            return None
        return float(low), float(high)


@dataclass(frozen=True)
class Definition:
    """One training-job definition with where its objective and ranges come from."""

    path: str  # "TrainingJobDefinition" or "TrainingJobDefinitions[1]"
    body: dict[str, Any]
    objective_path: str
    objective: dict[str, Any] | None
    ranges_path: str
    ranges: dict[str, Any] | None

    @property
    def static(self) -> dict[str, str]:
        return string_map(self.body, "StaticHyperParameters")

    @property
    def algorithm(self) -> dict[str, Any]:
        return sub(self.body, "AlgorithmSpecification")

    @property
    def metric_name(self) -> str | None:
        return text(self.objective, "MetricName") if self.objective else None

    def iter_ranges(self) -> Iterator[Range]:
        for kind in RANGE_KINDS:
            key = f"{kind}ParameterRanges"
            for index, body in items(self.ranges, key):
                yield Range(kind, f"{self.ranges_path}.{key}[{index}]", body)

    def tuned_names(self) -> list[str]:
        return [r.name for r in self.iter_ranges() if r.name is not None]


@dataclass
class Request:
    """The parts of a CreateHyperParameterTuningJob request the semantic rules read."""

    raw: dict[str, Any]
    config: dict[str, Any] = field(init=False)
    definitions: list[Definition] = field(init=False)

    def __post_init__(self) -> None:
        self.config = sub(self.raw, "HyperParameterTuningJobConfig")
        self.definitions = list(self._definitions())

    @property
    def name(self) -> str | None:
        return text(self.raw, "HyperParameterTuningJobName")

    @property
    def strategy(self) -> str | None:
        return text(self.config, "Strategy")

    @property
    def limits(self) -> dict[str, Any]:
        return sub(self.config, "ResourceLimits")

    @property
    def max_jobs(self) -> int | None:
        return integer(self.limits, "MaxNumberOfTrainingJobs")

    @property
    def autotune(self) -> bool:
        return text(sub(self.raw, "Autotune"), "Mode") == "Enabled"

    @property
    def multi(self) -> bool:
        """Whether the job's definitions come from TrainingJobDefinitions."""
        return has(self.raw, "TrainingJobDefinitions") and not has(
            self.raw, "TrainingJobDefinition"
        )

    def _definitions(self) -> Iterator[Definition]:
        config_path = "HyperParameterTuningJobConfig"
        if has(self.raw, "TrainingJobDefinition") and has(self.raw, "TrainingJobDefinitions"):
            return  # ambiguous: V10 reports it, and no definition is checked further
        if isinstance(self.raw.get("TrainingJobDefinition"), dict):
            objective = self.config.get("HyperParameterTuningJobObjective")
            ranges = self.config.get("ParameterRanges")
            yield Definition(
                path="TrainingJobDefinition",
                body=self.raw["TrainingJobDefinition"],
                objective_path=f"{config_path}.HyperParameterTuningJobObjective",
                objective=objective if isinstance(objective, dict) else None,
                ranges_path=f"{config_path}.ParameterRanges",
                ranges=ranges if isinstance(ranges, dict) else None,
            )
            return
        for index, body in items(self.raw, "TrainingJobDefinitions"):
            path = f"TrainingJobDefinitions[{index}]"
            objective = body.get("TuningObjective")
            ranges = body.get("HyperParameterRanges")
            yield Definition(
                path=path,
                body=body,
                objective_path=f"{path}.TuningObjective",
                objective=objective if isinstance(objective, dict) else None,
                ranges_path=f"{path}.HyperParameterRanges",
                ranges=ranges if isinstance(ranges, dict) else None,
            )

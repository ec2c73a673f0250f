"""Metrics out of a training job's log lines, as SageMaker takes them from CloudWatch Logs.

Each ``MetricDefinitions`` entry is ``{"Name", "Regex"}``; the first capture group of the regex is
the value (reference §5.4). CloudWatch shows a TAB as ``#011`` and SageMaker's own regexes (the
built-in XGBoost ones, ``.*\\[[0-9]+\\].*#011validation-auc:(\\S+)``) rely on that, so every line
is matched with its tabs replaced by ``#011``.

Choices where SageMaker is silent (UNKNOWN in the reference):
- The regex is searched (``re.search``) in the line; one value per definition per line, from the
  first match. A regex without a group uses the whole match.
- A capture that ``float()`` cannot read is ignored; so are NaN and infinities (a metric value
  must be a JSON number to appear in DescribeTrainingJob).
- ``iteration`` of a point is the index (from 0) of that value among the values of the same
  metric in the job; the final value of a metric is its last value.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

__all__ = ["MetricExtractor", "MetricPoint", "cloudwatch_line"]


@dataclass(frozen=True)
class MetricPoint:
    name: str
    value: float
    timestamp: float
    iteration: int


def cloudwatch_line(line: str) -> str:
    """The line as CloudWatch Logs shows it: no line break, TAB as ``#011``."""
    return line.rstrip("\r\n").replace("\t", "#011")


def _to_float(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


class MetricExtractor:
    """Applies a job's metric definitions to its log, line by line, and keeps the last values."""

    def __init__(self, definitions: Sequence[Mapping[str, str]]) -> None:
        self._regexes: list[tuple[str, re.Pattern[str]]] = []
        for index, definition in enumerate(definitions):
            name, regex = definition.get("Name"), definition.get("Regex")
            if not isinstance(name, str) or not isinstance(regex, str):
                raise ValueError(
                    f"MetricDefinitions[{index}] must have a string Name and Regex; got "
                    f"{definition!r}"
                )
            try:
                self._regexes.append((name, re.compile(regex)))
            except re.error as exc:
                raise ValueError(
                    f"MetricDefinitions[{index}] ({name}): the Regex {regex!r} is not a valid "
                    f"regular expression: {exc}"
                ) from None
        self._counts: dict[str, int] = {}
        self._last: dict[str, MetricPoint] = {}

    def feed(self, lines: Iterable[str], timestamp: float | None = None) -> list[MetricPoint]:
        """The metric points found in ``lines`` (all stamped ``timestamp``, default now)."""
        now = time.time() if timestamp is None else timestamp
        points: list[MetricPoint] = []
        if not self._regexes:
            return points
        for raw in lines:
            line = cloudwatch_line(raw)
            for name, regex in self._regexes:
                match = regex.search(line)
                if match is None:
                    continue
                value = _to_float(match.group(1) if regex.groups else match.group(0))
                if value is None:
                    continue
                iteration = self._counts.get(name, 0)
                self._counts[name] = iteration + 1
                point = MetricPoint(name, value, now, iteration)
                self._last[name] = point
                points.append(point)
        return points

    def final(self) -> list[MetricPoint]:
        """The last point of every metric seen, in the order of the definitions."""
        order = {name: i for i, (name, _) in enumerate(self._regexes)}
        return sorted(self._last.values(), key=lambda p: order.get(p.name, len(order)))

    def last(self, name: str) -> MetricPoint | None:
        return self._last.get(name)

    def restore(self, points: Iterable[MetricPoint]) -> None:
        """Continue counting after ``points`` already recorded (in order)."""
        for point in points:
            self._counts[point.name] = max(self._counts.get(point.name, 0), point.iteration + 1)
            self._last[point.name] = point

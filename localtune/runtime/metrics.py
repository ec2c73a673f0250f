"""Metrics out of a training job's log lines, as SageMaker takes them from CloudWatch Logs.

Each ``MetricDefinitions`` entry is ``{"Name", "Regex"}``; the first capture group of the regex is
the value (reference §5.4). CloudWatch shows a TAB as ``#011`` and SageMaker's own regexes (the
built-in XGBoost ones, ``.*\\[[0-9]+\\].*#011validation-auc:(\\S+)``) rely on that, so every line
is matched with its tabs replaced by ``#011``.

Regexes are Java-flavoured, as SageMaker applies them: they are compiled through
:mod:`localtune.runtime.javaregex` (``\\p{N}`` and the like work).

Choices where SageMaker is silent (UNKNOWN in the reference):
- Every match of the regex in the line is tried; one value per definition per line, from the
  last match that gives a number (the reference's suggested reading, "last match wins"). A regex
  without a group uses the whole match; a first group that did not take part in the match gives
  no value.
- A capture is read with ``float()``. A capture that runs on over a logged TAB (``#011``) is read
  up to it: SageMaker's own built-in regexes end in ``(\\S+)``, which on a CloudWatch line such as
  ``…#011validation-auc:0.95#011validation-logloss:0.2`` captures the next field too, yet the
  objective is read on SageMaker. Any other capture that ``float()`` cannot read is ignored; so
  are NaN and infinities (a metric value must be a JSON number to appear in
  DescribeTrainingJob).
- ``iteration`` of a point is the index (from 0) of that value among the values of the same
  metric in the job; the final value of a metric is its last value.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from localtune.runtime.javaregex import compile_java

__all__ = ["TAB", "MetricExtractor", "MetricPoint", "cloudwatch_line"]

#: How CloudWatch Logs shows a TAB character.
TAB = "#011"


@dataclass(frozen=True)
class MetricPoint:
    name: str
    value: float
    timestamp: float
    iteration: int


def cloudwatch_line(line: str) -> str:
    """The line as CloudWatch Logs shows it: no line break, TAB as ``#011``."""
    return line.rstrip("\r\n").replace("\t", TAB)


def _to_float(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        head, tab, _ = text.partition(TAB)
        if not tab:
            return None
        try:
            value = float(head)
        except ValueError:
            return None
    return value if math.isfinite(value) else None


def _value(regex: re.Pattern[str], line: str) -> float | None:
    """The value of the last match of ``regex`` in ``line`` that reads as a number."""
    found: float | None = None
    for match in regex.finditer(line):
        value = _to_float(match.group(1) if regex.groups else match.group(0))
        if value is not None:
            found = value
    return found


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
                self._regexes.append((name, compile_java(regex)))
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
                value = _value(regex, line)
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

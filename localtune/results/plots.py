"""The report's figures, drawn with matplotlib's object API (no pyplot, no global backend).

Each function takes a :class:`~localtune.results.report.ReportData`-like set of plain values and
returns a ``matplotlib.figure.Figure``; :func:`save` renders it to PNG with the Agg canvas. Nothing
here touches global matplotlib state, so a report can be drawn in any thread or process.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Patch

STATUS_COLOURS = {
    "Completed": "#2a9d4b",
    "InProgress": "#3b75c4",
    "Stopping": "#e9a23b",
    "Stopped": "#e9a23b",
    "Failed": "#d1495b",
}


@dataclass(frozen=True)
class Job:
    """What the figures need of one training job."""

    name: str
    status: str
    params: dict[str, str]
    objective: float | None
    created: datetime
    start: datetime | None
    end: datetime | None


@dataclass(frozen=True)
class Range:
    """A tuned hyperparameter: ``kind`` Continuous/Integer/Categorical, its scaling, values."""

    name: str
    kind: str
    scaling: str = "Linear"
    values: tuple[str, ...] = ()

    @property
    def log(self) -> bool:
        return self.kind != "Categorical" and self.scaling == "Logarithmic"

    @property
    def reverse_log(self) -> bool:
        return self.kind != "Categorical" and self.scaling == "ReverseLogarithmic"

    @property
    def label(self) -> str:
        suffix = " (log)" if self.log else " (reverse log)" if self.reverse_log else ""
        return self.name + suffix


def _reverse_log(x: np.ndarray) -> np.ndarray:
    """ReverseLogarithmic scaling: -log10(1 - x), for values in [0, 1)."""
    return np.asarray(-np.log10(1.0 - np.minimum(np.asarray(x, dtype=float), 1.0 - 1e-12)))


def _reverse_log_inverse(y: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 - np.power(10.0, -np.asarray(y, dtype=float)))


def save(figure: Figure, path: Path) -> None:
    FigureCanvasAgg(figure)
    figure.savefig(path, dpi=100)


def _empty(figure: Figure, message: str) -> Figure:
    ax = figure.add_subplot()
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes)
    ax.set_axis_off()
    return figure


def best_so_far(values: Sequence[float | None], maximize: bool) -> list[float | None]:
    """The running best of ``values`` (``None`` until the first value)."""
    out: list[float | None] = []
    best: float | None = None
    for value in values:
        if value is not None and (best is None or (value > best if maximize else value < best)):
            best = value
        out.append(best)
    return out


def objective_history(jobs: Sequence[Job], metric: str, maximize: bool) -> Figure:
    """Objective of each training job in launch order, with the best-so-far line."""
    figure = Figure(figsize=(9, 4.5), layout="constrained")
    if not any(job.objective is not None for job in jobs):
        return _empty(figure, "No training job has reported the objective yet.")
    ax = figure.add_subplot()
    xs = np.arange(1, len(jobs) + 1)
    for status in sorted({job.status for job in jobs}):
        points = [(x, j.objective) for x, j in zip(xs, jobs, strict=True) if j.status == status]
        points = [(x, y) for x, y in points if y is not None]
        if points:
            px, py = zip(*points, strict=True)
            ax.scatter(px, py, s=28, color=STATUS_COLOURS.get(status, "grey"), label=status)
    running = best_so_far([job.objective for job in jobs], maximize)
    steps = [(x, y) for x, y in zip(xs, running, strict=True) if y is not None]
    bx, by = zip(*steps, strict=True)
    ax.step(bx, by, where="post", color="black", linewidth=1.5, label="best so far")
    failed = [x for x, job in zip(xs, jobs, strict=True) if job.objective is None]
    if failed:
        # Along the bottom edge (x in data, y in axes coordinates): they have no value to plot.
        ax.scatter(
            failed,
            [0.03] * len(failed),
            transform=ax.get_xaxis_transform(),
            marker="x",
            color="grey",
            label="no objective (failed or running)",
        )
    ax.set_xlabel("training job (launch order)")
    ax.set_ylabel(metric)
    ax.set_title(f"{metric} per training job ({'maximize' if maximize else 'minimize'})")
    ax.legend(loc="best", fontsize="small")
    ax.grid(alpha=0.3)
    return figure


def _positions(values: Sequence[str], spec: Range) -> tuple[list[float], list[str]]:
    """Numeric x positions for a range's values, and category labels (categorical only)."""
    if spec.kind == "Categorical":
        labels = list(spec.values) or sorted(set(values))
        extra = sorted(set(values) - set(labels))
        labels += extra
        return [float(labels.index(v)) for v in values], labels
    return [float(v) for v in values], []


def hyperparameter_panels(
    jobs: Sequence[Job], ranges: Sequence[Range], metric: str, maximize: bool
) -> Figure:
    """One panel per tuned hyperparameter: its value against the objective."""
    scored = [job for job in jobs if job.objective is not None]
    columns = min(3, max(1, len(ranges)))
    rows = max(1, math.ceil(len(ranges) / columns))
    figure = Figure(figsize=(4 * columns, 3.4 * rows), layout="constrained")
    if not ranges or not scored:
        return _empty(figure, "No tuned hyperparameter with an objective value to show.")
    objective = np.array([job.objective for job in scored], dtype=float)
    for index, spec in enumerate(ranges, start=1):
        ax = figure.add_subplot(rows, columns, index)
        present = [job for job in scored if spec.name in job.params]
        xs, labels = _positions([job.params[spec.name] for job in present], spec)
        ys = [float(job.objective) for job in present if job.objective is not None]
        ax.scatter(xs, ys, c=ys, cmap="viridis" if maximize else "viridis_r", s=26)
        if labels:
            ax.set_xticks(range(len(labels)), labels, rotation=30, fontsize="small")
        if spec.log:
            ax.set_xscale("log")
        elif spec.reverse_log and xs:
            ax.set_xscale("function", functions=(_reverse_log, _reverse_log_inverse))
            # Ticks at 0, 0.9, 0.99, ... up to the first one past the largest value.
            ticks = [1 - 10.0**-k for k in range(8)]
            shown = [t for t in ticks if t <= max(xs)]
            shown += [t for t in ticks if t > max(xs)][:1]
            ax.set_xticks(shown, [f"{t:g}" for t in shown])
        ax.set_xlabel(spec.label)
        ax.set_ylabel(metric)
        ax.grid(alpha=0.3)
    figure.suptitle(f"{metric} against each tuned hyperparameter ({len(objective)} jobs)")
    return figure


def _normalised(column: list[float], spec: Range | None = None) -> list[float]:
    data = np.asarray(column, dtype=float)
    if spec is not None and spec.log:
        data = np.log10(data)
    elif spec is not None and spec.reverse_log:
        data = _reverse_log(data)
    low, high = float(np.min(data)), float(np.max(data))
    if high == low:
        return [0.5] * len(column)
    return [float(v) for v in (data - low) / (high - low)]


def parallel_coordinates(
    jobs: Sequence[Job], ranges: Sequence[Range], metric: str, maximize: bool
) -> Figure:
    """Tuned hyperparameters (and the objective) as parallel axes, lines coloured by objective."""
    scored = [
        j for j in jobs if j.objective is not None and all(r.name in j.params for r in ranges)
    ]
    figure = Figure(figsize=(max(6.0, 1.8 * (len(ranges) + 1)), 4.5), layout="constrained")
    if not ranges or not scored:
        return _empty(figure, "No tuned hyperparameter with an objective value to show.")
    axes_values: list[list[float]] = []
    extremes: list[tuple[str, str]] = []
    for spec in ranges:
        xs, labels = _positions([job.params[spec.name] for job in scored], spec)
        axes_values.append(_spread(xs, labels) if labels else _normalised(xs, spec))
        extremes.append((labels[0], labels[-1]) if labels else (_fmt(min(xs)), _fmt(max(xs))))
    objective = [float(job.objective) for job in scored if job.objective is not None]
    axes_values.append(_normalised(objective))
    extremes.append((_fmt(min(objective)), _fmt(max(objective))))
    palette = matplotlib.colormaps["viridis" if maximize else "viridis_r"]
    colours = Normalize(vmin=min(objective), vmax=max(objective))
    ax = figure.add_subplot()
    positions = np.arange(len(axes_values))
    for row, value in enumerate(objective):
        ys = [axis[row] for axis in axes_values]
        ax.plot(positions, ys, color=palette(colours(value)), alpha=0.8, linewidth=1.4)
    names = [spec.label for spec in ranges] + [metric]
    ax.set_xticks(positions, names, rotation=20, fontsize="small")
    for position, (low, high) in zip(positions, extremes, strict=True):
        ax.axvline(float(position), color="grey", linewidth=0.8)
        ax.annotate(low, (position, -0.04), ha="center", va="top", fontsize="x-small")
        ax.annotate(high, (position, 1.04), ha="center", va="bottom", fontsize="x-small")
    ax.set_ylim(-0.12, 1.12)
    ax.set_yticks([])
    figure.colorbar(ScalarMappable(norm=colours, cmap=palette), ax=ax, label=metric)
    ax.set_title("Parallel coordinates of the tuned hyperparameters, coloured by objective")
    return figure


def _spread(positions: list[float], labels: list[str]) -> list[float]:
    top = max(1, len(labels) - 1)
    return [p / top for p in positions]


def _fmt(value: float) -> str:
    return f"{value:.4g}"


def timeline(jobs: Sequence[Job], now: datetime) -> Figure:
    """Each training job as a bar from start to end, coloured by status, and the number of
    training jobs running at each moment."""
    figure = Figure(figsize=(9, 5.5), layout="constrained")
    if not jobs:
        return _empty(figure, "The tuning job has no training jobs yet.")
    origin = min(job.created for job in jobs)
    bars, running_edges = figure.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    edges: list[tuple[float, int]] = []
    for row, job in enumerate(jobs):
        begin = (job.start or job.created) - origin
        finish = (job.end or now) - origin
        left, width = begin.total_seconds(), max((finish - begin).total_seconds(), 0.01)
        colour = STATUS_COLOURS.get(job.status, "grey")
        bars.barh(row, width, left=left, color=colour, edgecolor="black", linewidth=0.3)
        edges += [(left, 1), (left + width, -1)]
    handles = [
        Patch(color=STATUS_COLOURS.get(status, "grey"), label=status)
        for status in sorted({job.status for job in jobs})
    ]
    bars.legend(handles=handles, fontsize="small", loc="upper left", bbox_to_anchor=(1.0, 1.0))
    bars.set_yticks(range(len(jobs)), [str(i) for i in range(1, len(jobs) + 1)])
    bars.set_ylabel("training job (launch order)")
    bars.invert_yaxis()
    bars.set_title("Training jobs over time")
    times, counts, level = [0.0], [0], 0
    for moment, delta in sorted(edges, key=lambda e: (e[0], e[1])):
        level += delta
        times.append(moment)
        counts.append(level)
    running_edges.step(times, counts, where="post", color="#3b75c4")
    running_edges.set_ylabel("running")
    running_edges.set_xlabel("seconds since the first training job was created")
    running_edges.set_ylim(0, max(counts) + 1)
    running_edges.grid(alpha=0.3)
    return figure

"""What ``localtune tune`` (and ``localtune demo``) show while a tuning job runs, and after.

Pure functions from Describe/List responses to lines of text, so they are easy to test:

- :func:`live_lines` — the live block on a terminal: a progress bar over
  ``MaxNumberOfTrainingJobs`` (finished jobs), the status counters, the best objective so far and
  its job, and the running jobs with their secondary status and elapsed time;
- :func:`summary_lines` — the table printed at the end: every training job, best first (jobs
  without an objective last), with its objective, status and tuned hyperparameters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from localtune.results.objective import tuning_objective

BAR_WIDTH = 30
FINISHED = ("Completed", "Stopped", "RetryableError", "NonRetryableError")


def _bar(done: int, total: int) -> str:
    filled = 0 if total <= 0 else min(BAR_WIDTH, round(BAR_WIDTH * done / total))
    return "[" + "#" * filled + "." * (BAR_WIDTH - filled) + "]"


def best_line(description: Mapping[str, Any]) -> str:
    best = description.get("BestTrainingJob")
    if not best:
        return "best: -"
    metric = best["FinalHyperParameterTuningJobObjectiveMetric"]
    return f"best: {metric['MetricName']} = {metric['Value']:.6g}  ({best['TrainingJobName']})"


def live_lines(
    description: Mapping[str, Any],
    running: Sequence[Mapping[str, Any]],
    now: datetime | None = None,
) -> list[str]:
    """The live block for one Describe response and the InProgress training jobs (their
    DescribeTrainingJob or summary dicts)."""
    now = now or datetime.now(UTC)
    counters = description["TrainingJobStatusCounters"]
    total = description["HyperParameterTuningJobConfig"]["ResourceLimits"][
        "MaxNumberOfTrainingJobs"
    ]
    done = sum(counters[key] for key in FINISHED)
    lines = [
        f"{description['HyperParameterTuningJobName']}  "
        f"{description['HyperParameterTuningJobStatus']}  {_bar(done, total)} {done}/{total}",
        "  ".join(f"{key} {counters[key]}" for key in ("Completed", "InProgress", *FINISHED[1:])),
        best_line(description),
    ]
    for job in running:
        started = job.get("TrainingStartTime") or job.get("CreationTime")
        elapsed = f"{(now - started).total_seconds():6.1f} s" if started else ""
        status = job.get("SecondaryStatus", job.get("TrainingJobStatus", ""))
        lines.append(f"  {job['TrainingJobName']}  {status:<12} {elapsed}")
    return lines


def _objective(summary: Mapping[str, Any]) -> float | None:
    metric = summary.get("FinalHyperParameterTuningJobObjectiveMetric")
    return None if metric is None else float(metric["Value"])


def summary_lines(
    description: Mapping[str, Any], summaries: Sequence[Mapping[str, Any]]
) -> list[str]:
    """The end-of-run table, best objective first."""
    objective = tuning_objective(description)
    sign = -1.0 if objective["Type"] == "Maximize" else 1.0
    ranked = sorted(
        summaries,
        key=lambda s: (
            _objective(s) is None,
            sign * (_objective(s) or 0.0),
            s["TrainingJobName"],
        ),
    )
    names = sorted({key for s in summaries for key in s.get("TunedHyperParameters", {})})
    header = ["#", "training job", objective["MetricName"], "status", *names]
    rows = [header]
    for rank, summary in enumerate(ranked, start=1):
        value = _objective(summary)
        tuned = summary.get("TunedHyperParameters", {})
        rows.append(
            [
                str(rank),
                summary["TrainingJobName"],
                "-" if value is None else f"{value:.6g}",
                summary["TrainingJobStatus"],
                *(_short(tuned.get(name, "")) for name in names),
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    counters = description["TrainingJobStatusCounters"]
    lines = [
        f"{description['HyperParameterTuningJobName']}: "
        f"{description['HyperParameterTuningJobStatus']}  "
        + "  ".join(f"{key} {value}" for key, value in counters.items()),
        best_line(description),
        "",
    ]
    lines += ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
              for row in rows]  # fmt: skip
    return lines


def _short(value: str) -> str:
    """Tuned values as strings, long floats shortened for the table."""
    try:
        number = float(value)
    except ValueError:
        return value
    return value if value.lstrip("-").isdigit() else f"{number:.6g}"

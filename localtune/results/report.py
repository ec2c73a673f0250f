"""``localtune report JOB``: one HTML page with PNG plots of a tuning job.

The page (``index.html`` in the output directory, next to its PNGs) holds:

* the tuning job's status, strategy, objective and the training- and objective-status counters;
* the best training job: name, objective value, tuned hyperparameters, times, model artifacts;
* ``objective.png`` — the objective of every training job in launch order, with the best so far;
* ``hyperparameters.png`` — each tuned hyperparameter against the objective (log axes where the
  range's ScalingType is Logarithmic);
* ``parallel.png`` — parallel coordinates of the tuned hyperparameters coloured by objective;
* ``timeline.png`` — the training jobs over time by status, and how many ran at once;
* a table of every training job.

Everything comes from the SageMaker API (DescribeHyperParameterTuningJob and
ListTrainingJobsForHyperParameterTuningJob), so any SageMaker client can feed it. The page loads
nothing from the network: plain HTML with inline CSS and relative links to the PNGs.
matplotlib is optional (``pip install 'localtune[report]'``); pandas is not needed.
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from localtune.results.analytics import require, training_job_summaries
from localtune.results.objective import tuning_objective

__all__ = ["FIGURES", "ReportData", "collect", "write_report"]

#: File name and title of each figure, in page order.
FIGURES = (
    ("objective.png", "Objective per training job"),
    ("hyperparameters.png", "Hyperparameters against the objective"),
    ("parallel.png", "Parallel coordinates"),
    ("timeline.png", "Timeline"),
)


@dataclass
class ReportData:
    description: dict[str, Any]
    summaries: list[dict[str, Any]]
    best: dict[str, Any] | None

    @property
    def name(self) -> str:
        return str(self.description["HyperParameterTuningJobName"])

    @property
    def objective(self) -> dict[str, Any]:
        return tuning_objective(self.description)


def collect(tuning_job_name: str, client: Any) -> ReportData:
    """Everything the report shows, from the SageMaker API."""
    description = client.describe_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=tuning_job_name
    )
    summaries = training_job_summaries(tuning_job_name, client)
    summaries.sort(key=lambda s: s["CreationTime"])
    best = None
    if description.get("BestTrainingJob"):
        best = client.describe_training_job(
            TrainingJobName=description["BestTrainingJob"]["TrainingJobName"]
        )
    return ReportData(description, summaries, best)


def _ranges(description: dict[str, Any]) -> list[Any]:
    from localtune.results.plots import Range

    groups = []
    config = description["HyperParameterTuningJobConfig"]
    if config.get("ParameterRanges"):
        groups.append(config["ParameterRanges"])
    for definition in description.get("TrainingJobDefinitions") or []:
        groups.append(definition.get("HyperParameterRanges") or {})
    out: dict[str, Range] = {}
    for group in groups:
        for kind in ("Continuous", "Integer", "Categorical"):
            for item in group.get(f"{kind}ParameterRanges") or []:
                out.setdefault(
                    item["Name"],
                    Range(
                        item["Name"],
                        kind,
                        item.get("ScalingType", "Linear"),
                        tuple(item.get("Values") or ()),
                    ),
                )
    return list(out.values())


def _jobs(summaries: list[dict[str, Any]]) -> list[Any]:
    from localtune.results.plots import Job

    return [
        Job(
            name=s["TrainingJobName"],
            status=s["TrainingJobStatus"],
            params=dict(s["TunedHyperParameters"]),
            objective=(s.get("FinalHyperParameterTuningJobObjectiveMetric") or {}).get("Value"),
            created=s["CreationTime"],
            start=s.get("TrainingStartTime"),
            end=s.get("TrainingEndTime"),
        )
        for s in summaries
    ]


def draw(data: ReportData, out: Path) -> list[Path]:
    """Write every figure of :data:`FIGURES` into ``out``; returns their paths."""
    require("matplotlib", "report", "localtune report")
    from localtune.results import plots

    jobs = _jobs(data.summaries)
    ranges = _ranges(data.description)
    metric = data.objective["MetricName"]
    maximize = data.objective.get("Type") == "Maximize"
    figures = [
        plots.objective_history(jobs, metric, maximize),
        plots.hyperparameter_panels(jobs, ranges, metric, maximize),
        plots.parallel_coordinates(jobs, ranges, metric, maximize),
        plots.timeline(jobs, datetime.now(UTC)),
    ]
    paths = []
    for (file_name, _), figure in zip(FIGURES, figures, strict=True):
        plots.save(figure, out / file_name)
        paths.append(out / file_name)
    return paths


def _e(value: Any) -> str:
    if isinstance(value, datetime):
        value = value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return html.escape("" if value is None else str(value))


def _table(rows: list[tuple[str, Any]]) -> str:
    cells = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows)
    return f"<table class='kv'>{cells}</table>"


def _summary_section(data: ReportData) -> str:
    d = data.description
    config = d["HyperParameterTuningJobConfig"]
    limits = config.get("ResourceLimits", {})
    rows = [
        ("Status", d["HyperParameterTuningJobStatus"]),
        ("Strategy", config.get("Strategy")),
        ("Objective", f"{data.objective.get('Type')} {data.objective['MetricName']}"),
        ("Max training jobs", limits.get("MaxNumberOfTrainingJobs")),
        ("Max parallel training jobs", limits.get("MaxParallelTrainingJobs")),
        ("Created", d.get("CreationTime")),
        ("Ended", d.get("HyperParameterTuningEndTime")),
        ("Runtime (s)", (d.get("ConsumedResources") or {}).get("RuntimeInSeconds")),
    ]
    if d.get("FailureReason"):
        rows.append(("Failure reason", d["FailureReason"]))
    counters = [
        (f"Training jobs {key}", value) for key, value in d["TrainingJobStatusCounters"].items()
    ] + [(f"Objective {key}", value) for key, value in d["ObjectiveStatusCounters"].items()]
    return "<h2>Tuning job</h2>" + _table(rows) + "<h2>Status counters</h2>" + _table(counters)


def _best_section(data: ReportData) -> str:
    summary = data.description.get("BestTrainingJob")
    if not summary or data.best is None:
        return "<h2>Best training job</h2><p>No training job has reported the objective yet.</p>"
    metric = summary.get("FinalHyperParameterTuningJobObjectiveMetric", {})
    rows: list[tuple[str, Any]] = [
        ("Training job", summary["TrainingJobName"]),
        (metric.get("MetricName", "objective"), metric.get("Value")),
        ("Status", summary["TrainingJobStatus"]),
        ("Started", summary.get("TrainingStartTime")),
        ("Ended", summary.get("TrainingEndTime")),
        ("Model artifacts", data.best["ModelArtifacts"]["S3ModelArtifacts"]),
    ]
    rows += [(f"{k} (tuned)", v) for k, v in sorted(summary["TunedHyperParameters"].items())]
    return "<h2>Best training job</h2>" + _table(rows)


def _jobs_section(data: ReportData) -> str:
    names = sorted({k for s in data.summaries for k in s["TunedHyperParameters"]})
    best = (data.description.get("BestTrainingJob") or {}).get("TrainingJobName")
    head = ["#", "Training job", "Status", "Objective", *names, "Failure reason"]
    lines = ["<tr>" + "".join(f"<th>{_e(h)}</th>" for h in head) + "</tr>"]
    for index, s in enumerate(data.summaries, start=1):
        value = (s.get("FinalHyperParameterTuningJobObjectiveMetric") or {}).get("Value")
        cells = [index, s["TrainingJobName"], s["TrainingJobStatus"], value]
        cells += [s["TunedHyperParameters"].get(n) for n in names]
        cells.append(s.get("FailureReason"))
        marker = " class='best'" if s["TrainingJobName"] == best else ""
        lines.append(f"<tr{marker}>" + "".join(f"<td>{_e(c)}</td>" for c in cells) + "</tr>")
    return "<h2>Training jobs</h2><table class='jobs'>" + "".join(lines) + "</table>"


_CSS = """
body { font-family: sans-serif; margin: 2em; color: #222; max-width: 1100px; }
table { border-collapse: collapse; margin-bottom: 1.5em; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; }
table.kv th { background: #f4f4f4; }
table.jobs th { background: #f4f4f4; position: sticky; top: 0; }
tr.best td { font-weight: bold; background: #eef7ee; }
img { max-width: 100%; border: 1px solid #ddd; margin-bottom: 1.5em; }
"""


def render_html(data: ReportData) -> str:
    figures = "".join(
        f"<h2>{_e(title)}</h2><img src='{_e(file_name)}' alt='{_e(title)}'>"
        for file_name, title in FIGURES
    )
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>localtune report: {_e(data.name)}</title><style>{_CSS}</style></head><body>"
        f"<h1>Tuning job {_e(data.name)}</h1>"
        f"{_summary_section(data)}{_best_section(data)}{figures}{_jobs_section(data)}"
        f"<p><small>Written by localtune at {_e(datetime.now(UTC).isoformat())}.</small></p>"
        "</body></html>\n"
    )


def write_report(
    tuning_job_name: str,
    out: str | os.PathLike[str] | None = None,
    home: str | os.PathLike[str] | None = None,
    *,
    client: Any = None,
) -> Path:
    """Write the report of ``tuning_job_name`` into ``out`` (default ``./<job>-report``);
    returns the path of ``index.html``."""
    require("matplotlib", "report", "localtune report")
    if client is None:
        from localtune.interfaces.client import client as make_client

        client = make_client(home)
    directory = Path(out) if out is not None else Path(f"{tuning_job_name}-report")
    directory.mkdir(parents=True, exist_ok=True)
    data = collect(tuning_job_name, client)
    draw(data, directory)
    page = directory / "index.html"
    page.write_text(render_html(data), encoding="utf-8")
    return page

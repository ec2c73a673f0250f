"""Where a localtune training job's time goes, from the store's records and the job logs.

Per job (milliseconds), in the order they happen:

- *record → runner*: SecondaryStatus Starting — from the job's record (CreationTime) until the
  runner has laid out the job directory and begins staging data;
- *data staging*: Downloading — channels linked/copied from the local S3 into the job directory;
- *process start*: from Training's start until the container program logs that it started
  (fork of the preloaded fork server, environment, log file);
- *data load*, *training*, *model write*: the program's own ``timings:`` log line (reading the
  CSV channels into DMatrix-ready arrays; ``xgboost.train``; saving ``model/xgboost-model``);
- *exit seen*: from the program's end until the runner knows the process exited (interpreter
  exit, status over the fork server's pipe, the last log lines read);
- *artifact upload*: Uploading — ``model.tar.gz`` and output written to the local S3.

Slot idle time: with P slots, the (P + k)-th launch fills the slot freed by the k-th job to end;
the gap between that job's TrainingEndTime and the next record's CreationTime is idle slot time
(recording the result, telling the strategy, asking it, inserting the next record).
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

PHASES = (
    "record → runner",
    "data staging",
    "process start",
    "data load",
    "training",
    "model write",
    "exit seen",
    "artifact upload",
)
TIMINGS = re.compile(
    r"timings: started at (?P<start>[\d.]+) \(epoch s\); loading data (?P<load>[\d.]+) ms, "
    r"training (?P<train>[\d.]+) ms, saving the model (?P<save>[\d.]+) ms; "
    r"CPU (?P<cpu>[\d.]+) ms; peak memory (?P<peak>[\d.]+) MiB"
)
LOG_NAME = "training.log"


def program_timings(log_text: str) -> dict[str, float] | None:
    """The container program's ``timings:`` line, or None when it has none."""
    found = TIMINGS.search(log_text)
    if found is None:
        return None
    return {key: float(value) for key, value in found.groupdict().items()}


def _phases(row: Mapping[str, Any]) -> dict[str, tuple[float, float]]:
    return {
        t["Status"]: (t["StartTime"], t.get("EndTime", t["StartTime"])) for t in row["transitions"]
    }


def job_breakdown(row: Mapping[str, Any]) -> dict[str, float] | None:
    """One Completed job's phases in milliseconds (see the module docstring), or None."""
    if row["status"] != "Completed":
        return None
    timings = program_timings(_log(row))
    phases = _phases(row)
    if timings is None or not {"Starting", "Downloading", "Training", "Uploading"} <= set(phases):
        return None
    program_end = timings["start"] + (timings["load"] + timings["train"] + timings["save"]) / 1000
    return {
        "record → runner": 1000 * (phases["Starting"][1] - phases["Starting"][0]),
        "data staging": 1000 * (phases["Downloading"][1] - phases["Downloading"][0]),
        "process start": 1000 * (timings["start"] - phases["Training"][0]),
        "data load": timings["load"],
        "training": timings["train"],
        "model write": timings["save"],
        "exit seen": 1000 * (phases["Uploading"][0] - program_end),
        "artifact upload": 1000 * (phases["Uploading"][1] - phases["Uploading"][0]),
        "job total": 1000 * (row["end_time"] - row["creation_time"]),
    }


def _log(row: Mapping[str, Any]) -> str:
    try:
        return (Path(row["job_dir"]) / LOG_NAME).read_text(errors="replace")
    except (OSError, TypeError):
        return ""


def breakdown(rows: Sequence[Mapping[str, Any]]) -> dict[str, float]:
    """Mean milliseconds per phase over the jobs that have every mark (means add up)."""
    found = [b for b in (job_breakdown(r) for r in rows) if b is not None]
    if not found:
        return {}
    return {key: statistics.fmean(b[key] for b in found) for key in found[0]}


def slot_idle(
    creation_time: float, rows: Sequence[Mapping[str, Any]], parallel: int
) -> dict[str, Any]:
    """Idle slot time between a job's end and the next launch while jobs remain (seconds in,
    milliseconds out); ``first_launch_ms`` is CreationTime to the first training job."""
    starts = sorted(r["creation_time"] for r in rows)
    ends = sorted(r["end_time"] for r in rows if r["end_time"] is not None)
    gaps = [1000 * (start - end) for start, end in zip(starts[parallel:], ends, strict=False)]
    return {
        "first_launch_ms": 1000 * (starts[0] - creation_time) if starts else None,
        "gaps": len(gaps),
        "mean_ms": statistics.fmean(gaps) if gaps else 0.0,
        "max_ms": max(gaps, default=0.0),
        "total_ms": sum(gaps),
        "gaps_ms": [round(g, 1) for g in gaps],
    }


def jobs_cpu(rows: Sequence[Mapping[str, Any]]) -> float:
    """CPU seconds the container programs used (their own processes, from the timings lines)."""
    found = (program_timings(_log(r)) for r in rows)
    return sum(t["cpu"] for t in found if t is not None) / 1000


def job_peaks(rows: Sequence[Mapping[str, Any]]) -> dict[str, float] | None:
    """Peak resident memory of the jobs (MiB, from their timings lines): median and max."""
    peaks = [t["peak"] for t in (program_timings(_log(r)) for r in rows) if t is not None]
    if not peaks:
        return None
    return {"median": statistics.median(peaks), "max": max(peaks)}

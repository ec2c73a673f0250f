"""Scheduler overhead: how close the engine keeps MaxParallelTrainingJobs slots busy.

``python -m benchmarks.scheduler [--jobs 60] [--seconds 0.5] [--parallel 2 4] [--out DIR]``

Each configuration runs one real tuning job (Random strategy) of ``--jobs`` training jobs whose
image is a shell script that sleeps ``--seconds`` and prints the objective; every job is a real
process with its own job directory, log, metrics and artifact upload. Reported per parallelism P:

- wall: HyperParameterTuningEndTime − CreationTime;
- ideal: jobs × seconds / P (every slot busy with the script's own work, nothing else);
- start overhead per job: (P × wall − jobs × seconds) / jobs — the slot time each job costs
  beyond its script (record keeping, job directory, process start, upload, the gap to the next
  launch);
- utilisation: Σ (TrainingEndTime − CreationTime) over jobs / (P × wall) — the fraction of slot
  time in which a training job existed.

The strategies package (scipy) is imported before the runs: the first tuning job of a process
pays that import once, which is not what this benchmark measures. Results go to
``DIR/scheduler.json`` and a markdown table on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before anything numeric is imported

IMAGE = "localtune-bench/sleep:1"
SCRIPT = """#!/bin/sh
sleep "$SLEEP_SECONDS"
echo "loss=0.5"
"""


def _request(name: str, jobs: int, parallel: int, seconds: float) -> dict[str, Any]:
    return {
        "HyperParameterTuningJobName": name,
        "HyperParameterTuningJobConfig": {
            "Strategy": "Random",
            "RandomSeed": 0,
            "HyperParameterTuningJobObjective": {"Type": "Minimize", "MetricName": "loss"},
            "ResourceLimits": {
                "MaxNumberOfTrainingJobs": jobs,
                "MaxParallelTrainingJobs": parallel,
            },
            "ParameterRanges": {
                "ContinuousParameterRanges": [{"Name": "x", "MinValue": "0", "MaxValue": "1"}]
            },
        },
        "TrainingJobDefinition": {
            "AlgorithmSpecification": {
                "TrainingImage": IMAGE,
                "TrainingInputMode": "File",
                "MetricDefinitions": [{"Name": "loss", "Regex": r"loss=(\S+)"}],
            },
            "RoleArn": "arn:aws:iam::123456789012:role/bench",
            "OutputDataConfig": {"S3OutputPath": "s3://bench/out"},
            "ResourceConfig": {
                "InstanceType": "ml.m5.large",
                "InstanceCount": 1,
                "VolumeSizeInGB": 1,
            },
            "StoppingCondition": {"MaxRuntimeInSeconds": 600},
            "Environment": {"SLEEP_SECONDS": str(seconds)},
        },
    }


def run_one(home: Path, jobs: int, parallel: int, seconds: float) -> dict[str, Any]:
    import localtune
    from localtune.interfaces.services import get_service

    sm = localtune.client(home=home)
    name = f"sched-p{parallel}"
    sm.create_hyper_parameter_tuning_job(**_request(name, jobs, parallel, seconds))
    store = get_service(home).store
    while store.get_tuning_job(name)["status"] == "InProgress":  # type: ignore[index]
        time.sleep(0.2)
    row = store.get_tuning_job(name)
    assert row is not None
    rows = store.list_training_jobs(name)
    wall = row["end_time"] - row["creation_time"]
    busy = sum(r["end_time"] - r["creation_time"] for r in rows)
    completed = sum(1 for r in rows if r["status"] == "Completed")
    peak = _peak([(r["creation_time"], r["end_time"]) for r in rows])
    return {
        "parallel": parallel,
        "jobs": len(rows),
        "completed": completed,
        "status": row["status"],
        "seconds_per_job": seconds,
        "wall_s": wall,
        "ideal_s": jobs * seconds / parallel,
        "start_overhead_ms": 1000 * (parallel * wall - jobs * seconds) / jobs,
        "utilisation": busy / (parallel * wall),
        "peak_in_progress": peak,
    }


def _peak(intervals: list[tuple[float, float]]) -> int:
    events = sorted([(a, 1) for a, _ in intervals] + [(b, -1) for _, b in intervals])
    current = peak = 0
    for _, delta in events:
        current += delta
        peak = max(peak, current)
    return peak


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| P | jobs | wall (s) | ideal (s) | start overhead (ms/job) | utilisation | peak |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['parallel']} | {r['completed']}/{r['jobs']} | {r['wall_s']:.2f} | "
            f"{r['ideal_s']:.2f} | {r['start_overhead_ms']:.1f} | {100 * r['utilisation']:.1f} % "
            f"| {r['peak_in_progress']} |"
        )
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks.scheduler", description=__doc__)
    p.add_argument("--jobs", type=int, default=60)
    p.add_argument("--seconds", type=float, default=0.5)
    p.add_argument("--parallel", type=int, nargs="+", default=[2, 4])
    p.add_argument("--out", type=Path, default=None, help="directory for scheduler.json")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    import strategies  # noqa: F401 - the first tuning job of a process imports scipy; not measured
    from localtune import images
    from localtune.interfaces.services import close_service

    results = []
    with tempfile.TemporaryDirectory(prefix="localtune-bench-") as tmp:
        for parallel in args.parallel:
            home = Path(tmp) / f"home-{parallel}"
            home.mkdir()
            script = home / "sleep.sh"
            script.write_text(SCRIPT)
            images.register(IMAGE, ["/bin/sh", str(script)], home=home)
            try:
                results.append(run_one(home, args.jobs, parallel, args.seconds))
            finally:
                close_service(home)
    report = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "results": results,
    }
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "scheduler.json").write_text(json.dumps(report, indent=2) + "\n")
    print(table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

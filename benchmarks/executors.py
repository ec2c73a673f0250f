"""Executors: the same tuning job on local processes and on a two-worker Dask cluster.

``python -m benchmarks.executors [--jobs 40] [--parallel 2] [--rounds 50] [--out DIR]``

One tuning job, run once per executor: the seed example (built-in XGBoost on scikit-learn's
breast_cancer in the local S3, Random strategy, fixed seed), ``--jobs`` training jobs of
``--rounds`` boosting rounds, ``--parallel`` at a time. The Dask run uses
``LocalCluster(n_workers=2, threads_per_worker=1, processes=True)`` on this machine, started before
the clock runs (its start-up is reported apart). Reported per executor:

- wall: HyperParameterTuningEndTime − CreationTime (the fork servers' start included: the local
  executor starts one, each Dask worker one);
- program: Σ over jobs of the time the training program ran (SecondaryStatus Training until
  Uploading) — the work itself (and its median and maximum: the first job on a fork server
  waits for the server's imports);
- overhead per job: (P × wall − program) / jobs — the slot time each job costs beyond its
  program: record keeping, the Dask task and its queues, the job directory, channels, process
  start, upload, the gap to the next launch;
- utilisation: Σ (TrainingEndTime − CreationTime) / (P × wall) — the fraction of slot time in
  which a training job existed; *program utilisation*: program / (P × wall);
- workers: the Dask workers that ran jobs.

Results go to ``DIR/executors.json`` and a markdown table on stdout.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before anything numeric is imported


def _request(name: str, jobs: int, parallel: int, rounds: int) -> dict[str, Any]:
    from localtune.demo import demo_request

    request: dict[str, Any] = demo_request(strategy="Random", jobs=jobs)
    request["HyperParameterTuningJobName"] = name
    config = request["HyperParameterTuningJobConfig"]
    config["RandomSeed"] = 0
    config["ResourceLimits"]["MaxParallelTrainingJobs"] = parallel
    request["TrainingJobDefinition"]["StaticHyperParameters"]["num_round"] = str(rounds)
    return request


def _program_seconds(row: dict[str, Any]) -> float:
    """How long the training program ran: SecondaryStatus Training until the next status."""
    transitions = row["transitions"]
    for index, entry in enumerate(transitions):
        if entry["Status"] == "Training":
            end = entry.get("EndTime")
            if end is None and index + 1 < len(transitions):
                end = transitions[index + 1]["StartTime"]
            return float((end or row["end_time"]) - entry["StartTime"])
    return 0.0


def _workers(home: Path, rows: list[dict[str, Any]]) -> int:
    from localtune.executors.dask_worker import WORKER_NOTE

    seen = set()
    for row in rows:
        note = home / "jobs" / row["name"] / WORKER_NOTE
        if note.is_file():
            seen.add(json.loads(note.read_text())["worker"])
    return len(seen)


def run_one(home: Path, executor: str, jobs: int, parallel: int, rounds: int) -> dict[str, Any]:
    import localtune
    from localtune.interfaces.services import get_service

    target = None if executor == "local" else executor
    sm = localtune.client(home=home, executor=target or "local")
    name = "bench-executors"
    load = os.getloadavg()[0]
    sm.create_hyper_parameter_tuning_job(**_request(name, jobs, parallel, rounds))
    store = get_service(home).store
    while store.get_tuning_job(name)["status"] == "InProgress":  # type: ignore[index]
        time.sleep(0.2)
    row = store.get_tuning_job(name)
    assert row is not None
    rows = store.list_training_jobs(name)
    wall = row["end_time"] - row["creation_time"]
    programs = sorted(_program_seconds(r) for r in rows)
    program = sum(programs)
    existed = sum(r["end_time"] - r["creation_time"] for r in rows)
    return {
        "executor": "local" if target is None else "dask",
        "status": row["status"],
        "jobs": len(rows),
        "completed": sum(1 for r in rows if r["status"] == "Completed"),
        "parallel": parallel,
        "rounds": rounds,
        "wall_s": wall,
        "program_s": program,
        "program_median_s": programs[len(programs) // 2],
        "program_max_s": programs[-1],
        "overhead_ms_per_job": 1000 * (parallel * wall - program) / len(rows),
        "utilisation": existed / (parallel * wall),
        "program_utilisation": program / (parallel * wall),
        "workers": _workers(home, rows),
        "load_average_before": load,
        "load_average_after": os.getloadavg()[0],
    }


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| executor | jobs | wall (s) | program Σ / median / max (s) | overhead (ms/job) | "
        "utilisation | program utilisation | workers | load avg |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['executor']} | {r['completed']}/{r['jobs']} | {r['wall_s']:.1f} | "
            f"{r['program_s']:.1f} / {r['program_median_s']:.2f} / {r['program_max_s']:.1f} | "
            f"{r['overhead_ms_per_job']:.0f} | "
            f"{100 * r['utilisation']:.1f} % | {100 * r['program_utilisation']:.1f} % | "
            f"{r['workers'] or '-'} | "
            f"{r['load_average_before']:.1f}–{r['load_average_after']:.1f} |"
        )
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks.executors", description=__doc__)
    p.add_argument("--jobs", type=int, default=40)
    p.add_argument("--parallel", type=int, default=2)
    p.add_argument("--rounds", type=int, default=50, help="num_round of every training job")
    p.add_argument("--out", type=Path, default=None, help="directory for executors.json")
    return p.parse_args(argv)


def _cluster() -> tuple[Any, float]:
    from distributed import LocalCluster

    logging.getLogger("distributed").setLevel(logging.ERROR)
    started = time.monotonic()
    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    return cluster, time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    import strategies  # noqa: F401 - the first tuning job of a process imports scipy; not measured
    from localtune.demo import write_breast_cancer
    from localtune.interfaces.services import close_service

    results = []
    cluster_start = None
    with tempfile.TemporaryDirectory(prefix="localtune-bench-") as tmp:
        for executor in ("local", "dask"):
            home = Path(tmp) / executor
            home.mkdir()
            write_breast_cancer(home)
            cluster = None
            if executor == "dask":
                cluster, cluster_start = _cluster()
                executor = cluster.scheduler_address
            try:
                results.append(run_one(home, executor, args.jobs, args.parallel, args.rounds))
            finally:
                close_service(home)
                if cluster is not None:
                    cluster.close()
    report = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "dask_cluster_start_s": cluster_start,
        "results": results,
    }
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "executors.json").write_text(json.dumps(report, indent=2) + "\n")
    print(table(results))
    print(f"\nDask LocalCluster start-up (not in wall): {cluster_start:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

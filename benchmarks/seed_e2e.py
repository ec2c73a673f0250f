"""The seed example end to end: localtune against Optuna running the same trainings in-process.

``python -m benchmarks.seed_e2e [--repeats 3] [--jobs 20] [--parallel 3] [--out DIR]``

On one copy of scikit-learn's breast_cancer data (70/30 split, CSV in a local S3, written by
``localtune.demo``), each repeat runs, in this order and each in a fresh process:

- *localtune*: the seed request (``localtune/examples/seed-xgboost-bayesian.json``: Bayesian,
  RandomSeed 123, num_round 100, validation:auc) through ``localtune.client()`` — every training
  job a real process with its job directory, CSV channels, log, model.tar.gz and store records.
  Wall time: from the CreateHyperParameterTuningJob call to HyperParameterTuningEndTime. The
  process imports ``strategies`` and starts the fork server (which imports xgboost) before the
  clock starts, as a running engine has;
- *optuna-tpe* and *optuna-gp*: ``study.optimize(n_trials=jobs, n_jobs=parallel)`` with
  ``TPESampler(seed=123)`` / ``GPSampler(seed=123)`` over the same ranges, each trial reading the
  same CSV files and training with ``nthread=1``. Wall time: ``study.optimize`` alone.

Then one fresh process trains once with xgboost alone, for the memory reference. BLAS/OpenMP
run single-threaded everywhere. Printed: median wall times, the ratios localtune/Optuna (of the
medians of the same run), the medians of the best validation AUC, localtune's per-job phase
breakdown and slot idle time (:mod:`benchmarks._seed_analysis`), and peak memory. ``--out DIR``
also writes ``DIR/seed_e2e.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

THREADS = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
}
for _key, _value in THREADS.items():  # before anything numeric is imported
    os.environ.setdefault(_key, _value)

METHODS = ("localtune", "optuna-tpe", "optuna-gp")


def _worker(args: argparse.Namespace) -> dict[str, Any]:
    from benchmarks import _seed_workers as workers

    if args.worker == "localtune":
        return workers.run_localtune(args.home, args.jobs, args.parallel, args.name)
    if args.worker.startswith("optuna-"):
        return workers.run_optuna(args.home, args.jobs, args.parallel, args.worker[7:])
    return workers.run_xgboost_alone(args.home)


def _spawn(worker: str, home: Path, jobs: int, parallel: int, name: str) -> dict[str, Any]:
    argv = [sys.executable, "-m", "benchmarks.seed_e2e", "--worker", worker, "--home", str(home)]
    argv += ["--jobs", str(jobs), "--parallel", str(parallel), "--name", name]
    env = {**os.environ, **THREADS}
    done = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0 or not done.stdout.strip():
        raise RuntimeError(f"{worker} worker failed ({done.returncode}):\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def _median_dict(dicts: list[dict[str, float]]) -> dict[str, float]:
    keys = [k for k in (dicts[0] if dicts else {}) if all(k in d for d in dicts)]
    return {k: statistics.median(d[k] for d in dicts) for k in keys}


def summarize(runs: list[dict[str, Any]], alone: dict[str, Any]) -> dict[str, Any]:
    """Medians over repeats per method, ratios of the medians, localtune's breakdown."""
    by: dict[str, list[dict[str, Any]]] = {
        m: [r for r in runs if r["method"] == m] for m in METHODS
    }
    summary: dict[str, Any] = {"methods": {}}
    for method, results in by.items():
        if results:
            summary["methods"][method] = {
                "repeats": len(results),
                "wall_s": _median([r["wall_s"] for r in results]),
                "walls_s": [r["wall_s"] for r in results],
                "best_auc": _median([r["best_auc"] for r in results]),
                "best_aucs": [r["best_auc"] for r in results if r["best_auc"] is not None],
                "cpu_s": _median([r["cpu_s"] for r in results]),
            }
    lt = summary["methods"].get("localtune")
    for method in ("optuna-tpe", "optuna-gp"):
        other = summary["methods"].get(method)
        if lt and other and other["wall_s"]:
            summary[f"ratio_localtune_{method}"] = lt["wall_s"] / other["wall_s"]
        if lt and other and min(len(lt["best_aucs"]), len(other["best_aucs"])) >= 2:
            from scipy import stats  # here: the worker processes measured must not load it

            test = stats.mannwhitneyu(lt["best_aucs"], other["best_aucs"])
            summary[f"auc_p_localtune_{method}"] = float(test.pvalue)
    mine = by["localtune"]
    if mine:
        summary["localtune"] = {
            "breakdown_ms": _median_dict([r["breakdown_ms"] for r in mine]),
            "slot_idle_ms_per_gap": _median([r["slot_idle"]["mean_ms"] for r in mine]),
            "slot_idle_max_ms": max(r["slot_idle"]["max_ms"] for r in mine),
            "first_launch_ms": _median([r["slot_idle"]["first_launch_ms"] for r in mine]),
            "engine_cpu_s": _median([r["engine_cpu_s"] for r in mine]),
            "jobs_cpu_s": _median([r["jobs_cpu_s"] for r in mine]),
            "store_ms_per_job": _median([r["store_ms_per_job"] for r in mine]),
            "store_calls_per_job": _median([r["store_calls_per_job"] for r in mine]),
            "engine_peak_mib": max(r["engine_peak_mib"] for r in mine),
            "job_peak_mib": max((r["job_peak_mib"] or {}).get("max", 0.0) for r in mine),
            "failed_jobs": [f for r in mine for f in r["failed"]],
            "statuses": [r["status"] for r in mine],
        }
    summary["xgboost_alone_peak_mib"] = alone["peak_mib"]
    for method in ("optuna-tpe", "optuna-gp"):
        peaks = [r["peak_mib"] for r in by[method]]
        if peaks:
            summary["methods"][method]["peak_mib"] = max(peaks)
    return summary


def report(summary: dict[str, Any]) -> str:
    lines = [
        "| method | repeats | median wall (s) | walls (s) | median CPU (s) | median best AUC |",
        "|---|---|---|---|---|---|",
    ]
    for method, m in summary["methods"].items():
        walls = ", ".join(f"{w:.2f}" for w in m["walls_s"])
        auc = "–" if m["best_auc"] is None else f"{m['best_auc']:.5f}"
        cpu = f"{m['cpu_s']:.2f}"
        lines.append(f"| {method} | {m['repeats']} | {m['wall_s']:.2f} | {walls} | {cpu} | {auc} |")
    for method in ("optuna-tpe", "optuna-gp"):
        if f"ratio_localtune_{method}" in summary:
            lines.append(f"\nlocaltune / {method}: {summary[f'ratio_localtune_{method}']:.2f}")
    lines.append("\nbest AUC over repeats (mean ± sd; two-sided Mann-Whitney p vs localtune):")
    for method, m in summary["methods"].items():
        aucs = m["best_aucs"]
        if aucs:
            sd = statistics.stdev(aucs) if len(aucs) > 1 else 0.0
            p = summary.get(f"auc_p_localtune_{method}")
            vs = "" if p is None else f", p = {p:.3f}"
            lines.append(f"  {method:<11} {statistics.mean(aucs):.5f} ± {sd:.5f}{vs}")
    lt = summary.get("localtune")
    if lt:
        lines.append("\nlocaltune, mean per job (ms; median over repeats):")
        lines += [f"  {phase:<16} {ms:8.1f}" for phase, ms in lt["breakdown_ms"].items()]
        lines.append(
            f"  CPU: engine process {lt['engine_cpu_s']:.2f} s, training jobs "
            f"{lt['jobs_cpu_s']:.2f} s (the fork server's few ms not counted)"
        )
        lines.append(
            f"  store calls {lt['store_calls_per_job']:.0f}/job, "
            f"{lt['store_ms_per_job']:.1f} ms/job (engine process); first launch "
            f"{lt['first_launch_ms']:.1f} ms after creation"
        )
        lines.append(
            f"slot idle: {lt['slot_idle_ms_per_gap']:.1f} ms per freed slot "
            f"(max {lt['slot_idle_max_ms']:.1f} ms)"
        )
        lines.append(
            f"peak memory: engine process {lt['engine_peak_mib']:.0f} MiB, one job "
            f"{lt['job_peak_mib']:.0f} MiB, xgboost.train alone in a fresh process "
            f"{summary['xgboost_alone_peak_mib']:.0f} MiB"
        )
        if lt["failed_jobs"]:
            lines.append(f"NOT Completed: {lt['failed_jobs']}")
    for method in ("optuna-tpe", "optuna-gp"):
        if "peak_mib" in summary["methods"].get(method, {}):
            lines.append(f"{method} process peak: {summary['methods'][method]['peak_mib']:.0f} MiB")
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_average": load,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def run(repeats: int, jobs: int, parallel: int, methods: tuple[str, ...]) -> dict[str, Any]:
    from localtune import demo

    runs: list[dict[str, Any]] = []
    before = machine()
    with tempfile.TemporaryDirectory(prefix="localtune-seed-e2e-") as tmp:
        home = Path(tmp)
        demo.write_breast_cancer(home)
        for repeat in range(repeats):
            for method in methods:
                name = f"seed-e2e-{repeat}"
                runs.append({**_spawn(method, home, jobs, parallel, name), "repeat": repeat})
        alone = _spawn("xgboost-alone", home, jobs, parallel, "-")
    summary = summarize(runs, alone)
    return {
        "settings": {"repeats": repeats, "jobs": jobs, "parallel": parallel},
        "machine": {"before": before, "after": machine()},
        "summary": summary,
        "runs": runs,
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks.seed_e2e", description=__doc__)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--jobs", type=int, default=20)
    p.add_argument("--parallel", type=int, default=3)
    p.add_argument("--methods", nargs="+", choices=METHODS, default=list(METHODS))
    p.add_argument("--out", type=Path, default=None, help="directory for seed_e2e.json")
    p.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    p.add_argument("--home", type=Path, default=None, help=argparse.SUPPRESS)
    p.add_argument("--name", default="seed-e2e", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    for option in ("repeats", "jobs", "parallel"):
        if getattr(args, option) < 1:
            p.error(f"--{option} must be at least 1, got {getattr(args, option)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker is not None:
        print(json.dumps(_worker(args)))
        return 0
    result = run(args.repeats, args.jobs, args.parallel, tuple(args.methods))
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "seed_e2e.json").write_text(json.dumps(result, indent=2) + "\n")
    machine_info = result["machine"]
    print(f"machine: {machine_info['before']} -> load {machine_info['after']['load_average']}")
    print(report(result["summary"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

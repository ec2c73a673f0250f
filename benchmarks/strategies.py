"""Strategy quality suite: ``python -m benchmarks.strategies [--quick] [options]``.

Runs every method (localtune's Random and Bayesian, Optuna TPE and GP, scikit-optimize) on the
same tasks with the same seeds, then prints bayesmark-normalised scores per task and overall,
average ranks, IQM with a bootstrap CI and PASS/FAIL against the project's targets. Writes the
raw results (JSON lines, then JSON), a Markdown report and PNG plots under ``--out``.

Full run (hours of CPU on 2 cores):
    python -m benchmarks.strategies --seeds 20 --budget all --jobs 2
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # before numpy is imported anywhere in this process or its workers

import argparse  # noqa: E402
import json  # noqa: E402
import shlex  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from benchmarks._strat_methods import (  # noqa: E402
    BASELINE_CANDIDATES,
    DEFAULT_METHODS,
    METHODS,
    get_method,
)
from benchmarks._strat_run import (  # noqa: E402
    BUDGETS,
    Unit,
    load_records,
    run_units,
    strategies_version,
)

GROUPS = ("synthetic", "sklearn", "xgboost")
# A representative subset of the 90 bayesmark-style tasks that a 10-seed run of ours, random and
# TPE at 16×8 and 128×1 can afford on one core (benchmarks/README.md): 7 of the 9 models
# (AdaBoost and MLP-adam cost 0.14-2 s per evaluation and are left out), all five datasets, both
# classification metrics (nll, acc) and both regression ones (mae, mse); knn-digits' 100
# configurations are cached.
PRESETS = {
    "bayesmark-lite": (
        "knn-digits-nll,svm-wine-acc,dt-wine-nll,dt-diabetes-mae,rf-diabetes-mse,"
        "mlp-sgd-iris-acc,lasso-diabetes-mae,linear-breast-acc"
    ),
    # Closer to bayesmark's task mix, for the "random ≈ 92" harness check: the 57 tasks whose
    # evaluation at a random point took ≤ 0.2 s on the development machine (2026-11-30), plus
    # knn-digits (cached). Left out for cost: AdaBoost, MLP-adam but one, MLP-sgd on digits and
    # breast-nll and diabetes-mse, lasso and linear on digits, lasso-breast, svm-breast-nll and
    # svm-digits-nll (0.23-3.2 s per evaluation).
    "bayesmark-broad": ",".join(
        f"{model}-{case}"
        for model, cases in {
            "dt": "breast-acc breast-nll diabetes-mae diabetes-mse digits-acc digits-nll iris-acc "
            "iris-nll wine-acc wine-nll",
            "rf": "breast-acc breast-nll diabetes-mae diabetes-mse digits-acc digits-nll iris-acc "
            "iris-nll wine-acc wine-nll",
            "knn": "breast-acc breast-nll diabetes-mae diabetes-mse digits-acc digits-nll "
            "iris-acc iris-nll wine-acc wine-nll",
            "svm": "breast-acc diabetes-mae diabetes-mse digits-acc iris-acc iris-nll wine-acc "
            "wine-nll",
            "linear": "breast-acc breast-nll diabetes-mae diabetes-mse iris-acc iris-nll wine-acc "
            "wine-nll",
            "lasso": "diabetes-mae diabetes-mse iris-acc iris-nll wine-acc wine-nll",
            "mlp-sgd": "breast-acc diabetes-mae iris-acc iris-nll wine-acc wine-nll",
            "mlp-adam": "iris-nll",
        }.items()
        for case in cases.split()
    ),
    # For screening variants of the Bayesian strategy on many seeds: the cheap tasks of
    # bayesmark-broad (≤ 0.1 s per evaluation) that carry most of its loss at 16×8 — all ten
    # decision-tree tasks, and the SVM, lasso and logistic-regression tasks that scored below
    # ~97 on seeds 0–5 or 6–8 (mostly accuracy steps) — so that 10 seeds of one variant cost
    # ~20 min on one core. Scores are not comparable with bayesmark-broad's.
    "bayesmark-hard": (
        "dt-breast-acc,dt-breast-nll,dt-diabetes-mae,dt-diabetes-mse,dt-digits-acc,"
        "dt-digits-nll,dt-iris-acc,dt-iris-nll,dt-wine-acc,dt-wine-nll,svm-breast-acc,"
        "svm-iris-acc,svm-wine-acc,svm-wine-nll,lasso-wine-acc,lasso-iris-acc,"
        "linear-breast-acc,linear-iris-acc,linear-wine-acc,linear-breast-nll"
    ),
}
# The other 39 tasks of bayesmark-broad, where every method comes close to opt: a variant
# screened on bayesmark-hard is checked here for what its changes cost on easy tasks.
_HARD = set(PRESETS["bayesmark-hard"].split(","))
PRESETS["bayesmark-easy"] = ",".join(
    t for t in PRESETS["bayesmark-broad"].split(",") if t not in _HARD
)
QUICK_TASKS = "branin,hartmann6,mixed5,knn-iris-acc,dt-wine-nll,svm-breast-acc,xgb-breast-acc"
# Rough optimiser cost per evaluation (seconds) on the 2-core development machine under load
# 2-3, only for the up-front estimate (the report shows the measured optimiser time per run).
# Optuna GP and skopt: means of the 50×1 bayesmark-lite runs of 2026-11-29 (13.4 and 22.4 s per
# 50-evaluation run; Optuna GP at 16×8 with greenlet: 23 s per 128); they were 0.6 and 1.0,
# which doubled the estimate. Ours and TPE: 0.5 and 0.24 s per 50 evaluations in the same runs.
OVERHEAD_S = {
    "localtune-bayesian": 0.02,
    "optuna-gp": 0.3,
    "skopt-gp": 0.45,
    "optuna-tpe": 0.01,
}
BUDGET_CHOICES = {
    "sequential": ["sequential"],
    "batch": ["batch"],
    "both": ["sequential", "batch"],
    "all": ["sequential", "batch", "sequential128"],
    "sequential128": ["sequential128"],
    "sequential320": ["sequential320"],
}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks.strategies", description=__doc__)
    p.add_argument("--seeds", type=int, help="seeds per (task, method, budget); default 20")
    p.add_argument(
        "--first-seed",
        type=int,
        default=0,
        help="seeds run are first-seed … first-seed + seeds − 1 (to extend an earlier run)",
    )
    p.add_argument(
        "--tasks",
        help="comma list of task names, groups ("
        + ",".join(GROUPS)
        + ") and presets ("
        + ",".join(PRESETS)
        + ")",
    )
    p.add_argument("--methods", help="comma list; default " + ",".join(DEFAULT_METHODS))
    p.add_argument(
        "--budget",
        choices=sorted(BUDGET_CHOICES),
        help="sequential = 50×1, batch = 16×8, sequential128 = 128×1, both = sequential+batch, "
        "all = all three; default both; sequential320 = 320×1 (past 200 results, where the "
        "Bayesian strategy refits θ only every 5 %% and keeps its candidates between refits)",
    )
    p.add_argument("--jobs", type=int, default=1, help="worker processes (loky); default 1")
    p.add_argument("--out", type=Path, default=Path("benchmarks/results/strategies"))
    p.add_argument("--quick", action="store_true", help=f"2 seeds, tasks {QUICK_TASKS}")
    p.add_argument("--exclude", help="METHOD:BUDGET pairs to skip, e.g. skopt-gp:batch")
    p.add_argument("--dry-run", action="store_true", help="print the plan and estimate only")
    p.add_argument("--rescore", type=Path, help="report from an earlier raw.jsonl; run nothing")
    p.add_argument(
        "--references",
        type=Path,
        help="with --rescore: a raw.jsonl of reference runs (random, TPE, ...) that alone fix "
        "opt and clip; the rescored runs are scored on their own seeds (e.g. an A/B on seeds "
        "the references did not run)",
    )
    args = p.parse_args(argv)
    if args.references and not args.rescore:
        p.error("--references needs --rescore")
    if args.seeds is None:
        args.seeds = 2 if args.quick else 20
    if args.tasks is None:
        args.tasks = QUICK_TASKS if args.quick else ",".join(GROUPS)
    args.budget = args.budget or "both"
    if args.first_seed < 0:
        p.error(f"--first-seed must be ≥ 0, got {args.first_seed}")
    if args.seeds < 1 or args.jobs < 1:
        p.error(f"--seeds and --jobs must be ≥ 1, got --seeds {args.seeds} --jobs {args.jobs}")
    return args


def resolve_tasks(spec: str) -> list[str]:
    """Expand a comma list of task names and group names; unknown names are a usage error."""
    from benchmarks._tasks import task_names

    known = set(task_names())
    out: list[str] = []
    items = [s.strip() for s in spec.split(",") if s.strip()]
    items = [t for i in items for t in (PRESETS[i].split(",") if i in PRESETS else [i])]
    for item in items:
        names = task_names(item) if item in GROUPS else [item]
        for n in names:
            if n not in known:
                raise SystemExit(
                    f"--tasks: unknown task {n!r}; use a group ({', '.join(GROUPS)}), a preset "
                    f"({', '.join(PRESETS)}) or one of: " + ", ".join(sorted(known))
                )
            if n not in out:
                out.append(n)
    return out


def resolve_methods(spec: str | None) -> tuple[list[str], list[str]]:
    """(methods that can run, printed notes about skipped ones)."""
    wanted = [s.strip() for s in (spec or ",".join(DEFAULT_METHODS)).split(",") if s.strip()]
    notes, methods = [], []
    for name in wanted:
        try:
            why = get_method(name).missing()
        except KeyError as exc:
            raise SystemExit(f"--methods: {exc.args[0]}") from None
        if why:
            notes.append(f"note: skipping {name}: {why} (install the 'bench' extra)")
        else:
            methods.append(name)
    if not any(m in BASELINE_CANDIDATES for m in methods):
        fallback = next(m for m in BASELINE_CANDIDATES if METHODS[m].missing() is None)
        notes.append(f"note: adding {fallback}: the random baseline (clip) needs a random method")
        methods.append(fallback)
    return methods, notes


def estimate(units: list[Unit]) -> str:
    """Cost estimate from one timed evaluation per task and the rough optimiser costs."""
    import numpy as np

    from benchmarks._tasks import get_task, sample_uniform

    rng = np.random.default_rng(0)
    per_eval: dict[str, float] = {}
    for name in dict.fromkeys(u.task for u in units):
        task = get_task(name)
        timings = []
        for _ in range(2):  # the first call pays for imports and data loading
            t0 = time.perf_counter()
            task.evaluate(sample_uniform(task.dims, rng))
            timings.append(time.perf_counter() - t0)
        per_eval[name] = min(timings)
    evals = [BUDGETS[u.budget].evaluations for u in units]
    evaluation = sum(per_eval[u.task] * n for u, n in zip(units, evals, strict=True))
    overhead = sum(OVERHEAD_S.get(u.method, 0.0) * n for u, n in zip(units, evals, strict=True))
    total = evaluation + overhead
    return (
        f"plan: {len(units)} runs (task × method × budget × seed), {sum(evals)} evaluations\n"
        f"estimated CPU time: {total / 60:.1f} min (objective {evaluation / 60:.1f} min, "
        f"optimisers ≈ {overhead / 60:.1f} min; rough: optimiser costs grow with n and with "
        "machine load)"
    )


def machine() -> dict[str, Any]:
    """Conditions worth printing next to timings: cores, load, library versions."""
    import importlib.metadata as md
    import platform

    versions = {}
    for pkg in ("numpy", "scipy", "scikit-learn", "xgboost", "optuna", "scikit-optimize", "torch"):
        try:
            versions[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            continue
    load = [round(x, 2) for x in os.getloadavg()]
    return {
        "strategies_commit": strategies_version(),
        "cpus": os.cpu_count(),
        "load_avg_1_5_15": load,
        "python": platform.python_version(),
        "versions": versions,
    }


def parse_exclude(spec: str | None) -> set[tuple[str, str]]:
    """``method:budget`` pairs not to run, e.g. ``skopt-gp:batch`` (skopt's batch mode refits
    its GP once per batch member and dominates the CPU bill)."""
    out: set[tuple[str, str]] = set()
    for item in (s.strip() for s in (spec or "").split(",") if s.strip()):
        method, _, budget = item.partition(":")
        if budget not in BUDGETS or not _known_method(method):
            raise SystemExit(
                f"--exclude: {item!r} must be METHOD:BUDGET with a known method and one of "
                + ", ".join(BUDGETS)
            )
        out.add((method, budget))
    return out


def _known_method(spec: str) -> bool:
    try:
        get_method(spec)
    except KeyError:
        return False
    return True


def _progress(i: int, n: int, rec: dict[str, Any]) -> None:
    print(
        f"[{i}/{n}] {rec['task']} {rec['method']} {rec['budget']} seed {rec['seed']}: "
        f"optimiser {rec['optimizer_seconds']:.1f}s, objective {rec['evaluation_seconds']:.1f}s",
        flush=True,
    )


def report(
    records: list[dict[str, Any]],
    out: Path,
    meta: dict[str, Any],
    references: list[dict[str, Any]] | None = None,
) -> str:
    """Score, write results.json, report.md and plots; opt and clip from ``references`` when
    given (``_strat_scoring.score``), else from the records' own reference methods."""
    from benchmarks import _strat_report as rep
    from benchmarks._strat_scoring import average_ranks, iqm_ci, overall, score

    methods = {r["method"] for r in (records if references is None else references)}
    baseline = next((m for m in BASELINE_CANDIDATES if m in methods), None)
    if baseline is None:
        where = "the results" if references is None else "the references"
        raise SystemExit(f"no random method in {where}: cannot compute the clip baseline")
    sc = score(records, baseline, references)
    text = rep.full_report(sc, records)
    summary: dict[str, Any] = {}
    for b in sc.budgets():
        ranks = average_ranks(sc, b, sc.methods())
        summary[b] = {
            m: {"score": overall(sc, m, b), "avg_rank": ranks[m], "iqm_ci": iqm_ci(sc, m, b)}
            for m in sc.methods()
        }
    out.mkdir(parents=True, exist_ok=True)
    payload = {
        **meta,
        "opt": sc.opt,
        "clip": sc.clip,
        "summary": summary,
        "targets": rep.targets(sc),
        "records": records,
    }
    (out / "results.json").write_text(json.dumps(payload, indent=1), encoding="utf-8")
    (out / "report.md").write_text(text, encoding="utf-8")
    plots = rep.plot_curves(sc, out)
    return text + "\nwritten: " + ", ".join(str(p) for p in [out / "results.json", *plots])


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    command = "python -m benchmarks.strategies " + shlex.join(
        sys.argv[1:] if argv is None else argv
    )
    if args.rescore:
        records = load_records(args.rescore)
        refs = load_records(args.references) if args.references else None
        about: dict[str, Any] = {"command": command, "rescored": str(args.rescore)}
        if args.references:
            about["references"] = str(args.references)
        try:
            print(report(records, args.out, about, refs))
        except ValueError as exc:
            raise SystemExit(f"--rescore: {exc}") from None
        return 0
    tasks = resolve_tasks(args.tasks)
    methods, notes = resolve_methods(args.methods)
    budgets = BUDGET_CHOICES[args.budget]
    exclude = parse_exclude(args.exclude)
    for note in notes:
        print(note)
    units = [
        Unit(t, m, b, seed)
        for seed in range(args.first_seed, args.first_seed + args.seeds)
        for t in tasks
        for m in methods
        for b in budgets
        if (m, b) not in exclude
    ]
    conditions = machine()
    print(f"machine: {json.dumps(conditions)}")
    print(estimate(units))
    print(f"wall time ≈ CPU time / {min(args.jobs, os.cpu_count() or 1)} (jobs, cores permitting)")
    if args.dry_run:
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    sink = args.out / "raw.jsonl"
    sink.write_text("", encoding="utf-8")
    t0 = time.perf_counter()
    records = run_units(units, args.jobs, sink=sink, progress=_progress)
    meta = {"command": command, "wall_seconds": time.perf_counter() - t0, "jobs": args.jobs}
    meta["machine_at_start"], meta["machine_at_end"] = conditions, machine()
    print(f"machine at end: {json.dumps(meta['machine_at_end'])}")
    print(report(records, args.out, meta))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

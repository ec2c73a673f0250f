"""The measured sides of ``benchmarks.seed_e2e``, each run in a fresh process of its own.

- :func:`run_localtune`: the seed example request through ``localtune.client()`` (engine in this
  process, jobs in children of the fork server);
- :func:`run_optuna`: the same trainings through Optuna (TPE or GP sampler, ``n_jobs`` threads),
  each trial reading the same CSV files and calling ``xgboost.train`` with ``nthread=1``;
- :func:`run_xgboost_alone`: one ``xgboost.train`` on that data, for the memory reference.

Each returns a JSON-able dict; the worker prints it as the last line of its stdout.
"""

from __future__ import annotations

import resource
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import _seed_analysis as analysis

TRAIN_CSV = "s3/localtune-demo/breast-cancer/train/train.csv"
VALIDATION_CSV = "s3/localtune-demo/breast-cancer/validation/validation.csv"
SEED = 123
POLL_SECONDS = 0.02


def cpu_seconds() -> float:
    """CPU time (user + system) of this process, all threads."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# -- localtune ---------------------------------------------------------------------------------
class _StoreClock:
    """Time spent in the engine's store calls (wraps the methods of one Store instance)."""

    def __init__(self, store: Any) -> None:
        self.seconds = 0.0
        self.calls = 0
        self._lock = threading.Lock()
        for name in dir(type(store)):
            method = getattr(store, name)
            if name.startswith("_") or not callable(method) or name == "transaction":
                continue
            setattr(store, name, self._timed(method))

    def _timed(self, method: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                with self._lock:
                    self.seconds += time.perf_counter() - start
                    self.calls += 1

        return timed


def run_localtune(home: Path, jobs: int, parallel: int, name: str) -> dict[str, Any]:
    import localtune
    import strategies  # noqa: F401 - imported once per process (scipy), not per tuning job
    from localtune import demo
    from localtune.interfaces.services import close_service, get_service
    from localtune.runtime import processes
    from localtune.store.sqlite import Store

    processes.warm_up()  # the fork server imports xgboost once per engine process
    client = localtune.client(home=home)
    clock = _StoreClock(get_service(home).store)
    reader = Store(home / "localtune.sqlite")  # the benchmark's own polling is not timed
    request = demo.demo_request(jobs=jobs, name=name)
    request["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxParallelTrainingJobs"] = parallel
    cpu_before = cpu_seconds()
    started = time.time()
    client.create_hyper_parameter_tuning_job(**request)
    while (reader.get_tuning_job(name) or {}).get("status") == "InProgress":
        time.sleep(POLL_SECONDS)
    row = reader.get_tuning_job(name)
    if row is None:
        raise RuntimeError(f"tuning job {name} vanished")
    rows = reader.list_training_jobs(name)
    store_seconds, store_calls = clock.seconds, clock.calls
    engine_cpu, jobs_cpu = cpu_seconds() - cpu_before, analysis.jobs_cpu(rows)
    close_service(home)
    values = [r["objective_value"] for r in rows if r["objective_value"] is not None]
    return {
        "method": "localtune",
        "status": row["status"],
        "wall_s": row["end_time"] - started,
        "best_auc": max(values) if values else None,
        "jobs": len(rows),
        "failed": [
            {"name": r["name"], "reason": r["failure_reason"]}
            for r in rows
            if r["status"] != "Completed"
        ],
        "breakdown_ms": analysis.breakdown(rows),
        "slot_idle": analysis.slot_idle(row["creation_time"], rows, parallel),
        "cpu_s": engine_cpu + jobs_cpu,
        "engine_cpu_s": engine_cpu,
        "jobs_cpu_s": jobs_cpu,
        "store_ms_per_job": 1000 * store_seconds / max(len(rows), 1),
        "store_calls_per_job": store_calls / max(len(rows), 1),
        "job_peak_mib": analysis.job_peaks(rows),
        "engine_peak_mib": peak_rss_mib(),
    }


# -- Optuna ------------------------------------------------------------------------------------
def _load(home: Path) -> tuple[Any, Any]:
    import numpy as np
    import xgboost as xgb

    train = np.loadtxt(home / TRAIN_CSV, delimiter=",", ndmin=2)
    validation = np.loadtxt(home / VALIDATION_CSV, delimiter=",", ndmin=2)
    return (
        xgb.DMatrix(train[:, 1:], label=train[:, 0], nthread=1),
        xgb.DMatrix(validation[:, 1:], label=validation[:, 0], nthread=1),
    )


def train_once(home: Path, params: dict[str, Any], data: tuple[Any, Any] | None = None) -> float:
    """One trial as a careful Optuna user writes it: read the CSVs (unless ``data`` holds them
    already), train 100 rounds, return the last validation AUC (what localtune's objective is:
    the metric's last value)."""
    import xgboost as xgb

    dtrain, dvalidation = data or _load(home)
    history: dict[str, Any] = {}
    xgb.train(
        {"objective": "binary:logistic", "eval_metric": "auc", "nthread": 1, **params},
        dtrain,
        num_boost_round=100,
        evals=[(dtrain, "train"), (dvalidation, "validation")],
        evals_result=history,
        verbose_eval=False,
    )
    return float(history["validation"]["auc"][-1])


def optuna_params(trial: Any) -> dict[str, Any]:
    """The seed example's ranges, asked of an Optuna trial."""
    return {
        "eta": trial.suggest_float("eta", 0.0, 1.0),
        "alpha": trial.suggest_float("alpha", 0.0, 2.0),
        "min_child_weight": trial.suggest_float("min_child_weight", 1.0, 10.0),
        "max_depth": trial.suggest_int("max_depth", 1, 10),
    }


def run_optuna(home: Path, jobs: int, parallel: int, sampler_name: str) -> dict[str, Any]:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    if sampler_name == "gp":
        import torch

        torch.set_num_threads(1)
        sampler: Any = optuna.samplers.GPSampler(seed=SEED)
    else:
        sampler = optuna.samplers.TPESampler(seed=SEED)

    def objective(trial: Any) -> float:
        return train_once(home, optuna_params(trial))

    study = optuna.create_study(direction="maximize", sampler=sampler)
    cpu_before = cpu_seconds()
    started = time.perf_counter()
    study.optimize(objective, n_trials=jobs, n_jobs=parallel)
    wall = time.perf_counter() - started
    cpu = cpu_seconds() - cpu_before
    values = [t.value for t in study.trials if t.value is not None]
    return {
        "method": f"optuna-{sampler_name}",
        "wall_s": wall,
        "best_auc": max(values) if values else None,
        "jobs": len(study.trials),
        "cpu_s": cpu,
        "peak_mib": peak_rss_mib(),
    }


def run_xgboost_alone(home: Path) -> dict[str, Any]:
    """Peak memory of a fresh process that imports numpy and xgboost, reads the CSVs and trains
    once (max_depth 10: the deepest trees the seed ranges allow)."""
    started = time.perf_counter()
    auc = train_once(home, {"eta": 0.3, "alpha": 0.0, "min_child_weight": 1.0, "max_depth": 10})
    return {
        "method": "xgboost-alone",
        "wall_s": time.perf_counter() - started,
        "best_auc": auc,
        "peak_mib": peak_rss_mib(),
    }

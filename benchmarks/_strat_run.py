"""Running (task, method, budget, seed) units, in this process or process-parallel with loky."""

from __future__ import annotations

import functools
import json
import math
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks._strat_methods import Method, get_method
from benchmarks._tasks import Task, get_task

BLAS_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


@dataclass(frozen=True)
class Budget:
    name: str
    rounds: int
    batch: int

    @property
    def evaluations(self) -> int:
        return self.rounds * self.batch

    @property
    def label(self) -> str:
        """``rounds×batch``, e.g. 16×8."""
        return f"{self.rounds}×{self.batch}"


BUDGETS = {
    "sequential": Budget("sequential", 50, 1),
    "batch": Budget("batch", 16, 8),
    "sequential128": Budget("sequential128", 128, 1),
    # past the Bayesian strategy's REFIT_EVERY_ASK_UP_TO = 200: the asks between refits
    "sequential320": Budget("sequential320", 320, 1),
}


@dataclass(frozen=True)
class Unit:
    task: str
    method: str
    budget: str
    seed: int


def pin_blas() -> None:
    """One BLAS/OpenMP/torch thread in this process (workers inherit the environment too)."""
    for var in BLAS_ENV:
        os.environ[var] = "1"
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except ImportError:  # pragma: no cover - threadpoolctl ships with scikit-learn
        pass
    if "torch" in sys.modules:
        import torch

        torch.set_num_threads(1)


def run_unit(unit: Unit, method: Method | None = None, task: Task | None = None) -> dict[str, Any]:
    """Run one search; returns the raw record (values in evaluation order, None = failed)."""
    pin_blas()
    task = task or get_task(unit.task)
    method = method or get_method(unit.method)
    budget = BUDGETS[unit.budget]
    searcher = method.make(task.ranges, unit.seed)
    values: list[float | None] = []
    suggest_s = 0.0
    eval_s = 0.0
    for _ in range(budget.rounds):
        t0 = time.perf_counter()
        proposals = searcher.ask(budget.batch)
        suggest_s += time.perf_counter() - t0
        if not proposals:
            break
        results: list[tuple[Any, float | None]] = []
        for handle, params in proposals:
            t1 = time.perf_counter()
            value = task.evaluate(params)
            eval_s += time.perf_counter() - t1
            clean = value if math.isfinite(value) else None
            results.append((handle, clean))
            values.append(clean)
        t2 = time.perf_counter()
        searcher.tell(results)
        suggest_s += time.perf_counter() - t2
    return {
        "task": unit.task,
        "group": task.group,
        "space": task.space_id,
        "method": unit.method,
        "budget": unit.budget,
        "batch": budget.batch,
        "seed": unit.seed,
        "values": values,
        "optimizer_seconds": suggest_s,
        "evaluation_seconds": eval_s,
    }


@functools.lru_cache(maxsize=256)
def _shared_task(name: str) -> Task:
    """One Task per name and process, so that every unit a worker runs on a task shares its
    evaluation cache (sklearn tasks with discrete spaces repeat configurations often)."""
    return get_task(name)


def _run_unit_by_name(unit: Unit) -> dict[str, Any]:
    return run_unit(unit, task=_shared_task(unit.task))


def run_units(
    units: list[Unit],
    jobs: int,
    sink: Path | None = None,
    runner: Callable[[Unit], dict[str, Any]] = _run_unit_by_name,
    progress: Callable[[int, int, dict[str, Any]], None] | None = None,
) -> list[dict[str, Any]]:
    """Run all units (``jobs`` loky worker processes when > 1); each finished record is appended
    to ``sink`` (JSON lines) at once, so an interrupted run keeps what it finished."""
    records: list[dict[str, Any]] = []
    for i, record in enumerate(_iterate(units, jobs, runner), start=1):
        records.append(record)
        if sink is not None:
            with sink.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(record) + "\n")
        if progress is not None:
            progress(i, len(units), record)
    return records


def _iterate(
    units: list[Unit], jobs: int, runner: Callable[[Unit], dict[str, Any]]
) -> Iterator[dict[str, Any]]:
    if jobs <= 1:
        for unit in units:
            yield runner(unit)
        return
    from joblib import Parallel, delayed

    for var in BLAS_ENV:  # loky workers copy this environment before they import numpy
        os.environ[var] = "1"
    parallel = Parallel(n_jobs=jobs, backend="loky", return_as="generator_unordered")
    yield from parallel(delayed(runner)(u) for u in units)


def strategies_version() -> str:
    """The last commit touching strategies/ (plus "+dirty" for uncommitted edits), or "unknown"
    outside a git checkout: the results belong to that version of the code."""
    import subprocess

    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(
            ["git", "log", "-1", "--format=%h %cI", "--", "strategies"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "strategies"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return (head or "unknown") + (" +dirty" if dirty else "")


def load_records(path: Path) -> list[dict[str, Any]]:
    """Records from a JSON-lines file written by ``run_units`` (or a JSON list)."""
    text = path.read_text(encoding="utf-8").strip()
    if text.startswith("["):
        loaded: list[dict[str, Any]] = json.loads(text)
        return loaded
    return [json.loads(line) for line in text.splitlines() if line.strip()]

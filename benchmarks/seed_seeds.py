"""The seed example's search over many seeds: ``python -m benchmarks.seed_seeds [--seeds 40]``.

``benchmarks.seed_e2e`` runs the seed request as it is, with RandomSeed 123: its best AUC is one
seed's trajectory. This asks whether the *strategies* differ on that task in expectation. For
seeds 0 … N−1, in one process (no engine, no job processes), the same 20 trainings of the seed
example (breast_cancer CSVs from the local S3, 100 rounds, ``nthread`` 1, last validation AUC)
are searched by

- ``localtune-bayesian``: ``strategies.create("Bayesian", <the seed's ParameterRanges>, seed=s)``,
  plus variants given as ``localtune-bayesian:option=value:…`` (``strategies.create`` options);
- ``optuna-gp`` / ``optuna-tpe``: ``GPSampler(seed=s)`` / ``TPESampler(seed=s)`` with ask/tell;

each with 3 trials in flight as in the seed request: ask 3, then tell the oldest and ask the next
until 20 are done (the same order for every method, so only the strategies differ). It prints
per method the median, mean and standard deviation of the best AUC over seeds and the
Mann-Whitney p of each method against the first.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # before numpy is imported

import argparse  # noqa: E402
import json  # noqa: E402
import tempfile  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

from benchmarks._seed_workers import _load, optuna_params, train_once  # noqa: E402
from benchmarks._strat_methods import parse_variant  # noqa: E402

SEED_REQUEST = (
    Path(__file__).resolve().parent.parent / "localtune/examples/seed-xgboost-bayesian.json"
)
TRIALS, IN_FLIGHT = 20, 3
Objective = Callable[[dict[str, Any]], float]
Ask = Callable[[], tuple[Any, dict[str, Any]]]


def _search(ask: Ask, tell: Callable[[Any, float], object], objective: Objective) -> float:
    pending = [ask() for _ in range(IN_FLIGHT)]
    asked, best = IN_FLIGHT, -np.inf
    while pending:
        handle, params = pending.pop(0)
        value = objective(params)
        best = max(best, value)
        tell(handle, value)
        if asked < TRIALS:
            pending.append(ask())
            asked += 1
    return float(best)


def run_localtune(objective: Objective, seed: int, options: dict[str, Any]) -> float:
    import strategies

    request = json.loads(SEED_REQUEST.read_text())
    ranges = request["HyperParameterTuningJobConfig"]["ParameterRanges"]
    s = strategies.create("Bayesian", ranges, objective="Maximize", seed=seed, **options)

    def ask() -> tuple[Any, dict[str, Any]]:
        trial = s.ask()
        assert trial is not None  # a continuous space is never exhausted
        return trial.id, trial.params

    return _search(ask, s.tell, objective)


def run_optuna(objective: Objective, seed: int, sampler_name: str) -> float:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler_class = (
        optuna.samplers.GPSampler if sampler_name == "gp" else optuna.samplers.TPESampler
    )
    study = optuna.create_study(direction="maximize", sampler=sampler_class(seed=seed))

    def ask() -> tuple[Any, dict[str, Any]]:
        trial = study.ask()
        return trial, optuna_params(trial)

    return _search(ask, study.tell, objective)


def run(method: str, objective: Objective, seed: int) -> float:
    if method.startswith("optuna-"):
        return run_optuna(objective, seed, method.removeprefix("optuna-"))
    name, options = parse_variant(method)
    if name != "localtune-bayesian":
        raise SystemExit(f"unknown method {method!r}")
    return run_localtune(objective, seed, options)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.seed_seeds", description=__doc__)
    p.add_argument("--seeds", type=int, default=40, help="seeds 0 … N−1 (default 40)")
    p.add_argument("--methods", default="localtune-bayesian,optuna-gp,optuna-tpe")
    args = p.parse_args(argv)
    from scipy import stats

    from localtune import demo

    with tempfile.TemporaryDirectory(prefix="localtune-seed-seeds-") as tmp:
        home = Path(tmp)
        demo.write_breast_cancer(home)
        data = _load(home)

        def objective(params: dict[str, Any]) -> float:
            return train_once(home, params, data)

        methods = args.methods.split(",")
        best = {m: np.array([run(m, objective, s) for s in range(args.seeds)]) for m in methods}
    print(
        f"best validation AUC of {TRIALS} trainings, {IN_FLIGHT} in flight, "
        f"seeds 0-{args.seeds - 1}"
    )
    print("| method | median | mean ± sd | Mann-Whitney p vs first |\n|---|---|---|---|")
    first = best[methods[0]]
    for m, v in best.items():
        pval = "—" if m == methods[0] else f"{stats.mannwhitneyu(first, v).pvalue:.3f}"
        print(f"| {m} | {np.median(v):.5f} | {v.mean():.5f} ± {v.std():.5f} | {pval} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

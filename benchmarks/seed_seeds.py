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
per method the median, mean and standard deviation of the best AUC over seeds, the
Mann-Whitney p of each method against the first, and how many of a run's trainings were wasted
(AUC below 0.975; eta below 0.01, where 100 rounds learn little).
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
# Wasted trainings: an AUC below POOR_AUC (the median random configuration reaches 0.98), and
# the learning rate eta below SMALL_ETA, where 100 rounds learn little (AUC 0.94-0.97).
POOR_AUC, SMALL_ETA = 0.975, 0.01
Objective = Callable[[dict[str, Any]], float]
Ask = Callable[[], tuple[Any, dict[str, Any]]]


def _search(
    ask: Ask, tell: Callable[[Any, float], object], objective: Objective, in_flight: int
) -> float:
    pending = [ask() for _ in range(in_flight)]
    asked, best = in_flight, -np.inf
    while pending:
        handle, params = pending.pop(0)
        value = objective(params)
        best = max(best, value)
        tell(handle, value)
        if asked < TRIALS:
            pending.append(ask())
            asked += 1
    return float(best)


def seed_ranges() -> dict[str, Any]:
    """The seed request's ParameterRanges."""
    request = json.loads(SEED_REQUEST.read_text())
    ranges: dict[str, Any] = request["HyperParameterTuningJobConfig"]["ParameterRanges"]
    return ranges


def run_localtune(
    objective: Objective, seed: int, options: dict[str, Any], in_flight: int
) -> float:
    import strategies

    s = strategies.create("Bayesian", seed_ranges(), objective="Maximize", seed=seed, **options)

    def ask() -> tuple[Any, dict[str, Any]]:
        trial = s.ask()
        assert trial is not None  # a continuous space is never exhausted
        return trial.id, trial.params

    return _search(ask, s.tell, objective, in_flight)


def run_optuna(objective: Objective, seed: int, sampler_name: str, in_flight: int) -> float:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler_class = (
        optuna.samplers.GPSampler if sampler_name == "gp" else optuna.samplers.TPESampler
    )
    study = optuna.create_study(direction="maximize", sampler=sampler_class(seed=seed))

    def ask() -> tuple[Any, dict[str, Any]]:
        trial = study.ask()
        return trial, optuna_params(trial)

    return _search(ask, study.tell, objective, in_flight)


def run(method: str, objective: Objective, seed: int, in_flight: int = IN_FLIGHT) -> float:
    if method.startswith("optuna-"):
        return run_optuna(objective, seed, method.removeprefix("optuna-"), in_flight)
    name, options = parse_variant(method)
    if name != "localtune-bayesian":
        raise SystemExit(f"unknown method {method!r}")
    return run_localtune(objective, seed, options, in_flight)


def run_seeds(
    method: str, objective: Objective, seeds: int, in_flight: int
) -> tuple[np.ndarray, list[tuple[dict[str, Any], float]]]:
    """Best value of each seed 0 … seeds−1, and every (params, value) trained on the way."""
    trained: list[tuple[dict[str, Any], float]] = []

    def logged(params: dict[str, Any]) -> float:
        value = objective(params)
        trained.append((params, value))
        return value

    return np.array([run(method, logged, s, in_flight) for s in range(seeds)]), trained


def landscape(objective: Objective, n: int, seed: int = 0) -> str:
    """``n`` random configurations of the seed's ranges (the Random strategy): the best, median
    and 99th percentile AUC, and the median best of ``TRIALS`` draws from them (2000 resamples)."""
    import strategies

    sampler = strategies.create("Random", seed_ranges(), objective="Maximize", seed=seed)
    values = np.empty(n)
    for i in range(n):
        trial = sampler.ask()
        assert trial is not None  # a continuous space is never exhausted
        values[i] = objective(dict(trial.params))
        sampler.tell(trial.id, float(values[i]))
    rng = np.random.default_rng(seed)
    best_of = [values[rng.choice(n, TRIALS, replace=False)].max() for _ in range(2000)]
    return (
        f"{n} random configurations: best {values.max():.5f}, median {np.median(values):.5f}, "
        f"99th percentile {np.quantile(values, 0.99):.5f}; "
        f"median best of {TRIALS} random draws {np.median(best_of):.5f}"
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.seed_seeds", description=__doc__)
    p.add_argument("--seeds", type=int, default=40, help="seeds 0 … N−1 (default 40)")
    p.add_argument(
        "--methods",
        default="localtune-bayesian,optuna-gp,optuna-tpe",
        help="comma-separated; METHOD@K runs that method with K trials in flight",
    )
    p.add_argument("--in-flight", type=int, default=IN_FLIGHT, help="default K (3)")
    p.add_argument(
        "--random-configs",
        type=int,
        default=0,
        help="also evaluate N uniform random configurations (the task's landscape)",
    )
    args = p.parse_args(argv)
    from scipy import stats

    from localtune import demo

    first: np.ndarray | None = None
    with tempfile.TemporaryDirectory(prefix="localtune-seed-seeds-") as tmp:
        home = Path(tmp)
        demo.write_breast_cancer(home)
        data = _load(home)

        def objective(params: dict[str, Any]) -> float:
            return train_once(home, params, data)

        if args.random_configs:
            print(landscape(objective, args.random_configs) + "\n", flush=True)
        print(f"best validation AUC of {TRIALS} trainings, seeds 0-{args.seeds - 1}")
        print(
            "| method | in flight | median | mean ± sd | Mann-Whitney p vs first "
            f"| trainings per run at AUC < {POOR_AUC} | at eta < {SMALL_ETA} |"
        )
        print("|---|---|---|---|---|---|---|", flush=True)
        for spec in args.methods.split(","):
            method, _, k = spec.partition("@")
            in_flight = int(k) if k else args.in_flight
            v, trained = run_seeds(method, objective, args.seeds, in_flight)
            pval = "—" if first is None else f"{stats.mannwhitneyu(first, v).pvalue:.3f}"
            first = v if first is None else first
            poor = sum(value < POOR_AUC for _, value in trained) / args.seeds
            small_eta = sum(float(params["eta"]) < SMALL_ETA for params, _ in trained) / args.seeds
            print(
                f"| {method} | {in_flight} | {np.median(v):.5f} | "
                f"{v.mean():.5f} ± {v.std():.5f} | {pval} | {poor:.2f} | {small_eta:.2f} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""How sure the Bayesian strategy's model is, against what happens:
``python -m benchmarks.calibration [--tasks T] [--seeds N] [--first-seed S] [options]``.

Runs the Bayesian strategy on each task in rounds of ``--batch`` asks (ask the batch, then tell
it, as ``benchmarks.strategies``' 16×8 budget does) and, from round ``--from-round`` on, asks the
model for its probability of improvement at every suggestion of the round
(``BayesianStrategy.probability_of_improvement``: Φ((y_min − μ)/σ) on the model the batch was
asked from) and counts the suggestions that did beat the best value known before the round. A
calibrated model's mean predicted PI matches that rate; on piecewise-constant objectives (decision
trees, accuracies) the GP predicts a new point of a level it has seen many times at the level
minus a little, with a small σ — PI near ½, improvements near none (benchmarks/README.md, "Why
the plateaus fail").
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass

import numpy as np

import strategies
from benchmarks._strat_run import pin_blas
from benchmarks._tasks import get_task
from benchmarks.strategies import resolve_tasks


@dataclass
class Calibration:
    task: str
    suggestions: int  # suggestions scored (rounds from --from-round on, every seed)
    predicted: float  # mean predicted probability of improvement
    observed: float  # fraction of those suggestions that improved on the best before the round


def calibrate(
    task_name: str, seeds: list[int], rounds: int, batch: int, from_round: int
) -> Calibration:
    task = get_task(task_name)
    predicted: list[float] = []
    improved: list[bool] = []
    for seed in seeds:
        strategy = strategies.create("Bayesian", task.ranges, seed=seed)
        assert isinstance(strategy, strategies.BayesianStrategy)
        best = math.inf
        for rnd in range(rounds):
            trials = [t for t in (strategy.ask() for _ in range(batch)) if t is not None]
            if not trials:
                break
            values = [task.evaluate(dict(t.params)) for t in trials]
            if rnd >= from_round and math.isfinite(best):
                pi = strategy.probability_of_improvement([t.params for t in trials])
                predicted.extend(float(p) for p in pi)
                improved.extend(v < best for v in values)
            for t, v in zip(trials, values, strict=True):
                strategy.tell(t.id, v if math.isfinite(v) else None)
            best = min([best, *(v for v in values if math.isfinite(v))])
    n = len(predicted)
    return Calibration(
        task_name,
        n,
        float(np.mean(predicted)) if n else math.nan,
        float(np.mean(improved)) if n else math.nan,
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks.calibration", description=__doc__)
    p.add_argument("--tasks", default="dt-breast-nll,svm-iris-acc,svm-wine-nll")
    p.add_argument("--seeds", type=int, default=4)
    p.add_argument("--first-seed", type=int, default=10)
    p.add_argument("--rounds", type=int, default=16)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--from-round", type=int, default=4, help="first round scored (0-based)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    pin_blas()
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    print(f"{args.rounds}×{args.batch}, seeds {seeds[0]}–{seeds[-1]}, rounds {args.from_round}+")
    print("| task | suggestions | mean predicted PI | improved |")
    print("|---|---|---|---|")
    for name in resolve_tasks(args.tasks):
        c = calibrate(name, seeds, args.rounds, args.batch, args.from_round)
        print(f"| {c.task} | {c.suggestions} | {c.predicted:.3f} | {c.observed:.3f} |", flush=True)


if __name__ == "__main__":
    main()

"""bayesmark-style scoring of raw search records (bayesian-optimization.md §4 and §6).

For a task:

- ``opt`` is the best value found by the *reference* methods: every method in the run except the
  one under test (``localtune-bayesian`` and its ``localtune-bayesian:option=value`` variants),
  pooled over all budgets and seeds. This is bayesmark's definition (``opt`` comes from the
  baseline optimisers' runs, so a method that beats all of them scores above 100; HEBO reports
  ~100.1) and it makes scores comparable between A/B variants of the method under test: adding a
  variant never moves ``opt``. When a task has no reference record at all, ``opt`` falls back to
  the best of every method (``Scores.opt_from_all`` lists such tasks). With separate reference
  records (``score(..., references=...)``, ``--rescore RUNS --references REFS``) opt and clip
  come from those alone and the runs are scored on their own seeds.
- ``clip`` is the median of single random evaluations, pooled over every evaluation of the
  baseline random method on that task.

A run's value after round i is the cumulative minimum over rounds of each round's best
evaluation; its normalised loss is (min(S, clip) - opt) / (clip - opt), negative when the run
beat every reference run, and floored at -1 as bayesmark floors it (``experiment_analysis.py``:
one run far below ``opt`` cannot outweigh the others). Score = 100 * (1 - mean normalised loss):
100 = the best any reference method found, 0 = a median random draw.

``opt`` depends on which reference methods ran and how many seeds and budgets they had (more
runs, a more extreme ``opt``, lower scores for everyone), so absolute scores are comparable only
between runs with the same reference set; the published anchors (random ≈ 92, TuRBO ≈ 98) come
from bayesmark's 108 tasks and its own baseline optimisers.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

Key = tuple[str, str, str]  # (task, method, budget)
UNDER_TEST = "localtune-bayesian"


def is_reference(method: str) -> bool:
    """True for the methods that set ``opt``: all but the method under test and its variants."""
    return method != UNDER_TEST and not method.startswith(UNDER_TEST + ":")


@dataclass
class Scores:
    """Normalised curves and summaries; ``curves[key]`` has one row per seed (rounds as columns)."""

    baseline: str
    opt: dict[str, float] = field(default_factory=dict)
    clip: dict[str, float] = field(default_factory=dict)
    seeds: dict[str, list[int]] = field(default_factory=dict)
    curves: dict[Key, np.ndarray] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)
    opt_from_all: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)  # the methods whose runs fixed opt

    def final(self, key: Key) -> np.ndarray:
        """Final normalised loss per seed."""
        return self.curves[key][:, -1]

    def task_score(self, key: Key) -> float:
        return 100.0 * (1.0 - float(np.mean(self.final(key))))

    def methods(self) -> list[str]:
        return sorted({m for _, m, _ in self.curves}, key=method_order)

    def budgets(self) -> list[str]:
        return sorted({b for _, _, b in self.curves})

    def tasks(self, group: str | None = None) -> list[str]:
        return [t for t in self.opt if group is None or self.groups[t] == group]


def method_order(name: str) -> tuple[int, str]:
    order = ["localtune-bayesian", "localtune-random", "optuna-tpe", "optuna-gp", "skopt-gp"]
    return (order.index(name) if name in order else len(order), name)


def _round_curve(values: list[float | None], batch: int, rounds: int) -> np.ndarray:
    """Cumulative minimum of per-round minima; NaN before the first finite value."""
    out = np.full(rounds, np.nan)
    best = math.inf
    for r in range(rounds):
        chunk = [v for v in values[r * batch : (r + 1) * batch] if v is not None]
        if chunk:
            best = min(best, min(chunk))
        out[r] = best if math.isfinite(best) else np.nan
    return out


def common_seeds(records: list[dict[str, Any]]) -> dict[str, list[int]]:
    """Per task, the seeds present for every (method, budget) of that task, so that every method
    is compared on the same seeds even when a run was cut short."""
    have: dict[str, dict[tuple[str, str], set[int]]] = defaultdict(lambda: defaultdict(set))
    for rec in records:
        have[rec["task"]][(rec["method"], rec["budget"])].add(rec["seed"])
    return {t: sorted(set.intersection(*per.values())) for t, per in have.items()}


def score(
    records: list[dict[str, Any]],
    baseline: str,
    references: list[dict[str, Any]] | None = None,
) -> Scores:
    """Normalise every record against its task's opt and clip; see the module docstring.

    With ``references``, opt and clip come from those runs alone (their reference methods and
    baseline, every seed they have) and ``records`` are scored on their own seeds: bayesmark's
    way of scoring a new optimiser against a fixed baseline. It also removes a bias of A/B
    runs: a default chosen on some seeds is favoured on exactly those seeds, so a variant is
    compared fairly only on fresh ones."""
    out = Scores(baseline=baseline)
    spaces: dict[str, set[str]] = defaultdict(set)
    for r in [*records, *(references or [])]:
        spaces[r["task"]].add(r.get("space", "unrecorded"))
    mixed = sorted(t for t, ids in spaces.items() if len(ids) > 1)
    if mixed:
        raise ValueError(
            f"records of {', '.join(mixed)} come from different search spaces (field 'space': "
            f"{', '.join(sorted(spaces[mixed[0]]))} for {mixed[0]}); score runs of one version "
            "of the tasks together"
        )
    out.seeds = common_seeds(records)
    kept = [r for r in records if r["seed"] in out.seeds[r["task"]]]
    source = kept if references is None else references
    out.references = sorted(
        {r["method"] for r in source if is_reference(r["method"])}, key=method_order
    )
    for task in sorted(out.seeds):
        recs = [r for r in source if r["task"] == task]
        finite = [v for r in recs for v in r["values"] if v is not None]
        ref = [v for r in recs if is_reference(r["method"]) for v in r["values"] if v is not None]
        pooled = [v for r in recs if r["method"] == baseline for v in r["values"] if v is not None]
        if not finite or not pooled:
            continue
        if not ref:
            out.opt_from_all.append(task)
        out.opt[task] = min(ref or finite)
        out.clip[task] = float(np.median(pooled))
        out.groups[task] = recs[0]["group"]
    rows: dict[Key, list[tuple[int, np.ndarray]]] = defaultdict(list)
    for r in kept:
        task = r["task"]
        if task not in out.opt:
            continue
        rounds = max(1, math.ceil(_budget_evals(r) / r["batch"]))
        curve = _round_curve(r["values"], r["batch"], rounds)
        opt, clip = out.opt[task], out.clip[task]
        span = clip - opt
        capped = np.where(np.isnan(curve), clip, np.minimum(curve, clip))
        norm = np.maximum((capped - opt) / span, -1.0) if span > 0 else np.zeros_like(capped)
        rows[(task, r["method"], r["budget"])].append((r["seed"], norm))
    for key, seeded in rows.items():
        seeded.sort(key=lambda item: item[0])
        out.curves[key] = np.vstack([c for _, c in seeded])
    return out


def _budget_evals(record: dict[str, Any]) -> int:
    from benchmarks._strat_run import BUDGETS

    budget = BUDGETS.get(record["budget"])
    return budget.evaluations if budget else len(record["values"])


def overall(sc: Scores, method: str, budget: str, group: str | None = None) -> float:
    """Leaderboard score: 100 * (1 - mean over tasks of the mean final normalised loss)."""
    losses = [
        float(np.mean(sc.final((t, method, budget))))
        for t in sc.tasks(group)
        if (t, method, budget) in sc.curves
    ]
    return 100.0 * (1.0 - float(np.mean(losses))) if losses else math.nan


def overall_curve(sc: Scores, method: str, budget: str, group: str | None = None) -> np.ndarray:
    curves = [
        sc.curves[(t, method, budget)].mean(axis=0)
        for t in sc.tasks(group)
        if (t, method, budget) in sc.curves
    ]
    return 100.0 * (1.0 - np.mean(np.vstack(curves), axis=0)) if curves else np.array([])


def average_ranks(
    sc: Scores, budget: str, methods: list[str], group: str | None = None
) -> dict[str, float]:
    """Mean over tasks of each method's rank by mean final normalised loss (1 = best, ties
    share the average rank)."""
    ranks: dict[str, list[float]] = {m: [] for m in methods}
    for t in sc.tasks(group):
        keys = [(t, m, budget) for m in methods]
        if not all(k in sc.curves for k in keys):
            continue
        losses = [float(np.mean(sc.final(k))) for k in keys]
        for m, rank in zip(methods, stats.rankdata(losses), strict=True):
            ranks[m].append(float(rank))
    return {m: float(np.mean(r)) if r else math.nan for m, r in ranks.items()}


def iqm(values: np.ndarray) -> float:
    """Interquartile mean: the mean of the middle 50% (scipy's 25%-trimmed mean)."""
    return float(stats.trim_mean(values, 0.25))


def iqm_ci(
    sc: Scores,
    method: str,
    budget: str,
    group: str | None = None,
    reps: int = 2000,
    seed: int = 0,
) -> tuple[float, float, float]:
    """IQM of per-(task, seed) final scores with a 95% stratified bootstrap CI (seeds are
    resampled within each task, after Agarwal et al. 2021)."""
    per_task = [
        100.0 * (1.0 - sc.final((t, method, budget)))
        for t in sc.tasks(group)
        if (t, method, budget) in sc.curves
    ]
    if not per_task:
        return math.nan, math.nan, math.nan
    point = iqm(np.concatenate(per_task))
    rng = np.random.default_rng(seed)
    boot = np.empty(reps)
    for i in range(reps):
        sample = [s[rng.integers(0, s.size, s.size)] for s in per_task]
        boot[i] = iqm(np.concatenate(sample))
    low, high = np.percentile(boot, [2.5, 97.5])
    return point, float(low), float(high)


@dataclass
class SeedPairs:
    """Per-seed overall scores of two methods on the seeds both ran on every shared task."""

    seeds: list[int]
    a: np.ndarray
    b: np.ndarray

    @property
    def diff(self) -> np.ndarray:
        return self.b - self.a

    def summary(self) -> tuple[float, float, float, int]:
        """Mean of b − a, its standard error, the paired t-test's two-sided p, seeds b won."""
        d = self.diff
        se = float(d.std(ddof=1) / math.sqrt(d.size))
        p = float(stats.ttest_rel(self.b, self.a).pvalue) if se > 0 else math.nan
        return float(d.mean()), se, p, int((d > 0).sum())


def seed_pairs(sc: Scores, a: str, b: str, budget: str) -> SeedPairs | None:
    """Each seed's overall score (mean over the tasks both methods ran) for a and b, paired by
    seed. A seed is one independent draw of a method's randomness on every task, so the seed is
    the unit a paired test needs: per-run tests over (task, seed) pairs count a lucky seed many
    times and put a placebo (the same method, another random stream) at p 0.01 against itself
    (benchmarks/README.md). None with fewer than 3 shared seeds."""
    tasks = [t for t in sc.opt if (t, a, budget) in sc.curves and (t, b, budget) in sc.curves]
    if not tasks:
        return None
    shared = sorted(set.intersection(*(set(sc.seeds[t]) for t in tasks)))
    if len(shared) < 3:
        return None

    def per_seed(method: str) -> np.ndarray:
        cols = []
        for t in tasks:
            final = dict(zip(sc.seeds[t], sc.final((t, method, budget)), strict=True))
            cols.append([final[s] for s in shared])
        return 100.0 * (1.0 - np.mean(np.array(cols), axis=0))

    return SeedPairs(shared, per_seed(a), per_seed(b))


def wilcoxon_vs(sc: Scores, task: str, a: str, b: str, budget: str) -> float:
    """Two-sided paired Wilcoxon p-value of a vs b final normalised loss over matched seeds
    (NaN when it cannot be computed, e.g. all pairs tied or fewer than 2 seeds)."""
    ka, kb = (task, a, budget), (task, b, budget)
    if ka not in sc.curves or kb not in sc.curves:
        return math.nan
    diff = sc.final(ka) - sc.final(kb)
    if diff.size < 2 or np.allclose(diff, 0.0):
        return math.nan
    return float(stats.wilcoxon(sc.final(ka), sc.final(kb)).pvalue)

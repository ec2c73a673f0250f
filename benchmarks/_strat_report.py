"""Tables, target checks and plots for the strategy suite (text is Markdown, printable as is)."""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks._strat_run import BUDGETS
from benchmarks._strat_scoring import (
    Scores,
    average_ranks,
    iqm_ci,
    overall,
    overall_curve,
    seed_pairs,
    wilcoxon_vs,
)
from benchmarks._tasks import get_task

OURS = "localtune-bayesian"
RANDOMS = ("localtune-random", "harness-random")
PEERS = ("optuna-tpe", "optuna-gp", "skopt-gp")


def budget_label(name: str) -> str:
    """``rounds×batch`` of a known budget (16×8), else the name itself."""
    return BUDGETS[name].label if name in BUDGETS else name


def _fmt(x: float, digits: int = 2) -> str:
    return "—" if math.isnan(x) else f"{x:.{digits}f}"


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def _groups(sc: Scores) -> list[str]:
    order = ["synthetic", "sklearn", "xgboost"]
    return [g for g in order if g in set(sc.groups.values())]


def summary_table(sc: Scores, records: list[dict[str, Any]], budget: str) -> str:
    methods = [m for m in sc.methods() if any((t, m, budget) in sc.curves for t in sc.opt)]
    groups = _groups(sc)
    ranks = average_ranks(sc, budget, methods)
    cost: dict[str, list[float]] = defaultdict(list)
    for r in records:
        if r["budget"] == budget:
            cost[r["method"]].append(r["optimizer_seconds"])
    header = ["method", *[f"score {g}" for g in groups], "score all", "avg rank"]
    header += ["IQM [95% CI]", "optimizer s/run"]
    rows = []
    for m in methods:
        point, low, high = iqm_ci(sc, m, budget)
        row = [m, *[_fmt(overall(sc, m, budget, g)) for g in groups]]
        row += [_fmt(overall(sc, m, budget)), _fmt(ranks[m]), f"{_fmt(point)} [{_fmt(low)}, "]
        row[-1] += f"{_fmt(high)}]"
        row.append(_fmt(float(np.mean(cost[m])) if cost[m] else math.nan))
        rows.append(row)
    return _table(header, rows)


def task_table(sc: Scores, budget: str) -> str:
    """Per-task score per method; a * marks a task where ours differs from a method with a
    paired Wilcoxon p < 0.05 over seeds."""
    methods = sc.methods()
    rows = []
    for t in sc.tasks():
        if not any((t, m, budget) in sc.curves for m in methods):
            continue
        row = [t, str(len(sc.seeds[t]))]
        for m in methods:
            key = (t, m, budget)
            if key not in sc.curves:
                row.append("—")
                continue
            p = wilcoxon_vs(sc, t, OURS, m, budget) if m != OURS else math.nan
            row.append(_fmt(sc.task_score(key), 1) + ("*" if p < 0.05 else ""))
        rows.append(row)
    return _table(["task", "seeds", *methods], rows)


def regret_table(records: list[dict[str, Any]], sc: Scores, budget: str) -> str:
    """Synthetic tasks: median over seeds of log10(best found - known minimum)."""
    methods = sc.methods()
    rows = []
    for t in sc.tasks("synthetic"):
        f_star = get_task(t).optimum
        if f_star is None:
            continue
        row = [t]
        for m in methods:
            best = [
                min((v for v in r["values"] if v is not None), default=math.nan)
                for r in records
                if (r["task"], r["method"], r["budget"]) == (t, m, budget)
                and r["seed"] in sc.seeds[t]
            ]
            if not best:
                row.append("—")
                continue
            regret = np.log10(np.maximum(np.array(best) - f_star, 1e-12))
            row.append(_fmt(float(np.median(regret)), 2))
        rows.append(row)
    return _table(["task", *methods], rows) if rows else ""


def targets(sc: Scores) -> list[tuple[str, str, str]]:
    """(target, PASS/FAIL/SKIP, detail) for the issue's quality targets."""
    out: list[tuple[str, str, str]] = []
    budgets = sc.budgets()
    has_ours = any(m == OURS for m in sc.methods())
    for b in budgets:
        if not has_ours or not sc.tasks("sklearn"):
            out.append((f"score ≥ 98 on sklearn tasks ({b})", "SKIP", "no sklearn tasks or ours"))
            continue
        ours = overall(sc, OURS, b, "sklearn")
        rnd = [f"{m} {_fmt(overall(sc, m, b, 'sklearn'))}" for m in RANDOMS if m in sc.methods()]
        detail = f"{OURS} {_fmt(ours)} (random ≈ 92 expected: {', '.join(rnd) or 'n/a'})"
        # The target (and random ≈ 92) is set for 128 evaluations; at 50 it is information only.
        status = _pass(ours >= 98.0) if b != "sequential" else "INFO"
        out.append((f"score ≥ 98 on sklearn tasks ({b})", status, detail))
    for b in budgets:
        in_budget = {m for t, m, bb in sc.curves if bb == b}
        present = [m for m in (OURS, *PEERS) if m in in_budget]
        name = f"best average rank vs Optuna TPE/GP, skopt ({b})"
        if OURS not in present or len(present) < 2:
            out.append((name, "SKIP", "needs ours and at least one peer"))
            continue
        ranks = average_ranks(sc, b, present)
        detail = ", ".join(f"{m} {_fmt(r)}" for m, r in sorted(ranks.items(), key=lambda i: i[1]))
        out.append((name, _pass(ranks[OURS] <= min(ranks.values()) + 1e-9), detail))
    name = "16×8 within 1 point of 128×1 (all tasks)"
    if has_ours and {"batch", "sequential128"} <= set(budgets):
        batch, seq = overall(sc, OURS, "batch"), overall(sc, OURS, "sequential128")
        detail = f"16×8 {_fmt(batch)} vs 128×1 {_fmt(seq)} (diff {_fmt(batch - seq)})"
        out.append((name, _pass(batch >= seq - 1.0), detail))
    else:
        out.append((name, "SKIP", "needs --budget all (batch and sequential128)"))
    return out


def _pass(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def paired_lines(sc: Scores, budget: str) -> str:
    """One line per other method: its per-seed overall score against ours, paired by seed."""
    lines = []
    for m in sc.methods():
        pairs = seed_pairs(sc, OURS, m, budget) if m != OURS else None
        if pairs is None:
            continue
        diff, se, p, wins = pairs.summary()
        lines.append(
            f"- {m} − {OURS}: {diff:+.2f} ± {se:.2f} (s.e.) over {len(pairs.seeds)} seeds, "
            f"paired t-test p {_fmt(p, 3)}, higher on {wins} of {len(pairs.seeds)} seeds"
        )
    if not lines:
        return ""
    return (
        "Paired over seeds (each seed's score over the tasks both ran; the seed is the "
        "independent unit):\n\n" + "\n".join(lines)
    )


def full_report(sc: Scores, records: list[dict[str, Any]]) -> str:
    head = (
        f"Baseline for clip: pooled single evaluations of `{sc.baseline}`; opt: best found by "
        f"the reference methods ({', '.join(sc.references) or 'none'}; all budgets and seeds). "
        "Score 100 = best a reference method found (the method under test can exceed it), "
        "0 = median random draw."
    )
    if sc.opt_from_all:
        head += " No reference run on " + ", ".join(sc.opt_from_all) + ": opt = best of all."
    parts = [head]
    for b in sc.budgets():
        label = budget_label(b)
        parts.append(f"### Budget {b} ({label})\n\n" + summary_table(sc, records, b))
        paired = paired_lines(sc, b)
        if paired:
            parts.append(paired)
        parts.append(f"Per-task scores, {label} (* = paired Wilcoxon p < 0.05 vs {OURS}):\n\n")
        parts[-1] += task_table(sc, b)
        regret = regret_table(records, sc, b)
        if regret:
            parts.append(f"Synthetic, median log10 regret to the known minimum, {label}:\n\n")
            parts[-1] += regret
    lines = [f"- {status}: {name} — {detail}" for name, status, detail in targets(sc)]
    parts.append("### Targets\n\n" + "\n".join(lines))
    return "\n\n".join(parts) + "\n"


def plot_curves(sc: Scores, out_dir: Path) -> list[Path]:
    """One PNG per budget: mean score vs round, one panel per task group plus all tasks."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    panels: list[str | None] = [*_groups(sc), None]
    for b in sc.budgets():
        fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.6), squeeze=False)
        batch = 8 if b == "batch" else 1
        for ax, group in zip(axes[0], panels, strict=True):
            for m in sc.methods():
                curve = overall_curve(sc, m, b, group)
                if curve.size:
                    ax.plot(np.arange(1, curve.size + 1) * batch, curve, label=m)
            ax.set_title(f"{group or 'all tasks'} ({budget_label(b)})")
            ax.set_xlabel("evaluations")
            ax.set_ylabel("bayesmark score")
            ax.set_ylim(bottom=max(0.0, ax.get_ylim()[0]))
            ax.grid(alpha=0.3)
        axes[0][0].legend(fontsize=7)
        fig.tight_layout()
        path = out_dir / f"score_{b}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path)
    return written

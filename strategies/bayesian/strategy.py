"""Bayesian optimisation: GP (Matérn-5/2 ARD, MAP) + log-EI with fantasies for pending trials.

Decisions (documented for the README):

* **Initial design**: while fewer than ``n_initial`` = max(5, P + 1) successful values are known
  (told or added; P = number of parameters), asks return points of a scrambled Sobol sequence
  (seeded from the strategy's generator), snapped to feasible values; in discrete spaces a point
  already seen is skipped. Pending trials do not count: with k trials in flight the design has
  ``n_initial + k − 1`` points, and the GP starts from ``n_initial`` results. (Counting pending
  trials, the rule before, started the GP on n_initial − k + 1 results — 3 for the seed example,
  4 parameters, 3 in flight — and that GP sent its first suggestions to corners of the box:
  2.85 of 20 trainings per run at eta = 0, AUC 0.5, over seeds 0–39, against 2.35 with this
  rule alone and none with the margin at the ends of ranges (``optimize.py``; eta < 0.01 stays
  frequent, see there); median best AUC 0.98551 → 0.98598 (``benchmarks.seed_seeds``).
  Sequential and batch-synchronous use, where no result arrives while trials are pending, is
  unchanged when no trial fails.)
* **Acquisition** (``acquisition``, default ``"mace"``): each ask returns a uniformly random
  member of the Pareto front of three criteria over the candidates — log-EI, log-PI and the lower
  confidence bound μ − κσ — together with the refined EI maximiser (MACE, the batch acquisition of
  HEBO, Cowen-Rivers et al., JAIR 2022; κ by the GP-UCB schedule, ``_mace_kappa``). The front is
  small (median 5–7 of ~1500 candidates on Hartmann6 and a decision tree) and runs from EI's and
  PI's maximisers (near the incumbents) to LCB's (where the model is least sure), so a batch mixes
  refinement and exploration. ``"ei"``: the EI maximiser alone, the rule before. Measured
  (benchmarks/README.md, "MACE"): on the 20 plateau- and step-shaped tasks of ``bayesmark-hard``
  at 16×8, seeds 10–39, 96.90 vs 95.21 (per-seed score +1.61 ± 0.53, higher on 22 of 29 seeds,
  paired t-test p 0.005; a second draw on seeds 10–29 96.59, the first 96.80, EI 95.43); at 50×1
  90.08 vs 88.76 (10 seeds); on the six synthetic functions 102.7 vs 101.1 (16×8) and 98.9 vs 97.9
  (50×1); on the other 39 tasks of ``bayesmark-broad`` 99.60 vs 99.56 (4 seeds). On those
  plateaus EI sent 7 of every 8 asks of a batch to points of the best level seen, which its GP
  predicted a little below that level with small σ. The cost: when EI is sharply peaked, most of
  the front is far-away points whose LCB is the prior's, so most asks explore (svm-iris-nll: two
  runs stopped improving at 0.19 where EI reached 0.176), and the seed example's median best AUC
  over 40 seeds is 0.98598 against EI's 0.98613 (p 0.08). On all 59 tasks of ``bayesmark-broad``
  at 16×8 (18 fresh seeds against 6-seed random and TPE references) MACE scores 98.31 ± 0.23,
  EI 97.38 (6 seeds). Option ``lcb_resolution`` (default 0: exact) compares −LCB rounded down to
  multiples of it (standardised units; ε-dominance), which keeps far points whose LCB is nearly
  the prior's from crowding the front: 0.05 scored 98.47 on those 59 tasks (+0.30 ± 0.28 per seed,
  p 0.31) but lost on the synthetic functions (Ackley-5), so it is not the default.
* **Interleaved exploration**: after ``patience`` (default 5) results in a row that did not
  improve the best value, the next ask is the next point of the space-filling design instead of
  the acquisition's pick (then the count restarts); option ``random_fraction`` (default 0) adds
  SMAC-style interleaving with a fixed probability. Without it, EI kept re-sampling one flat
  region of piecewise-constant objectives (decision-tree hyperparameters) and ended worse than
  Random; with patience 5 it beat Random clearly there at a small cost on smooth functions
  (measurements in the report).
* **Failures**: a trial told ``None`` (or a non-finite value) is imputed, for the model only, as
  the worst successful value observed so far, so the search steers away from it without
  distorting the scale. With no successful value the initial design simply continues.
* **Lengthscale prior**: ``lengthscale_prior`` "midpoint" (default), "median" or "mode" — where
  the MAP pulls each lengthscale under Hvarfner et al.'s dimension-scaled LogNormal
  (``gp.lengthscale_prior``; chosen by measurement).
* **Targets**: losses above Q3 + 3·IQR are clipped to that fence (``clip_outliers``, default
  on), then a Yeo-Johnson power transform (λ by maximum likelihood, scipy) is applied —
  ``output_transform="auto"`` (default) only when λ < 1, i.e. when it compresses a long tail of
  bad losses; ``"yeo-johnson"`` always; ``"none"`` never — and the result is standardised
  (mean 0, std 1; constant data keeps std 1). Defaults chosen by measurement (see the report).
* **Pending trials (parallel asks)**: fantasies. ``n_fantasies`` joint samples of the pending
  outcomes are drawn from the current posterior (with observation noise); the GP is conditioned
  on observed + fantasised values (same θ, one Cholesky, S right-hand sides) and log-EI is
  averaged over the samples, each with its own incumbent. Pending points thus lose their
  uncertainty and nearby EI, which spreads parallel asks out.
* **Candidates around the incumbents**: besides the Sobol candidates, ``local_share`` (default
  0.5) × ``n_candidates`` perturbations of the 5 best configurations are scored; with
  ``multiscale`` (default on) their step sizes cycle through 0.01, 0.04 and 0.16 of the unit
  range and each moves a random subset of the coordinates (≥ 1). A/B on 5 bayesmark-style tasks,
  16×8, 4 seeds (benchmarks/README.md): score 100.05 vs 95.12 with one 0.08-step Gaussian move of
  every coordinate for a quarter of the candidates (the previous rule: ``local_share=0.25``,
  ``multiscale=False``), no task worse; mostly on piecewise-constant objectives (decision trees,
  accuracies), where moving a few parameters by a small step is what finds the next level.
* **Refit schedule**: the model (targets, θ, factorisation) is rebuilt only when a result has
  arrived since the last ask, so the asks of a batch share it. θ is then refitted by L-BFGS-B
  while n ≤ ``REFIT_EVERY_ASK_UP_TO``; beyond that only when n has grown by ≥ 5 % since the last
  fit (geometric thinning; between refits the Cholesky factor of the previous model is grown
  by the new rows, O(n²) per result instead of O(n³)). Fits are
  warm-started from the previous θ; a cold fit also starts from the default θ₀ and a
  short-lengthscale variant.
* **Candidate pool between refits**: at the first ask whose posterior was grown from the
  previous one (so only past ``REFIT_EVERY_ASK_UP_TO`` results, between refits of θ), the
  candidates are drawn once and kept until the next refit (``optimize.CandidatePool``):
  ``n_candidates`` Sobol points, and the ``local_share`` perturbations of each configuration
  that is or becomes one of the incumbents, drawn when it does. Their kernel rows and
  L⁻¹-solves are grown by each new result (``gp.FixedQueries``), so their exact log-EI costs
  O(n) per point instead of an ``exp`` per kernel entry and a triangular solve; new candidates
  at every ask cost most of an ask's ranking. The local search of these asks refines the best
  candidate only and stops earlier (``optimize.STARTS_BETWEEN_REFITS``,
  ``LOCAL_FTOL_BETWEEN_REFITS``). Up to ``REFIT_EVERY_ASK_UP_TO`` results
  (every ask refits θ) nothing changes: the suggestions are bit-identical to those of the
  strategy without the pool. Measured (benchmarks/README.md, Latency): p50 of an ask at
  n = 200 15.3 → 8.4 ms (d = 6) and 14.9 → 6.6 ms (d = 12), then 6.5 / 5.4 ms with the
  single-point evaluation of the one-start local search (``gp.Posterior.predict_one_with_grad``,
  same numbers); on 320-evaluation runs of six synthetic functions (10 seeds) no task
  significantly different at 320, and 25–50 % less CPU time for evaluations 201–320 (with
  three starts).
* **Data caps**: θ is fitted on at most ``FIT_POINTS`` = 300 observations (the best quarter plus a
  random subset of the rest, Syne Tune's scheme, drawn from the strategy's generator); the
  posterior used for the acquisition conditions on up to ``max_model_points`` (default 1000)
  observations, subsampled the same way above that.
* **Transfer learning**: added observations outside the current ranges are clipped into them for
  the model; an unknown categorical value is encoded as an all-zero one-hot, a missing parameter
  at the middle of its range.
* Returns ``None`` only when a fully discrete space has no configuration left that is neither
  observed nor pending.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

import numpy as np
from scipy.stats import qmc

from strategies.base import Strategy
from strategies.bayesian import gp, yeojohnson
from strategies.bayesian.acquisition import log_pi
from strategies.bayesian.lbfgsb import FTOL
from strategies.bayesian.optimize import (
    ENUMERATE_LIMIT,
    LOCAL_FTOL_BETWEEN_REFITS,
    N_STARTS,
    STARTS_BETWEEN_REFITS,
    AcquisitionOptimizer,
    CandidatePool,
    Key,
    local_reps,
)
from strategies.errors import StrategyError
from strategies.space import ParamValue, SearchSpace

REFIT_EVERY_ASK_UP_TO = 200
REFIT_GROWTH = 1.05
FIT_POINTS = 300
N_INCUMBENTS = 5
OUTPUT_TRANSFORMS = ("auto", "none", "yeo-johnson")
ACQUISITIONS = ("ei", "mace")
MACE_DELTA = 0.01  # δ of the GP-UCB schedule of κ (HEBO's value)
LCB_RESOLUTION = 0.0  # > 0: MACE compares −LCB rounded down to multiples of it (module docstring)


def _int_option(name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise StrategyError(f"{name} must be an integer >= {minimum}; got {value!r}")
    return int(value)


def _float_option(name: str, value: object, ok: Callable[[float], bool], rule: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not ok(value):
        raise StrategyError(f"{name} must be {rule}; got {value!r}")
    return float(value)


def _choice_option(name: str, value: object, choices: Collection[str]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise StrategyError(f"{name} must be one of {', '.join(choices)}; got {value!r}")
    return value


def _standardise(raw: np.ndarray, transform: str, clip_outliers: bool) -> np.ndarray:
    """Mean 0, std 1 (std 1 kept for constant data). With ``clip_outliers``, losses above Tukey's
    far-out fence Q3 + 3·IQR are lowered to the fence first (a diverged run reporting 1e12 must
    not flatten the model of all the others; it stays the worst point). Values are then divided
    by their largest magnitude so that huge finite losses cannot overflow the variance."""
    if clip_outliers and len(raw) >= 4:
        q1, q3 = np.percentile(raw, [25.0, 75.0])
        if q3 > q1:
            raw = np.minimum(raw, q3 + 3.0 * (q3 - q1))
    scale = float(np.abs(raw).max())
    z = raw / scale if scale > 0 else raw
    if transform != "none" and np.ptp(z) > 0:
        z = _yeo_johnson(z, concave_only=transform == "auto")
    std = float(z.std())
    return (z - z.mean()) / (std if std > 0 else 1.0)


def _yeo_johnson(raw: np.ndarray, concave_only: bool) -> np.ndarray:
    """Standardise, then Yeo-Johnson with λ by maximum likelihood (``yeojohnson``: scipy's
    definition and optimiser without scipy.stats' per-call overhead). With
    ``concave_only`` the transform is applied only when λ < 1, i.e. when it compresses a long
    tail of *bad* (high) losses and spreads the good ones; λ ≥ 1 would do the opposite, which
    hurts a minimiser. The raw values are kept when the fit fails or gives non-finite output
    (the transform is monotone, so the order of observations and the incumbent never change)."""
    z = (raw - raw.mean()) / raw.std()
    try:
        with np.errstate(all="ignore"):
            lmbda = yeojohnson.normmax(z)
            if concave_only and not lmbda < 1.0:
                return raw
            out = yeojohnson.transform(z, lmbda)
    except (ValueError, FloatingPointError, OverflowError):
        return raw
    return out if np.all(np.isfinite(out)) and np.ptp(out) > 0 else raw


class BayesianStrategy(Strategy):
    OPTIONS = (
        "n_initial",
        "n_candidates",
        "n_fantasies",
        "output_transform",
        "input_warping",
        "clip_outliers",
        "random_fraction",
        "patience",
        "max_model_points",
        "local_share",
        "multiscale",
        "lengthscale_prior",
        "acquisition",
        "lcb_resolution",
    )

    def __init__(
        self,
        space: SearchSpace,
        *,
        n_initial: int | None = None,
        n_candidates: int = 1024,
        n_fantasies: int = 16,
        output_transform: str = "auto",
        input_warping: bool = False,
        clip_outliers: bool = True,
        random_fraction: float = 0.0,
        patience: int | None = 5,
        max_model_points: int = 1000,
        local_share: float = 0.5,
        multiscale: bool = True,
        lengthscale_prior: str = "midpoint",
        acquisition: str = "mace",
        lcb_resolution: float = LCB_RESOLUTION,
        **kwargs: Any,
    ) -> None:
        super().__init__(space, **kwargs)
        default_initial = max(5, space.n_params + 1)
        self.n_initial = _int_option("n_initial", n_initial or default_initial, 1)
        self.n_candidates = _int_option("n_candidates", n_candidates, 1)
        self.n_fantasies = _int_option("n_fantasies", n_fantasies, 1)
        self.max_model_points = _int_option("max_model_points", max_model_points, 10)
        self.output_transform = _choice_option(
            "output_transform", output_transform, OUTPUT_TRANSFORMS
        )
        lengthscale_prior = _choice_option(
            "lengthscale_prior", lengthscale_prior, gp.LENGTHSCALE_PRIORS
        )
        for flag, val in (
            ("input_warping", input_warping),
            ("clip_outliers", clip_outliers),
            ("multiscale", multiscale),
        ):
            if not isinstance(val, bool):
                raise StrategyError(f"{flag} must be true or false; got {val!r}")
        self.acquisition = _choice_option("acquisition", acquisition, ACQUISITIONS)
        self.clip_outliers = clip_outliers
        self.multiscale = multiscale
        self.local_share = _float_option(
            "local_share", local_share, lambda v: 0.0 < v <= 1.0, "in (0, 1]"
        )
        self.random_fraction = _float_option(
            "random_fraction", random_fraction, lambda v: 0.0 <= v < 1.0, "in [0, 1)"
        )
        self.lcb_resolution = _float_option(
            "lcb_resolution", lcb_resolution, lambda v: 0.0 <= v < math.inf, "a finite number >= 0"
        )
        self.patience = None if patience is None else _int_option("patience", patience, 1)
        self._stale = 0  # results since the incumbent last improved
        self._best = math.inf
        warp_cols = tuple(space.numeric_columns()) if input_warping else ()
        self.layout = gp.Layout(space.n_encoded, warp_cols, lengthscale_prior)
        self._units: list[np.ndarray] = []
        self._losses: list[float | None] = []
        self._seen: set[Key] = set()
        self._sobol = qmc.Sobol(space.n_params, scramble=True, rng=self.rng)
        self._theta: np.ndarray | None = None
        self._fit_n = 0
        self._grown = False  # whether the model's posterior grew from the previous one's
        self._pool: CandidatePool | None = None
        self._cache: tuple[int, list[np.ndarray], np.ndarray, gp.Posterior] | None = None

    # -- observations -----------------------------------------------------------------------
    def _on_observation(self, unit: np.ndarray, loss: float | None) -> None:
        if loss is not None and loss < self._best:
            self._best, self._stale = loss, 0
        else:
            self._stale += 1
        self._units.append(unit)
        self._losses.append(loss)
        if not np.isnan(unit).any():
            self._seen.add(self.space.key(unit))

    def _on_added(self, params: Mapping[str, Any], unit: np.ndarray, loss: float | None) -> None:
        # Warm-start / restart data is not "our" search stalling: it never triggers exploration.
        self._on_observation(unit, loss)
        self._stale = 0

    def _pending_units(self) -> list[np.ndarray]:
        return [self.space.to_unit(p) for p in self._pending.values()]

    def _all_seen(self) -> set[Key]:
        return self._seen | {self.space.key(u) for u in self._pending_units()}

    # -- the model's belief -----------------------------------------------------------------
    def probability_of_improvement(self, configurations: Sequence[Mapping[str, Any]]) -> np.ndarray:
        """The model's probability that each configuration beats the best value observed so far:
        Φ((y_min − μ(x)) / σ(x)) of the GP on the transformed, standardised targets (σ of the
        latent objective, without observation noise; pending trials not conditioned on). The
        output transform is monotone, so this is comparable across objectives: a diagnostic of
        how sure the model is, which ``benchmarks.calibration`` sets against the improvements
        that follow.

        Uses the model of the last ask while no result has arrived since; otherwise it fits the
        model the next ask would use and then forgets it (θ, factorisation and generator are
        restored), so calling it never changes a suggestion."""
        if not any(v is not None for v in self._losses):
            raise StrategyError("probability_of_improvement needs at least one successful result")
        rows = [self.space.to_unit(params) for params in configurations]
        if not rows:
            return np.empty(0)
        state = (self._theta, self._fit_n, self._grown, self._cache, self.rng.bit_generator.state)
        try:
            _, y, post = self._model()
        finally:
            self._theta, self._fit_n, self._grown, self._cache = state[:4]
            self.rng.bit_generator.state = state[4]
        mean, var = post.predict(self.space.encode(np.asarray(rows)))
        return np.exp(log_pi(mean[:, None], var, np.array([y.min()])))

    # -- asking -----------------------------------------------------------------------------
    def _suggest(self) -> dict[str, ParamValue] | None:
        seen = self._all_seen()
        card = self.space.cardinality()
        if card is not None and len(seen) >= card:
            return None
        n_ok = sum(v is not None for v in self._losses)
        unit = None
        if n_ok < self.n_initial or self._explore_now():
            unit = self._design_point(seen)
        else:
            unit = self._bo_point(seen)
        if unit is None:
            return None
        return self.space.from_unit(unit)

    def _explore_now(self) -> bool:
        """Interleaved exploration: after ``patience`` results without improvement, or with
        probability ``random_fraction``."""
        if self.patience is not None and self._stale >= self.patience:
            self._stale = 0
            return True
        return bool(self.rng.random() < self.random_fraction)

    def _design_point(self, seen: set[Key]) -> np.ndarray | None:
        for _ in range(64):
            u = self.space.snap(self._sobol.random(1))[0]
            if self.space.key(u) not in seen:
                return u
        for _ in range(256):
            u = self.space.snap(self.rng.random((1, self.space.n_params)))[0]
            if self.space.key(u) not in seen:
                return u
        rows = [u for u in self.space.iter_grid() if self.space.key(u) not in seen]
        return rows[int(self.rng.integers(len(rows)))] if rows else None

    def _bo_point(self, seen: set[Key]) -> np.ndarray | None:
        units, y, post = self._model()
        order = np.argsort(y, kind="stable")[:N_INCUMBENTS]
        incumbents = np.nan_to_num(np.asarray(units)[order], nan=0.5)
        pool = self._candidate_pool(post, incumbents)
        pending = self._pending_units()
        best = np.array([y.min()])
        if pending:
            xp = self.space.encode(np.asarray(pending))
            post, best = self._fantasize(post, y, xp)
        opt = AcquisitionOptimizer(
            self.space,
            post,
            best,
            self.rng,
            n_candidates=self.n_candidates,
            local_share=self.local_share,
            multiscale=self.multiscale,
            n_starts=N_STARTS if pool is None else STARTS_BETWEEN_REFITS,
            local_ftol=FTOL if pool is None else LOCAL_FTOL_BETWEEN_REFITS,
            mace_kappa=self._mace_kappa(len(y)) if self.acquisition == "mace" else None,
            lcb_resolution=self.lcb_resolution,
        )
        return opt.maximize(incumbents, seen, pool)

    def _mace_kappa(self, n: int) -> float:
        """κ of MACE's LCB after n results: HEBO's GP-UCB schedule (Srinivas et al., 2010),
        κ² = 2υ ((2 + P/2) log t + log(π²/δ)) with υ = ½, δ = ``MACE_DELTA``, t = n (HEBO counts
        batches; t = n explores a little more at the same budget)."""
        t = max(n, 1)
        d = self.space.n_params
        return math.sqrt((2.0 + d / 2.0) * math.log(t) + math.log(math.pi**2 / MACE_DELTA))

    def _candidate_pool(self, post: gp.Posterior, incumbents: np.ndarray) -> CandidatePool | None:
        """The candidates of the asks between two refits of θ (n > ``REFIT_EVERY_ASK_UP_TO``,
        the posterior grown from the previous one): made at the first such ask, with
        predictions kept up to date as results arrive, instead of new candidates whose kernel
        rows and triangular solves cost most of the candidate ranking (``CandidatePool``)."""
        card = self.space.cardinality()
        if not self._grown or (card is not None and card <= ENUMERATE_LIMIT):
            self._pool = None  # a posterior refitted or refactorised (or a small grid)
            return None
        if self._pool is None or not self._pool.queries.covers(post):
            reps = local_reps(self.n_candidates, self.local_share, N_INCUMBENTS)
            self._pool = CandidatePool(
                self.space, post, self.n_candidates, reps, self.multiscale, self.rng
            )
        self._pool.update(post, incumbents)
        return self._pool

    def _model(self) -> tuple[list[np.ndarray], np.ndarray, gp.Posterior]:
        """Model rows, targets and the GP posterior on the observations (pending trials are
        added per ask, by fantasies). Kept while no result arrives: the asks of a batch (all
        pending, nothing told in between) share one transform, fit and factorisation, so an
        extra point of a batch costs its fantasies and acquisition search, not a refit."""
        if self._cache is not None and self._cache[0] == len(self._losses):
            return self._cache[1:]
        units, y = self._model_data()
        x = self.space.encode(np.asarray(units))
        self._maybe_refit(x, y)
        assert self._theta is not None  # set by _maybe_refit
        self._cache = (len(self._losses), units, y, self._posterior(units, x, y))
        return self._cache[1:]

    def _posterior(self, units: list[np.ndarray], x: np.ndarray, y: np.ndarray) -> gp.Posterior:
        """The GP posterior on rows x (encoded ``units``). When θ is the one of the previous
        model and that model's unit rows are the first of ``units`` (results were appended,
        nothing subsampled; the rows are the same array objects), its Cholesky factor is grown
        by the new rows instead of computed anew: at n = 205, d = 6 0.26 instead of 1.47 ms
        (``gp.Posterior.extend``)."""
        assert self._theta is not None
        if self._cache is not None:
            prev_units, prev = self._cache[1], self._cache[3]
            k = len(prev_units)
            if (
                prev.theta is self._theta
                and k < len(units)
                and all(a is b for a, b in zip(prev_units, units[:k], strict=True))
            ):
                self._grown = True
                return prev.extend(x[k:], y)
        self._grown = False
        return gp.Posterior(self._theta, x, y, self.layout)

    def _model_data(self) -> tuple[list[np.ndarray], np.ndarray]:
        """Unit rows and transformed, standardised targets (failures imputed as the worst)."""
        finite = [v for v in self._losses if v is not None]
        worst = max(finite)
        raw = np.array([worst if v is None else v for v in self._losses])
        units = list(self._units)
        if len(raw) > self.max_model_points:
            keep = self._subsample(raw, self.max_model_points)
            raw, units = raw[keep], [units[i] for i in keep]
        return units, _standardise(raw, self.output_transform, self.clip_outliers)

    def _subsample(self, raw: np.ndarray, cap: int | None = None) -> np.ndarray:
        """Indices of the best quarter of ``cap`` points plus a random subset of the others."""
        cap = cap or self.max_model_points
        n_top = cap // 4
        order = np.argsort(raw, kind="stable")
        rest = self.rng.choice(order[n_top:], cap - n_top, replace=False)
        return np.sort(np.concatenate([order[:n_top], rest]))

    def _maybe_refit(self, x: np.ndarray, y: np.ndarray) -> None:
        n, d = x.shape
        if self._theta is not None and n > REFIT_EVERY_ASK_UP_TO and n < REFIT_GROWTH * self._fit_n:
            return
        theta0 = self.layout.initial()
        if self._theta is None:
            short = theta0.copy()
            short[:d] += math.log(0.25)
            starts, maxiter = [theta0, short], 200
        else:
            # a fresh start now and then guards against a stale local optimum while n is small
            starts = [self._theta] + ([theta0] if n <= 50 and n % 5 == 0 else [])
            maxiter = 50 if n <= REFIT_EVERY_ASK_UP_TO else 30
        if n > FIT_POINTS:
            keep = self._subsample(y, FIT_POINTS)
            x, y = x[keep], y[keep]
        self._theta, _ = gp.fit(x, y, self.layout, starts, maxiter)
        self._fit_n = n

    def _fantasize(
        self, post: gp.Posterior, y: np.ndarray, xp: np.ndarray
    ) -> tuple[gp.Posterior, np.ndarray]:
        """Condition on S joint posterior samples of the pending outcomes."""
        z = self.rng.standard_normal((len(xp), self.n_fantasies))
        fantasy, draws = post.fantasize(xp, z)
        best = np.minimum(y.min(), draws.min(axis=0))
        return fantasy, best

"""Maximising the acquisition over a mixed (continuous / integer / categorical) space.

Everything works on unit-space rows (one coordinate per parameter, see ``strategies.space``) that
are *feasible*: integers and categoricals are snapped to their values before being scored, so the
GP only ever scores configurations that can actually be run.

1. Candidates: all not-yet-seen configurations when the space is discrete and small
   (≤ ``ENUMERATE_LIMIT``); otherwise scrambled Sobol points plus Gaussian perturbations of the
   best observed configurations (multi-scale moves of a random subset of coordinates by
   default, see ``perturb``; a categorical is resampled with probability 1/P) — drawn anew at
   each ask, or kept in the strategy's ``CandidatePool`` between refits of θ.
2. The ``n_starts`` best candidates (``STARTS_BETWEEN_REFITS`` between refits of θ) are
   refined: L-BFGS-B on the log-EI gradient over the continuous coordinates (integers and
   categoricals held fixed; coordinates scaled by the lengthscales; at most ``LOCAL_MAXITER``
   iterations, between refits stopped earlier by ``LOCAL_FTOL_BETWEEN_REFITS``), then
   greedy moves to neighbouring integer / categorical values while they improve the
   acquisition.
3. The best refined point that is not an already observed or pending configuration wins; if every
   refined point is such a duplicate, the best unseen candidate is returned.
4. With ``mace_kappa`` (the strategy's default acquisition), that point joins the unseen
   candidates, and a random member of their Pareto front of (log-EI, log-PI, −LCB) is
   returned instead (``_mace_pick``).

Candidates and the local search keep every coordinate ``EDGE`` (1e-3 of the unit range) inside
the ends of its range. The ends of a continuous range are often degenerate settings (a learning
rate of 0 trains nothing, a dropout of 1 drops everything), and a GP sends EI's maximiser to the
box's faces: its variance and any linear trend peak there, and L-BFGS-B stops exactly on a bound.
On the seed example (eta in [0, 1]) the search ran 2.35 of its 20 trainings per run at eta = 0,
each an AUC of 0.5, against none with the margin (``benchmarks.seed_seeds``, seeds 0–39); random
and Sobol points never land on a bound either. The margin alone did not cure the pull towards
the faces: the search still ran 2.62 trainings per run at eta < 0.01 (Optuna GP: 1.60), with an
AUC of 0.94–0.97 instead of 0.5, because the MAP fit gave eta a long lengthscale and put the bad
values on max_depth and min_child_weight. The lengthscale prior's centre drives that: 2.25 per
run with the current centre, 1.23 with BoTorch's shorter one, which cost score on the ML tasks
(``gp.lengthscale_prior``). A/B, 4 seeds, margin vs none, 50 local-search iterations
(benchmarks/README.md): bayesmark-lite 104.54 vs 102.89 (16×8) and 100.11 vs 96.27 (50×1),
synthetic functions 96.37 vs 97.58 and 115.34 vs 104.73. Integer and categorical coordinates
keep every value (they are snapped).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.stats import qmc

from strategies.bayesian.acquisition import (
    log_ei,
    log_ei_one_with_grad,
    log_ei_with_grad,
    log_pi,
    pareto_front,
)
from strategies.bayesian.gp import FixedQueries, Posterior
from strategies.bayesian.lbfgsb import FTOL, minimize_box
from strategies.space import SearchSpace

ENUMERATE_LIMIT = 4096
CHUNK_ELEMENTS = 1 << 17
LOCAL_SCALE = 0.08
LOCAL_SCALES = (0.01, 0.04, 0.16)
MAX_NEIGHBOUR_ROUNDS = 4
# Iterations of one joint L-BFGS-B run of the local search (was 50). At d = 12, n = 200 every
# run hit the cap of 50 (~55 evaluations, ~12 ms of a 23 ms ask), but the best start's log-EI
# after 20 iterations was within 0.013 (median) and 0.038 (worst) of its value after 50, i.e.
# EI within ~1-4 % (12 asks captured from the latency benchmark's Hartmann run).
# Quality A/B at 20 vs 50 (16×8; benchmarks/README.md, Latency): bayesmark-lite 103.4 vs 103.1
# (4 seeds), synthetic 96.6 vs 94.7 (12 seeds), no task worse beyond noise.
LOCAL_MAXITER = 20
# Between refits of θ (past 200 results, see ``strategy.py``) the local search stops when an
# iteration raises Σ log-EI by less than this fraction of its magnitude (L-BFGS-B's ftol; with
# scipy's default, used up to 200 results, nearly every run goes to the iteration cap): at
# Σ log-EI ≈ −30, typical at n = 200, a gain below 0.003, EI changing by < 0.3 %. p50 of an
# ask at n = 200, d = 12: 8.3–8.8 → 7.2–7.9 ms; at d = 6 the searches there run to the
# iteration cap either way (benchmarks/README.md, Latency). Used everywhere, it cost score
# within seed noise (bayesmark-broad: 50×1, 3 seeds 94.84 vs 95.67; 16×8, 6 seeds 97.31 vs
# 97.48), so the first 200 results keep the exhaustive search.
LOCAL_FTOL_BETWEEN_REFITS = 1e-4
N_STARTS = 3  # candidates refined by the local search
# Between refits the local search refines the best pooled candidate only. Its three starts share
# one L-BFGS-B line search, which can lower the best start while the others climb: on 16 asks
# captured after n = 200 (d = 6) one start ended 0.25 log-EI higher than three in the median
# (worst −0.7) and cost 5.6 instead of 7.6 ms; at 320×1 on six synthetic functions, 10 seeds, no
# task differed significantly from three starts or from the strategy without the pool
# (benchmarks/README.md, Latency). The first 200 results keep three.
STARTS_BETWEEN_REFITS = 1
EDGE = 1e-3
TOP_BATCH = 128  # rows scored exactly at a time by ``top``
BOUND_MARGIN = 1e-6  # log-EI slack for rounding in the bound

Key = tuple[float, ...]


def sobol_points(space: SearchSpace, n: int, rng: np.random.Generator) -> np.ndarray:
    """The first n points of a scrambled Sobol sequence in the unit cube (scrambled from rng;
    the sequence is drawn to the next power of two, as its balance properties require)."""
    sobol = qmc.Sobol(space.n_params, scramble=True, rng=rng)
    m = 1 << max(int(np.ceil(np.log2(max(n, 2)))), 1)
    return sobol.random(m)[:n]


def feasible(space: SearchSpace, units: np.ndarray) -> np.ndarray:
    """Unit rows ``EDGE`` inside the ends of every range, snapped to feasible values."""
    return space.snap(np.clip(units, EDGE, 1.0 - EDGE))


def local_reps(n_candidates: int, local_share: float, n_incumbents: int) -> int:
    """Perturbations drawn around each incumbent: ``local_share`` of the candidates, shared."""
    return max(1, int(n_candidates * local_share) // n_incumbents)


def perturb(
    incumbents: np.ndarray, reps: int, multiscale: bool, rng: np.random.Generator
) -> np.ndarray:
    """``reps`` Gaussian perturbations of each incumbent (a categorical resampled with
    probability 1/P). ``multiscale``: step sizes cycle through ``LOCAL_SCALES`` and each row
    moves a random subset of its coordinates (at least one), so that axis-aligned moves of a
    few parameters, which flat or piecewise-constant objectives need, are among the
    candidates; else one ``LOCAL_SCALE`` step of every coordinate."""
    p = incumbents.shape[1]
    local = np.repeat(incumbents, reps, axis=0)
    if not multiscale:
        step = LOCAL_SCALE * rng.standard_normal(local.shape)
    else:
        scales = np.resize(np.asarray(LOCAL_SCALES), len(local))[:, None]
        step = scales * rng.standard_normal(local.shape)
        move = rng.random(local.shape) < 0.5
        move[np.arange(len(local)), rng.integers(0, p, len(local))] = True
        step = np.where(move, step, 0.0)
    local = local + step
    flip = rng.random(local.shape) < 1.0 / p
    return np.where(flip, rng.random(local.shape), local)


class CandidatePool:
    """Candidates kept between refits of θ, with exact predictions grown by each result
    (``gp.FixedQueries``): ``n_candidates`` Sobol points drawn when the pool is made, and
    ``reps`` perturbations of each configuration that has been an incumbent since, drawn
    when it became one (:meth:`update`). Rows are feasible (snapped) unit rows."""

    def __init__(
        self,
        space: SearchSpace,
        post: Posterior,
        n_candidates: int,
        reps: int,
        multiscale: bool,
        rng: np.random.Generator,
    ) -> None:
        self.space, self.reps, self.multiscale, self.rng = space, reps, multiscale, rng
        self.units = feasible(space, sobol_points(space, n_candidates, rng))
        self.queries = FixedQueries(post, space.encode(self.units))
        self._around: set[Key] = set()

    def update(self, post: Posterior, incumbents: np.ndarray) -> None:
        """Cover the new rows of ``post`` (which must grow the pool's posterior) and add
        perturbations of the incumbents that have none in the pool yet."""
        self.queries.extend(post)
        keys = self.space.keys(incumbents)
        new = [i for i, key in enumerate(keys) if key not in self._around]
        if not new:
            return
        self._around.update(keys[i] for i in new)
        rows = feasible(self.space, perturb(incumbents[new], self.reps, self.multiscale, self.rng))
        self.queries.add(post, self.space.encode(rows))
        self.units = np.vstack([self.units, rows])


class AcquisitionOptimizer:
    def __init__(
        self,
        space: SearchSpace,
        posterior: Posterior,
        best: np.ndarray,
        rng: np.random.Generator,
        *,
        n_candidates: int,
        n_starts: int = N_STARTS,
        local_share: float = 0.5,
        multiscale: bool = True,
        local_ftol: float = FTOL,
        mace_kappa: float | None = None,
        lcb_resolution: float = 0.0,
    ) -> None:
        self.space = space
        self.post = posterior
        self.best = best
        self.rng = rng
        self.n_candidates = n_candidates
        self.n_starts = n_starts
        self.local_share = local_share
        self.multiscale = multiscale
        self.local_ftol = local_ftol
        self.mace_kappa = mace_kappa
        self.lcb_resolution = lcb_resolution

    def score(self, units: np.ndarray) -> np.ndarray:
        """log-EI of unit rows [m, P], in chunks of about ``CHUNK_ELEMENTS`` kernel entries so that
        the [chunk, n] temporaries are reused memory that stays in cache. Measured here: np.exp
        into a fresh [1300, 200] array 3.7 ms, the same work in 512-row blocks 1.4 ms; scoring
        1300 candidates at n = 200 went from 8.7 to 4.8 ms."""
        return self._chunked(self.space.encode(units), self.post.predict)

    def _chunked(
        self, x_all: np.ndarray, predict: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]
    ) -> np.ndarray:
        return log_ei(*self._predict(x_all, predict), self.best)

    def _predict(
        self,
        x: np.ndarray,
        predict: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]] | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Mean [m, S] and variance [m] at encoded rows x by ``predict`` (default: the exact
        posterior), in chunks of about ``CHUNK_ELEMENTS`` kernel entries."""
        predict = predict or self.post.predict
        mean, var = np.empty((len(x), self.best.size)), np.empty(len(x))
        step = max(32, CHUNK_ELEMENTS // len(self.post.x))
        for lo in range(0, len(x), step):
            m, v = predict(x[lo : lo + step])
            mean[lo : lo + step], var[lo : lo + step] = m.reshape(len(v), -1), v
        return mean, var

    def top(self, units: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Indices and log-EI of the k best rows of ``units``, best first — the first k of
        ``argsort(-score(units), kind="stable")`` — without the exact variance of most rows.

        Conditioning on more data never raises a Gaussian posterior variance, so the variance
        given the single most correlated input bounds it from above, and log-EI (increasing in σ)
        at that bound bounds the row's log-EI (``Posterior.mean_and_variance_bound``: no
        triangular solve). Rows are scored exactly in decreasing order of that bound until the
        next bound falls below the k-th best exact score. At n = 200 about 10–13 % of 1534
        candidates were scored exactly (12 asks, d = 6 and 12; the bound held on every row)."""
        x_all = self.space.encode(units)
        bound = self._chunked(x_all, self.post.mean_and_variance_bound)
        order = np.argsort(-bound, kind="stable")
        idx, scores = np.empty(0, dtype=np.intp), np.empty(0)
        kth = -np.inf
        for lo in range(0, len(order), TOP_BATCH):
            batch = order[lo : lo + TOP_BATCH]
            if bound[batch[0]] < kth - BOUND_MARGIN:
                break  # every remaining row's log-EI is below the k-th best found
            idx = np.concatenate([idx, batch])
            scores = np.concatenate([scores, self._chunked(x_all[batch], self.post.predict)])
            if len(scores) >= k:
                kth = float(np.partition(scores, len(scores) - k)[len(scores) - k])
        pick = np.lexsort((idx, -scores))[:k]  # ties by row index, as a stable argsort
        return idx[pick], scores[pick]

    def candidates(self, incumbents: np.ndarray, seen: set[Key]) -> np.ndarray:
        """Unseen candidate rows: the whole grid of a small discrete space; else
        ``n_candidates`` Sobol points and the perturbations of the incumbents."""
        card = self.space.cardinality()
        if card is not None and card <= ENUMERATE_LIMIT:
            grid = np.asarray(list(self.space.iter_grid()))
            return grid[self._unseen(grid, seen)]
        pts = [sobol_points(self.space, self.n_candidates, self.rng)]
        if len(incumbents):
            pts.append(self._local(incumbents))
        units = feasible(self.space, np.vstack(pts))
        return units[self._unseen(units, seen)]

    def _unseen(self, units: np.ndarray, seen: set[Key]) -> np.ndarray:
        """Mask of the rows of ``units`` whose key is not in ``seen``. Only rows whose first
        rounded coordinate equals that of some seen key can be seen (keys compare with float
        ==), so only those are looked up: building 1500 key tuples cost ~1.5 ms an ask."""
        mask = np.ones(len(units), dtype=bool)
        if not seen or not len(units):
            return mask
        first = np.fromiter((key[0] for key in seen), dtype=float, count=len(seen))
        maybe = np.flatnonzero(np.isin(np.round(units[:, 0], 12), first))
        for i, key in zip(maybe, self.space.keys(units[maybe]), strict=True):
            mask[i] = key not in seen
        return mask

    def _local(self, incumbents: np.ndarray) -> np.ndarray:
        """``local_share`` × ``n_candidates`` perturbations of the incumbents, an equal number
        around each (see :func:`perturb`)."""
        reps = local_reps(self.n_candidates, self.local_share, len(incumbents))
        return perturb(incumbents, reps, self.multiscale, self.rng)

    def maximize(
        self, incumbents: np.ndarray, seen: set[Key], pool: CandidatePool | None = None
    ) -> np.ndarray | None:
        """The unit row to evaluate next, or None if no unseen configuration exists. ``pool``:
        the candidates with predictions kept up to date (set up on a posterior this one
        grows), used instead of new ones — the strategy's path between refits of θ."""
        if pool is not None:  # exact scores of every pooled candidate (the strategy's pool
            # is never made for a space small enough to enumerate)
            mean, var = pool.queries.predict(self.post)
            mean = mean.reshape(len(var), -1)
            pool_scores = log_ei(mean, var, self.best)
            unseen = np.flatnonzero(self._unseen(pool.units, seen))
            pick = unseen[np.argsort(-pool_scores[unseen], kind="stable")[: self.n_starts]]
            units, scores = pool.units[pick], pool_scores[pick]
            cands, cand_pred = pool.units[unseen], (mean[unseen], var[unseen])
        else:
            cands = self.candidates(incumbents, seen)
            if len(cands) == 0:
                return None
            cand_pred = None
            card = self.space.cardinality()
            if card is not None and card <= ENUMERATE_LIMIT:  # every unseen configuration
                if self.mace_kappa is not None:
                    return self._mace_pick(cands, None, None)
                first, _ = self.top(cands, 1)
                return np.asarray(cands[first[0]])
            idx, scores = self.top(cands, self.n_starts)
            units = cands[idx]
        if len(units) == 0:
            return None
        starts, start_scores = self._refine(units, scores, seen)
        best_u, best_s = units[0], float(scores[0])
        for u, s in zip(starts, start_scores, strict=True):
            if s > best_s and self.space.key(u) not in seen:
                best_u, best_s = u, float(s)
        if self.mace_kappa is not None:
            return self._mace_pick(cands, cand_pred, best_u)
        return np.asarray(best_u)

    def _mace_pick(
        self,
        units: np.ndarray,
        pred: tuple[np.ndarray, np.ndarray] | None,
        extra: np.ndarray | None,
    ) -> np.ndarray:
        """MACE (HEBO; Cowen-Rivers et al., JAIR 2022): a uniformly random member of the Pareto
        front of (log-EI, log-PI, −LCB) over the candidate rows ``units`` (predictions ``pred``,
        computed here when None) and ``extra``, the refined EI maximiser (counted once when it
        is one of the candidates). LCB = μ − κσ with κ = ``mace_kappa``; with fantasies, EI and
        PI are averaged over the samples and μ is their mean. With ``lcb_resolution`` r > 0, −LCB
        enters the dominance test rounded down to a multiple of r (ε-dominance on that criterion,
        Laumanns et al., 2002): a row whose only advantage is an LCB lower by less than r does not
        join the front."""
        if pred is None:
            pred = self._predict(self.space.encode(units))
        mean, var = pred
        if extra is not None:
            extra_mean, extra_var = self._predict(self.space.encode(extra[None, :]))
            units = np.vstack([units, extra[None, :]])
            mean, var = np.vstack([mean, extra_mean]), np.concatenate([var, extra_var])
        assert self.mace_kappa is not None
        neg_lcb = self.mace_kappa * np.sqrt(var) - mean.mean(axis=1)
        if self.lcb_resolution > 0:
            neg_lcb = np.floor(neg_lcb / self.lcb_resolution) * self.lcb_resolution
        f = np.stack([log_ei(mean, var, self.best), log_pi(mean, var, self.best), neg_lcb], axis=1)
        front = pareto_front(f)
        front = front[np.unique(f[front], axis=0, return_index=True)[1]]  # equal rows once
        return np.asarray(units[front[int(self.rng.integers(len(front)))]])

    def _refine(
        self, units: np.ndarray, scores: np.ndarray, seen: set[Key]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Alternate a batched continuous search with greedy discrete moves (all starts at once)."""
        units, scores = units.copy(), scores.copy()
        dims = self.space.continuous_dims()
        for _ in range(MAX_NEIGHBOUR_ROUNDS):
            if dims:
                units, scores = self._local_continuous(units, scores, dims)
            neigh = [self.space.neighbours(u) for u in units]
            if not any(len(nb) for nb in neigh):
                break
            flat = np.vstack([nb for nb in neigh if len(nb)])
            flat_scores = self.score(flat)
            moved, pos = False, 0
            for i, nb in enumerate(neigh):
                if not len(nb):
                    continue
                block = flat_scores[pos : pos + len(nb)]
                pos += len(nb)
                for j in np.argsort(-block, kind="stable"):
                    if block[j] <= scores[i] + 1e-12:
                        break
                    if self.space.key(nb[j]) not in seen:
                        units[i], scores[i], moved = nb[j], block[j], True
                        break
            if not moved:
                break
        return units, scores

    def _local_continuous(
        self, units: np.ndarray, scores: np.ndarray, dims: list[tuple[int, int]]
    ) -> tuple[np.ndarray, np.ndarray]:
        """L-BFGS-B on Σ_i log-EI(x_i) over the continuous coordinates of k starts jointly (the
        sum is separable, so each start follows its own gradient; one call batches the GP).

        The search runs in coordinates divided by each column's lengthscale (v_j = x_j / ℓ_j,
        box [0, 1/ℓ_j]): a diagonal preconditioner, since ARD lengthscales differing by an
        order of magnitude make the unit-cube problem badly conditioned. Measured on 57 asks
        captured from Hartmann6 runs (d = 6 at n = 20–200, d = 12 at n = 30–200), 3 starts,
        50 iterations: 56 → 40 acquisition evaluations per ask on average, higher log-EI at
        the end in the median; over ten asks of a d = 12 run at n ≈ 100 the unit-coordinate
        search stopped 0.24 (median) below the optimum the scaled one reached in half the
        evaluations.
        """
        idx = [j for j, _ in dims]
        cols = [c for _, c in dims]
        k = len(units)
        base = self.space.encode(units)
        scale = np.tile(self.post.h.ls[cols], k)

        every = cols == list(range(base.shape[1]))  # all inputs continuous: no gather/scatter
        # one start, one sample and no warping (the strategy's local search between refits of
        # θ): the single-point path, the same numbers at half the cost per evaluation
        one = k == 1 and self.best.size == 1 and not self.post.h.warp_cols
        best = float(self.best[0])

        def negacq_one(v: np.ndarray) -> tuple[float, np.ndarray]:
            if every:
                x = v * scale
            else:
                x = base[0].copy()
                x[cols] = v * scale
            mean, var, dmean, dvar = self.post.predict_one_with_grad(x)
            val, grad = log_ei_one_with_grad(mean, var, dmean, dvar, best)
            return -val, -((grad if every else grad[cols]) * scale)

        def negacq(v: np.ndarray) -> tuple[float, np.ndarray]:
            if every:
                x = (v * scale).reshape(base.shape)
            else:
                x = base.copy()
                x[:, cols] = (v * scale).reshape(k, len(cols))
            mean, var, dmean, dvar = self.post.predict_with_grad(x)
            val, grad = log_ei_with_grad(mean, var, dmean, dvar, self.best)
            grad = grad.ravel() if every else grad[:, cols].ravel()
            return -float(val.sum()), -(grad * scale)

        v_end, _ = minimize_box(
            negacq_one if one else negacq,
            np.clip(units[:, idx].ravel(), EDGE, 1.0 - EDGE) / scale,
            np.full(k * len(cols), EDGE) / scale,
            (1.0 - EDGE) / scale,
            maxiter=LOCAL_MAXITER,
            ftol=self.local_ftol,
        )
        moved = units.copy()
        moved[:, idx] = np.clip(v_end * scale, EDGE, 1.0 - EDGE).reshape(k, len(cols))
        moved = self.space.snap(moved)
        new_scores = self.score(moved)
        better = np.isfinite(new_scores) & (new_scores > scores)
        units[better], scores[better] = moved[better], new_scores[better]
        return units, scores

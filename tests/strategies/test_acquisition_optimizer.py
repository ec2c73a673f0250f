"""The acquisition optimiser: chunked candidate scoring and the local search."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize
from scipy.stats import norm

from strategies.bayesian import gp
from strategies.bayesian.acquisition import log_ei, log_ei_with_grad, log_pi, pareto_front
from strategies.bayesian.lbfgsb import FTOL
from strategies.bayesian.optimize import (
    EDGE,
    LOCAL_FTOL_BETWEEN_REFITS,
    AcquisitionOptimizer,
    CandidatePool,
)
from strategies.space import SearchSpace

CONTINUOUS = [{"Name": f"x{i}", "MinValue": "0", "MaxValue": "1"} for i in range(3)]
RANGES = {
    "ContinuousParameterRanges": CONTINUOUS,
    "IntegerParameterRanges": [{"Name": "k", "MinValue": "1", "MaxValue": "5"}],
    "CategoricalParameterRanges": [{"Name": "c", "Values": ["a", "b"]}],
}


def optimizer(n: int = 60, seed: int = 0) -> AcquisitionOptimizer:
    space = SearchSpace.from_parameter_ranges(RANGES)
    rng = np.random.default_rng(seed)
    units = space.snap(rng.random((n, space.n_params)))
    x = space.encode(units)
    y = np.sin(7 * x[:, 0]) + (x[:, 1] - 0.3) ** 2 + 0.2 * x[:, 3]
    y = (y - y.mean()) / y.std()
    layout = gp.Layout(space.n_encoded)
    theta, _ = gp.fit(x, y, layout, [layout.initial()], maxiter=100)
    post = gp.Posterior(theta, x, y, layout)
    return AcquisitionOptimizer(space, post, np.array([y.min()]), rng, n_candidates=256)


def test_chunked_scores_equal_one_prediction_per_row() -> None:
    opt = optimizer()
    units = opt.space.snap(np.random.default_rng(1).random((5000, opt.space.n_params)))
    scores = opt.score(units)  # several chunks of CHUNK_ELEMENTS // n rows
    pick = [0, 1, 2183, 2184, 4999]
    mean, var = opt.post.predict(opt.space.encode(units[pick]))
    np.testing.assert_allclose(scores[pick], log_ei(mean[:, None], var, opt.best), rtol=1e-7)


@pytest.mark.parametrize("local_ftol", [FTOL, LOCAL_FTOL_BETWEEN_REFITS])
def test_local_search_climbs_to_the_maximum_of_a_bowl(local_ftol: float) -> None:
    """From the three best candidates, the (preconditioned) L-BFGS-B ends where log-EI is at
    least as high, and — also when it stops once an iteration gains less than
    LOCAL_FTOL_BETWEEN_REFITS — within 1e-3 of the maximum a fully converged search reaches
    from the same start."""
    space = SearchSpace.from_parameter_ranges({"ContinuousParameterRanges": CONTINUOUS})
    rng = np.random.default_rng(3)
    x = rng.random((40, 3))
    y = ((x - 0.4) ** 2 * [1.0, 3.0, 0.3]).sum(1)  # a bowl: log-EI peaks inside the box
    y = (y - y.mean()) / y.std()
    layout = gp.Layout(3)
    theta, _ = gp.fit(x, y, layout, [layout.initial()], maxiter=100)
    post = gp.Posterior(theta, x, y, layout)
    opt = AcquisitionOptimizer(
        space, post, np.array([y.min()]), rng, n_candidates=128, local_ftol=local_ftol
    )
    cands = opt.candidates(np.empty((0, 3)), set())
    scores = opt.score(cands)
    top = np.argsort(-scores)[:3]
    units, new = opt._local_continuous(
        cands[top].copy(), scores[top].copy(), space.continuous_dims()
    )
    assert np.all(new >= scores[top]) and new.max() > scores[top].max()
    assert np.all((units >= 0.0) & (units <= 1.0))

    def negative(u: np.ndarray) -> tuple[float, np.ndarray]:
        mean, var, dmean, dvar = post.predict_with_grad(u[None])
        value, grad = log_ei_with_grad(mean, var, dmean, dvar, opt.best)
        return -float(value[0]), -grad[0]

    for start, reached in zip(cands[top], new, strict=True):
        full = optimize.minimize(
            negative,
            start,
            jac=True,
            method="L-BFGS-B",
            bounds=[(EDGE, 1.0 - EDGE)] * 3,
            options={"maxiter": 500, "ftol": 1e-15, "gtol": 1e-10},
        )
        assert reached >= -full.fun - 1e-3


def test_maximize_reaches_the_acquisition_maximum_of_a_dense_grid() -> None:
    """Few candidates, nearly noise-free data: the suggestion's log-EI is within 1e-3 of the
    best of a 301 × 301 grid (the grid is the reference; the search must not stop short)."""
    space = SearchSpace.from_parameter_ranges({"ContinuousParameterRanges": CONTINUOUS[:2]})
    rng = np.random.default_rng(5)
    x = rng.random((30, 2))
    y = (x[:, 0] - 0.62) ** 2 + 2.0 * (x[:, 1] - 0.31) ** 2 + 0.1 * np.sin(9 * x[:, 0])
    y = (y - y.mean()) / y.std()
    layout = gp.Layout(2)
    theta, _ = gp.fit(x, y, layout, [layout.initial()], maxiter=200)
    post = gp.Posterior(theta, x, y, layout)
    opt = AcquisitionOptimizer(space, post, np.array([y.min()]), rng, n_candidates=16)
    incumbents = x[np.argsort(y)[:5]]
    u = opt.maximize(incumbents, set(space.keys(x)))
    assert u is not None
    grid = np.stack(np.meshgrid(np.linspace(0, 1, 301), np.linspace(0, 1, 301)), -1).reshape(-1, 2)
    assert opt.score(u[None])[0] >= opt.score(grid).max() - 1e-3


def test_the_peak_next_to_the_best_observation_is_reached() -> None:
    """6-D, half of the data clustered around a narrow minimum (as a BO run produces): the
    log-EI maximum sits next to the best observation. The suggestion must be as good as a
    tight L-BFGS-B climb started there (the search in unit coordinates, before the lengthscale
    scaling, stopped 0.25 short here)."""
    d = 6
    space = SearchSpace.from_parameter_ranges(
        {
            "ContinuousParameterRanges": [
                {"Name": f"x{i}", "MinValue": "0", "MaxValue": "1"} for i in range(d)
            ]
        }
    )
    rng = np.random.default_rng(0)
    centre = np.array([0.2, 0.15, 0.48, 0.28, 0.31, 0.66])
    x = np.vstack(
        [rng.random((40, d)), np.clip(centre + 0.05 * rng.standard_normal((40, d)), 0, 1)]
    )
    y = -np.exp(-((x - centre) ** 2 / [0.02, 0.05, 0.5, 0.03, 0.3, 0.02]).sum(1))
    y = (y - y.mean()) / y.std()
    layout = gp.Layout(d)
    theta, _ = gp.fit(x, y, layout, [layout.initial()], maxiter=200)
    post = gp.Posterior(theta, x, y, layout)
    best = np.array([y.min()])

    def neg(v: np.ndarray) -> tuple[float, np.ndarray]:
        m, var, dm, dv = post.predict_with_grad(v[None])
        val, grad = log_ei_with_grad(m, var, dm, dv, best)
        return -float(val[0]), -grad[0]

    climb = optimize.minimize(
        neg,
        x[np.argmin(y)],
        jac=True,
        method="L-BFGS-B",
        bounds=[(0.0, 1.0)] * d,
        options={"maxiter": 1000, "ftol": 1e-15, "gtol": 1e-10},
    )
    opt = AcquisitionOptimizer(space, post, best, np.random.default_rng(0), n_candidates=1024)
    u = opt.maximize(x[np.argsort(y)[:5]], set(space.keys(x)))
    assert u is not None
    assert opt.score(u[None])[0] >= -climb.fun - 1e-3


def test_unseen_mask_equals_the_key_lookup_of_every_row() -> None:
    """The vectorised duplicate filter agrees with looking every row's key up in ``seen``,
    including seen rows, rows sharing only their first coordinate with a seen row, and a
    negative zero."""
    opt = optimizer()
    rng = np.random.default_rng(5)
    units = opt.space.snap(rng.random((300, opt.space.n_params)))
    seen = set(opt.space.keys(units[::7]))
    twins = units[::11].copy()
    twins[:, 1] = rng.random(len(twins))  # same first coordinate as a seen row, others differ
    zero = units[:1].copy()
    zero[0, 0] = 0.0
    seen.add(opt.space.key(zero[0]))
    zero[0, 0] = -0.0
    rows = np.vstack([units, opt.space.snap(twins), zero])
    expected = np.array([k not in seen for k in opt.space.keys(rows)])
    np.testing.assert_array_equal(opt._unseen(rows, seen), expected)
    assert 0 < expected.sum() < len(rows)
    assert opt._unseen(rows, set()).all()


def test_top_rows_equal_the_head_of_a_full_ranking() -> None:
    """``top`` scores only the rows whose variance bound can reach the k-th best, yet returns
    exactly the first k rows of a full ranking, in order, with their scores."""
    opt = optimizer()
    units = opt.space.snap(np.random.default_rng(2).random((3000, opt.space.n_params)))
    scores = opt.score(units)
    full = np.argsort(-scores, kind="stable")
    for k in (1, 3, 10):
        idx, top_scores = opt.top(units, k)
        np.testing.assert_array_equal(idx, full[:k])
        np.testing.assert_allclose(top_scores, scores[full[:k]], rtol=1e-9)


def test_variance_bound_is_above_the_posterior_variance_and_means_agree() -> None:
    """With fantasies (S columns) too: the single-input bound is never below the variance."""
    opt = optimizer(n=80)
    rng = np.random.default_rng(4)
    x = opt.space.encode(opt.space.snap(rng.random((500, opt.space.n_params))))
    for post in (opt.post, opt.post.fantasize(x[:3], rng.standard_normal((3, 4)))[0]):
        mean, var = post.predict(x)
        bound_mean, bound = post.mean_and_variance_bound(x)
        np.testing.assert_array_equal(bound_mean, mean)
        assert np.all(bound >= var * (1.0 - 1e-9))
        assert np.all(bound < post.h.sf2)  # tighter than the prior variance everywhere


def test_candidate_pool_adds_perturbations_once_per_incumbent_and_scores_exactly() -> None:
    opt = optimizer()
    space, post = opt.space, opt.post
    x = post.x
    pool = CandidatePool(space, post, 64, 10, True, np.random.default_rng(4))
    assert len(pool.units) == 64
    incumbents = space.snap(np.random.default_rng(5).random((3, space.n_params)))
    pool.update(post, incumbents)
    assert len(pool.units) == 64 + 3 * 10
    pool.update(post, incumbents[::-1])  # the same incumbents: nothing new
    assert len(pool.units) == 64 + 3 * 10
    grown = post.extend(x[:2] * 0.5 + 0.25, np.concatenate([post.y, [0.1, -0.2]]))
    moved = incumbents.copy()
    moved[0] = space.snap(np.full((1, space.n_params), 0.3))[0]
    pool.update(grown, moved)  # one new incumbent, two new results
    assert len(pool.units) == 64 + 4 * 10
    for got, want in zip(
        pool.queries.predict(grown), grown.predict(space.encode(pool.units)), strict=True
    ):
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-10)
    assert np.all(pool.units[64:] == space.snap(pool.units[64:]))  # feasible rows


def brute_front(f: np.ndarray) -> list[int]:
    """Rows that no other row dominates, by comparing every pair."""
    return [
        i
        for i in range(len(f))
        if not any((f[j] >= f[i]).all() and (f[j] > f[i]).any() for j in range(len(f)))
    ]


def test_pareto_front_matches_brute_force() -> None:
    rng = np.random.default_rng(0)
    for m in (1, 40, 300):
        f = np.round(rng.standard_normal((m, 3)), 1)  # rounding makes ties
        f[rng.random((m, 3)) < 0.02] = -np.inf
        assert pareto_front(f).tolist() == brute_front(f)
    assert pareto_front(np.array([[1.0, 2.0], [2.0, 1.0], [0.5, 0.5], [2.0, 1.0]])).tolist() == [
        0,
        1,
        3,
    ]


def test_log_pi_is_the_log_of_the_sample_averaged_probability() -> None:
    mean = np.array([[0.0, 0.5], [2.0, -1.0], [40.0, 41.0]])
    var = np.array([1.0, 0.25, 1.0])
    best = np.array([0.1, -0.2])
    expected = np.log(norm.cdf((best[None, :2] - mean[:2]) / np.sqrt(var[:2])[:, None]).mean(1))
    np.testing.assert_allclose(log_pi(mean, var, best)[:2], expected, rtol=1e-12)
    assert np.isfinite(log_pi(mean, var, best)[2]) and log_pi(mean, var, best)[2] < -700
    np.testing.assert_allclose(
        log_pi(mean[:, :1], var, best[:1]), norm.logcdf((best[0] - mean[:, 0]) / np.sqrt(var))
    )


def test_lcb_resolution_drops_rows_whose_only_edge_is_a_slightly_lower_lcb() -> None:
    """MACE picks uniformly from the Pareto front of (log-EI, log-PI, −LCB); with
    ``lcb_resolution`` r, −LCB enters the test rounded down to a multiple of r. A resolution wider
    than every LCB gap leaves the (log-EI, log-PI) front alone, which here is one row."""
    base = optimizer(n=20)
    units = base.space.snap(np.random.default_rng(5).random((400, base.space.n_params)))
    mean, var = base.post.predict(base.space.encode(units))
    kappa = 4.0
    ei, pi = log_ei(mean[:, None], var, base.best), log_pi(mean[:, None], var, base.best)

    def front(resolution: float) -> set[bytes]:
        neg_lcb = kappa * np.sqrt(var) - mean
        if resolution:
            neg_lcb = np.floor(neg_lcb / resolution) * resolution
        return {units[i].tobytes() for i in brute_front(np.stack([ei, pi, neg_lcb], axis=1))}

    def picks(resolution: float) -> set[bytes]:
        opt = AcquisitionOptimizer(
            base.space, base.post, base.best, np.random.default_rng(0), n_candidates=256,
            mace_kappa=kappa, lcb_resolution=resolution,
        )  # fmt: skip
        return {opt._mace_pick(units, None, None).tobytes() for _ in range(100)}

    sizes = []
    for resolution in (0.0, 0.05, 1e6):
        assert picks(resolution) == front(resolution)
        sizes.append(len(front(resolution)))
    assert sizes[0] > sizes[2] == 1

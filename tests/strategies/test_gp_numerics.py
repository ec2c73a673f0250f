"""GP and log-EI numerics against finite differences and closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import optimize, stats

from strategies.bayesian import gp
from strategies.bayesian.acquisition import (
    log_ei,
    log_ei_one_with_grad,
    log_ei_with_grad,
    log_h,
)


def data(n: int = 25, d: int = 3, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.random((n, d))
    y = np.sin(6 * x[:, 0]) + x[:, 1] ** 2 - 0.5 * x[:, 2]
    return x, (y - y.mean()) / y.std()


L3 = gp.Layout(3)
WARPED = gp.Layout(3, (0, 2))


@pytest.mark.parametrize("layout", [L3, WARPED], ids=["plain", "warped"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_neg_log_posterior_gradient_matches_finite_differences(
    seed: int, layout: gp.Layout
) -> None:
    x, y = data(seed=seed)
    rng = np.random.default_rng(seed)
    theta = layout.initial() + rng.normal(0.0, 0.4, len(layout.initial()))
    value, grad = gp.neg_log_posterior(theta, x, y, layout)
    numeric = optimize.approx_fprime(
        theta, lambda t: gp.neg_log_posterior(t, x, y, layout)[0], 1e-6
    )
    assert np.isfinite(value)
    np.testing.assert_allclose(grad, numeric, rtol=1e-4, atol=1e-4 * np.abs(grad).max())


def test_neg_log_likelihood_equals_multivariate_normal() -> None:
    x, y = data(n=12)
    theta = L3.initial()
    h = L3.unpack(theta)
    kf, _ = gp.matern52(np.sqrt(gp.scaled_sqdist(x, x, h.ls)), h.sf2)
    cov = kf + (h.sn2 + gp.JITTER) * np.eye(len(x))
    expected = -stats.multivariate_normal(np.full(len(x), h.mean), cov).logpdf(y)
    prior, _ = L3.neg_log_prior(theta)
    assert gp.neg_log_posterior(theta, x, y, L3)[0] - prior == pytest.approx(expected, rel=1e-9)


def _lengthscale_penalty(log_ls: float, layout: gp.Layout) -> float:
    """The prior's penalty with every lengthscale at exp(log_ls), the rest at the initial θ."""
    theta = layout.initial()
    theta[: layout.dim] = log_ls
    return layout.neg_log_prior(theta)[0]


@pytest.mark.parametrize("dim", [1, 4, 6, 12])
def test_lengthscale_priors_pull_to_the_median_the_mode_or_between(dim: int) -> None:
    """Of ℓ ~ LogNormal(√2 + ½ log D, √3) (Hvarfner et al.), "median" is the mode of the density
    of log ℓ, "mode" that of ℓ (BoTorch's MAP), "midpoint" (the default) half-way in log ℓ."""
    density = stats.lognorm(s=math.sqrt(3.0), scale=math.exp(math.sqrt(2.0) + 0.5 * math.log(dim)))
    mode = optimize.minimize_scalar(
        lambda ls: -density.logpdf(ls), bounds=(1e-3, 50.0), method="bounded"
    ).x
    expected = {
        "median": math.log(density.median()),
        "mode": math.log(mode),
        "midpoint": 0.5 * (math.log(density.median()) + math.log(mode)),
    }
    assert gp.Layout(dim).lengthscale_prior == "midpoint"
    for kind, centre in expected.items():
        layout = gp.Layout(dim, lengthscale_prior=kind)
        found = optimize.minimize_scalar(
            _lengthscale_penalty, args=(layout,), bounds=(-6.0, 6.0), method="bounded"
        ).x
        assert found == pytest.approx(centre, abs=1e-4), kind


def test_fit_recovers_short_lengthscale_on_active_dimension() -> None:
    rng = np.random.default_rng(3)
    x = rng.random((60, 2))
    y = np.sin(12 * x[:, 0])  # only dim 0 matters
    y = (y - y.mean()) / y.std()
    theta, _ = gp.fit(x, y, gp.Layout(2), [gp.Layout(2).initial()], maxiter=200)
    ls = np.exp(theta[:2])
    assert ls[0] < 0.5 < ls[1] and ls[1] > 5 * ls[0]


def test_posterior_interpolates_and_is_uncertain_far_away() -> None:
    x, y = data(n=30)
    theta, _ = gp.fit(x, y, L3, [L3.initial()], maxiter=200)
    post = gp.Posterior(theta, x, y, L3)
    mean, var = post.predict(x)
    assert np.abs(mean - y).max() < 0.1 and var.max() < 0.05
    _, far = post.predict(np.full((1, 3), 5.0))
    assert far[0] > 0.5 * L3.unpack(theta).sf2


@pytest.mark.parametrize("layout", [L3, WARPED], ids=["plain", "warped"])
def test_predict_with_grad_matches_predict_and_finite_differences(layout: gp.Layout) -> None:
    x, y = data(n=20)
    theta = layout.initial() + np.random.default_rng(1).normal(0.0, 0.3, len(layout.initial()))
    post = gp.Posterior(theta, x, np.stack([y, 0.5 * y], axis=1), layout)
    xq = np.random.default_rng(5).random((4, 3))
    mean, var, dmean, dvar = post.predict_with_grad(xq)
    m2, v2 = post.predict(xq)
    np.testing.assert_allclose(mean, m2, rtol=1e-10)
    np.testing.assert_allclose(var, v2, rtol=1e-8)
    for i in range(len(xq)):
        for s in range(2):
            num = optimize.approx_fprime(xq[i], lambda p, s=s: post.predict(p[None])[0][0, s], 1e-7)
            np.testing.assert_allclose(dmean[i, :, s], num, rtol=1e-4, atol=1e-6)
        num_v = optimize.approx_fprime(xq[i], lambda p: post.predict(p[None])[1][0], 1e-7)
        np.testing.assert_allclose(dvar[i], num_v, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize(("n", "d"), [(7, 3), (30, 4), (200, 6), (129, 12)])
def test_single_point_prediction_equals_the_batched_one(n: int, d: int) -> None:
    """``predict_one_with_grad`` (the local search's path with one start and one sample) gives
    exactly what ``predict_with_grad`` gives for a one-row batch, near the data and far from
    it, so that the search visits the same points whichever path it takes."""
    x, y = data(n=n, d=d)
    layout = gp.Layout(d)
    theta = layout.initial() + np.random.default_rng(2).normal(0.0, 0.3, len(layout.initial()))
    post = gp.Posterior(theta, x, y, layout)
    rng = np.random.default_rng(6)
    for xq in [*rng.random((5, d)), x[3] + 1e-4, x[5] + 1e-8, x[6], np.full(d, 4.0)]:
        mean, var, dmean, dvar = post.predict_one_with_grad(xq)
        m2, v2, dm2, dv2 = post.predict_with_grad(xq[None])
        assert (mean, var) == (m2[0, 0], v2[0])
        np.testing.assert_array_equal(dmean, dm2[0, :, 0])
        np.testing.assert_array_equal(dvar, dv2[0])


@pytest.mark.parametrize("z", [-40.0, -12.0, -3.0, -1.0, -0.5, 0.0, 0.7, 4.0])
def test_log_h_matches_closed_form_where_it_is_representable(z: float) -> None:
    h = stats.norm.pdf(z) + z * stats.norm.cdf(z)
    if h > 1e-280:
        assert log_h(np.array([z]))[0] == pytest.approx(math.log(h), rel=1e-7, abs=1e-10)


def test_log_h_stays_finite_and_monotone_deep_in_the_tail() -> None:
    z = -np.logspace(-3, 9, 400)[::-1]  # from −1e9 up to −1e−3
    values = log_h(z)
    assert np.all(np.isfinite(values))
    assert np.all(np.diff(values) > 0)


@pytest.mark.parametrize("spread", [0.0, 0.3, 30.0])
def test_log_ei_gradient_matches_finite_differences(spread: float) -> None:
    """Moderate and far-tail points, one and several fantasy samples."""
    x, y = data(n=25)
    theta = L3.initial()
    samples = np.stack([y, y + 0.2, y - 0.1], axis=1)
    post = gp.Posterior(theta, x, samples, L3)
    best = np.array([y.min(), y.min() + 0.2, y.min() - 0.1]) - spread
    xq = np.random.default_rng(7).random((3, 3))
    mean, var, dmean, dvar = post.predict_with_grad(xq)
    value, grad = log_ei_with_grad(mean, var, dmean, dvar, best)

    def f(p: np.ndarray) -> float:
        m, v = post.predict(p[None])
        return float(log_ei(m, v, best)[0])

    for i in range(len(xq)):
        assert value[i] == pytest.approx(f(xq[i]), rel=1e-9)
        num = optimize.approx_fprime(xq[i], f, 1e-7)
        np.testing.assert_allclose(grad[i], num, rtol=2e-4, atol=1e-5 * max(1.0, abs(value[i])))


def test_log_ei_equals_log_of_plain_ei_in_the_body() -> None:
    mean = np.array([[0.1], [0.5], [-0.3]])
    var = np.array([0.04, 0.25, 1.0])
    best = np.array([0.0])
    sigma = np.sqrt(var)
    z = (best - mean[:, 0]) / sigma
    ei = sigma * (stats.norm.pdf(z) + z * stats.norm.cdf(z))
    np.testing.assert_allclose(log_ei(mean, var, best), np.log(ei), rtol=1e-10)


def test_log_ei_over_fantasy_samples_is_the_log_of_the_mean_ei() -> None:
    """With S samples (pending trials), log-EI is log of the mean over samples of each sample's
    EI with its own incumbent — also where one sample's EI dwarfs the others'."""
    rng = np.random.default_rng(3)
    mean = rng.normal(0.0, 1.0, (6, 16))
    mean[0, 3] = -40.0  # one sample far below its incumbent: EI ~ 40, the others ~ 0
    var = rng.uniform(0.05, 2.0, 6)
    best = rng.normal(-0.5, 0.5, 16)
    sigma = np.sqrt(var)[:, None]
    z = (best[None, :] - mean) / sigma
    ei = sigma * (stats.norm.pdf(z) + z * stats.norm.cdf(z))
    np.testing.assert_allclose(log_ei(mean, var, best), np.log(ei.mean(axis=1)), rtol=1e-10)


def test_kumaraswamy_warp_is_monotone_identity_at_one_and_fits_a_skewed_function() -> None:
    from strategies.bayesian.warping import kumaraswamy

    u = np.linspace(0, 1, 101)[:, None]
    np.testing.assert_allclose(kumaraswamy(u, np.ones(1), np.ones(1)), u, atol=2e-6)
    assert np.all(np.diff(kumaraswamy(u, np.array([0.3]), np.array([2.0])), axis=0) >= 0)
    rng = np.random.default_rng(0)
    x = rng.random((40, 1))
    y = np.sin(8 * np.sqrt(x[:, 0]))  # wiggles near 0, flat near 1: non-stationary
    y = (y - y.mean()) / y.std()
    layout = gp.Layout(1, (0,))
    _, plain = gp.fit(x, y, gp.Layout(1), [gp.Layout(1).initial()], maxiter=200)
    theta, warped = gp.fit(x, y, layout, [layout.initial()], maxiter=200)
    assert warped < plain  # the warp explains the data better (higher posterior density)
    assert layout.unpack(theta).warp_a[0] < 1.0  # it stretches the region near 0


def _direct_prediction(
    theta: np.ndarray, x: np.ndarray, y: np.ndarray, layout: gp.Layout, xq: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """RW eqs. 2.25–2.26 with an explicit dense solve, for comparison with the cached path."""
    h = layout.unpack(theta)
    xw, qw = h.warp(x), h.warp(xq)
    diff_xx = (xw[:, None, :] - xw[None, :, :]) / h.ls
    diff_qx = (qw[:, None, :] - xw[None, :, :]) / h.ls
    k = gp.matern52(np.sqrt((diff_xx**2).sum(2)), h.sf2)[0]
    k += (h.sn2 + gp.JITTER) * np.eye(len(x))
    kq = gp.matern52(np.sqrt((diff_qx**2).sum(2)), h.sf2)[0]
    mean = h.mean + kq @ np.linalg.solve(k, y - h.mean)
    var = h.sf2 - np.einsum("qa,aq->q", kq, np.linalg.solve(k, kq.T))
    return mean, var


@pytest.mark.parametrize("layout", [L3, WARPED], ids=["plain", "warped"])
def test_cached_prediction_equals_the_direct_formula(layout: gp.Layout) -> None:
    x, y = data(n=40)
    rng = np.random.default_rng(11)
    theta = layout.initial() + rng.normal(0.0, 0.3, len(layout.initial()))
    samples = np.stack([y, y + 0.3 * rng.standard_normal(len(y))], axis=1)
    post = gp.Posterior(theta, x, samples, layout)
    xq = np.vstack([rng.random((300, 3)), x[:3] + 1e-7])  # far and next to data
    mean, var = post.predict(xq)
    ref_mean, ref_var = _direct_prediction(theta, x, samples, layout, xq)
    np.testing.assert_allclose(mean, ref_mean, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(var, np.maximum(ref_var, 1e-12), rtol=1e-6, atol=1e-9)
    m_small, v_small, _, _ = post.predict_with_grad(xq[:5])
    np.testing.assert_allclose(m_small, ref_mean[:5], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(v_small, np.maximum(ref_var[:5], 1e-12), rtol=1e-6, atol=1e-9)


def test_matern_k_only_equals_the_pair_and_leaves_no_shared_state() -> None:
    r = np.random.default_rng(2).random((7, 9)) * 4.0
    k_pair, _ = gp.matern52(r, 1.7)
    np.testing.assert_allclose(gp.matern52_k(r.copy(), 1.7), k_pair, rtol=1e-14)
    s = math.sqrt(5.0) * r
    np.testing.assert_allclose(k_pair, 1.7 * (1 + s + s * s / 3) * np.exp(-s), rtol=1e-14)


@pytest.mark.parametrize("z_shift", [0.0, -4.0, -60.0, -1e9])
def test_log_ei_one_sample_paths_equal_the_general_formula(z_shift: float) -> None:
    """The S = 1 and single-branch shortcuts give what the sample-averaged, masked form gives."""
    rng = np.random.default_rng(4)
    mean = rng.normal(0.0, 0.5, (6, 1)) - z_shift
    var = rng.uniform(0.01, 1.0, 6)
    dmean, dvar = rng.normal(size=(6, 3, 1)), rng.normal(size=(6, 3))
    best = np.array([0.0])
    value, grad = log_ei_with_grad(mean, var, dmean, dvar, best)
    # two identical samples take the general (softmax) path and must give the same numbers
    value2, grad2 = log_ei_with_grad(
        np.repeat(mean, 2, axis=1), var, np.repeat(dmean, 2, axis=2), dvar, np.repeat(best, 2)
    )
    np.testing.assert_allclose(value, value2, rtol=1e-12)
    np.testing.assert_allclose(grad, grad2, rtol=1e-10, atol=1e-300)
    np.testing.assert_allclose(log_ei(mean, var, best), value, rtol=1e-12)
    for i in range(len(mean)):  # the single-point path: the same operations on floats
        one, one_grad = log_ei_one_with_grad(
            float(mean[i, 0]), var[i], dmean[i, :, 0], dvar[i], 0.0
        )
        assert one == value[i]
        np.testing.assert_array_equal(one_grad, grad[i])
    mixed = np.array([2.0, -0.5, -3.0, -50.0, -2e8, 0.3])  # every branch in one call
    np.testing.assert_allclose(log_h(mixed)[2:3], log_h(mixed[2:3]), rtol=1e-14)


@pytest.mark.parametrize("layout", [L3, WARPED], ids=["plain", "warped"])
def test_fantasized_posterior_equals_one_built_on_all_inputs(layout: gp.Layout) -> None:
    # Pending trials' fantasies extend the factor by a block; the result must be the posterior
    # a full factorisation of the joint inputs and targets gives.
    x, y = data(n=40)
    rng = np.random.default_rng(5)
    theta = layout.initial() + rng.normal(0.0, 0.3, len(layout.initial()))
    xp = np.vstack([rng.random((6, 3)), x[:1] + 1e-6])  # one pending point next to data
    extended, draws = gp.Posterior(theta, x, y, layout).fantasize(xp, rng.standard_normal((7, 4)))
    y_aug = np.vstack([np.repeat(y[:, None], 4, axis=1), draws])
    full = gp.Posterior(theta, np.vstack([x, xp]), y_aug, layout)
    np.testing.assert_allclose(extended.chol, full.chol, rtol=1e-7, atol=1e-9)
    xq = rng.random((50, 3))
    for got, want in zip(extended.predict(xq), full.predict(xq), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("layout", [L3, WARPED], ids=["plain", "warped"])
def test_extended_posterior_equals_one_built_on_all_inputs(layout: gp.Layout) -> None:
    # Between refits the strategy grows the factor by the new results' rows, with every
    # target re-standardised; the result must be the posterior a full factorisation gives.
    x, y = data(n=40)
    rng = np.random.default_rng(6)
    theta = layout.initial() + rng.normal(0.0, 0.3, len(layout.initial()))
    old = gp.Posterior(theta, x[:33], y[:33], layout)
    y_new = (y - y.mean()) / y.std()
    extended = old.extend(x[33:], y_new)
    full = gp.Posterior(theta, x, y_new, layout)
    np.testing.assert_allclose(extended.chol, full.chol, rtol=1e-7, atol=1e-9)
    xq = rng.random((50, 3))
    for got, want in zip(extended.predict(xq), full.predict(xq), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("layout", [L3, WARPED], ids=["plain", "warped"])
def test_fixed_queries_follow_the_posterior_as_it_grows(layout: gp.Layout) -> None:
    # The candidate pool's predictions are updated by blocks as results (extend) and pending
    # trials (fantasize) are added; they must equal predicting at the same points anew.
    x, y = data(n=40)
    rng = np.random.default_rng(7)
    theta = layout.initial() + rng.normal(0.0, 0.3, len(layout.initial()))
    xq = rng.random((64, 3))
    base = gp.Posterior(theta, x[:10], y[:10], layout)
    queries = gp.FixedQueries(base, xq)  # room for 20 rows: the loop below outgrows it

    def check(post: gp.Posterior) -> None:
        for got, want in zip(queries.predict(post), post.predict(xq), strict=True):
            np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)

    check(base)
    y_new = (y - y.mean()) / y.std()
    grown = base.extend(x[10:15], y_new[:15])
    assert queries.covers(grown)
    check(grown)  # rows beyond the covered ones, not kept
    queries.extend(grown)
    check(grown)
    for i in range(15, 40):  # one result at a time
        grown = grown.extend(x[i : i + 1], y_new[: i + 1])
        queries.extend(grown)
        check(grown)
    fantasy, _ = grown.fantasize(rng.random((3, 3)), rng.standard_normal((3, 5)))
    assert queries.covers(fantasy)
    check(fantasy)  # [m, S] means
    check(grown)  # the fantasy rows were not kept
    # a posterior on other rows, or with another θ, is not covered
    assert not queries.covers(gp.Posterior(theta.copy(), x, y_new, layout))
    assert not queries.covers(gp.Posterior(theta, x[::-1], y_new[::-1], layout))

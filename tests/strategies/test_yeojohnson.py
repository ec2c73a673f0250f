"""strategies.bayesian.yeojohnson gives scipy.stats' Yeo-Johnson λ and transform, faster."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from strategies.bayesian import yeojohnson


def _samples() -> list[np.ndarray]:
    rng = np.random.default_rng(7)
    out = []
    for n in (4, 9, 30, 200):
        out += [
            rng.normal(size=n),
            rng.lognormal(sigma=1.5, size=n),  # long right tail: λ < 1
            -rng.lognormal(size=n),  # all negative
            rng.standard_t(2, size=n) * 5,  # mixed signs, heavy tails
            np.r_[rng.normal(size=n - 1), 1e6],  # one huge outlier
        ]
    return out


@pytest.mark.parametrize("x", _samples())
def test_lambda_and_transform_match_scipy(x: np.ndarray) -> None:
    lmbda = yeojohnson.normmax(x)
    assert lmbda == pytest.approx(float(stats.yeojohnson_normmax(x)), rel=1e-9, abs=1e-9)
    np.testing.assert_allclose(
        yeojohnson.transform(x, lmbda), stats.yeojohnson(x, lmbda=lmbda), rtol=1e-12
    )
    assert yeojohnson.log_likelihood(lmbda, x) == pytest.approx(
        float(stats.yeojohnson_llf(lmbda, x)), rel=1e-12
    )


@pytest.mark.parametrize("lmbda", [0.0, 2.0, -1.5, 0.5, 3.0])
def test_transform_special_lambdas_match_scipy(lmbda: float) -> None:
    x = np.linspace(-3, 3, 13)
    np.testing.assert_allclose(
        yeojohnson.transform(x, lmbda), stats.yeojohnson(x, lmbda=lmbda), rtol=1e-12
    )


def test_lambda_maximises_the_likelihood() -> None:
    x = np.random.default_rng(1).lognormal(size=25)
    best = yeojohnson.normmax(x)
    for other in (best - 0.1, best + 0.1):
        assert yeojohnson.log_likelihood(best, x) > yeojohnson.log_likelihood(other, x)


def test_degenerate_input() -> None:
    assert yeojohnson.normmax(np.zeros(5)) == 1.0
    with pytest.raises(ValueError, match="finite"):
        yeojohnson.normmax(np.array([1.0, np.nan]))
    assert yeojohnson.log_likelihood(1.0, np.full(4, 2.0)) == np.inf  # no variance

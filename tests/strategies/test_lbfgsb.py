"""The lean L-BFGS-B driver: same iterates as ``scipy.optimize.minimize``, less overhead."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize

from strategies.bayesian import lbfgsb


def rosen(v: np.ndarray) -> tuple[float, np.ndarray]:
    return float(optimize.rosen(v)), optimize.rosen_der(v)


def reference(
    x0: np.ndarray, lo: np.ndarray, hi: np.ndarray, maxiter: int, gtol: float
) -> optimize.OptimizeResult:
    return optimize.minimize(
        rosen,
        x0,
        jac=True,
        method="L-BFGS-B",
        bounds=optimize.Bounds(lo, hi),
        options={"maxiter": maxiter, "gtol": gtol},
    )


def test_the_installed_scipy_takes_the_fast_path() -> None:
    """If a scipy upgrade changes the private routine's signature, the driver silently falls
    back to ``minimize`` (correct, but ~55 µs slower per evaluation): this test says so."""
    assert lbfgsb.FAST_PATH


@pytest.mark.parametrize(
    ("maxiter", "gtol", "upper"),
    [(50, 1e-5, 2.0), (500, 1e-5, 2.0), (40, 1e-4, 0.6)],  # cap hit; converged; bounds active
)
def test_same_point_and_value_as_scipy_minimize(maxiter: int, gtol: float, upper: float) -> None:
    rng = np.random.default_rng(maxiter)
    x0 = rng.uniform(-1.5, 1.5, 12)
    lo, hi = np.full(12, -2.0), np.full(12, upper)
    calls: list[np.ndarray] = []

    def counted(v: np.ndarray) -> tuple[float, np.ndarray]:
        calls.append(v.copy())
        return rosen(v)

    x, f = lbfgsb.minimize_box(counted, x0, lo, hi, maxiter=maxiter, gtol=gtol)
    ref = reference(np.clip(x0, lo, hi), lo, hi, maxiter, gtol)
    np.testing.assert_array_equal(x, ref.x)
    assert f == ref.fun
    assert len(calls) == ref.nfev
    assert np.all((x >= lo) & (x <= hi))
    if upper < 1.0:
        assert np.any(x == upper)  # the box binds


def test_fallback_through_minimize_gives_the_same_result(monkeypatch: pytest.MonkeyPatch) -> None:
    x0 = np.linspace(-1.0, 1.0, 8)
    lo, hi = np.full(8, -2.0), np.full(8, 2.0)
    fast = lbfgsb.minimize_box(rosen, x0, lo, hi, maxiter=30)
    monkeypatch.setattr(lbfgsb, "FAST_PATH", False)
    slow = lbfgsb.minimize_box(rosen, x0, lo, hi, maxiter=30)
    np.testing.assert_array_equal(fast[0], slow[0])
    assert fast[1] == slow[1]


def test_start_outside_the_box_is_clipped_into_it() -> None:
    x, f = lbfgsb.minimize_box(rosen, np.full(4, 5.0), np.zeros(4), np.full(4, 0.5), maxiter=100)
    assert np.all((x >= 0.0) & (x <= 0.5))
    assert f <= rosen(np.full(4, 0.5))[0]

"""Kumaraswamy input warping (Snoek et al., "Input Warping for Bayesian Optimization of
Non-Stationary Functions", ICML 2014), one (a, b) pair per numeric input column:

    w(u) = 1 − (1 − uᵃ)ᵇ,   u ∈ [0, 1]

Derivatives (with s = uᵃ):

    ∂w/∂a = b (1 − s)^(b−1) s log u        ∂w/∂b = −(1 − s)ᵇ log(1 − s)
    ∂w/∂u = a b u^(a−1) (1 − s)^(b−1)

u is clipped to [EPS, 1 − EPS] so that the logarithms stay finite at the box edges.
a = b = 1 is the identity.
"""

from __future__ import annotations

import numpy as np

EPS = 1e-6


def kumaraswamy(u: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """w(u) column-wise: u [m, W], a [W], b [W]."""
    s = np.clip(u, EPS, 1.0 - EPS) ** a
    return 1.0 - (1.0 - s) ** b


def kumaraswamy_param_grads(
    u: np.ndarray, a: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(∂w/∂a, ∂w/∂b), each [m, W]."""
    uc = np.clip(u, EPS, 1.0 - EPS)
    s = uc**a
    one_minus = 1.0 - s
    da = b * one_minus ** (b - 1.0) * s * np.log(uc)
    db = -(one_minus**b) * np.log(one_minus)
    return da, db


def kumaraswamy_input_grad(u: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """∂w/∂u, [m, W]. At the clipped edges this is the derivative at the clip point (not the
    zero slope of the clipped function), so a local search can leave the box edge."""
    uc = np.clip(u, EPS, 1.0 - EPS)
    s = uc**a
    return a * b * uc ** (a - 1.0) * (1.0 - s) ** (b - 1.0)

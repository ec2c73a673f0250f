"""Expected improvement in log space (LogEI, Ament et al., "Unexpected Improvements to Expected
Improvement for Bayesian Optimization", NeurIPS 2023), averaged over fantasy samples.

For minimisation with incumbent ``best`` and posterior mean μ, standard deviation σ:

    z = (best − μ) / σ,   EI = σ h(z),   h(z) = φ(z) + z Φ(z)
    log EI = log σ + log h(z)

``log h`` is evaluated as in Ament et al. eq. (9) so that it stays finite and accurate far into
the tail where EI underflows to 0 in floating point:

    z > −1:                 log h(z) = log(φ(z) + z Φ(z))
    −1/√ε < z ≤ −1:         log h(z) = −z²/2 − c₁ + log1mexp(log(erfcx(−z/√2) |z|) + c₂)
    z ≤ −1/√ε:              log h(z) = −z²/2 − c₁ − 2 log |z|
    with c₁ = log(2π)/2, c₂ = log(π/2)/2.

Its derivative is d log h / dz = Φ(z) / h(z) (because h'(z) = Φ(z)), computed as
exp(log Φ(z) − log h(z)).

With S fantasy samples (pending trials), the acquisition is log of the mean EI over samples:
``logsumexp_s(log EI_s) − log S``; its gradient weights each sample's gradient by softmax(log EI).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import special

C1 = 0.5 * math.log(2.0 * math.pi)
C2 = 0.5 * math.log(math.pi / 2.0)
TAIL = -1.0 / math.sqrt(np.finfo(float).eps)


# The three branches of log h, on arrays or (for ``_log_h_scalar``) on floats.
def _log_h_upper(z: Any) -> Any:
    return np.log(special.ndtr(z) * z + np.exp(-0.5 * z * z - C1))


def _log_h_mid(z: Any) -> Any:
    # a = log(erfcx(−z/√2) |z|) + c₂ rises from −0.26 at z = −1 towards 0 as z → −∞, so
    # log1mexp(a) is always its log(−expm1(a)) branch here
    a = np.log(special.erfcx(-z / math.sqrt(2.0)) * -z) + C2
    return -0.5 * z * z - C1 + np.log(-np.expm1(a))


def _log_h_tail(z: Any) -> Any:
    return -0.5 * z * z - C1 - 2.0 * np.log(-z)


def log_h(z: np.ndarray) -> np.ndarray:
    z = np.asarray(z, dtype=float)
    if z.size == 0:
        return z.copy()
    # whole-array paths when every z falls in one branch (the usual case; no masked copies)
    z_min, z_max = z.min(), z.max()
    if z_min > -1.0:
        return _log_h_upper(z)
    if z_max <= -1.0 and z_min > TAIL:
        return _log_h_mid(z)
    upper = z > -1.0
    tail = z <= TAIL
    out = np.empty_like(z)
    mid = ~upper & ~tail
    out[upper] = _log_h_upper(z[upper])
    out[mid] = _log_h_mid(z[mid])
    out[tail] = _log_h_tail(z[tail])
    return out


def dlog_h(z: np.ndarray, logh: np.ndarray) -> np.ndarray:
    """d log h / dz = Φ(z) / h(z)."""
    return np.exp(special.log_ndtr(z) - logh)


def log_ei(mean: np.ndarray, var: np.ndarray, best: np.ndarray) -> np.ndarray:
    """log of the sample-averaged EI at m points: mean [m, S], var [m], best [S] → [m]."""
    sigma = np.sqrt(var)[:, None]
    z = (best[None, :] - mean) / sigma
    per_sample = np.log(sigma) + log_h(z)
    if per_sample.shape[1] == 1:  # one sample: the log-sum-exp is the identity
        return per_sample[:, 0]
    return _log_mean_exp(per_sample)


def log_pi(mean: np.ndarray, var: np.ndarray, best: np.ndarray) -> np.ndarray:
    """log of the sample-averaged probability of improvement, mean over s of Φ((best_s − μ_s)/σ),
    at m points: mean [m, S], var [m], best [S] → [m] (``log_ndtr``: finite far into the tail)."""
    z = (best[None, :] - mean) / np.sqrt(var)[:, None]
    per_sample = special.log_ndtr(z)
    return per_sample[:, 0] if per_sample.shape[1] == 1 else _log_mean_exp(per_sample)


def pareto_front(f: np.ndarray) -> np.ndarray:
    """Sorted indices of the rows of f [m, k] that no other row dominates (is ≥ in every column
    and > in one; larger is better; NaN counts as −∞). The lexicographically largest remaining
    row is never dominated by a remaining one, so it joins the front and every row it dominates
    is dropped (transitivity: a row dominated by a dropped row is dominated by the front row
    that dropped it): O(m · front size), and fronts of MACE's criteria hold a handful of rows."""
    f = np.where(np.isnan(f), -np.inf, f)
    alive = np.arange(len(f))
    front = []
    while alive.size:
        g = f[alive]
        top = int(np.lexsort(g.T[::-1])[-1])
        front.append(alive[top])
        below = (g <= g[top]).all(axis=1) & (g < g[top]).any(axis=1)
        below[top] = True
        alive = alive[~below]
    return np.sort(np.asarray(front, dtype=np.intp))


def _log_mean_exp(a: np.ndarray) -> np.ndarray:
    """log(mean_s exp(a[:, s])) row by row, shifted by the row maximum (finite input: every
    log-EI is finite). ``scipy.special.logsumexp`` computes the same with ~0.12 ms of argument
    handling per call (measured: 3 rows 123 vs 8 µs, 655 rows 370 vs 123 µs); an ask with
    fantasies makes ~6 such calls, and an ask on the seed example's space with 3 in flight got
    about 1 ms (5 %) faster."""
    top = a.max(axis=1, keepdims=True)
    total = np.exp(a - top).sum(axis=1)
    return top[:, 0] + np.log(total) - math.log(a.shape[1])


def log_ei_with_grad(
    mean: np.ndarray, var: np.ndarray, dmean: np.ndarray, dvar: np.ndarray, best: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Values [k] and gradients [k, D] of :func:`log_ei` at k points.

    mean [k, S], var [k], dmean [k, D, S] = ∂μ_s/∂x, dvar [k, D] = ∂σ²/∂x, best [S]."""
    sigma = np.sqrt(var)  # [k]
    inv_sigma = 1.0 / sigma
    z = (best[None, :] - mean) * inv_sigma[:, None]
    lh = log_h(z)
    ratio = dlog_h(z, lh)  # ∂ log h / ∂z per sample
    # ∂ log EI_s/∂μ_s = −ratio_s / σ ;  ∂ log EI_s/∂σ = (1 − ratio_s z_s) / σ ;  ∂σ/∂x = dvar / 2σ
    if mean.shape[1] == 1:  # one sample: no softmax weighting
        value = np.log(sigma) + lh[:, 0]
        d_mean = -ratio[:, 0] * inv_sigma  # [k]
        d_sigma = (1.0 - ratio[:, 0] * z[:, 0]) * inv_sigma
        grad = dmean[:, :, 0] * d_mean[:, None] + (0.5 * d_sigma * inv_sigma)[:, None] * dvar
        return value, grad
    per_sample = np.log(sigma)[:, None] + lh  # [k, S]
    top = per_sample.max(axis=1, keepdims=True)
    expd = np.exp(per_sample - top)
    total = expd.sum(axis=1, keepdims=True)
    value = (top + np.log(total))[:, 0] - math.log(mean.shape[1])
    weights = expd / total  # softmax over samples
    d_mean2 = -(weights * ratio) * inv_sigma[:, None]  # [k, S]
    d_sigma = (weights * (1.0 - ratio * z)).sum(axis=1) * inv_sigma  # [k]
    grad = np.einsum("kds,ks->kd", dmean, d_mean2) + (0.5 * d_sigma * inv_sigma)[:, None] * dvar
    return value, grad


def _log_h_scalar(z: float) -> float:
    """:func:`log_h` at one z: the same branch functions on a float instead of an array (their
    numpy ufuncs, whose results can differ from ``math``'s in the last bit)."""
    if z > -1.0:
        return float(_log_h_upper(z))
    if z > TAIL:
        return float(_log_h_mid(z))
    return float(_log_h_tail(z))


def log_ei_one_with_grad(
    mean: float, var: float, dmean: np.ndarray, dvar: np.ndarray, best: float
) -> tuple[float, np.ndarray]:
    """:func:`log_ei_with_grad` at one point with one sample (no pending trials): the value and
    its gradient [D], by the same operations on floats instead of 1-element arrays (equal
    results, about a tenth of the time)."""
    sigma = math.sqrt(var)
    inv_sigma = 1.0 / sigma
    z = (best - mean) * inv_sigma
    lh = _log_h_scalar(z)
    ratio = float(np.exp(special.log_ndtr(z) - lh))
    d_mean = -ratio * inv_sigma
    d_sigma = (1.0 - ratio * z) * inv_sigma
    grad = dmean * d_mean + (0.5 * d_sigma * inv_sigma) * dvar
    return float(np.log(sigma) + lh), grad

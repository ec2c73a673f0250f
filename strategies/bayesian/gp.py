"""Gaussian-process regression with a Matérn-5/2 ARD kernel, fitted by MAP.

Notation (shapes in brackets; RW = Rasmussen & Williams, *GPML*, 2006):

    X  [n, D]   inputs in the unit cube (one-hot columns for categoricals)
    y  [n]      targets, standardised (mean 0, std 1) by the caller
    ℓ  [D]      lengthscales (ARD);  σ_f² kernel scale;  σ_n² noise variance;  μ constant mean
    θ  [D + 3]  (log ℓ_1 … log ℓ_D, log σ_f², log σ_n², μ) — the vector L-BFGS-B moves
    r(x, x')    = sqrt(Σ_j (x_j − x'_j)² / ℓ_j²)
    k(x, x')    = σ_f² (1 + √5 r + 5r²/3) exp(−√5 r)                      (RW eq. 4.17, ν = 5/2)
    K  [n, n]   = k(X, X) + (σ_n² + jitter) I,   L = chol(K),   α = K⁻¹ (y − μ)
    NLL(θ)      = ½ (y − μ)ᵀ α + Σ_i log L_ii + (n/2) log 2π                (RW eq. 2.30)
    ∂NLL/∂θ_i   = ½ tr(W ∂K/∂θ_i),   W = K⁻¹ − α αᵀ                         (RW eq. 5.9)

Derivatives of the kernel used below (G = σ_f² (5/3)(1 + √5 r) exp(−√5 r), no 1/r singularity):

    ∂k/∂log ℓ_j = G · (x_j − x'_j)² / ℓ_j²        ∂k/∂x_j = −G · (x_j − x'_j) / ℓ_j²
    ∂K/∂log σ_f² = k(X, X)                         ∂K/∂log σ_n² = σ_n² I

MAP priors (negative log densities added to the NLL, constants dropped):

* log ℓ_j ~ Normal(μ_D − σ²/2, σ²) with μ_D = √2 + ½ log D, σ = √3: the dimension-scaled
  prior of Hvarfner et al., "Vanilla Bayesian Optimization Performs Great in High Dimensions"
  (ICML 2024), ℓ_j ~ LogNormal(μ_D, σ²), with its centre moved half-way to the mode BoTorch's
  MAP uses (see ``lengthscale_prior``, which also offers either end): the MAP pulls towards
  ℓ ≈ 1.8 at D = 4, 2.2 at D = 6, 3.2 at D = 12;
* log σ_f² ~ Normal(0, 1) on standardised y;
* log σ_n² ~ Normal(−4, 1), favouring nearly deterministic objectives;
* μ ~ Normal(0, 1);
* optional Kumaraswamy input warping (``warping.py``) of the numeric columns: log a, log b ~
  Normal(0, 0.75²) within [¼, 4] (Syne Tune's choice). With warping, x above is replaced by the
  warped x̃ = w(x) and ∂NLL/∂log a follows by the chain rule through x̃ (see ``_warp_grads``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy import linalg
from scipy.linalg import blas, lapack

from strategies.bayesian.lbfgsb import minimize_box
from strategies.bayesian.warping import (
    kumaraswamy,
    kumaraswamy_input_grad,
    kumaraswamy_param_grads,
)

SQRT5 = math.sqrt(5.0)
LOG_2PI = math.log(2.0 * math.pi)
# Box bounds on θ (log-space except μ).
LOG_LS_BOUNDS = (math.log(1e-2), math.log(1e3))
LOG_SF2_BOUNDS = (math.log(1e-3), math.log(1e2))
LOG_SN2_BOUNDS = (math.log(1e-6), math.log(2.0))
MEAN_BOUNDS = (-10.0, 10.0)
NOISE_PRIOR = (-4.0, 1.0)
SCALE_PRIOR = (0.0, 1.0)
MEAN_PRIOR = (0.0, 1.0)
LOG_WARP_BOUNDS = (math.log(0.25), math.log(4.0))
WARP_PRIOR_SD = 0.75
JITTER = 1e-8


# Where the MAP pull on log ℓ_j sits, in units of σ² below μ_D (see ``lengthscale_prior``).
LENGTHSCALE_PRIORS = {"median": 0.0, "midpoint": 0.5, "mode": 1.0}


def lengthscale_prior(dim: int, kind: str = "midpoint") -> tuple[float, float]:
    """(mean, std) of the Normal prior on log ℓ_j: (μ_D − c·σ², σ), μ_D = √2 + ½ log D, σ = √3,
    c = 0, ½ or 1 for ``kind`` "median", "midpoint" (default) or "mode".

    Hvarfner et al. (2024) put ℓ_j ~ LogNormal(μ_D, σ²). Its MAP depends on the coordinates it
    is taken in: in log ℓ (the coordinates θ holds; "median", this module's rule before) it pulls
    towards the LogNormal's median e^{μ_D}, 8.2 at D = 4; in ℓ (BoTorch; "mode") towards its mode
    e^{μ_D − σ²}, 0.41 at D = 4; "midpoint" pulls half-way (in log ℓ), 1.8 at D = 4. Measured
    (benchmarks/README.md, "The lengthscale prior"): with "median" the seed example (4
    parameters) gave the learning rate eta a lengthscale ≈ 8, explained its bad trainings by the
    other parameters and kept suggesting eta < 0.01 (2.62 trainings per run of 20, AUC
    0.94–0.97); both shorter centres cured Ackley-5 and Hartmann6 (synthetic score 16×8 97.3 →
    132.3 / 133.7), but "mode" cost ~4 points of bayesmark-lite score at 50×1 (94.3 → 90.3) where
    "midpoint" cost none (94.3 → 93.5 on seeds 0–9, 101.4 → 101.3 on 10–19) and gained the best
    average rank at 16×8."""
    sd = math.sqrt(3.0)
    return math.sqrt(2.0) + 0.5 * math.log(dim) - LENGTHSCALE_PRIORS[kind] * sd * sd, sd


def scaled_sqdist(a: np.ndarray, b: np.ndarray, ls: np.ndarray) -> np.ndarray:
    """r² between rows of a [m, D] and b [n, D] scaled by ℓ, via ‖a‖² + ‖b‖² − 2abᵀ (GEMM)."""
    a, b = a / ls, b / ls
    d2 = a @ b.T
    d2 *= -2.0
    d2 += (a * a).sum(1)[:, None]
    d2 += (b * b).sum(1)[None, :]
    return np.maximum(d2, 0.0, out=d2)


def matern52(r: np.ndarray, sf2: float) -> tuple[np.ndarray, np.ndarray]:
    """k(r) and G(r) = σ_f² (5/3)(1 + √5 r) e^{−√5 r} (see the notation block), with s = √5 r:
    k = σ_f² e^{−s} (1 + s) + σ_f² e^{−s} s²/3 (in place: a few passes over [m, n] arrays)."""
    s = SQRT5 * r
    e = np.negative(s)
    np.exp(e, out=e)
    e *= sf2
    g = s + 1.0
    g *= e  # σ_f² (1 + s) e^{−s}
    s *= s
    s *= e
    s *= 1.0 / 3.0
    s += g  # k
    g *= 5.0 / 3.0
    return s, g


def matern52_k(r: np.ndarray, sf2: float) -> np.ndarray:
    """k(r) alone (no G), computed in place in ``r`` (which it overwrites and returns), with
    1 + s + s²/3 = ((s + 3/2)² + 3/4) / 3 so that one temporary (e^{−s}) suffices."""
    e = np.multiply(r, -SQRT5)
    np.exp(e, out=e)
    r *= SQRT5
    r += 1.5
    np.square(r, out=r)
    r += 0.75
    r *= sf2 / 3.0
    r *= e
    return r


@dataclass(frozen=True)
class Layout:
    """Where each hyperparameter sits in θ: D lengthscales, scale, noise, mean, then
    (log a, log b) of the Kumaraswamy warp for each column in ``warp_cols`` (optional); and
    which lengthscale prior the MAP uses (a key of ``LENGTHSCALE_PRIORS``)."""

    dim: int
    warp_cols: tuple[int, ...] = ()
    lengthscale_prior: str = "midpoint"

    @property
    def n_warp(self) -> int:
        return len(self.warp_cols)

    def unpack(self, theta: np.ndarray) -> Hyper:
        d, w = self.dim, self.n_warp
        return Hyper(
            np.exp(theta[:d]),
            math.exp(theta[d]),
            math.exp(theta[d + 1]),
            float(theta[d + 2]),
            np.exp(theta[d + 3 : d + 3 + w]),
            np.exp(theta[d + 3 + w :]),
            self.warp_cols,
        )

    def initial(self) -> np.ndarray:
        """Starting θ for a cold fit: ℓ = 0.5·√D (a moderate, dimension-scaled length),
        σ_f² = 1, σ_n² = 1e-3, μ = 0, identity warp (a = b = 1)."""
        return np.concatenate(
            [
                np.full(self.dim, math.log(0.5 * math.sqrt(self.dim))),
                [0.0, math.log(1e-3), 0.0],
                np.zeros(2 * self.n_warp),
            ]
        )

    def bounds(self) -> list[tuple[float, float]]:
        return (
            [LOG_LS_BOUNDS] * self.dim
            + [LOG_SF2_BOUNDS, LOG_SN2_BOUNDS, MEAN_BOUNDS]
            + [LOG_WARP_BOUNDS] * (2 * self.n_warp)
        )

    @cached_property
    def _prior(self) -> tuple[np.ndarray, np.ndarray]:
        """Means and standard deviations of the Normal priors on θ (computed once per layout:
        the MAP fit evaluates the prior tens of times per ask)."""
        d, w = self.dim, self.n_warp
        ls_mu, ls_sd = lengthscale_prior(d, self.lengthscale_prior)
        mus = np.concatenate(
            [np.full(d, ls_mu), [SCALE_PRIOR[0], NOISE_PRIOR[0], MEAN_PRIOR[0]], np.zeros(2 * w)]
        )
        sds = np.concatenate(
            [
                np.full(d, ls_sd),
                [SCALE_PRIOR[1], NOISE_PRIOR[1], MEAN_PRIOR[1]],
                np.full(2 * w, WARP_PRIOR_SD),
            ]
        )
        return mus, sds

    def neg_log_prior(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        mus, sds = self._prior
        z = (theta - mus) / sds
        return 0.5 * float(z @ z), z / sds


@dataclass
class Hyper:
    """Unpacked θ."""

    ls: np.ndarray
    sf2: float
    sn2: float
    mean: float
    warp_a: np.ndarray
    warp_b: np.ndarray
    warp_cols: tuple[int, ...]

    def warp(self, x: np.ndarray) -> np.ndarray:
        """Inputs with the warped columns passed through w(u) (identity without warping)."""
        if not self.warp_cols:
            return x
        out = x.copy()
        cols = list(self.warp_cols)
        out[:, cols] = kumaraswamy(x[:, cols], self.warp_a, self.warp_b)
        return out


def cholesky(k: np.ndarray, scale: float) -> np.ndarray:
    """Lower Cholesky factor of k, adding growing jitter (relative to ``scale``) if needed."""
    jitter = 0.0
    for _ in range(8):
        try:
            return np.linalg.cholesky(k + jitter * np.eye(len(k)))
        except np.linalg.LinAlgError:
            jitter = scale * 1e-9 if jitter == 0.0 else jitter * 10.0
    return np.linalg.cholesky(k + 1e-1 * scale * np.eye(len(k)))


def neg_log_posterior(
    theta: np.ndarray, x: np.ndarray, y: np.ndarray, layout: Layout
) -> tuple[float, np.ndarray]:
    """−log p(y | X, θ) − log p(θ) and its gradient w.r.t. θ, for ``minimize(jac=True)``.

    Written to allocate few [n, n] arrays (each fresh one costs page faults at n ≳ 150; this
    function runs tens of times per refit): LAPACK works in place on a Fortran view of the
    symmetric K, and G is overwritten by M = W ∘ G."""
    n = x.shape[0]
    h = layout.unpack(theta)
    xw = h.warp(x)
    xs = xw / h.ls
    r = scaled_sqdist(xw, xw, h.ls)
    np.sqrt(r, out=r)
    kf, g = matern52(r, h.sf2)
    k = kf.copy()
    k.flat[:: n + 1] += h.sn2 + JITTER
    chol, info = lapack.dpotrf(k.T, lower=1, clean=1, overwrite_a=1)  # K is symmetric: K.T = K
    if info != 0:
        return 1e25, np.zeros_like(theta)
    resid = y - h.mean
    alpha, _ = lapack.dpotrs(chol, resid, lower=1)
    nll = 0.5 * float(resid @ alpha) + float(np.log(np.diag(chol)).sum()) + 0.5 * n * LOG_2PI
    # W = K⁻¹ − ααᵀ (RW eq. 5.9); K⁻¹ from the factor (potri fills the lower triangle; clean=1
    # left zeros above it, so K⁻¹ = T + Tᵀ − diag(T)).
    tri, _ = lapack.dpotri(chol, lower=1, overwrite_c=1)
    w = np.add(tri, tri.T, out=np.empty((n, n)))
    w.flat[:: n + 1] -= np.diag(tri)
    w -= alpha[:, None] * alpha[None, :]
    g *= w  # M = W ∘ G
    m_rows = g.sum(1)
    m_xs = g @ xs
    # ½ Σ_ab M_ab (x_aj − x_bj)²/ℓ_j² = Σ_a (xs_aj)² (M1)_a − diag(xsᵀ M xs)_j   (M symmetric)
    grad_ls = (xs * xs).T @ m_rows - np.einsum("aj,aj->j", xs, m_xs)
    grads = [
        grad_ls,
        [0.5 * float(np.vdot(w, kf)), 0.5 * h.sn2 * float(np.trace(w)), -float(alpha.sum())],
    ]
    if layout.n_warp:
        grads.extend(_warp_grads(x, h, layout, xs * m_rows[:, None] - m_xs))
    prior, prior_grad = layout.neg_log_prior(theta)
    return nll + prior, np.concatenate(grads) + prior_grad


def _warp_grads(x: np.ndarray, h: Hyper, layout: Layout, m_diff: np.ndarray) -> list[np.ndarray]:
    """Gradient w.r.t. (log a, log b) through the warped inputs: ∂NLL/∂x̃_aj =
    −Σ_c M_ac (x̃_aj − x̃_cj)/ℓ_j² = −(m_diff / ℓ)_aj with m_diff = xs ∘ (M1) − M xs."""
    cols = list(layout.warp_cols)
    d_xw = -(m_diff / h.ls)[:, cols]  # [n, W]
    da, db = kumaraswamy_param_grads(x[:, cols], h.warp_a, h.warp_b)
    return [(d_xw * da).sum(0) * h.warp_a, (d_xw * db).sum(0) * h.warp_b]


def fit(
    x: np.ndarray, y: np.ndarray, layout: Layout, starts: list[np.ndarray], maxiter: int
) -> tuple[np.ndarray, float]:
    """MAP θ by L-BFGS-B from each start; returns the best θ and its objective."""
    bounds = layout.bounds()
    lo = np.array([b[0] for b in bounds])
    hi = np.array([b[1] for b in bounds])
    best_theta, best_val = np.clip(starts[0], lo, hi), math.inf
    for start in starts:
        theta, val = minimize_box(
            lambda t: neg_log_posterior(t, x, y, layout), start, lo, hi, maxiter=maxiter, gtol=1e-4
        )
        if np.isfinite(val) and val < best_val:
            best_theta, best_val = theta, val
    return best_theta, best_val


class Posterior:
    """The GP posterior for fixed θ, on ``n`` inputs and one or more target columns.

    ``y`` may be [n] or [n, S] (S fantasy samples share the same inputs and factor L).

    Everything a prediction needs that does not depend on the query is computed once here:
    the scaled inputs X/ℓ and their squared norms (for the GEMM form of r²), L, α = K⁻¹(y − μ)
    and the products αᵀ-weighted inputs used by the mean gradient, so that a prediction is a few
    matrix products plus triangular solves against L (LAPACK directly; the inputs are ours and
    finite, so scipy's per-call checks are skipped)."""

    def __init__(self, theta: np.ndarray, x: np.ndarray, y: np.ndarray, layout: Layout) -> None:
        self._setup(theta, layout, layout.unpack(theta).warp(x), y, chol=None)

    def _setup(
        self,
        theta: np.ndarray,
        layout: Layout,
        xw: np.ndarray,
        y: np.ndarray,
        chol: np.ndarray | None,
    ) -> None:
        """Everything but the query-dependent work, on warped inputs xw; ``chol`` is the factor
        of the kernel matrix when the caller already has it, else None."""
        self.theta, self.layout, self.h = theta, layout, layout.unpack(theta)
        self.x, self.y = xw, y
        self._inv_ls2 = 1.0 / self.h.ls**2
        self._two_inv_ls2 = 2.0 * self._inv_ls2
        self._xs = self.x / self.h.ls
        self._xs_sq = (self._xs * self._xs).sum(1)
        self._xs_m2t = (-2.0 * self._xs).T  # −2 X/ℓ (exact scaling): the GEMM gives −2abᵀ
        if chol is None:
            kf = matern52_k(self._r(self.x), self.h.sf2)
            chol = cholesky(kf + (self.h.sn2 + JITTER) * np.eye(len(xw)), self.h.sf2)
        self.chol = chol
        # min_a 1 / K_aa (K_aa = Σ_j L_aj², any jitter included), for the variance bound
        self._inv_diag_min = 1.0 / float(np.einsum("ij,ij->i", chol, chol).max())
        self.alpha = linalg.cho_solve((self.chol, True), y - self.h.mean, check_finite=False)
        n = len(self.x)
        self._alpha2 = self.alpha.reshape(n, -1)  # [n, S]
        # Σ_a g_a α_as x_aj for all (s, j) in one GEMM: g @ ax with ax[a, (s, j)] = α_as x_aj
        self._ax = (self._alpha2[:, :, None] * self.x[:, None, :]).reshape(n, -1)

    def fantasize(self, xq: np.ndarray, z: np.ndarray) -> tuple[Posterior, np.ndarray]:
        """Condition on samples of the noisy outcomes at xq [m, D] (pending trials) of a
        posterior with one target column: z [m, S] standard normal draws give the samples
        y_q = μ_q + chol(Σ_q + σ_n² I) z [m, S], and the result is the posterior on the inputs
        plus xq with targets [y; y_q] (S columns, same θ), returned with y_q. The factor grows
        by a block (:meth:`_grown`), whose B = L⁻¹ K(X, xq) also gives the posterior covariance
        Σ_q = K(xq, xq) − BᵀB the samples are drawn from."""
        xw = self.h.warp(xq)
        kq, b, noisy = self._block(xw)
        mean = self.h.mean + kq @ self.alpha
        draws = mean[:, None] + cholesky(noisy, self.h.sf2) @ z
        y = np.vstack([np.repeat(self.y[:, None], z.shape[1], axis=1), draws])
        return self._grown(xw, b, noisy, y), draws

    def extend(self, xq: np.ndarray, y: np.ndarray) -> Posterior:
        """The posterior (same θ) on the inputs plus xq [m, D], with targets y for all n + m
        rows (the old rows' targets may change: the strategy re-standardises them). Between
        refits of θ this replaces a new factorisation: O(n² m) instead of O((n + m)³)."""
        xw = self.h.warp(xq)
        _, b, noisy = self._block(xw)
        return self._grown(xw, b, noisy, y)

    def _block(self, xw: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For warped new inputs xw [m, D]: K(xw, X) [m, n], B = L⁻¹ K(X, xw) [n, m] and the
        noisy Schur complement K(xw, xw) + σ_n² I − BᵀB [m, m] (symmetrised)."""
        kq = matern52_k(self._r(xw), self.h.sf2)  # [m, n]
        b = self._solve_l(kq.T)  # [n, m]
        kqq = matern52_k(np.sqrt(scaled_sqdist(xw, xw, self.h.ls)), self.h.sf2)
        noisy = kqq - b.T @ b + self.h.sn2 * np.eye(len(xw))
        return kq, b, 0.5 * (noisy + noisy.T)

    def _grown(self, xw: np.ndarray, b: np.ndarray, noisy: np.ndarray, y: np.ndarray) -> Posterior:
        """The posterior on [X; xw] with targets y: the factor of the joint kernel matrix is
        [[L, 0], [Bᵀ, C]] with C = chol(K(xw, xw) + σ_n² I − BᵀB) — O(n² m) work."""
        n, m = len(self.x), len(xw)
        chol = np.zeros((n + m, n + m))
        chol[:n, :n] = self.chol
        chol[n:, :n] = b.T
        chol[n:, n:] = cholesky(noisy + JITTER * np.eye(m), self.h.sf2)
        joint = Posterior.__new__(Posterior)
        joint._setup(self.theta, self.layout, np.vstack([self.x, xw]), y, chol)
        return joint

    def _sqdist(self, a_scaled: np.ndarray) -> np.ndarray:
        """r² [m, n] between rows a/ℓ [m, D] and the inputs, by ‖a‖² + ‖b‖² − 2abᵀ (GEMM)."""
        d2 = a_scaled @ self._xs_m2t
        d2 += (a_scaled * a_scaled).sum(1)[:, None]
        d2 += self._xs_sq[None, :]
        return np.maximum(d2, 0.0, out=d2)

    def _r(self, xq: np.ndarray) -> np.ndarray:
        """r(xq, X) [m, n] for warped queries xq."""
        d2 = self._sqdist(xq / self.h.ls)
        return np.sqrt(d2, out=d2)

    def _solve_l(self, b: np.ndarray, trans: int = 0, overwrite: bool = False) -> np.ndarray:
        """L⁻¹ b (trans = 0) or L⁻ᵀ b (trans = 1) for b [n, m]. LAPACK is given U = Lᵀ, a
        Fortran-ordered view of the C-ordered L, so that it copies nothing; with ``overwrite``
        a Fortran-ordered b is solved in place (the caller no longer needs it)."""
        out, info = lapack.dtrtrs(self.chol.T, b, lower=0, trans=1 - trans, overwrite_b=overwrite)
        if info != 0:  # pragma: no cover - L from a successful Cholesky has a nonzero diagonal
            raise np.linalg.LinAlgError(f"triangular solve failed (info {info})")
        return np.asarray(out)

    def predict(self, xq: np.ndarray, full_cov: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Latent mean [m] or [m, S] and variance [m] (or covariance [m, m]) at xq [m, D]
        (RW eqs. 2.25–2.26)."""
        xq = self.h.warp(xq)
        kq = matern52_k(self._r(xq), self.h.sf2)
        mean = self.h.mean + kq @ self.alpha
        if full_cov:
            v = self._solve_l(kq.T)
            kqq = matern52_k(np.sqrt(scaled_sqdist(xq, xq, self.h.ls)), self.h.sf2)
            return mean, kqq - v.T @ v
        v = self._solve_l(kq.T, overwrite=True)  # kq is not needed any more
        var = np.maximum(self.h.sf2 - np.square(v, out=v).sum(0), 1e-12)
        return mean, var

    def mean_and_variance_bound(self, xq: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The mean of :meth:`predict` and an upper bound on the variance at xq [m, D].

        More observations never raise a Gaussian posterior variance, so the variance given only
        the input a most correlated with x, σ_f² − k(x, x_a)² / K_aa, bounds it; with K_aa
        replaced by max_a K_aa (all equal unless the factorisation added jitter) the bound is
        σ_f² − max_a k(x, x_a)² / max_a K_aa. No triangular solve: ~40 % less work than
        :meth:`predict`."""
        xq = self.h.warp(xq)
        kq = matern52_k(self._r(xq), self.h.sf2)
        mean = self.h.mean + kq @ self.alpha
        k_max = kq.max(1)
        return mean, np.maximum(self.h.sf2 - k_max * k_max * self._inv_diag_min, 1e-12)

    def predict_with_grad(
        self, xq: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Mean [k, S], variance [k] and their gradients [k, D, S], [k, D] at points xq [k, D]:
        ∂μ/∂x = (∂k/∂x)ᵀ α and ∂σ²/∂x = −2 (∂k/∂x)ᵀ K⁻¹ k (differentiating RW eqs. 2.25–2.26),
        times ∂w/∂u on warped columns (chain rule).

        With ∂k(x, x_a)/∂x_j = −G_a (x_j − x_aj)/ℓ_j², any weighted sum over the inputs splits as
        Σ_a w_a G_a (x_j − x_aj) = x_j (Σ_a w_a G_a) − Σ_a w_a G_a x_aj, so no [k, n, D] tensor
        of differences is formed: the gradients are matrix products with G."""
        raw = xq
        if self.h.warp_cols:
            xq = self.h.warp(xq)
        k, dim = xq.shape
        kq, g = matern52(self._r(xq), self.h.sf2)  # [k, n]
        alpha = self._alpha2
        n_s = alpha.shape[1]
        mean = self.h.mean + kq @ alpha
        v = self._solve_l(kq.T, overwrite=True)  # [n, k], in kq's memory (no longer needed)
        raw_var = self.h.sf2 - (v * v).sum(0)
        var = np.maximum(raw_var, 1e-12)
        kinv_k = self._solve_l(v, trans=1, overwrite=True)  # K⁻¹ k  [n, k]
        g_alpha = g @ alpha  # [k, S]
        g_ax = (g @ self._ax).reshape(k, n_s, dim)
        dmean = g_ax - xq[:, None, :] * g_alpha[:, :, None]
        dmean *= self._inv_ls2  # [k, S, D]
        dmean = dmean.transpose(0, 2, 1)
        g *= kinv_k.T  # w = G ∘ K⁻¹k  [k, n]
        dvar = xq * g.sum(1)[:, None]
        dvar -= g @ self.x
        dvar *= self._two_inv_ls2
        if raw_var.min() <= 1e-12:
            dvar[raw_var <= 1e-12] = 0.0
        if self.h.warp_cols:
            cols = list(self.h.warp_cols)
            dw = kumaraswamy_input_grad(raw[:, cols], self.h.warp_a, self.h.warp_b)  # [k, W]
            dmean[:, cols, :] *= dw[:, :, None]
            dvar[:, cols] *= dw
        return mean, var, dmean, dvar

    def predict_one_with_grad(self, xq: np.ndarray) -> tuple[float, float, np.ndarray, np.ndarray]:
        """:meth:`predict_with_grad` at one point xq [D] of a posterior with one target column
        and no input warping: mean, variance (floats) and their gradients [D], [D]. The same
        operations on vectors instead of [1, ·] arrays, with the same results to the last bit
        (tests check it for n from 7 to 200, D from 3 to 12): the local search between refits of θ
        refines a single start, and this path makes about half the numpy calls (at n = 200,
        d = 6, with :func:`acquisition.log_ei_one_with_grad`: 45 instead of 90 µs per
        evaluation)."""
        a = xq / self.h.ls
        d2 = a @ self._xs_m2t
        d2 += (a * a).sum()
        d2 += self._xs_sq
        r = np.sqrt(np.maximum(d2, 0.0, out=d2), out=d2)
        kq, g = matern52(r, self.h.sf2)  # [n]
        alpha = self._alpha2[:, 0]
        mean = self.h.mean + float(kq @ alpha)
        v = blas.dtrsv(self.chol.T, kq, lower=0, trans=1)  # L⁻¹ k
        raw_var = self.h.sf2 - float((v * v).sum())  # as summed in predict_with_grad
        kinv_k = blas.dtrsv(self.chol.T, v, lower=0, trans=0, overwrite_x=1)  # K⁻¹ k
        dmean = (g @ self._ax - xq * float(g @ alpha)) * self._inv_ls2
        g *= kinv_k
        dvar = (xq * g.sum() - g @ self.x) * self._two_inv_ls2
        if raw_var <= 1e-12:
            return mean, 1e-12, dmean, np.zeros_like(dvar)
        return mean, raw_var, dmean, dvar


class FixedQueries:
    """Exact predictions at a set of query points, kept up to date as the posterior they were
    set up for grows by rows (``Posterior.extend`` and ``fantasize`` keep θ and the leading
    inputs, and the factor of the grown kernel matrix is [[L, 0], [Bᵀ, C]]).

    For queries Q [m, D] this holds K(Q, X) [m, n] and V = L⁻¹ K(X, Q) [n, m]; the mean at Q is
    μ + K(Q, X) α and the variance σ_f² − Σ_a V_aq² (RW eqs. 2.25–2.26). New inputs X' [q, D]
    append the columns K(Q, X') and the rows V' = C⁻¹ (K(X', Q) − Bᵀ V) — O(m n q) work instead
    of the O(m n D) kernel rows (with an ``exp`` per entry) and O(m n²) triangular solves that
    predicting at Q anew costs. Queries can be added (:meth:`add`). The strategy keeps its
    candidates in one of these between refits of θ (see ``strategy.py``, "Candidate pool")."""

    def __init__(self, post: Posterior, xq: np.ndarray) -> None:
        self.theta = post.theta
        n, dim = post.x.shape
        self._n, self._m = n, 0
        self._x = np.empty((n + max(16, n // 8), dim))  # the inputs covered, with room to grow
        self._x[:n] = post.x
        self._xw = np.empty((0, dim))  # warped queries
        self._k = np.empty((0, len(self._x)))  # K(Q, X), room for more inputs
        self._v = np.empty((len(self._x), 0))  # V, room for more inputs
        self._vsq = np.empty(0)
        self.add(post, xq)

    def covers(self, post: Posterior) -> bool:
        """Whether ``post`` is this posterior grown by rows (same θ, same leading inputs)."""
        n = self._n
        return (
            post.theta is self.theta
            and len(post.x) >= n
            and np.array_equal(post.x[:n], self._x[:n])
        )

    def add(self, post: Posterior, xq: np.ndarray) -> None:
        """Add queries xq [q, D] under ``post``, which must have exactly the covered inputs."""
        assert len(post.x) == self._n and post.theta is self.theta
        n, m, q = self._n, self._m, len(xq)
        if m + q > len(self._k):  # room for the new queries and as many again
            cap = 2 * (m + q)
            self._xw = np.vstack([self._xw[:m], np.empty((cap - m, self._xw.shape[1]))])
            self._k = np.vstack([self._k[:m], np.empty((cap - m, self._k.shape[1]))])
            self._v = np.hstack([self._v[:, :m], np.empty((len(self._v), cap - m))])
            self._vsq = np.concatenate([self._vsq[:m], np.empty(cap - m)])
        xw = post.h.warp(xq)
        k = matern52_k(post._r(xw), post.h.sf2)  # [q, n]
        v = post._solve_l(k.T.copy(order="F"), overwrite=True)  # L⁻¹ K(X, xq)  [n, q]
        self._xw[m : m + q] = xw
        self._k[m : m + q, :n] = k
        self._v[:n, m : m + q] = v
        self._vsq[m : m + q] = np.einsum("ij,ij->j", v, v)
        self._m = m + q

    def _grown(self, post: Posterior) -> tuple[np.ndarray, np.ndarray]:
        """K(Q, X') and V' for the rows X' of ``post`` beyond the covered ones."""
        n, m = self._n, self._m
        xn = post.x[n:]
        k_new = matern52_k(np.sqrt(scaled_sqdist(self._xw[:m], xn, post.h.ls)), post.h.sf2)
        rhs = k_new.T - post.chol[n:, :n] @ self._v[:n, :m]  # [q, m]
        v_new, info = lapack.dtrtrs(post.chol[n:, n:], rhs, lower=1)
        if info != 0:  # pragma: no cover - C from a successful Cholesky has a nonzero diagonal
            raise np.linalg.LinAlgError(f"triangular solve failed (info {info})")
        return k_new, v_new

    def extend(self, post: Posterior) -> None:
        """Cover every input of ``post`` (which :meth:`covers` must accept) from now on."""
        n, m, total = self._n, self._m, len(post.x)
        if total == n:
            return
        k_new, v_new = self._grown(post)
        if total > len(self._x):  # room for the new inputs and as many again
            cap = 2 * total
            self._x = np.vstack([self._x[:n], np.empty((cap - n, self._x.shape[1]))])
            self._k = np.hstack([self._k[:, :n], np.empty((len(self._k), cap - n))])
            self._v = np.vstack([self._v[:n], np.empty((cap - n, self._v.shape[1]))])
        self._x[n:total] = post.x[n:]
        self._k[:m, n:total] = k_new
        self._v[n:total, :m] = v_new
        self._vsq[:m] += np.einsum("ij,ij->j", v_new, v_new)
        self._n = total

    def predict(self, post: Posterior) -> tuple[np.ndarray, np.ndarray]:
        """Mean [m] or [m, S] and variance [m] at the queries under ``post`` (which
        :meth:`covers` must accept; rows beyond the covered ones are included, not kept)."""
        n, m = self._n, self._m
        mean = self._k[:m, :n] @ post.alpha[:n]
        vsq = self._vsq[:m]
        if len(post.x) > n:
            k_new, v_new = self._grown(post)
            mean += k_new @ post.alpha[n:]
            vsq = vsq + np.einsum("ij,ij->j", v_new, v_new)
        mean += post.h.mean
        return mean, np.maximum(post.h.sf2 - vsq, 1e-12)

"""Box-constrained L-BFGS-B with less per-evaluation overhead than ``scipy.optimize.minimize``.

``minimize(method="L-BFGS-B", jac=True)`` wraps the objective in scipy's ScalarFunction and
memoising layers: about 55 µs of Python work per evaluation on the development machine, against
~15 µs for a plain loop around the same solver. The acquisition's local search makes ~55
evaluations per ask of ~200 µs each, so that overhead was a fifth of it.

``minimize_box`` drives scipy's own L-BFGS-B routine (``scipy.optimize._lbfgsb.setulb``, the C
translation scipy ships since 1.15) with the loop ``_minimize_lbfgsb`` runs: the same routine,
the same arguments (memory 10, ``ftol`` as factr, ``gtol`` as pgtol, 20 line-search steps) and the
same iteration cap, so it visits the same points and returns the same x as ``minimize`` does
(a test checks this). ``setulb`` is private: when its signature is not the one this loop was
written for (older or newer scipy), ``minimize_box`` calls ``scipy.optimize.minimize`` instead.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import optimize

try:
    from scipy.optimize import _lbfgsb
except ImportError:  # pragma: no cover - scipy reorganised its private modules
    _lbfgsb = None

# The call signature the loop below drives (scipy 1.15 – 1.17 at least).
_SIGNATURE = "setulb(m,x,l,u,nbd,f,g,factr,pgtol,wa,iwa,task,lsave,isave,dsave,maxls,ln_task)"
FAST_PATH = _lbfgsb is not None and (getattr(_lbfgsb.setulb, "__doc__", "") or "").startswith(
    _SIGNATURE
)
MAXCOR = 10
MAXLS = 20
FTOL = 2.2204460492503131e-09  # scipy's default
# setulb's task codes (scipy/optimize/__lbfgsb.h): evaluate f and g at x; a new iterate.
_TASK_FG, _TASK_NEW_X, _TASK_STOP, _STOP_MAXITER = 3, 1, 5, 504

Objective = Callable[[np.ndarray], tuple[float, np.ndarray]]


def minimize_box(
    fun: Objective,
    x0: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    *,
    maxiter: int,
    gtol: float = 1e-5,
    ftol: float = FTOL,
) -> tuple[np.ndarray, float]:
    """Minimise ``fun`` (returning value and gradient) over the box [lower, upper] from x0
    (clipped into the box); returns the final x and f, as ``minimize(...).x`` / ``.fun``.
    Stops after ``maxiter`` iterations, when the projected gradient is below ``gtol``, or when
    an iteration lowers f by less than ``ftol`` relative to max(|f|, 1)."""
    lower = np.asarray(lower, dtype=np.float64)
    upper = np.asarray(upper, dtype=np.float64)
    x = np.clip(np.array(x0, dtype=np.float64).ravel(), lower, upper)
    if not FAST_PATH:
        res = optimize.minimize(
            fun,
            x,
            jac=True,
            method="L-BFGS-B",
            bounds=optimize.Bounds(lower, upper),
            options={"maxiter": maxiter, "gtol": gtol, "ftol": ftol},
        )
        return np.asarray(res.x), float(res.fun)
    n, m = x.size, MAXCOR
    nbd = np.full(n, 2, dtype=np.int32)  # 2: both bounds finite
    f = np.array(0.0)
    g = np.zeros(n)
    wa = np.zeros(2 * m * n + 5 * n + 11 * m * m + 8 * m)
    iwa = np.zeros(3 * n, dtype=np.int32)
    task = np.zeros(2, dtype=np.int32)
    ln_task = np.zeros(2, dtype=np.int32)
    lsave = np.zeros(4, dtype=np.int32)
    isave = np.zeros(44, dtype=np.int32)
    dsave = np.zeros(29)
    factr = ftol / np.finfo(float).eps
    iterations = 0
    while True:
        _lbfgsb.setulb(
            m,
            x,
            lower,
            upper,
            nbd,
            f,
            g,
            factr,
            gtol,
            wa,
            iwa,
            task,
            lsave,
            isave,
            dsave,
            MAXLS,
            ln_task,
        )
        if task[0] == _TASK_FG:
            value, grad = fun(x.copy())
            f = np.array(float(value))
            g = np.array(grad, dtype=np.float64)  # a copy, as scipy's loop makes
        elif task[0] == _TASK_NEW_X:
            iterations += 1
            if iterations >= maxiter:
                task[0], task[1] = _TASK_STOP, _STOP_MAXITER
        else:
            return x, float(f)

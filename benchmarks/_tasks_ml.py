"""bayesmark-style tuning tasks on scikit-learn's bundled datasets, plus XGBoost on breast_cancer.

Protocol (bayesian-optimization.md §4): an 80/20 ``train_test_split`` with shuffle seed 0; the loss
seen by the optimiser is the mean 5-fold CV loss on the 80% part (negated sklearn score).
Models and search spaces follow bayesmark's ``sklearn_funcs.py``, ported to SageMaker ranges.

Choices where bayesmark has no SageMaker equivalent or no longer runs on modern scikit-learn
(written down here and in benchmarks/README.md):
- ``logit`` warping does not exist in SageMaker. Such a parameter x in [lo, hi] is tuned as
  ``<name>_logit`` = log(x / (1 - x)), a ``Linear`` range over [logit(lo), logit(hi)], and the
  task maps it back (x = 1 / (1 + e^-z)) before building the model: every method, random search
  included, searches the geometry bayesmark gives them. Until 2026-11-30 these ranges were
  ``Linear`` in x (beta_2 ``ReverseLogarithmic``); uniform in x, random search rarely drew the
  small leaf and split fractions that make good trees (benchmarks/README.md, "Search-space
  geometry"). Records carry a fingerprint of the task's ranges so that runs of the two
  geometries are not scored together.
- ``bool`` parameters become categorical ``["True", "False"]``.
- boston is dropped (removed from scikit-learn 1.2); regression uses diabetes only.
- ``normalize`` (removed from Lasso/Ridge in 1.2) is dropped from the regression spaces.
- LogisticRegression ``penalty``/``multi_class="ovr"`` are gone: l1/l2 are set with ``l1_ratio``
  and multiclass data is wrapped in ``OneVsRestClassifier`` (the same one-vs-rest scheme).
- ``SVC(probability=True)`` is deprecated: for the ``nll`` metric the SVC is wrapped in
  ``CalibratedClassifierCV(method="sigmoid", ensemble=False)``, i.e. Platt scaling, which is
  what ``probability=True`` did.
- Every model gets ``random_state=0`` so that the objective is deterministic (bayesmark left it
  unseeded); this makes identical configurations cacheable.
- Features are used as loaded (no scaling), as bayesmark does for the built-in datasets.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from benchmarks._tasks import Params, Task, categorical, continuous, integer, make_ranges

DATASETS_CLF = ("breast", "digits", "iris", "wine")
DATASETS_REG = ("diabetes",)
METRICS_CLF = ("nll", "acc")
METRICS_REG = ("mae", "mse")
_SCORING = {
    "nll": "neg_log_loss",
    "acc": "accuracy",
    "mae": "neg_mean_absolute_error",
    "mse": "neg_mean_squared_error",
}
LOGIT_SUFFIX = "_logit"


def _logit(name: str, low: float, high: float) -> tuple[dict[str, str], str]:
    """bayesmark's logit-warped real x in [low, high] as the Linear range of z = logit(x)."""
    z_low, z_high = math.log(low / (1 - low)), math.log(high / (1 - high))
    return continuous(name + LOGIT_SUFFIX, z_low, z_high), "continuous"


def from_logit(params: Params, ranges: dict[str, list[Any]]) -> Params:
    """The model's parameters: each ``<name>_logit`` = z replaced by ``<name>`` = 1 / (1 + e^-z),
    kept inside the range's bounds mapped back (so rounding never leaves bayesmark's range)."""
    out = dict(params)
    for r in ranges["ContinuousParameterRanges"]:
        name = r["Name"]
        if not name.endswith(LOGIT_SUFFIX):
            continue
        lo, hi = (1.0 / (1.0 + math.exp(-float(r[k]))) for k in ("MinValue", "MaxValue"))
        x = 1.0 / (1.0 + math.exp(-float(out.pop(name))))
        out[name[: -len(LOGIT_SUFFIX)]] = min(max(x, lo), hi)
    return out


_TREE = [
    (integer("max_depth", 1, 15), "integer"),
    _logit("min_samples_split", 0.01, 0.99),
    _logit("min_samples_leaf", 0.01, 0.49),
    _logit("min_weight_fraction_leaf", 0.01, 0.49),
    _logit("max_features", 0.01, 0.99),
    (continuous("min_impurity_decrease", 0.0, 0.5), "continuous"),
]
_MLP_COMMON = [
    (integer("hidden_layer_sizes", 50, 200), "integer"),
    (continuous("alpha", 1e-5, 1e1, "Logarithmic"), "continuous"),
    (integer("batch_size", 10, 250), "integer"),
    (continuous("learning_rate_init", 1e-5, 1e-1, "Logarithmic"), "continuous"),
    (continuous("tol", 1e-5, 1e-1, "Logarithmic"), "continuous"),
    _logit("validation_fraction", 0.1, 0.9),
]
_BOOL = ["True", "False"]
_SPACES_SHARED: dict[str, list[tuple[dict[str, Any], str]]] = {
    "knn": [(integer("n_neighbors", 1, 25), "integer"), (integer("p", 1, 4), "integer")],
    "svm": [
        (continuous("C", 1.0, 1e3, "Logarithmic"), "continuous"),
        (continuous("gamma", 1e-4, 1e-3, "Logarithmic"), "continuous"),
        (continuous("tol", 1e-5, 1e-1, "Logarithmic"), "continuous"),
    ],
    "dt": _TREE,
    "rf": _TREE,
    "mlp-adam": [
        *_MLP_COMMON,
        _logit("beta_1", 0.5, 0.99),
        _logit("beta_2", 0.9, 1.0 - 1e-6),
        (continuous("epsilon", 1e-9, 1e-6, "Logarithmic"), "continuous"),
    ],
    "mlp-sgd": [
        *_MLP_COMMON,
        _logit("power_t", 0.1, 0.9),
        _logit("momentum", 0.001, 0.999),
    ],
    "ada": [
        (integer("n_estimators", 10, 100), "integer"),
        (continuous("learning_rate", 1e-4, 1e1, "Logarithmic"), "continuous"),
    ],
}
_SPACES_CLF = {
    **_SPACES_SHARED,
    "lasso": [
        (continuous("C", 1e-2, 1e2, "Logarithmic"), "continuous"),
        (continuous("intercept_scaling", 1e-2, 1e2, "Logarithmic"), "continuous"),
    ],
}
_SPACES_CLF["linear"] = _SPACES_CLF["lasso"]
_SPACES_REG = {
    **_SPACES_SHARED,
    "lasso": [
        (continuous("alpha", 1e-2, 1e2, "Logarithmic"), "continuous"),
        (categorical("fit_intercept", _BOOL), "categorical"),
        (integer("max_iter", 10, 5000, "Logarithmic"), "integer"),
        (continuous("tol", 1e-5, 1e-1, "Logarithmic"), "continuous"),
        (categorical("positive", _BOOL), "categorical"),
    ],
    "linear": [
        (continuous("alpha", 1e-2, 1e2, "Logarithmic"), "continuous"),
        (categorical("fit_intercept", _BOOL), "categorical"),
        (integer("max_iter", 10, 5000, "Logarithmic"), "integer"),
        (continuous("tol", 1e-4, 1e-1, "Logarithmic"), "continuous"),
    ],
}
MODELS = ("knn", "svm", "dt", "rf", "mlp-adam", "mlp-sgd", "ada", "lasso", "linear")


def sklearn_task_names() -> list[str]:
    names = [f"{m}-{d}-{k}" for m in MODELS for d in DATASETS_CLF for k in METRICS_CLF]
    names += [f"{m}-{d}-{k}" for m in MODELS for d in DATASETS_REG for k in METRICS_REG]
    return names


def xgboost_task_names() -> list[str]:
    return ["xgb-breast-nll", "xgb-breast-acc"]


@functools.lru_cache(maxsize=8)
def _train_split(dataset: str) -> tuple[np.ndarray, np.ndarray]:
    from sklearn import datasets
    from sklearn.model_selection import train_test_split

    loaders: dict[str, Callable[..., Any]] = {
        "breast": datasets.load_breast_cancer,
        "digits": datasets.load_digits,
        "iris": datasets.load_iris,
        "wine": datasets.load_wine,
        "diabetes": datasets.load_diabetes,
    }
    x, y = loaders[dataset](return_X_y=True)
    x_train, _, y_train, _ = train_test_split(x, y, test_size=0.2, random_state=0, shuffle=True)
    return np.asarray(x_train, dtype=float), np.asarray(y_train)


def _bools(p: Params, *names: str) -> Params:
    return {k: (v == "True" if k in names else v) for k, v in p.items()}


def _tree_args(p: Params) -> Params:
    return dict(p, random_state=0)


def _mlp_args(p: Params, solver: str) -> Params:
    args = dict(p, hidden_layer_sizes=(p["hidden_layer_sizes"],), solver=solver)
    args.update(early_stopping=True, random_state=0)
    if solver == "sgd":
        args.update(learning_rate="invscaling", nesterovs_momentum=True)
    return args


def _build_classifier(model: str, p: Params, metric: str, n_classes: int) -> Any:
    from sklearn import ensemble, linear_model, multiclass, neighbors, neural_network, svm, tree
    from sklearn.calibration import CalibratedClassifierCV

    if model == "knn":
        return neighbors.KNeighborsClassifier(**p)
    if model == "svm":
        base = svm.SVC(kernel="rbf", random_state=0, **p)
        if metric == "nll":
            return CalibratedClassifierCV(base, method="sigmoid", ensemble=False)
        return base
    if model == "dt":
        return tree.DecisionTreeClassifier(**_tree_args(p))
    if model == "rf":
        return ensemble.RandomForestClassifier(n_estimators=10, **_tree_args(p))
    if model in ("mlp-adam", "mlp-sgd"):
        return neural_network.MLPClassifier(**_mlp_args(p, model[4:]))
    if model == "ada":
        return ensemble.AdaBoostClassifier(random_state=0, **p)
    l1_ratio = 1.0 if model == "lasso" else 0.0
    logreg = linear_model.LogisticRegression(
        solver="liblinear", l1_ratio=l1_ratio, fit_intercept=True, random_state=0, **p
    )
    return multiclass.OneVsRestClassifier(logreg) if n_classes > 2 else logreg


def _build_regressor(model: str, p: Params) -> Any:
    from sklearn import ensemble, linear_model, neighbors, neural_network, svm, tree

    if model == "knn":
        return neighbors.KNeighborsRegressor(**p)
    if model == "svm":
        return svm.SVR(kernel="rbf", **p)
    if model == "dt":
        return tree.DecisionTreeRegressor(**_tree_args(p))
    if model == "rf":
        return ensemble.RandomForestRegressor(n_estimators=10, **_tree_args(p))
    if model in ("mlp-adam", "mlp-sgd"):
        args = _mlp_args(p, model[4:])
        if model == "mlp-sgd":
            args["activation"] = "tanh"
        return neural_network.MLPRegressor(**args)
    if model == "ada":
        return ensemble.AdaBoostRegressor(random_state=0, **p)
    if model == "lasso":
        return linear_model.Lasso(random_state=0, **_bools(p, "fit_intercept", "positive"))
    return linear_model.Ridge(solver="auto", **_bools(p, "fit_intercept"))


def _cv_loss(model: str, dataset: str, metric: str, params: Params) -> float:
    from sklearn.model_selection import cross_val_score

    x, y = _train_split(dataset)
    if dataset in DATASETS_REG:
        est = _build_regressor(model, params)
    else:
        est = _build_classifier(model, params, metric, len(np.unique(y)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scores = cross_val_score(est, x, y, cv=5, scoring=_SCORING[metric], error_score=np.nan)
    return -float(np.mean(scores))


_XGB_RANGES = make_ranges(
    [
        continuous("eta", 0.0, 1.0),
        continuous("alpha", 0.0, 2.0),
        continuous("min_child_weight", 1.0, 10.0),
        integer("max_depth", 1, 10),
    ],
    ["continuous", "continuous", "continuous", "integer"],
)


def _xgb_loss(metric: str, params: Params) -> float:
    import xgboost as xgb

    x, y = _train_split("breast")
    dtrain = xgb.DMatrix(x, label=y, nthread=1)
    booster_params = dict(params, objective="binary:logistic", nthread=1, verbosity=0)
    booster_params["eval_metric"] = "logloss" if metric == "nll" else "error"
    hist: Any = xgb.cv(
        booster_params,
        dtrain,
        num_boost_round=50,
        nfold=5,
        seed=0,
        stratified=True,
        as_pandas=False,
    )
    column = "test-logloss-mean" if metric == "nll" else "test-error-mean"
    return float(hist[column][-1])


def build_task(name: str) -> Task | None:
    """The sklearn or XGBoost task called ``name``, or None when there is none."""
    if name in xgboost_task_names():
        metric = name.rsplit("-", 1)[1]
        return Task(name, "xgboost", _XGB_RANGES, functools.partial(_xgb_loss, metric))
    parts = name.rsplit("-", 2)
    if len(parts) != 3 or name not in sklearn_task_names():
        return None
    model, dataset, metric = parts
    spaces = _SPACES_REG if dataset in DATASETS_REG else _SPACES_CLF
    items = spaces[model]
    ranges = make_ranges([i for i, _ in items], [k for _, k in items])  # type: ignore[misc]

    def loss(params: Params) -> float:
        return _cv_loss(model, dataset, metric, from_logit(params, ranges))

    return Task(name, "sklearn", ranges, loss, cache_evaluations=True)

"""The built-in XGBoost algorithm as data: hyperparameters, metrics and image recognition.

Everything here mirrors what SageMaker's XGBoost image declares in algorithm mode (reference
``sagemaker-semantics.md`` §8.1, §8.3, §8.4): the valid range of every hyperparameter the
container accepts, which of them are tunable (with the container's recommended tuning range),
the aliases, the 33 ``validation:*`` metrics with their optimisation direction, and the regex
SageMaker registers for each metric. It is pure data plus two small helpers, so the request
validator can import it without importing xgboost.

Interval spelling follows the container's own ``Interval.__str__``: ``[a, b]`` closed,
``(a, b)`` open, an absent bound printed as ``-inf`` / ``+inf`` (e.g. ``[1, +inf)``), numbers
printed without a trailing ``.0`` (``[0, 1]``).
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = [
    "ALIASES",
    "HYPERPARAMETERS",
    "METRICS",
    "OBJECTIVES",
    "SUPPORTED_VERSIONS",
    "HyperparameterSpec",
    "Interval",
    "metric_definitions",
    "metric_regex",
    "parse_image",
]


def _number(x: float) -> str:
    """A bound as the container prints it: integers without ``.0``."""
    if math.isfinite(x) and float(x).is_integer():
        return str(int(x))
    return repr(float(x))


@dataclass(frozen=True)
class Interval:
    """A range of numbers in the container's notation; ``None`` means unbounded on that side."""

    lower: float | None
    upper: float | None
    lower_closed: bool
    upper_closed: bool

    def __contains__(self, x: object) -> bool:
        if isinstance(x, bool) or not isinstance(x, numbers.Real):  # numpy scalars are Real
            return False
        value = float(x)
        if math.isnan(value):
            return False
        if self.lower is not None and (
            value < self.lower or (value == self.lower and not self.lower_closed)
        ):
            return False
        return not (
            self.upper is not None
            and (value > self.upper or (value == self.upper and not self.upper_closed))
        )

    def __str__(self) -> str:
        left = (
            "(-inf"
            if self.lower is None
            else ("[" if self.lower_closed else "(") + _number(self.lower)
        )
        right = (
            "+inf)"
            if self.upper is None
            else _number(self.upper) + ("]" if self.upper_closed else ")")
        )
        return f"{left}, {right}"


def _closed(lower: float | None = None, upper: float | None = None) -> Interval:
    return Interval(lower, upper, lower is not None, upper is not None)


@dataclass(frozen=True)
class HyperparameterSpec:
    """One hyperparameter of the built-in XGBoost container.

    ``kind`` is ``"integer"`` (parsed with ``int()``), ``"continuous"`` (``float()``),
    ``"categorical"`` (the string itself) or ``"list"`` (a comma list such as ``eval_metric``,
    a tuple such as ``monotone_constraints`` or a nested list such as
    ``interaction_constraints``; for lists ``interval``/``choices`` constrain each element).
    """

    name: str
    kind: str
    interval: Interval | None
    choices: tuple[str, ...] | None
    required: bool
    tunable: bool
    recommended: tuple[float, float] | None


_MAXIMIZE = (
    "accuracy", "auc", "aucpr", "balanced_accuracy", "f1", "f1_binary", "f1_macro", "map",
    "ndcg", "precision", "r2", "recall", "precision_macro", "precision_micro", "recall_macro",
    "recall_micro",
)  # fmt: skip
_MINIMIZE = (
    "aft-nloglik", "cox-nloglik", "error", "gamma-deviance", "gamma-nloglik",
    "interval-regression-accuracy", "logloss", "mae", "mape", "merror", "mlogloss", "mphe",
    "mse", "poisson-nloglik", "rmse", "rmsle", "tweedie-nloglik",
)  # fmt: skip

#: ``validation:<m>`` -> ``"Maximize"`` | ``"Minimize"``, in the container's declaration order.
METRICS: Mapping[str, str] = MappingProxyType(
    {f"validation:{m}": "Maximize" for m in _MAXIMIZE}
    | {f"validation:{m}": "Minimize" for m in _MINIMIZE}
)

#: Objectives the container accepts (its list, including the odd ``aft_loss_distribution``).
OBJECTIVES: tuple[str, ...] = (
    "aft_loss_distribution", "binary:logistic", "binary:logitraw", "binary:hinge",
    "count:poisson", "multi:softmax", "multi:softprob", "rank:pairwise", "rank:ndcg", "rank:map",
    "reg:linear", "reg:squarederror", "reg:logistic", "reg:gamma", "reg:pseudohubererror",
    "reg:squaredlogerror", "reg:absoluteerror", "reg:tweedie", "survival:aft", "survival:cox",
)  # fmt: skip

_UPDATERS = (
    "grow_colmaker", "distcol", "grow_histmaker", "grow_local_histmaker", "grow_skmaker",
    "grow_quantile_histmaker", "sync", "refresh", "prune", "shotgun", "coord_descent",
)  # fmt: skip

_TRUE_FALSE = ("true", "false")


def _int(
    name: str,
    interval: Interval,
    *,
    required: bool = False,
    recommended: tuple[float, float] | None = None,
) -> HyperparameterSpec:
    return HyperparameterSpec(
        name, "integer", interval, None, required, recommended is not None, recommended
    )


def _float(
    name: str, interval: Interval, *, recommended: tuple[float, float] | None = None
) -> HyperparameterSpec:
    return HyperparameterSpec(
        name, "continuous", interval, None, False, recommended is not None, recommended
    )


def _cat(name: str, choices: tuple[str, ...]) -> HyperparameterSpec:
    return HyperparameterSpec(name, "categorical", None, choices, False, False, None)


def _list(
    name: str, *, choices: tuple[str, ...] | None = None, interval: Interval | None = None
) -> HyperparameterSpec:
    return HyperparameterSpec(name, "list", interval, choices, False, False, None)


_OPEN_UNIT = Interval(0, 1, False, True)  # (0, 1]

_SPECS: tuple[HyperparameterSpec, ...] = (
    _int("num_round", _closed(1), required=True, recommended=(1, 4000)),
    _int("csv_weights", _closed(0, 1)),
    _int("early_stopping_rounds", _closed(1)),
    _cat("booster", ("gbtree", "gblinear", "dart")),
    _int("verbosity", _closed(0, 3)),
    _int("nthread", _closed(1)),
    _float("eta", _closed(0, 1), recommended=(0.1, 0.5)),
    _float("gamma", _closed(0), recommended=(0, 5)),
    _int("max_depth", _closed(0), recommended=(0, 10)),
    _float("min_child_weight", _closed(0), recommended=(0, 120)),
    _float("max_delta_step", _closed(0), recommended=(0, 10)),
    _float("subsample", _OPEN_UNIT, recommended=(0.5, 1)),
    _float("colsample_bytree", _OPEN_UNIT, recommended=(0.5, 1)),
    _float("colsample_bylevel", _OPEN_UNIT, recommended=(0.1, 1)),
    _float("colsample_bynode", _OPEN_UNIT, recommended=(0.1, 1)),
    _float("lambda", _closed(0), recommended=(0, 1000)),
    _float("alpha", _closed(0), recommended=(0, 1000)),
    _cat("tree_method", ("auto", "exact", "approx", "hist", "gpu_hist")),
    _float("sketch_eps", Interval(0, 1, False, False)),
    _float("scale_pos_weight", Interval(0, None, False, False)),
    _list("updater", choices=_UPDATERS),
    _cat("dsplit", ("row", "col")),
    _int("refresh_leaf", _closed(0, 1)),
    _cat("process_type", ("default", "update")),
    _cat("grow_policy", ("depthwise", "lossguide")),
    _int("max_leaves", _closed(0)),
    _int("max_bin", _closed(0)),
    _cat("predictor", ("auto", "cpu_predictor", "gpu_predictor")),
    _list("monotone_constraints", choices=("-1", "0", "1")),
    _list("interaction_constraints", interval=_closed(1)),
    _cat("sample_type", ("uniform", "weighted")),
    _cat("normalize_type", ("tree", "forest")),
    _float("rate_drop", _closed(0, 1)),
    _int("one_drop", _closed(0, 1)),
    _float("skip_drop", _closed(0, 1)),
    _float("lambda_bias", _closed(0, 1)),
    _float("tweedie_variance_power", Interval(1, 2, False, False)),
    _cat("objective", OBJECTIVES),
    _int("num_class", _closed(2)),
    _float("base_score", _closed(0)),
    _int("_kfold", _closed(2)),
    _int("_num_cv_round", _closed(1)),
    _cat("_tuning_objective_metric", tuple(METRICS)),
    _list("eval_metric", choices=_MAXIMIZE + _MINIMIZE),
    _int("seed", Interval(-(2**31), 2**31 - 1, False, False)),
    _int("num_parallel_tree", _closed(1)),
    _cat("save_model_on_termination", _TRUE_FALSE),
    _cat("aft_loss_distribution", ("normal", "logistic", "extreme")),
    _float("aft_loss_distribution_scale", _closed(0)),
    _cat("deterministic_histogram", _TRUE_FALSE),
    _cat("sampling_method", ("uniform", "gradient_based")),
    _int("prob_buffer_row", Interval(1, None, False, False)),
    _cat("use_dask_gpu_training", _TRUE_FALSE),
)

#: Canonical name -> spec, for every hyperparameter the container accepts in algorithm mode.
HYPERPARAMETERS: Mapping[str, HyperparameterSpec] = MappingProxyType({s.name: s for s in _SPECS})

#: Alias -> canonical name (the container's ``declare_alias`` calls).
ALIASES: Mapping[str, str] = MappingProxyType(
    {
        "learning_rate": "eta",
        "min_split_loss": "gamma",
        "reg_lambda": "lambda",
        "reg_alpha": "alpha",
    }
)

#: Image tags (framework versions) of the built-in algorithm SageMaker currently supports.
SUPPORTED_VERSIONS: tuple[str, ...] = (
    "1.0-1",
    "1.2-1",
    "1.2-2",
    "1.3-1",
    "1.5-1",
    "1.7-1",
    "3.0-5",
)

# [registry/][path/]repository[:tag][@digest]; a registry host may carry a port ("host:5000/").
_IMAGE = re.compile(r"^(?:.+/)?(?P<repo>[^/:@]+)(?::(?P<tag>[^/:@]+))?(?:@(?P<digest>[^/@]+))?$")
_REPOSITORY = "sagemaker-xgboost"


def parse_image(image: str) -> str | None:
    """The image tag when ``image`` names the built-in XGBoost repository, else ``None``.

    Any registry, region or account is accepted (``<acct>.dkr.ecr.<region>.amazonaws.com``,
    ``.com.cn`` partitions, a private mirror). The tag is returned even when it is not in
    ``SUPPORTED_VERSIONS`` so the caller can name it in an error. Without a tag, an
    ``@<digest>`` reference returns the digest (e.g. ``"sha256:…"``, which cannot be mapped to
    a version), and a bare repository returns ``"latest"`` (Docker's implicit tag, which the
    SageMaker docs warn against).
    """
    match = _IMAGE.match(image.strip())
    if match is None or match["repo"] != _REPOSITORY:
        return None
    if match["tag"]:
        return match["tag"]
    if match["digest"]:
        return match["digest"]
    return "latest"


def metric_regex(metric_name: str) -> str:
    """The regex SageMaker registers for ``validation:<m>`` (``#011`` is a logged TAB)."""
    short = metric_name.split(":", 1)[1]
    return rf".*\[[0-9]+\].*#011validation-{short}:(\S+)"


def metric_definitions() -> list[dict[str, str]]:
    """The built-in algorithm's MetricDefinitions, as DescribeTrainingJob would echo them."""
    return [{"Name": name, "Regex": metric_regex(name)} for name in METRICS]

"""Evaluation metrics: which XGBoost computes natively and which the container computes itself.

As in the image (reference §8.4): the tuning objective (``_tuning_objective_metric``, e.g.
``validation:auc``) is added to ``eval_metric`` (union, sorted); accuracy, balanced_accuracy,
f1, f1_binary, f1_macro, mse, rmse, mae, precision(_macro/_micro), r2 and recall(_macro/_micro)
are computed by container code (passed to XGBoost as ``custom_metric``), the rest by XGBoost.

Class predictions for the classification metrics: the arg-max of a probability matrix
(``multi:softprob``), the predicted label (``multi:softmax``), ``margin > 0`` for
``binary:logitraw``, ``p > 0.5`` for the other ``binary:*`` objectives and ``reg:logistic``,
and the rounded prediction otherwise. ``f1`` is the macro average (it works for multi-class
data); ``f1_binary``, ``precision`` and ``recall`` use the binary average, so multi-class labels
fail with scikit-learn's "Target is multiclass but average='binary'" (a customer error in the
image). Instance weights are not applied to the container-computed metrics, as in the image.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn import metrics as skm

from localtune.runtime.xgb.spec import METRICS

__all__ = ["CUSTOM_METRICS", "EvalSetup", "eval_setup"]

Predictions = np.ndarray
MetricFn = Callable[[np.ndarray, np.ndarray], float]


def _classes(preds: Predictions, objective: str) -> np.ndarray:
    if preds.ndim == 2:
        return np.argmax(preds, axis=1)
    if objective == "binary:logitraw":
        return (preds > 0.0).astype(np.float64)
    if objective.startswith("binary:") or objective == "reg:logistic":
        return (preds > 0.5).astype(np.float64)
    return np.rint(preds)


def _classification(score: Callable[..., Any], **kwargs: Any) -> Callable[..., float]:
    def metric(labels: np.ndarray, preds: Predictions, objective: str) -> float:
        return float(score(labels, _classes(preds, objective), **kwargs))

    return metric


def _regression(score: Callable[[np.ndarray, np.ndarray], Any]) -> Callable[..., float]:
    def metric(labels: np.ndarray, preds: Predictions, objective: str) -> float:
        return float(score(labels, preds.reshape(len(labels), -1)[:, 0]))

    return metric


def _rmse(labels: np.ndarray, preds: np.ndarray) -> float:
    return float(np.sqrt(skm.mean_squared_error(labels, preds)))


CUSTOM_METRICS: dict[str, Callable[..., float]] = {
    "accuracy": _classification(skm.accuracy_score),
    "balanced_accuracy": _classification(skm.balanced_accuracy_score),
    "f1": _classification(skm.f1_score, average="macro", zero_division=0),
    "f1_binary": _classification(skm.f1_score, average="binary", zero_division=0),
    "f1_macro": _classification(skm.f1_score, average="macro", zero_division=0),
    "precision": _classification(skm.precision_score, average="binary", zero_division=0),
    "precision_macro": _classification(skm.precision_score, average="macro", zero_division=0),
    "precision_micro": _classification(skm.precision_score, average="micro", zero_division=0),
    "recall": _classification(skm.recall_score, average="binary", zero_division=0),
    "recall_macro": _classification(skm.recall_score, average="macro", zero_division=0),
    "recall_micro": _classification(skm.recall_score, average="micro", zero_division=0),
    "mse": _regression(skm.mean_squared_error),
    "rmse": _regression(_rmse),
    "mae": _regression(skm.mean_absolute_error),
    "r2": _regression(skm.r2_score),
}


@dataclass(frozen=True)
class EvalSetup:
    """What to pass to ``xgboost.train`` and what early stopping watches."""

    native: list[str]  # eval_metric for XGBoost (may be empty: XGBoost's default)
    custom: list[str]  # computed by ``custom_metric``
    objective_metric: str | None  # short name of the tuning objective, e.g. "auc"
    stopping_metric: str | None  # early stopping watches the objective, else the last eval_metric
    maximize: bool  # direction of the early-stopping metric

    def custom_metric(self, objective: str) -> Callable[[np.ndarray, Any], Any] | None:
        """An ``xgboost.train(custom_metric=...)`` function, or None when nothing is custom."""
        if not self.custom:
            return None
        names = list(self.custom)

        def evaluate(preds: np.ndarray, dmatrix: Any) -> list[tuple[str, float]]:
            labels = dmatrix.get_label()
            return [(n, CUSTOM_METRICS[n](labels, preds, objective)) for n in names]

        return evaluate


def eval_setup(tuning_objective: str | None, eval_metric: Sequence[str] | None) -> EvalSetup:
    """Combine ``_tuning_objective_metric`` and ``eval_metric`` as the container does."""
    objective_metric = tuning_objective.split(":")[1] if tuning_objective else None
    if objective_metric is not None and eval_metric:
        union = sorted({objective_metric, *eval_metric})
    elif objective_metric is not None:
        union = [objective_metric]
    else:
        union = list(dict.fromkeys(eval_metric or []))
    native = [m for m in union if m not in CUSTOM_METRICS]
    custom = [m for m in union if m in CUSTOM_METRICS]
    stopping = objective_metric or (union[-1] if union else None)
    return EvalSetup(native, custom, objective_metric, stopping, _maximize(stopping))


def _maximize(metric: str | None) -> bool:
    base = (metric or "").split("@")[0]
    return METRICS.get(f"validation:{base}") == "Maximize"

"""One ``xgboost.train`` call with the container's semantics (reference §8.3-§8.5).

Which XGBoost trains: the one installed next to localtune (``xgboost.__version__``; 3.x when this
was written), whatever the image tag of the request says. The tags pin older XGBoost releases
(``1.7-1`` ships XGBoost 1.7, ``3.0-5`` ships 3.0), so models, default metrics and some warnings
can differ from the image's: e.g. XGBoost >= 2 estimates ``base_score`` from the labels, removed
``gpu_hist``/``predictor``/``dsplit``/``lambda_bias``, and deprecated ``reg:linear``.

localtune's choices (UNKNOWN or machine-specific in the reference):
- ``nthread`` defaults to 1 (XGBoost's default is every core): the engine runs several jobs at
  once on a laptop, so each job takes one core unless the request sets ``nthread``.
- GPU settings (``tree_method=gpu_hist``, ``predictor=gpu_predictor``,
  ``use_dask_gpu_training=true``) train on the CPU (``hist``) with a warning on stderr.
- Parameters XGBoost 3 no longer knows (``dsplit``, ``predictor``, ``lambda_bias``,
  ``deterministic_histogram``, ``prob_buffer_row``) are accepted and not passed on.
- Labels outside [0, 1] for logistic objectives and outside [0, num_class) for ``multi:*`` are
  reported before training, with the image's wording, because XGBoost 3 reports the first as a
  ``base_score`` problem the user never set.
- Cross-validation mode (``_kfold``) is not implemented: it fails with a ClientError saying so.
- ``objective=survival:aft`` fails early with a ClientError: it needs label bounds that the
  image's data formats cannot carry (in SageMaker XGBoost fails on it during training).
- ``tweedie-nloglik`` is evaluated as XGBoost's ``tweedie-nloglik@<tweedie_variance_power>``
  and logged under the declared name, so ``validation:tweedie-nloglik`` can be tuned.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
import xgboost as xgb

from localtune.runtime.epochgate import EpochGate
from localtune.runtime.xgb.callbacks import (
    MODEL_FILE,
    CheckpointSaver,
    LogMonitor,
    ModelSaver,
    latest_checkpoint,
)
from localtune.runtime.xgb.data import Dataset
from localtune.runtime.xgb.errors import AlgorithmError, UserError
from localtune.runtime.xgb.hyperparameters import DEFAULT_OBJECTIVE
from localtune.runtime.xgb.metrics import EvalSetup, eval_setup

__all__ = ["CUSTOMER_ERRORS", "train"]

DEFAULT_NTHREAD = 1
_NOT_FOR_XGBOOST = frozenset(
    {
        "num_round", "early_stopping_rounds", "csv_weights", "save_model_on_termination",
        "_tuning_objective_metric", "_kfold", "_num_cv_round", "use_dask_gpu_training",
        "eval_metric", "dsplit", "predictor", "lambda_bias", "deterministic_histogram",
        "prob_buffer_row",
    }
)  # fmt: skip
_LOGISTIC = ("binary:logistic", "binary:logitraw", "reg:logistic")

# XGBoost / scikit-learn messages that mean the customer's data or settings are wrong: the
# image's list (constants/xgb_constants.py) plus the wording of the same checks in XGBoost 3.
CUSTOMER_ERRORS: tuple[str, ...] = (
    "label must be in [0,1] for logistic regression",
    "label must be in [0, num_class)",
    "Target is multiclass but average='binary'",
    "feature_names mismatch",
    "Check failed: preds.size() == info.labels_.size()",
    "AUC: the dataset only contains pos or neg samples",
    "base_score must be in (0,1)",
    "label must be nonnegative",
    "label must be non-negative",
    "Parameter reg_lambda should be greater equal to 0",
    "label must be discrete values in the range of [0, num_class)",
    "Unknown objective function",
    "Invalid Input:",
    "Number of columns does not match",
)


def _log(message: str) -> None:
    print(f"[localtune xgboost] {message}", file=sys.stderr, flush=True)


def xgboost_params(hps: Mapping[str, Any]) -> dict[str, Any]:
    """The hyperparameters XGBoost itself receives, translated for the installed version."""
    params: dict[str, Any] = {"nthread": DEFAULT_NTHREAD}
    for name, value in hps.items():
        if name in _NOT_FOR_XGBOOST:
            continue
        if name == "updater":
            value = ",".join(value)
        elif name == "monotone_constraints":
            value = "(" + ",".join(str(v) for v in value) + ")"
        elif name == "interaction_constraints":
            value = str([list(inner) for inner in value]).replace(" ", "")
        params[name] = value
    if params.get("tree_method") == "gpu_hist" or hps.get("use_dask_gpu_training") == "true":
        _log("no GPU in localtune: training with tree_method=hist on the CPU")
        params["tree_method"] = "hist"
    return params


def _check_labels(name: str, data: Dataset, hps: Mapping[str, Any]) -> None:
    objective = hps.get("objective", DEFAULT_OBJECTIVE)
    labels = data.labels
    bad = np.flatnonzero(~np.isfinite(labels))
    if bad.size:
        raise UserError(
            f"Label contains NaN or infinity: row {bad[0] + 1} of the {name} channel "
            f"({bad.size} row(s) in all); the label is the first column and must be a number"
        )
    low, high = float(labels.min()), float(labels.max())
    if objective in _LOGISTIC and (low < 0 or high > 1):
        raise UserError(
            f"label must be in [0,1] for logistic regression (objective {objective}); the "
            f"{name} channel has labels from {low:g} to {high:g}"
        )
    if objective.startswith("multi:") and "num_class" in hps:
        num_class = hps["num_class"]
        if low < 0 or high >= num_class or not np.all(np.equal(np.mod(labels, 1), 0)):
            raise UserError(
                f"label must be in [0, num_class) with integer values (num_class={num_class}); "
                f"the {name} channel has labels from {low:g} to {high:g}"
            )


def _dmatrices(
    train: Dataset, validation: Dataset | None, nthread: int
) -> tuple[xgb.DMatrix, xgb.DMatrix | None]:
    if validation is not None and train.num_col != validation.num_col:
        if sp.issparse(train.features) and sp.issparse(validation.features):
            width = max(train.num_col, validation.num_col)  # sparse: absent columns are missing
            train.features.resize((train.num_row, width))
            validation.features.resize((validation.num_row, width))
        else:
            raise UserError(
                f"feature_names mismatch: the train channel has {train.num_col} feature columns "
                f"and the validation channel has {validation.num_col}"
            )

    def build(data: Dataset) -> xgb.DMatrix:
        return xgb.DMatrix(
            data.features, label=data.labels, weight=data.weights, qid=data.qid, nthread=nthread
        )

    try:
        return build(train), None if validation is None else build(validation)
    except Exception as error:
        raise UserError(f"Failed to build the training data: {_clean(error)}") from None


def _clean(error: BaseException) -> str:
    """An XGBoost error message without its native stack trace."""
    return str(error).split("\nStack trace:", 1)[0].strip()


def train(
    hps: Mapping[str, Any],
    train_data: Dataset,
    validation_data: Dataset | None,
    *,
    model_dir: Path,
    checkpoint_dir: Path | None,
    extra_callbacks: list[xgb.callback.TrainingCallback] | None = None,
) -> xgb.Booster:
    """Train as the image does and return the booster (not yet saved)."""
    if "_kfold" in hps:
        raise UserError(
            "Cross-validation mode (_kfold) is not supported by localtune (a localtune "
            "limitation, not a SageMaker rule); remove _kfold and _num_cv_round."
        )
    if hps.get("objective") == "survival:aft":
        raise UserError(
            "objective survival:aft needs lower and upper label bounds, which the built-in "
            "algorithm's csv, libsvm and parquet input cannot carry (only one label column)"
        )
    for name, data in (("train", train_data), ("validation", validation_data)):
        if data is not None:
            _check_labels(name, data, hps)
    params = xgboost_params(hps)
    dtrain, dvalidation = _dmatrices(train_data, validation_data, int(params["nthread"]))
    setup = eval_setup(hps.get("_tuning_objective_metric"), hps.get("eval_metric"))
    renames = _parameterised_metrics(setup.native, hps)
    if setup.native:
        params["eval_metric"] = [renames.get(m, m) for m in setup.native]
    evals = [(dtrain, "train")] + ([(dvalidation, "validation")] if dvalidation else [])
    callbacks = _callbacks(hps, setup, renames, evals[-1][1], model_dir, checkpoint_dir)
    callbacks += list(extra_callbacks or [])
    start = _resume(checkpoint_dir)
    done = 0 if start is None else start.num_boosted_rounds()
    objective = str(hps.get("objective", DEFAULT_OBJECTIVE))
    _log(f"training with the installed XGBoost {xgb.__version__}")
    _log(f"train matrix has {dtrain.num_row()} rows and {dtrain.num_col()} columns")
    return _call_train(
        lambda: xgb.train(
            params,
            dtrain,
            num_boost_round=max(hps["num_round"] - done, 0),
            evals=evals,
            custom_metric=setup.custom_metric(objective),
            callbacks=callbacks,
            xgb_model=start,
            verbose_eval=False,
        )
    )


def _resume(checkpoint_dir: Path | None) -> xgb.Booster | None:
    """The booster of the newest checkpoint, to continue training from (as the image does)."""
    found = latest_checkpoint(checkpoint_dir)
    if found is None:
        return None
    booster = xgb.Booster()
    try:
        booster.load_model(bytearray(found[0].read_bytes()))
    except xgb.core.XGBoostError as error:
        raise UserError(f"Checkpoint {found[0].name} cannot be loaded: {_clean(error)}") from None
    _log(f"resuming from checkpoint {found[0].name} ({found[1]} rounds done)")
    return booster


def _parameterised_metrics(native: list[str], hps: Mapping[str, Any]) -> dict[str, str]:
    """Declared metric -> the name XGBoost needs. XGBoost only knows ``tweedie-nloglik@<rho>``;
    localtune evaluates the declared ``tweedie-nloglik`` at ``rho = tweedie_variance_power``
    (default 1.5) and logs it under the declared name, so the registered regex can match (the
    image passes the bare name to XGBoost, which rejects it)."""
    if "tweedie-nloglik" not in native:
        return {}
    rho = float(hps.get("tweedie_variance_power", 1.5))
    return {"tweedie-nloglik": f"tweedie-nloglik@{rho:g}"}


def _callbacks(
    hps: Mapping[str, Any],
    setup: EvalSetup,
    renames: Mapping[str, str],
    watched_data: str,
    model_dir: Path,
    checkpoint_dir: Path | None,
) -> list[xgb.callback.TrainingCallback]:
    # Saves come before the log line, so every round the log reports is in the saved model.
    callbacks: list[xgb.callback.TrainingCallback] = []
    if checkpoint_dir is not None:
        checkpoint_dir.mkdir(parents=True, exist_ok=True)
        callbacks.append(CheckpointSaver(checkpoint_dir))
    if hps.get("save_model_on_termination") == "true":
        callbacks.append(ModelSaver(model_dir))
    callbacks.append(
        LogMonitor(
            {xgb_name: name for name, xgb_name in renames.items()},
            gate=EpochGate.from_env(),
            objective=setup.objective_metric,
            model_path=model_dir / MODEL_FILE,
        )
    )
    if "early_stopping_rounds" in hps:
        callbacks.append(
            xgb.callback.EarlyStopping(
                rounds=hps["early_stopping_rounds"],
                metric_name=renames.get(setup.stopping_metric or "", setup.stopping_metric),
                data_name=watched_data,
                maximize=setup.maximize if setup.stopping_metric else None,
                save_best=True,
            )
        )
    return callbacks


def _call_train(run: Callable[[], xgb.Booster]) -> xgb.Booster:
    try:
        return run()
    except Exception as error:
        message = _clean(error)
        if any(pattern in message for pattern in CUSTOMER_ERRORS):
            raise UserError(message) from error
        raise AlgorithmError(f"XGB train call failed with exception:\n {message}") from error

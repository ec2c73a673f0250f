"""SageMaker SDK v2 through ``localtune.mock_sagemaker()``: ``HyperparameterTuner(...,
autotune=True)`` runs (the SDK moves the estimator's hyperparameters into AutoParameters), and
``tuner.identical_dataset_and_algorithm_tuner()`` — a child with the parent's ``max_jobs`` — runs
its ``max_jobs`` new training jobs. Real XGBoost training, no AWS account."""

from __future__ import annotations

from typing import Any

import pytest

from localtune.demo import DATA_PREFIX
from tests.engine.conftest import wait_done
from tests.sdk import xgboost_estimator

sagemaker = pytest.importorskip("sagemaker")
from sagemaker.inputs import TrainingInput  # noqa: E402
from sagemaker.tuner import ContinuousParameter, HyperparameterTuner  # noqa: E402


def _estimator(session: Any) -> Any:
    estimator = xgboost_estimator(
        session, num_round=5, objective="binary:logistic", eta=0.2, max_depth=3
    )
    return estimator


def _inputs() -> dict[str, Any]:
    return {
        channel: TrainingInput(f"{DATA_PREFIX}/{channel}/", content_type="text/csv")
        for channel in ("train", "validation")
    }


def _fit(tuner: Any, session: Any, name: str) -> None:
    """``tuner.fit()`` without the SDK's 5-second polling."""
    tuner.fit(_inputs(), job_name=name, wait=False)
    wait_done(session.sagemaker_client, name, timeout=120)


def _jobs(session: Any, name: str) -> list[dict[str, Any]]:
    client = session.sagemaker_client
    summaries = client.list_training_jobs_for_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=name
    )["TrainingJobSummaries"]
    return [client.describe_training_job(TrainingJobName=s["TrainingJobName"]) for s in summaries]


def test_sdk_autotune_tunes_the_estimators_hyperparameters(sdk_session: Any) -> None:
    tuner = HyperparameterTuner(
        _estimator(sdk_session),
        objective_metric_name="validation:auc",
        hyperparameter_ranges={},
        max_jobs=2,
        max_parallel_jobs=2,
        strategy="Random",
        autotune=True,
        hyperparameters_to_keep_static=["max_depth"],
    )
    _fit(tuner, sdk_session, "sdk-autotune")
    described = tuner.describe()
    assert described["HyperParameterTuningJobStatus"] == "Completed"
    assert described["Autotune"] == {"Mode": "Enabled"}
    sent = described["HyperParameterTuningJobConfig"]["ParameterRanges"]["AutoParameters"]
    assert {p["Name"] for p in sent} == {"num_round", "objective", "eta"}
    jobs = _jobs(sdk_session, "sdk-autotune")
    assert len(jobs) == 2
    for job in jobs:
        hps = job["HyperParameters"]
        assert 0.1 <= float(hps["eta"]) <= 0.5 and hps["eta"] != "0.2"  # tuned
        assert hps["max_depth"] == "3"  # kept static
        assert hps["num_round"] == "5" and hps["objective"] == "binary:logistic"
    assert tuner.best_training_job() in {j["TrainingJobName"] for j in jobs}


def test_sdk_identical_dataset_and_algorithm_tuner_runs_max_jobs(sdk_session: Any) -> None:
    tuner = HyperparameterTuner(
        _estimator(sdk_session),
        objective_metric_name="validation:auc",
        hyperparameter_ranges={"eta": ContinuousParameter(0.1, 0.5)},
        max_jobs=2,
        max_parallel_jobs=2,
        strategy="Random",
    )
    _fit(tuner, sdk_session, "sdk-parent")
    child = tuner.identical_dataset_and_algorithm_tuner()
    assert child.max_jobs == 2
    _fit(child, sdk_session, "sdk-child")
    described = child.describe()
    assert described["HyperParameterTuningJobStatus"] == "Completed"
    assert described["TrainingJobStatusCounters"]["Completed"] == 2
    assert len(_jobs(sdk_session, "sdk-child")) == 2
    assert "OverallBestTrainingJob" in described

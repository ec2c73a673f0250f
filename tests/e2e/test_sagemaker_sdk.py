"""The SageMaker Python SDK (v2) against localtune: Estimator + HyperparameterTuner, unchanged.

fit -> wait -> best_training_job -> analytics().dataframe() -> attach -> stop_tuning_job, with
real XGBoost training jobs, no AWS account and no network.
"""

from __future__ import annotations

import pytest

from localtune.demo import DATA_PREFIX
from tests.sdk import xgboost_estimator

sagemaker = pytest.importorskip("sagemaker")
from sagemaker.inputs import TrainingInput  # noqa: E402
from sagemaker.tuner import (  # noqa: E402
    ContinuousParameter,
    HyperparameterTuner,
    IntegerParameter,
)


def _tuner(session, max_jobs: int, name: str) -> HyperparameterTuner:
    estimator = xgboost_estimator(
        session, num_round=20, objective="binary:logistic", eval_metric="auc"
    )
    return HyperparameterTuner(
        estimator,
        objective_metric_name="validation:auc",
        hyperparameter_ranges={
            "eta": ContinuousParameter(0, 1),
            "alpha": ContinuousParameter(0, 2),
            "min_child_weight": ContinuousParameter(1, 10),
            "max_depth": IntegerParameter(1, 10),
        },
        objective_type="Maximize",
        max_jobs=max_jobs,
        max_parallel_jobs=3,
        strategy="Random",
        random_seed=7,
        base_tuning_job_name=name,
    )


def _inputs() -> dict[str, TrainingInput]:
    return {
        channel: TrainingInput(f"{DATA_PREFIX}/{channel}/", content_type="text/csv")
        for channel in ("train", "validation")
    }


def test_tuner_fit_wait_best_analytics_attach(sdk_session):
    tuner = _tuner(sdk_session, max_jobs=4, name="sdk")
    tuner.fit(_inputs(), wait=True)
    best = tuner.best_training_job()
    description = tuner.describe()
    assert description["HyperParameterTuningJobStatus"] == "Completed"
    assert description["TrainingJobStatusCounters"]["Completed"] == 4
    assert best == description["BestTrainingJob"]["TrainingJobName"]

    frame = tuner.analytics().dataframe()
    assert len(frame) == 4
    assert {"eta", "alpha", "min_child_weight", "max_depth", "FinalObjectiveValue"} <= set(frame)
    assert frame.loc[frame["FinalObjectiveValue"].idxmax(), "TrainingJobName"] == best

    attached = HyperparameterTuner.attach(
        tuner.latest_tuning_job.name, sagemaker_session=sdk_session
    )
    assert attached.objective_metric_name == "validation:auc"
    ranges = attached.hyperparameter_ranges()
    assert [r["Name"] for r in ranges["IntegerParameterRanges"]] == ["max_depth"]
    assert {r["Name"] for r in ranges["ContinuousParameterRanges"]} == {
        "eta",
        "alpha",
        "min_child_weight",
    }
    assert attached.best_training_job() == best


def test_stop_tuning_job_through_the_sdk(sdk_session):
    tuner = _tuner(sdk_session, max_jobs=30, name="sdk-stop")
    tuner.fit(_inputs(), wait=False)
    tuner.stop_tuning_job()
    tuner.wait()  # Stopped only warns in the SDK
    status = tuner.describe()["HyperParameterTuningJobStatus"]
    assert status == "Stopped"

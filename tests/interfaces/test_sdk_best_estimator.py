"""SageMaker SDK v2: ``tuner.best_estimator()`` attaches an Estimator to the best training job,
which reads the job's tags with ListTags (``EstimatorBase._attach``). The tuning job's tags
reach the estimator. Real XGBoost training, no AWS account."""

from __future__ import annotations

import boto3
import pytest

import localtune
from localtune.demo import DATA_PREFIX
from tests.sdk import xgboost_estimator

sagemaker = pytest.importorskip("sagemaker")
from sagemaker.inputs import TrainingInput  # noqa: E402
from sagemaker.tuner import ContinuousParameter, HyperparameterTuner  # noqa: E402


def test_best_estimator_carries_the_tuning_jobs_tags(sdk_session):
    estimator = xgboost_estimator(sdk_session, num_round=5, objective="binary:logistic")
    tuner = HyperparameterTuner(
        estimator,
        objective_metric_name="validation:auc",
        hyperparameter_ranges={"eta": ContinuousParameter(0.1, 0.5)},
        max_jobs=2,
        max_parallel_jobs=2,
        strategy="Random",
        base_tuning_job_name="best-est",
        tags=[{"Key": "team", "Value": "ml"}],
    )
    inputs = {
        channel: TrainingInput(f"{DATA_PREFIX}/{channel}/", content_type="text/csv")
        for channel in ("train", "validation")
    }
    tuner.fit(inputs, wait=True)
    best = tuner.best_estimator()
    assert best.latest_training_job.name == tuner.best_training_job()
    assert {"Key": "team", "Value": "ml"} in best.tags


def test_tuner_attach_to_a_job_created_with_boto3(tmp_path, monkeypatch):
    """A request with only continuous ranges, no MaxRuntimeInSeconds and no VolumeSizeInGB:
    ``HyperparameterTuner.attach()`` reads all three range lists and those members from the
    description without defaults, as SageMaker always fills them."""
    import sys

    from localtune import images
    from tests.engine.conftest import IMAGE as TEST_IMAGE
    from tests.engine.conftest import SCRIPT, request, wait_done

    monkeypatch.setenv("SAGEMAKER_SUPPRESS_V2_WARNING", "1")
    images.register(TEST_IMAGE, [sys.executable, str(SCRIPT)], home=tmp_path)
    with localtune.mock_sagemaker(home=tmp_path):
        boto_session = boto3.Session(
            region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
        )
        session = sagemaker.Session(boto_session=boto_session, default_bucket="bucket")
        req = request("attach-me", jobs=2, parallel=2)
        definition = req["TrainingJobDefinition"]
        definition["StoppingCondition"] = {}
        del definition["ResourceConfig"]
        definition["HyperParameterTuningResourceConfig"] = {
            "InstanceType": "ml.m5.large",
            "InstanceCount": 1,
        }
        session.sagemaker_client.create_hyper_parameter_tuning_job(**req)
        wait_done(session.sagemaker_client, "attach-me")
        tuner = HyperparameterTuner.attach("attach-me", sagemaker_session=session)
        assert set(tuner.hyperparameter_ranges()) == {
            "ContinuousParameterRanges",
            "IntegerParameterRanges",
            "CategoricalParameterRanges",
        }
        assert tuner.estimator.max_run == 86400
        best = tuner.best_estimator()
        assert best.latest_training_job.name == tuner.best_training_job()

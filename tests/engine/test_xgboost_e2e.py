"""End to end through ``localtune.client()``: the seed example request with the built-in XGBoost
image on breast_cancer in the local S3 — real training jobs, real models."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path
from typing import Any

import pytest

from localtune.demo import write_breast_cancer
from localtune.runtime.s3 import LocalS3
from tests.engine.conftest import training_jobs, wait_done
from tests.helpers import seed_request


@pytest.mark.slow
def test_seed_example_with_builtin_xgboost(sm: Any, home: Path) -> None:
    write_breast_cancer(home)
    request = seed_request("xgb-e2e", Strategy="Random")
    config = request["HyperParameterTuningJobConfig"]
    config["ResourceLimits"] = {"MaxNumberOfTrainingJobs": 4, "MaxParallelTrainingJobs": 2}
    request["TrainingJobDefinition"]["StaticHyperParameters"]["num_round"] = "20"
    sm.create_hyper_parameter_tuning_job(**request)
    d = wait_done(sm, "xgb-e2e", 120)
    assert d["HyperParameterTuningJobStatus"] == "Completed", d.get("FailureReason")
    assert d["TrainingJobStatusCounters"]["Completed"] == 4
    jobs = training_jobs(sm, "xgb-e2e")
    auc = {
        j["TrainingJobName"]: next(
            m["Value"] for m in j["FinalMetricDataList"] if m["MetricName"] == "validation:auc"
        )
        for j in jobs
    }
    best = max(auc, key=lambda name: auc[name])
    assert d["BestTrainingJob"]["TrainingJobName"] == best
    assert d["BestTrainingJob"]["FinalHyperParameterTuningJobObjectiveMetric"] == {
        "Type": "Maximize",
        "MetricName": "validation:auc",
        "Value": auc[best],
    }
    assert 0.9 < auc[best] <= 1.0
    job = next(j for j in jobs if j["TrainingJobName"] == best)
    assert job["HyperParameters"]["_tuning_objective_metric"] == "validation:auc"
    assert job["HyperParameters"]["num_round"] == "20"
    assert {"eta", "alpha", "min_child_weight", "max_depth"} <= set(job["HyperParameters"])
    # the model was trained and uploaded as SageMaker does
    archive = LocalS3.from_home(home).path(job["ModelArtifacts"]["S3ModelArtifacts"])
    with tarfile.open(archive) as tar:
        assert "xgboost-model" in tar.getnames()
    # the built-in metric regexes matched the tab-separated XGBoost log (CloudWatch's #011)
    log = (home / "jobs" / best / "training.log").read_text()
    assert "\tvalidation-auc:" in log
    config_file = home / "jobs" / best / "input" / "config" / "hyperparameters.json"
    assert json.loads(config_file.read_text()) == job["HyperParameters"]

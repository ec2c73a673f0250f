"""End-to-end findings of the runtime conformance audit, with real built-in XGBoost jobs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import localtune
from localtune.demo import write_breast_cancer
from localtune.interfaces import services
from tests.helpers import small_seed_request, wait_for_status


@pytest.fixture
def home(tmp_path: Path):
    yield tmp_path
    services.close_service(tmp_path)


def test_objective_is_read_when_another_validation_metric_follows_it(home: Path) -> None:
    # eval_metric=logloss, objective validation:auc: every round prints
    # "…\tvalidation-auc:v\tvalidation-logloss:w" and SageMaker's registered regex for
    # validation:auc ends in (\S+) — the objective must still be read (reference §8.4).
    write_breast_cancer(home)
    sm = localtune.client(home=home)
    request = small_seed_request("multi-metric", jobs=1, parallel=1, rounds=3)
    request["TrainingJobDefinition"]["StaticHyperParameters"]["eval_metric"] = "logloss"
    sm.create_hyper_parameter_tuning_job(**request)
    described = wait_for_status(sm, "multi-metric", timeout=120)
    assert described["ObjectiveStatusCounters"] == {"Succeeded": 1, "Pending": 0, "Failed": 0}
    best: dict[str, Any] = described["BestTrainingJob"]
    job = sm.describe_training_job(TrainingJobName=best["TrainingJobName"])
    finals = {m["MetricName"]: m["Value"] for m in job["FinalMetricDataList"]}
    assert set(finals) == {"validation:auc", "validation:logloss"}
    assert 0.5 < finals["validation:auc"] <= 1.0
    assert best["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] == finals["validation:auc"]

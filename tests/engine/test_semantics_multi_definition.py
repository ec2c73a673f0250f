"""TrainingJobDefinitions: two XGBoost configurations tuned in one job, each with its own ranges,
static hyperparameters and objective; jobs carry TrainingJobDefinitionName and alternate between
the definitions; early stopping and warm start are refused for such jobs (V12)."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest

from localtune import demo
from tests.engine._semantics import run, xgb_request
from tests.engine.conftest import training_jobs


def _definitions_request(name: str, jobs: int = 4) -> dict[str, Any]:
    request = xgb_request(name, jobs=jobs, parallel=2, num_round=10)
    config = request["HyperParameterTuningJobConfig"]
    base = request.pop("TrainingJobDefinition")
    del config["HyperParameterTuningJobObjective"], config["ParameterRanges"]
    eta = {"Name": "eta", "MinValue": "0.05", "MaxValue": "0.5"}
    shallow, deep = copy.deepcopy(base), copy.deepcopy(base)
    shallow.update(
        DefinitionName="shallow",
        TuningObjective={"Type": "Maximize", "MetricName": "validation:auc"},
        HyperParameterRanges={
            "ContinuousParameterRanges": [eta],
            "IntegerParameterRanges": [{"Name": "max_depth", "MinValue": "1", "MaxValue": "2"}],
        },
    )
    shallow["StaticHyperParameters"].update(num_round="8", eval_metric="auc")
    deep.update(
        DefinitionName="deep",
        TuningObjective={"Type": "Maximize", "MetricName": "validation:aucpr"},
        HyperParameterRanges={
            "ContinuousParameterRanges": [eta],
            "IntegerParameterRanges": [{"Name": "max_depth", "MinValue": "5", "MaxValue": "8"}],
        },
    )
    deep["StaticHyperParameters"].update(num_round="12", eval_metric="aucpr")
    request["TrainingJobDefinitions"] = [shallow, deep]
    return request


def test_two_definitions_run_to_completed_with_jobs_of_both(sm: Any, home: Path) -> None:
    demo.write_breast_cancer(home)
    d = run(sm, _definitions_request("multi"))
    assert d["HyperParameterTuningJobStatus"] == "Completed"
    assert d["TrainingJobStatusCounters"]["Completed"] == 4
    assert [x["DefinitionName"] for x in d["TrainingJobDefinitions"]] == ["shallow", "deep"]
    summaries = sm.list_training_jobs_for_hyper_parameter_tuning_job(
        HyperParameterTuningJobName="multi"
    )["TrainingJobSummaries"]
    definition_of = {s["TrainingJobName"]: s["TrainingJobDefinitionName"] for s in summaries}
    jobs = sorted(training_jobs(sm, "multi"), key=lambda j: j["TrainingJobName"])
    # one launch counter for the whole tuning job; definitions take turns (round-robin)
    for number, job in enumerate(jobs, start=1):
        assert re.fullmatch(rf"multi-{number:03d}-[0-9a-f]{{8}}", job["TrainingJobName"])
    assert [definition_of[j["TrainingJobName"]] for j in jobs] == [
        "shallow",
        "deep",
        "shallow",
        "deep",
    ]
    expected = {
        "shallow": ("validation:auc", "8", (1, 2)),
        "deep": ("validation:aucpr", "12", (5, 8)),
    }
    for job in jobs:
        metric, num_round, (low, high) = expected[definition_of[job["TrainingJobName"]]]
        hps = job["HyperParameters"]
        assert hps["_tuning_objective_metric"] == metric
        assert hps["num_round"] == num_round
        assert low <= int(hps["max_depth"]) <= high
        final = {m["MetricName"]: m["Value"] for m in job["FinalMetricDataList"]}
        summary = next(s for s in summaries if s["TrainingJobName"] == job["TrainingJobName"])
        objective = summary["FinalHyperParameterTuningJobObjectiveMetric"]
        assert objective["MetricName"] == metric
        assert objective["Value"] == final[metric]
    best = d["BestTrainingJob"]
    assert best["TrainingJobDefinitionName"] == definition_of[best["TrainingJobName"]]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"TrainingJobEarlyStoppingType": "Auto"},
            "The value 'Auto' of HyperParameterTuningJobConfig.TrainingJobEarlyStoppingType",
        ),
        (None, "WarmStartConfig is not supported for a tuning job with TrainingJobDefinitions"),
    ],
)
def test_single_algorithm_features_are_refused(
    sm: Any, change: dict[str, Any] | None, expected: str
) -> None:
    request = _definitions_request("multi-bad")
    if change is None:
        request["WarmStartConfig"] = {
            "ParentHyperParameterTuningJobs": [{"HyperParameterTuningJobName": "any"}],
            "WarmStartType": "TransferLearning",
        }
    else:
        request["HyperParameterTuningJobConfig"].update(change)
    with pytest.raises(sm.exceptions.ClientError) as caught:
        sm.create_hyper_parameter_tuning_job(**request)
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert expected in caught.value.response["Error"]["Message"]

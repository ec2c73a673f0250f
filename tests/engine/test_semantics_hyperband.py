"""Hyperband on real jobs: rung decisions stop jobs between MinResource and MaxResource (Stopped,
counted), a job reaching MaxResource is stopped when it would train on, and MaxResource is
inferred from an ``epochs`` static hyperparameter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from localtune import demo
from localtune.engine import hyperband
from tests.engine._semantics import jobs_of, objective, objective_points, rounds, run, xgb_request
from tests.engine.conftest import request as script_request
from tests.engine.conftest import training_jobs, wait_done

XGB_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"


def _hyperband(name: str, *, jobs: int, num_round: int, low: int, high: int) -> dict[str, Any]:
    request = xgb_request(name, strategy="Hyperband", jobs=jobs, num_round=num_round, seed=11)
    request["HyperParameterTuningJobConfig"]["StrategyConfig"] = {
        "HyperbandStrategyConfig": {"MinResource": low, "MaxResource": high}
    }
    return request


# -- resources --------------------------------------------------------------------------------
def test_max_resource_is_given_or_inferred_from_an_epochs_key() -> None:
    config = {"Strategy": "Hyperband"}
    assert hyperband.options(config, {"StaticHyperParameters": {"n_epochs": "30"}}) == {
        "max_resource": 30
    }
    given = {
        "Strategy": "Hyperband",
        "StrategyConfig": {"HyperbandStrategyConfig": {"MinResource": 2, "MaxResource": 9}},
    }
    assert hyperband.options(given, {"StaticHyperParameters": {"epochs": "30"}}) == {
        "min_resource": 2,
        "max_resource": 9,
    }
    assert hyperband.max_resource(config, {"StaticHyperParameters": {"num_round": "50"}}) is None
    assert hyperband.options({"Strategy": "Bayesian"}, {}) == {}


def test_a_job_is_stopped_at_max_resource_only_when_it_would_train_on() -> None:
    class Strategy:
        max_resource = 20

    xgb = {"AlgorithmSpecification": {"TrainingImage": XGB_IMAGE}}
    assert not hyperband.reached_max_resource(Strategy(), xgb, {"num_round": "100"}, 19)
    assert hyperband.reached_max_resource(Strategy(), xgb, {"num_round": "100"}, 20)
    assert not hyperband.reached_max_resource(Strategy(), xgb, {"num_round": "20"}, 20)
    custom = {"AlgorithmSpecification": {"TrainingImage": "me/custom:1"}}
    assert hyperband.reached_max_resource(Strategy(), custom, {"num_round": "20"}, 20)
    assert not hyperband.reached_max_resource(Strategy(), custom, {"epochs": "20"}, 20)
    assert not hyperband.reached_max_resource(object(), xgb, {}, 10_000)


# -- real XGBoost jobs ------------------------------------------------------------------------
def test_hyperband_runs_to_completed_with_stopped_jobs_counted(sm: Any, home: Path) -> None:
    demo.write_breast_cancer(home)
    # A boosting round here takes about a millisecond and a stop lands some tens of rounds after
    # its decision, so MaxResource is large enough for a rung stop to land well before it.
    d = run(sm, _hyperband("hb", jobs=8, num_round=486, low=2, high=486))
    assert d["HyperParameterTuningJobStatus"] == "Completed"
    assert d["HyperParameterTuningJobConfig"]["TrainingJobEarlyStoppingType"] == "Off"
    jobs = jobs_of(sm, "hb")
    assert len(jobs) == 8
    stopped = [j for j in jobs if j["TrainingJobStatus"] == "Stopped"]
    completed = [j for j in jobs if j["TrainingJobStatus"] == "Completed"]
    counters = d["TrainingJobStatusCounters"]
    assert counters["Stopped"] == len(stopped) >= 1
    assert counters["Completed"] == len(completed) >= 1
    assert counters["Completed"] + counters["Stopped"] == 8
    assert d["ObjectiveStatusCounters"] == {"Succeeded": 8, "Pending": 0, "Failed": 0}
    for job in completed:  # num_round == MaxResource: a promoted job ends by itself
        assert rounds(home, job["TrainingJobName"]) == 486
    trained = [rounds(home, j["TrainingJobName"]) for j in stopped]
    assert min(trained) < 486  # stopped at a rung, before MaxResource
    for job in stopped:
        assert job["SecondaryStatus"] == "Stopped"
        assert objective(job) == objective_points(home, job["TrainingJobName"])[-1]
    best = d["BestTrainingJob"]["FinalHyperParameterTuningJobObjectiveMetric"]["Value"]
    assert best == max(v for v in (objective(j) for j in jobs) if v is not None)


def test_jobs_longer_than_max_resource_are_stopped_there(sm: Any, home: Path) -> None:
    demo.write_breast_cancer(home)
    d = run(sm, _hyperband("hbmax", jobs=2, num_round=400, low=15, high=15))
    assert d["HyperParameterTuningJobStatus"] == "Completed"
    assert d["TrainingJobStatusCounters"]["Stopped"] == 2
    for job in jobs_of(sm, "hbmax"):
        assert job["TrainingJobStatus"] == "Stopped"
        assert 15 <= rounds(home, job["TrainingJobName"]) < 400


# -- MaxResource inferred from the epochs static hyperparameter (a custom image) --------------
def test_max_resource_inferred_from_epochs_drives_the_rungs(sm: Any, home: Path) -> None:
    request = script_request(
        "hbepochs", jobs=6, parallel=2, strategy="Hyperband", static={"epochs": "9", "sleep": "1.8"}
    )
    request["HyperParameterTuningJobConfig"]["StrategyConfig"] = {
        "HyperbandStrategyConfig": {"MinResource": 1}
    }
    sm.create_hyper_parameter_tuning_job(**request)
    d = wait_done(sm, "hbepochs", 60)
    assert d["HyperParameterTuningJobStatus"] == "Completed"
    jobs = training_jobs(sm, "hbepochs")
    stopped = [j for j in jobs if j["TrainingJobStatus"] == "Stopped"]
    assert d["TrainingJobStatusCounters"]["Stopped"] == len(stopped) >= 1
    assert d["TrainingJobStatusCounters"]["Completed"] == len(jobs) - len(stopped)
    for job in jobs:
        epochs = rounds(home, job["TrainingJobName"], "loss")
        if job["TrainingJobStatus"] == "Completed":
            assert epochs == 9  # MaxResource = epochs = 9: a promoted job runs to its end
        else:  # rungs at 1, 3 and 9 epochs (eta 3): stopped at 1 or 3, before the 9th
            assert 1 <= epochs < 9


def test_xgboost_hyperband_needs_max_resource(sm: Any) -> None:
    """num_round is not one of the keys MaxResource is inferred from (as on SageMaker)."""
    request = xgb_request("hbnomax", strategy="Hyperband")
    with pytest.raises(sm.exceptions.ClientError) as caught:
        sm.create_hyper_parameter_tuning_job(**request)
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    message = caught.value.response["Error"]["Message"]
    assert "HyperbandStrategyConfig.MaxResource is required for the Hyperband strategy" in message

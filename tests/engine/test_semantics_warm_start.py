"""Warm start on real XGBoost tuning jobs: the child's strategy starts from its parents'
evaluations, the child launches its own MaxNumberOfTrainingJobs (V67: the parents' jobs count
against the maximum of a tuning job, checked at create time), OverallBestTrainingJob for
IdenticalDataAndAlgorithm, TransferLearning with changed ranges, and invalid warm starts refused."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import localtune
from localtune import demo
from localtune.engine import warm_start
from localtune.interfaces import services
from tests.engine._semantics import jobs_of, objective, run, xgb_request

PARENT_JOBS = 6


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Path]]:
    """One home for the module (the parent runs once): a client and the home."""
    home = tmp_path_factory.mktemp("warm")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LOCALTUNE_STOP_GRACE_SECONDS", "1")
        demo.write_breast_cancer(home)
        yield localtune.client(home=home), home
        services.close_service(home)


@pytest.fixture(scope="module")
def parent(world: tuple[Any, Path]) -> dict[str, Any]:
    """A finished Random parent of 6 jobs (20 rounds each)."""
    d = run(world[0], xgb_request("parent", jobs=PARENT_JOBS, num_round=20))
    assert d["HyperParameterTuningJobStatus"] == "Completed"
    return d


@pytest.fixture
def sm(world: tuple[Any, Path], parent: dict[str, Any]) -> Any:
    return world[0]


@pytest.fixture
def home(world: tuple[Any, Path]) -> Path:
    return world[1]


def _bayesian(name: str, jobs: int, parents: list[str] | None, kind: str) -> dict[str, Any]:
    request = xgb_request(name, strategy="Bayesian", jobs=jobs, parallel=1, num_round=20, seed=5)
    if parents is not None:
        request["WarmStartConfig"] = {
            "ParentHyperParameterTuningJobs": [{"HyperParameterTuningJobName": p} for p in parents],
            "WarmStartType": kind,
        }
    return request


def _tuned(jobs: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [
        {k: v for k, v in j["HyperParameters"].items() if k in ("eta", "max_depth")} for j in jobs
    ]


def _values(jobs: list[dict[str, Any]]) -> list[float]:
    return [v for v in (objective(j) for j in jobs) if v is not None]


def _best(jobs: list[dict[str, Any]]) -> float:
    return max(_values(jobs))


def test_identical_data_and_algorithm_starts_from_the_parents(
    sm: Any, home: Path, parent: dict[str, Any]
) -> None:
    child_request = _bayesian("child", 3, ["parent"], "IdenticalDataAndAlgorithm")
    child = run(sm, child_request)
    cold = run(sm, _bayesian("cold", 3, None, "IdenticalDataAndAlgorithm"))
    assert child["HyperParameterTuningJobStatus"] == "Completed"
    assert child["WarmStartConfig"]["WarmStartType"] == "IdenticalDataAndAlgorithm"
    child_jobs, cold_jobs, parent_jobs = (
        jobs_of(sm, "child"),
        jobs_of(sm, "cold"),
        jobs_of(sm, "parent"),
    )
    # V67: the child launches its own MaxNumberOfTrainingJobs (3), whatever its parent ran
    assert [j["TrainingJobName"][:10] for j in child_jobs] == [
        "child-001-",
        "child-002-",
        "child-003-",
    ]
    # the parent's evaluations were known before the first suggestion: it differs from a cold
    # start with the same seed, and the child's first jobs are at least as good
    store = services.get_service(home).store
    seeded = warm_start.observations(child_request, store.list_training_jobs("parent"))
    assert len(seeded) == PARENT_JOBS
    assert _tuned(child_jobs)[0] != _tuned(cold_jobs)[0]
    assert _best(child_jobs) >= _best(cold_jobs)
    # OverallBestTrainingJob: the best over the child and its parent, with its own tuning job
    overall = child["OverallBestTrainingJob"]
    everyone = [(objective(j), j["TrainingJobName"]) for j in child_jobs + parent_jobs]
    best_value = max(v for v, _ in everyone if v is not None)
    assert overall["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] == best_value
    owner = "child" if overall["TrainingJobName"].startswith("child-") else "parent"
    assert overall["TuningJobName"] == owner
    assert child["BestTrainingJob"]["TrainingJobName"].startswith("child-")
    assert "OverallBestTrainingJob" not in cold


def test_transfer_learning_with_changed_ranges(sm: Any, home: Path, parent: dict[str, Any]) -> None:
    request = _bayesian("transfer", 2, ["parent"], "TransferLearning")
    config = request["HyperParameterTuningJobConfig"]
    # eta narrowed (parent jobs outside are dropped, not clipped); num_round static -> tuned
    config["ParameterRanges"]["ContinuousParameterRanges"][0]["MinValue"] = "0.01"
    config["ParameterRanges"]["IntegerParameterRanges"].append(
        {"Name": "num_round", "MinValue": "10", "MaxValue": "30"}
    )
    del request["TrainingJobDefinition"]["StaticHyperParameters"]["num_round"]
    d = run(sm, request)
    assert d["HyperParameterTuningJobStatus"] == "Completed"
    assert len(jobs_of(sm, "transfer")) == 2
    assert "OverallBestTrainingJob" not in d  # only for IdenticalDataAndAlgorithm

    parent_jobs = jobs_of(sm, "parent")
    inside = [j for j in parent_jobs if float(j["HyperParameters"]["eta"]) >= 0.01]
    assert 0 < len(inside) < PARENT_JOBS  # the narrowing does drop some (seed 3)
    store = services.get_service(home).store
    seeded = warm_start.observations(request, store.list_training_jobs("parent"))
    assert sorted(v for _, v in seeded) == sorted(_values(inside))
    for tuned, _ in seeded:
        assert tuned["num_round"] == "20"  # the parent's static value
        assert set(tuned) == {"eta", "max_depth", "num_round"}


def test_a_child_with_its_parents_max_jobs_runs_them_all(sm: Any, parent: dict[str, Any]) -> None:
    """The SDK's ``tuner.identical_dataset_and_algorithm_tuner()`` keeps ``max_jobs``: the child
    asks for as many jobs as its parent ran, and runs them (warm start is the documented way to
    run more training jobs in total; the parents' jobs count against the 750 maximum, V67)."""
    d = run(sm, _bayesian("again", PARENT_JOBS, ["parent"], "IdenticalDataAndAlgorithm"))
    assert d["HyperParameterTuningJobStatus"] == "Completed"
    assert d["TrainingJobStatusCounters"]["Completed"] == PARENT_JOBS
    assert d["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxNumberOfTrainingJobs"] == (
        PARENT_JOBS
    )
    assert [j["TrainingJobName"][:10] for j in jobs_of(sm, "again")] == [
        f"again-{i:03d}-" for i in range(1, PARENT_JOBS + 1)
    ]
    assert d["BestTrainingJob"]["TrainingJobName"].startswith("again-")
    overall = d["OverallBestTrainingJob"]["FinalHyperParameterTuningJobObjectiveMetric"]["Value"]
    best = d["BestTrainingJob"]["FinalHyperParameterTuningJobObjectiveMetric"]["Value"]
    parent_best = parent["BestTrainingJob"]["FinalHyperParameterTuningJobObjectiveMetric"]["Value"]
    assert overall == max(best, parent_best)


def _refused(sm: Any, request: dict[str, Any]) -> str:
    with pytest.raises(sm.exceptions.ClientError) as caught:
        sm.create_hyper_parameter_tuning_job(**request)
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    return str(caught.value.response["Error"]["Message"])


def test_invalid_warm_starts_are_refused(sm: Any, parent: dict[str, Any]) -> None:
    base = _bayesian("bad", PARENT_JOBS + 2, ["parent"], "IdenticalDataAndAlgorithm")
    cases: list[tuple[str, dict[str, Any]]] = []

    def case(expected: str) -> dict[str, Any]:
        request = copy.deepcopy(base)
        cases.append((expected, request))
        return request

    case(
        "'nope' of WarmStartConfig.ParentHyperParameterTuningJobs[0].HyperParameterTuningJobName"
        " does not exist"
    ).update(
        WarmStartConfig={
            "ParentHyperParameterTuningJobs": [{"HyperParameterTuningJobName": "nope"}],
            "WarmStartType": "TransferLearning",
        }
    )
    case("is listed more than once")["WarmStartConfig"]["ParentHyperParameterTuningJobs"] *= 2
    case("ParentHyperParameterTuningJobs")["WarmStartConfig"]["ParentHyperParameterTuningJobs"] = [
        {"HyperParameterTuningJobName": "parent"}
    ] * 6
    case("must optimize the same objective metric")["HyperParameterTuningJobConfig"][
        "HyperParameterTuningJobObjective"
    ] = {"Type": "Minimize", "MetricName": "validation:logloss"}
    case("is not the same across current and parent tuning jobs")["TrainingJobDefinition"][
        "StaticHyperParameters"
    ]["gamma"] = "0"
    changed = case("cannot change the type of a hyperparameter")["HyperParameterTuningJobConfig"]
    changed["ParameterRanges"]["IntegerParameterRanges"] = []
    changed["ParameterRanges"]["CategoricalParameterRanges"] = [
        {"Name": "max_depth", "Values": ["2", "4"]}
    ]
    case("needs the same algorithm as its parents")["TrainingJobDefinition"][
        "AlgorithmSpecification"
    ]["TrainingImage"] = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.5-1"
    case("needs the same input data as its parents")["TrainingJobDefinition"]["InputDataConfig"][0][
        "DataSource"
    ]["S3DataSource"]["S3Uri"] = "s3://localtune-demo/breast-cancer/validation/"
    for expected, request in cases:
        assert expected in _refused(sm, request), expected
    # V60: a parent still running cannot be used
    sm.create_hyper_parameter_tuning_job(**xgb_request("busy", jobs=1, num_round=100_000))
    running = copy.deepcopy(base)
    running["WarmStartConfig"]["ParentHyperParameterTuningJobs"] = [
        {"HyperParameterTuningJobName": "busy"}
    ]
    assert "'busy' of WarmStartConfig.ParentHyperParameterTuningJobs[0]." in (
        message := _refused(sm, running)
    )
    assert "has status 'InProgress'" in message
    sm.stop_hyper_parameter_tuning_job(HyperParameterTuningJobName="busy")
    # a TransferLearning child may change the image and the data (V66 is for Identical… only)
    transfer = copy.deepcopy(cases[-1][1])
    transfer["WarmStartConfig"]["WarmStartType"] = "TransferLearning"
    transfer["HyperParameterTuningJobName"] = "fine"
    transfer["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxNumberOfTrainingJobs"] = 1
    sm.create_hyper_parameter_tuning_job(**transfer)  # accepted


def test_parent_values_outside_the_child_ranges_are_dropped_not_clipped() -> None:
    request = xgb_request("unit")
    ranges = request["HyperParameterTuningJobConfig"]["ParameterRanges"]
    ranges["CategoricalParameterRanges"] = [{"Name": "booster", "Values": ["gbtree", "dart"]}]

    def job(value: float | None, **hps: str) -> dict[str, Any]:
        return {
            "objective_status": "Failed" if value is None else "Succeeded",
            "objective_value": value,
            "hyperparameters": {"eta": "0.1", "max_depth": "3", "booster": "dart", **hps},
        }

    parents = [
        job(0.9),  # kept
        job(0.8, eta="0.9"),  # above MaxValue 0.5
        job(0.8, max_depth="2.5"),  # not an integer
        job(0.8, booster="gblinear"),  # not among the Values
        job(0.8, eta="fast"),  # not a number
        job(None),  # failed: not used
        {**job(0.7), "hyperparameters": {"eta": "0.2", "booster": "gbtree"}},  # max_depth missing
        job(0.95, max_depth="6", eta="0.5"),  # on the bounds: kept
    ]
    assert warm_start.observations(request, parents) == [
        ({"eta": "0.1", "max_depth": "3", "booster": "dart"}, 0.9),
        ({"eta": "0.5", "max_depth": "6", "booster": "dart"}, 0.95),
    ]
    assert warm_start.parent_names(request) == []

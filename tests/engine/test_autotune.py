"""Autotune runs (reference §3.2): AutoParameters become ranges or stay static at their hint,
explicit ranges and static values win, an omitted objective or budget is chosen, and a job with
nothing to tune is refused at create time. Real XGBoost and real processes."""

from __future__ import annotations

import copy
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import localtune
from localtune import demo, images
from localtune.engine import autotune
from localtune.engine.definitions import AUTOTUNE_MAX_JOBS
from localtune.interfaces import services
from tests.engine._semantics import jobs_of, run, xgb_request
from tests.engine.conftest import IMAGE, SCRIPT
from tests.engine.conftest import request as script_request

AUTO = {"Mode": "Enabled"}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Path]]:
    home = tmp_path_factory.mktemp("autotune")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LOCALTUNE_STOP_GRACE_SECONDS", "1")
        demo.write_breast_cancer(home)
        images.register(IMAGE, [sys.executable, str(SCRIPT)], home=home)
        yield localtune.client(home=home), home
        services.close_service(home)


@pytest.fixture
def sm(world: tuple[Any, Path]) -> Any:
    return world[0]


def _hints(**values: str) -> list[dict[str, str]]:
    return [{"Name": name, "ValueHint": hint} for name, hint in values.items()]


def _xgb_autotune(name: str, jobs: int | None, auto: list[dict[str, str]] | None) -> dict[str, Any]:
    """The request the SDK sends for ``HyperparameterTuner(..., autotune=True)``: the estimator's
    hyperparameters as AutoParameters, no static ones, no explicit ranges."""
    request = xgb_request(name, jobs=jobs or 1, num_round=10)
    config = request["HyperParameterTuningJobConfig"]
    if jobs is None:
        del config["ResourceLimits"]["MaxNumberOfTrainingJobs"]
    del config["ParameterRanges"]
    if auto is not None:
        config["ParameterRanges"] = {"AutoParameters": auto}
        request["TrainingJobDefinition"]["StaticHyperParameters"] = {}
    request["Autotune"] = copy.deepcopy(AUTO)
    return request


def test_xgboost_auto_parameters_are_tuned_over_the_recommended_ranges(sm: Any) -> None:
    auto = _hints(eta="0.3", max_depth="4", num_round="10", objective="binary:logistic")
    d = run(sm, _xgb_autotune("auto-xgb", 3, auto))
    assert d["HyperParameterTuningJobStatus"] == "Completed", d.get("FailureReason")
    # Describe shows the request as sent (plus Autotune)
    assert d["Autotune"] == AUTO
    assert d["HyperParameterTuningJobConfig"]["ParameterRanges"] == {
        "AutoParameters": auto,
        "IntegerParameterRanges": [],
        "ContinuousParameterRanges": [],
        "CategoricalParameterRanges": [],
    }
    jobs = jobs_of(sm, "auto-xgb")
    assert len(jobs) == 3 and all(j["TrainingJobStatus"] == "Completed" for j in jobs)
    for job in jobs:  # the training jobs show the hyperparameters actually used
        hps = job["HyperParameters"]
        assert set(hps) == {
            "eta",
            "max_depth",
            "num_round",
            "objective",
            "_tuning_objective_metric",
        }
        assert 0.1 <= float(hps["eta"]) <= 0.5  # §8.3 recommended range
        assert 0 <= int(hps["max_depth"]) <= 10
        assert hps["num_round"] == "10" and hps["objective"] == "binary:logistic"
    assert len({j["HyperParameters"]["eta"] for j in jobs}) == 3
    tuned = d["BestTrainingJob"]["TunedHyperParameters"]
    assert set(tuned) == {"eta", "max_depth"}


def test_xgboost_without_ranges_or_objective(sm: Any) -> None:
    """Only Strategy and ResourceLimits (Terraform's Autotune example): Autotune tunes XGBoost's
    most influential hyperparameters and chooses the objective from ``objective``."""
    request = _xgb_autotune("auto-bare", 2, None)
    del request["HyperParameterTuningJobConfig"]["HyperParameterTuningJobObjective"]
    static = request["TrainingJobDefinition"]["StaticHyperParameters"]
    static["alpha"] = "0.5"  # set by the user: not tuned
    d = run(sm, request)
    assert d["HyperParameterTuningJobStatus"] == "Completed", d.get("FailureReason")
    assert "HyperParameterTuningJobObjective" not in d["HyperParameterTuningJobConfig"]
    best = d["BestTrainingJob"]
    assert best["FinalHyperParameterTuningJobObjectiveMetric"]["MetricName"] == "validation:auc"
    assert best["FinalHyperParameterTuningJobObjectiveMetric"]["Type"] == "Maximize"
    assert set(best["TunedHyperParameters"]) == {
        "eta",
        "max_depth",
        "min_child_weight",
        "subsample",
    }
    for job in jobs_of(sm, "auto-bare"):
        assert job["HyperParameters"]["alpha"] == "0.5"
        assert job["HyperParameters"]["_tuning_objective_metric"] == "validation:auc"


def _custom(name: str, **changes: Any) -> dict[str, Any]:
    request = script_request(name, jobs=2, parallel=2, continuous=False)
    request["Autotune"] = copy.deepcopy(AUTO)
    request["HyperParameterTuningJobConfig"]["ParameterRanges"] = {}
    for key, value in changes.items():
        request["HyperParameterTuningJobConfig"]["ParameterRanges"][key] = value
    return request


def test_custom_image_hints_become_ranges_around_them(sm: Any) -> None:
    request = _custom("auto-custom", AutoParameters=_hints(x="0.5", epochs="3", mode="ok"))
    del request["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxNumberOfTrainingJobs"]
    request["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxParallelTrainingJobs"] = 4
    request["TrainingJobDefinition"]["StaticHyperParameters"] = {"sleep": "0.01"}
    request["HyperParameterTuningJobConfig"]["ParameterRanges"]["AutoParameters"] += _hints(
        sleep="5", layers="4"
    )
    d = run(sm, request, timeout=120)
    assert d["HyperParameterTuningJobStatus"] == "Completed", d.get("FailureReason")
    assert d["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxNumberOfTrainingJobs"] == (
        AUTOTUNE_MAX_JOBS
    )
    jobs = jobs_of(sm, "auto-custom")
    assert len(jobs) == AUTOTUNE_MAX_JOBS
    for job in jobs:
        hps = job["HyperParameters"]
        assert 0.05 <= float(hps["x"]) <= 0.75  # decimal hint in (0, 1): [x/10, (1+x)/2]
        assert 2 <= int(hps["layers"]) <= 8  # integer hint 4: [2, 8]
        assert hps["epochs"] == "3" and hps["mode"] == "ok"  # training length, word: static
        assert hps["sleep"] == "0.01"  # the static value wins over the AutoParameter
    assert d["BestTrainingJob"]["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] < 0.05


def test_explicit_ranges_win_over_auto_parameters(sm: Any) -> None:
    request = _custom(
        "auto-explicit",
        ContinuousParameterRanges=[{"Name": "x", "MinValue": "0.2", "MaxValue": "0.4"}],
        AutoParameters=_hints(x="0.9", sleep="0.01"),
    )
    d = run(sm, request)
    assert d["HyperParameterTuningJobStatus"] == "Completed", d.get("FailureReason")
    for job in jobs_of(sm, "auto-explicit"):
        assert 0.2 <= float(job["HyperParameters"]["x"]) <= 0.4
        assert 0.001 <= float(job["HyperParameters"]["sleep"]) <= 0.1  # tuned around 0.01


def test_nothing_to_tune_is_refused_at_create_time(sm: Any) -> None:
    request = _custom("auto-none", AutoParameters=_hints(mode="ok", flag="1", seed="42"))
    with pytest.raises(sm.exceptions.ClientError) as caught:
        sm.create_hyper_parameter_tuning_job(**request)
    error = caught.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert error["Message"].startswith(
        "HyperParameterTuningJobConfig.ParameterRanges specifies no hyperparameter ranges, "
        "and Autotune finds none to tune among its AutoParameters ('mode', 'flag', 'seed')"
    )
    grid = _custom("auto-grid", AutoParameters=_hints(x="0.5"))
    grid["HyperParameterTuningJobConfig"]["Strategy"] = "Grid"
    del grid["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxNumberOfTrainingJobs"]
    with pytest.raises(sm.exceptions.ClientError) as caught:
        sm.create_hyper_parameter_tuning_job(**grid)
    assert "everything under Grid" in caught.value.response["Error"]["Message"]


def test_custom_objective_cannot_be_chosen_fails_with_a_reason(
    sm: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    request = _custom("auto-noobj", AutoParameters=_hints(x="0.5"))
    del request["HyperParameterTuningJobConfig"]["HyperParameterTuningJobObjective"]
    d = run(sm, request)
    assert d["HyperParameterTuningJobStatus"] == "Failed"
    assert d["FailureReason"].startswith(
        "Autotune cannot choose the objective metric of TrainingJobDefinition"
    )
    assert sum(d["TrainingJobStatusCounters"].values()) == 0
    assert "Traceback" not in capfd.readouterr().err


def test_plan_keeps_aliases_seeds_and_sdk_keys_static() -> None:
    xgb = autotune.plan(
        [("learning_rate", "0.05"), ("eta", "0.3"), ("num_round", "50"), ("seed", "1")],
        {},
        explicit=(),
        xgboost=True,
        strategy="Bayesian",
    )
    assert xgb.ranges["ContinuousParameterRanges"] == [
        {"Name": "learning_rate", "MinValue": "0.05", "MaxValue": "0.5"}  # widened to the hint
    ]
    assert xgb.static == {"num_round": "50", "seed": "1"}  # eta: the same as learning_rate
    other = autotune.plan(
        [
            ("sagemaker_program", '"train.py"'),
            ("random_state", "7"),
            ("momentum", "0.9"),
            ("C", "100.0"),
            ("verbose", "0"),
            ("optimizer", '"adam"'),
            ("use_bias", "true"),
        ],
        {},
        explicit=(),
        xgboost=False,
        strategy="Random",
    )
    assert other.ranges["ContinuousParameterRanges"] == [
        {"Name": "momentum", "MinValue": "0.09", "MaxValue": "0.95", "ScalingType": "Logarithmic"},
        {"Name": "C", "MinValue": "10", "MaxValue": "1000", "ScalingType": "Logarithmic"},
    ]
    assert set(other.static) == {
        "sagemaker_program",
        "random_state",
        "verbose",
        "optimizer",
        "use_bias",
    }


def test_xgboost_hints_with_nothing_tunable_fall_back_to_the_default_set() -> None:
    """The SDK's autotune=True on an estimator with only num_round and objective."""
    chosen = autotune.plan(
        [("num_round", "100"), ("objective", "binary:logistic")],
        {"subsample": "0.8"},
        explicit=(),
        xgboost=True,
        strategy="Bayesian",
    )
    assert chosen.static == {"num_round": "100", "objective": "binary:logistic"}
    names = [r["Name"] for found in chosen.ranges.values() for r in found]
    assert sorted(names) == ["alpha", "eta", "max_depth", "min_child_weight"]
    grid = autotune.plan([("eta", "0.3")], {}, explicit=(), xgboost=True, strategy="Grid")
    assert grid.count() == 0 and grid.static == {"eta": "0.3"}


def test_hyperband_reads_max_resource_from_an_epochs_auto_parameter(sm: Any) -> None:
    """The SDK's autotune=True moves ``epochs`` into AutoParameters; Autotune keeps it static at
    its hint, so Hyperband infers MaxResource from it (V42) and every job runs those epochs."""
    request = _custom("auto-hyperband", AutoParameters=_hints(x="0.5", epochs="3", sleep="0.01"))
    request["HyperParameterTuningJobConfig"]["Strategy"] = "Hyperband"
    request["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxNumberOfTrainingJobs"] = 3
    d = run(sm, request)
    assert d["HyperParameterTuningJobStatus"] == "Completed", d.get("FailureReason")
    jobs = jobs_of(sm, "auto-hyperband")
    assert len(jobs) == 3 and all(j["HyperParameters"]["epochs"] == "3" for j in jobs)
    request = _custom("auto-hb-bad", AutoParameters=_hints(x="0.5", epochs="three"))
    request["HyperParameterTuningJobConfig"]["Strategy"] = "Hyperband"
    with pytest.raises(sm.exceptions.ClientError) as caught:
        sm.create_hyper_parameter_tuning_job(**request)
    assert caught.value.response["Error"]["Message"].startswith(
        "The value 'three' of HyperParameterTuningJobConfig.ParameterRanges.AutoParameters[1]"
        ".ValueHint is not an integer, so Hyperband cannot infer MaxResource from it."
    )

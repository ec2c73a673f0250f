"""Algorithm-mode hyperparameter validation: the container's order, rules and messages."""

from __future__ import annotations

import pytest

from localtune.runtime.xgb.errors import UserError
from localtune.runtime.xgb.hyperparameters import validate
from localtune.runtime.xgb.spec import HYPERPARAMETERS


def error_of(raw: dict[str, str]) -> str:
    with pytest.raises(UserError) as caught:
        validate(raw)
    return caught.value.failure_reason()


def test_values_are_parsed_by_kind() -> None:
    hps = validate(
        {
            "num_round": "10",
            "learning_rate": "0.25",
            "reg_alpha": "1e-3",
            "booster": "dart",
            "eval_metric": "error@0.3,logloss",
            "updater": "grow_colmaker,prune",
            "tree_method": "hist",
            "monotone_constraints": "(1,-1,0)",
            "interaction_constraints": "[[1, 2], [3]]",
            "_tuning_objective_metric": "validation:auc",
            "objective": "binary:logistic",
        }
    )
    assert hps["num_round"] == 10
    assert hps["eta"] == 0.25
    assert hps["alpha"] == 0.001
    assert "learning_rate" not in hps
    assert hps["booster"] == "dart"
    assert hps["eval_metric"] == ["error@0.3", "logloss"]
    assert hps["updater"] == ["grow_colmaker", "prune"]
    assert hps["monotone_constraints"] == (1, -1, 0)
    assert hps["interaction_constraints"] == [[1, 2], [3]]


def test_every_tunable_hyperparameter_accepts_its_recommended_range() -> None:
    for name, spec in HYPERPARAMETERS.items():
        if spec.recommended is None:
            continue
        for bound in spec.recommended:
            text = str(int(bound)) if spec.kind == "integer" else str(bound)
            raw = {"num_round": "1", name: text}
            assert validate(raw)[name] == pytest.approx(bound), name


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"eta": "0.1"}, "ClientError: Missing required hyperparameter: num_round"),
        ({"num_round": "1", "foo": "1"}, "ClientError: Extraneous hyperparameter found: foo"),
        (
            {"num_round": "ten"},
            "ClientError: Hyperparameter num_round: could not parse value (caused by ValueError)",
        ),
        ({"num_round": "0"}, "ClientError: Hyperparameter num_round: 0 is not in [1, +inf)"),
        (
            {"num_round": "1", "subsample": "0"},
            "ClientError: Hyperparameter subsample: 0.0 is not in (0, 1]",
        ),
        ({"num_round": "1", "eta": "nan"}, "ClientError: Hyperparameter eta: nan is not in [0, 1]"),
        (
            {"num_round": "1", "seed": "-2147483648"},
            "ClientError: Hyperparameter seed: -2147483648 is not in (-2147483648, 2147483647)",
        ),
        (
            {"num_round": "1", "booster": "gbdt"},
            "ClientError: Hyperparameter booster: gbdt is not in ['gbtree', 'gblinear', 'dart']",
        ),
        (
            {"num_round": "1", "_tuning_objective_metric": "validation:accuracy2"},
            "is not in ['validation:accuracy', ",
        ),
        (
            {"num_round": "1", "eval_metric": "auc,foo"},
            "Hyperparameter eval_metric: value ['auc', 'foo'] not in range",
        ),
        ({"num_round": "1", "eval_metric": "rmse@2"}, "Metric 'rmse@2' is not supported."),
        (
            {"num_round": "1", "eval_metric": "error@x"},
            "Threshold value 't' in 'error@t' expects float input.",
        ),
        (
            {"num_round": "1", "monotone_constraints": "(1,2)", "tree_method": "hist"},
            "not in range [-1, 0, 1]",
        ),
        (
            {"num_round": "1", "monotone_constraints": "(1,-1)"},
            "monotone_constraints can be used only when",
        ),
        (
            {"num_round": "1", "monotone_constraints": "abc"},
            "monotone_constraints: could not parse value",
        ),
        (
            {"num_round": "1", "interaction_constraints": "[[0, 1]]", "tree_method": "hist"},
            "not in range [1, +inf)",
        ),
        (
            {"num_round": "1", "booster": "gblinear", "updater": "grow_colmaker"},
            "Linear updater should be one of",
        ),
        (
            {"num_round": "1", "updater": "grow_colmaker,grow_histmaker"},
            "Only one tree grow plugin",
        ),
        (
            {"num_round": "1", "process_type": "update", "updater": "grow_colmaker"},
            "process_type 'update' can only",
        ),
        (
            {"num_round": "1", "eval_metric": "aft-nloglik"},
            "'aft-nloglik' can only be applied for 'survival:aft'",
        ),
        ({"num_round": "1", "eta": "0.1", "learning_rate": "0.2"}, "eta is given twice"),
    ],
)
def test_container_messages(raw: dict[str, str], message: str) -> None:
    reason = error_of(raw)
    assert reason.startswith("ClientError: ")
    assert message in reason


def test_required_check_comes_before_the_extraneous_check() -> None:
    # the container checks required names first (its step 0), then unknown names
    assert error_of({"foo": "1"}) == "ClientError: Missing required hyperparameter: num_round"


def test_auc_is_allowed_for_ranking_and_binary_objectives() -> None:
    for objective in ("binary:logistic", "binary:hinge", "rank:pairwise"):
        assert validate({"num_round": "1", "objective": objective, "eval_metric": "auc"})
    assert "auc" in error_of({"num_round": "1", "objective": "reg:logistic", "eval_metric": "auc"})


def test_num_class_required_for_multi_objectives_only() -> None:
    assert "num_class" in error_of({"num_round": "1", "objective": "multi:softprob"})
    assert (
        validate({"num_round": "1", "objective": "multi:softprob", "num_class": "4"})["num_class"]
        == 4
    )
    assert "num_class" in error_of(
        {"num_round": "1", "objective": "multi:softmax", "num_class": "1"}
    )

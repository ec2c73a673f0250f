"""V67: the training jobs of every parent count against the maximum number of training jobs of
a tuning job (DG warm start restrictions: "count against the 500 maximum training jobs for a
tuning job"; today's per-strategy maximum is 750). The child's own MaxNumberOfTrainingJobs is
what it launches; parents' jobs plus that must stay within the maximum."""

from __future__ import annotations

from typing import Any

from localtune.api.validation import check_create_tuning_job
from tests.api import validation_fixtures as fx


def _parent(launched: int) -> dict[str, Any]:
    parent = fx.parent_description(fx.sdk_request())
    parent["TrainingJobStatusCounters"] = {
        "Completed": launched - 3,
        "InProgress": 0,
        "RetryableError": 1,
        "NonRetryableError": 1,
        "Stopped": 1,
    }
    return parent


def _child(max_jobs: int, parents: int = 1) -> dict[str, Any]:
    child = fx.warm_start(fx.sdk_request())
    child["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxNumberOfTrainingJobs"] = max_jobs
    child["WarmStartConfig"]["ParentHyperParameterTuningJobs"] = [
        {"HyperParameterTuningJobName": f"parent-{i}"} for i in range(parents)
    ]
    return child


def test_parents_jobs_and_the_childs_budget_stay_within_750() -> None:
    lookup = lambda name: _parent(300)  # noqa: E731
    assert check_create_tuning_job(_child(150, parents=2), parent_lookup=lookup) == []
    problems = check_create_tuning_job(_child(151, parents=2), parent_lookup=lookup)
    assert len(problems) == 1
    assert "600" in problems[0] and "151" in problems[0] and "750" in problems[0]
    assert "MaxNumberOfTrainingJobs" in problems[0]


def test_a_small_child_of_a_small_parent_launches_its_own_budget() -> None:
    """The child's MaxNumberOfTrainingJobs is not reduced by the parents' jobs: a child asking for
    as many jobs as its parent ran is valid (the SDK's identical_dataset_and_algorithm_tuner)."""
    lookup = lambda name: _parent(10)  # noqa: E731
    assert check_create_tuning_job(_child(10), parent_lookup=lookup) == []

"""The order of ListTrainingJobsForHyperParameterTuningJob and ListHyperParameterTuningJobs
(reference §2.3, §2.4), from real training jobs whose objective values are known in advance."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import localtune
from localtune import images
from localtune.interfaces import services
from tests.engine.conftest import IMAGE, SCRIPT, request, wait_done

# job_script prints loss = (x - 0.3) ** 2 (+ 0.01 for every epoch left); mode nometric prints none.
GRID = {"x": ["0.9", "0.3", "0.5"], "mode": ["ok", "nometric"]}


@pytest.fixture
def sm(tmp_path: Path) -> Iterator[Any]:
    images.register(IMAGE, [sys.executable, str(SCRIPT)], home=tmp_path)
    yield localtune.client(home=tmp_path)
    services.close_service(tmp_path)


def _ranked(sm: Any, name: str, **params: Any) -> list[tuple[str, float | None]]:
    summaries = sm.list_training_jobs_for_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=name, MaxResults=100, **params
    )["TrainingJobSummaries"]
    return [
        (
            s["TunedHyperParameters"]["x"],
            s.get("FinalHyperParameterTuningJobObjectiveMetric", {}).get("Value"),
        )
        for s in summaries
    ]


@pytest.mark.parametrize("objective_type", ["Minimize", "Maximize"])
def test_objective_order_is_numeric_and_leaves_out_jobs_without_a_value(
    sm: Any, objective_type: str
) -> None:
    req = request("order", jobs=6, parallel=3, strategy="Grid", categorical=GRID, continuous=False)
    req["HyperParameterTuningJobConfig"]["HyperParameterTuningJobObjective"]["Type"] = (
        objective_type
    )
    sm.create_hyper_parameter_tuning_job(**req)
    described = wait_done(sm, "order")
    assert described["ObjectiveStatusCounters"] == {"Succeeded": 3, "Pending": 0, "Failed": 3}
    ascending = _ranked(sm, "order", SortBy="FinalObjectiveMetricValue")
    # SortOrder orders the value itself, whatever the objective type (smallest first when
    # Ascending); the three jobs that emitted no objective are not listed (doc string).
    assert [x for x, _ in ascending] == ["0.3", "0.5", "0.9"]
    values = [v for _, v in ascending]
    assert all(v is not None for v in values) and values == sorted(values)  # type: ignore[type-var]
    descending = _ranked(sm, "order", SortBy="FinalObjectiveMetricValue", SortOrder="Descending")
    assert descending == ascending[::-1]
    best = described["BestTrainingJob"]["TunedHyperParameters"]["x"]
    assert best == ("0.3" if objective_type == "Minimize" else "0.9")
    # Every other order lists all six.
    assert len(_ranked(sm, "order")) == 6 and len(_ranked(sm, "order", SortBy="Status")) == 6


def test_tuning_jobs_sort_by_name_status_and_creation_time(sm: Any) -> None:
    for name in ("sort-b", "sort-c", "sort-a"):
        sm.create_hyper_parameter_tuning_job(**request(name, jobs=1, parallel=1))
        time.sleep(0.01)
    wait_done(sm, "sort-b")
    wait_done(sm, "sort-a")
    wait_done(sm, "sort-c")
    sm.create_hyper_parameter_tuning_job(
        **request("sort-d", jobs=1, parallel=1, static={"sleep": "30"})
    )
    sm.stop_hyper_parameter_tuning_job(HyperParameterTuningJobName="sort-d")

    def names(**params: Any) -> list[str]:
        listed = sm.list_hyper_parameter_tuning_jobs(NameContains="sort", **params)
        return [
            s["HyperParameterTuningJobName"] for s in listed["HyperParameterTuningJobSummaries"]
        ]

    assert names() == ["sort-a", "sort-b", "sort-c", "sort-d"]  # default: Name, Ascending
    assert names(SortOrder="Descending") == ["sort-d", "sort-c", "sort-b", "sort-a"]
    assert names(SortBy="CreationTime") == ["sort-b", "sort-c", "sort-a", "sort-d"]
    assert names(SortBy="CreationTime", SortOrder="Descending") == [
        "sort-d",
        "sort-a",
        "sort-c",
        "sort-b",
    ]
    by_status = names(SortBy="Status")
    assert by_status[:3] == ["sort-b", "sort-c", "sort-a"]  # Completed, in creation order
    assert by_status[3] == "sort-d"  # Stopping / Stopped sort after Completed
    assert names(StatusEquals="Completed", MaxResults=2) == ["sort-a", "sort-b"]
    wait_done(sm, "sort-d")

"""ListTrainingJobs over every training job of the home (moto serves it; the AWS CLI's
``list-training-jobs`` is how users look for jobs). Real training processes."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

import localtune
from localtune import images
from localtune.api.validation.model import check_output
from localtune.interfaces import services
from tests.engine.conftest import IMAGE, SCRIPT, request, wait_done


@pytest.fixture
def sm(tmp_path: Path) -> Iterator[Any]:
    images.register(IMAGE, [sys.executable, str(SCRIPT)], home=tmp_path)
    yield localtune.client(home=tmp_path)
    services.close_service(tmp_path)


def _names(response: dict[str, Any]) -> list[str]:
    assert check_output("ListTrainingJobs", response) == []
    return [s["TrainingJobName"] for s in response["TrainingJobSummaries"]]


def test_list_training_jobs_filters_sorts_and_pages(sm: Any) -> None:
    sm.create_hyper_parameter_tuning_job(
        **request(
            "lt-b",
            jobs=2,
            parallel=1,
            strategy="Grid",  # one job of each mode
            categorical={"mode": ["ok", "fail"]},
            continuous=False,
        )
    )
    wait_done(sm, "lt-b")
    sm.create_hyper_parameter_tuning_job(**request("lt-a", jobs=1, parallel=1))
    wait_done(sm, "lt-a")
    everything = sm.list_training_jobs()
    names = _names(everything)
    # Default: by CreationTime, Ascending (doc strings), so lt-b's jobs come first.
    assert len(names) == 3 and names[0].startswith("lt-b-001") and names[2].startswith("lt-a-001")
    summary = everything["TrainingJobSummaries"][0]
    assert {"TrainingJobArn", "CreationTime", "TrainingJobStatus", "SecondaryStatus"} <= set(
        summary
    )
    assert _names(sm.list_training_jobs(SortBy="Name")) == sorted(names)
    assert (
        _names(sm.list_training_jobs(SortBy="CreationTime", SortOrder="Descending")) == names[::-1]
    )
    assert _names(sm.list_training_jobs(NameContains="LT-A")) == [names[2]]
    failed = _names(sm.list_training_jobs(StatusEquals="Failed"))
    assert len(failed) == 1 and failed[0].startswith("lt-b")
    first = sm.list_training_jobs(MaxResults=2)
    assert _names(first) == names[:2]
    rest = sm.list_training_jobs(MaxResults=2, NextToken=first["NextToken"])
    assert _names(rest) == names[2:] and "NextToken" not in rest
    assert _names(sm.list_training_jobs(WarmPoolStatusEquals="Available")) == []
    with pytest.raises(ClientError) as caught:
        sm.list_training_jobs(SortBy="FinalObjectiveMetricValue")
    assert "'sortBy'" in caught.value.response["Error"]["Message"]

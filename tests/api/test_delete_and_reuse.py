"""DeleteHyperParameterTuningJob removes only the tuning job's record (reference §2.6).

The training jobs it launched stay describable with their ``TuningJobArn``; a new tuning job that
reuses the name starts from nothing: it neither counts nor lists nor is budgeted by the deleted
job's training jobs. Real training processes (the engine tests' registered image).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import localtune
from localtune import images
from localtune.interfaces import services
from tests.engine.conftest import IMAGE, SCRIPT, request, wait_done


@pytest.fixture
def sm(tmp_path: Path) -> Iterator[Any]:
    images.register(IMAGE, [sys.executable, str(SCRIPT)], home=tmp_path)
    yield localtune.client(home=tmp_path)
    services.close_service(tmp_path)


def _names(sm: Any, tuning_job: str) -> list[str]:
    listed = sm.list_training_jobs_for_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=tuning_job, MaxResults=100
    )
    return [s["TrainingJobName"] for s in listed["TrainingJobSummaries"]]


def test_a_reused_name_starts_a_fresh_tuning_job(sm: Any) -> None:
    sm.create_hyper_parameter_tuning_job(**request("reuse", jobs=2, parallel=2))
    assert wait_done(sm, "reuse")["HyperParameterTuningJobStatus"] == "Completed"
    old_jobs = _names(sm, "reuse")
    assert len(old_jobs) == 2
    sm.delete_hyper_parameter_tuning_job(HyperParameterTuningJobName="reuse")

    # The same name, differently cased (names are case-insensitive), one job this time.
    sm.create_hyper_parameter_tuning_job(**request("Reuse", jobs=1, parallel=1))
    described = wait_done(sm, "Reuse")
    assert described["HyperParameterTuningJobStatus"] == "Completed"
    assert described["TrainingJobStatusCounters"]["Completed"] == 1
    assert described["ObjectiveStatusCounters"]["Succeeded"] == 1
    new_jobs = _names(sm, "Reuse")
    assert len(new_jobs) == 1 and new_jobs[0] not in old_jobs
    assert described["BestTrainingJob"]["TrainingJobName"] == new_jobs[0]

    # The deleted job's training jobs are still there, pointing at the ARN they were made by.
    old = sm.describe_training_job(TrainingJobName=old_jobs[0])
    assert old["TrainingJobStatus"] == "Completed"
    assert old["TuningJobArn"].endswith(":hyper-parameter-tuning-job/reuse")

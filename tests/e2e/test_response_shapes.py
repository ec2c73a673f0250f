"""Every supported operation's response, walked against botocore's output shape: the members the
shape requires are there, with the right types, and nothing the shape does not define."""

from __future__ import annotations

import sys

import pytest

import localtune
from localtune import images
from localtune.api.service import Service
from localtune.api.validation.model import check_output
from localtune.interfaces import services
from tests.engine.conftest import IMAGE, SCRIPT, request, wait_done, wait_until


@pytest.fixture
def sm(tmp_path, monkeypatch):
    monkeypatch.setenv("LOCALTUNE_STOP_GRACE_SECONDS", "1")
    images.register(IMAGE, [sys.executable, str(SCRIPT)], home=tmp_path)
    yield localtune.client(home=tmp_path)
    services.close_service(tmp_path)


def _checked(sm, operation: str, **params):
    method = getattr(sm, __import__("botocore").xform_name(operation))
    response = method(**params)
    problems = check_output(operation, response)
    assert problems == [], f"{operation}: {problems}"
    return response


def test_every_operation_answers_in_its_output_shape(sm):
    req = request("shapes", jobs=3, parallel=2, categorical={"mode": ["ok", "fail", "nometric"]})
    _checked(sm, "CreateHyperParameterTuningJob", **req)
    wait_done(sm, "shapes")
    described = _checked(
        sm, "DescribeHyperParameterTuningJob", HyperParameterTuningJobName="shapes"
    )
    listed = _checked(
        sm,
        "ListTrainingJobsForHyperParameterTuningJob",
        HyperParameterTuningJobName="shapes",
        MaxResults=2,
    )
    _checked(sm, "ListHyperParameterTuningJobs", MaxResults=1)
    _checked(sm, "ListTrainingJobs", MaxResults=2)
    statuses = set()
    for summary in listed["TrainingJobSummaries"]:
        job = _checked(sm, "DescribeTrainingJob", TrainingJobName=summary["TrainingJobName"])
        statuses.add(job["TrainingJobStatus"])
    assert statuses  # at least one job was walked
    assert described["TrainingJobStatusCounters"]
    arn = described["HyperParameterTuningJobArn"]
    _checked(sm, "AddTags", ResourceArn=arn, Tags=[{"Key": "k", "Value": "v"}])
    _checked(sm, "ListTags", ResourceArn=arn)
    _checked(sm, "DeleteTags", ResourceArn=arn, TagKeys=["k"])

    _checked(sm, "CreateHyperParameterTuningJob", **request("shapes-stop", jobs=20, parallel=1))
    _checked(sm, "StopHyperParameterTuningJob", HyperParameterTuningJobName="shapes-stop")
    wait_done(sm, "shapes-stop")
    _checked(sm, "DeleteHyperParameterTuningJob", HyperParameterTuningJobName="shapes-stop")
    slow = request("shapes-one", jobs=1, parallel=1, static={"sleep": "5"})
    _checked(sm, "CreateHyperParameterTuningJob", **slow)
    running = wait_until(
        lambda: sm.list_training_jobs_for_hyper_parameter_tuning_job(
            HyperParameterTuningJobName="shapes-one", StatusEquals="InProgress"
        )["TrainingJobSummaries"]
    )
    _checked(sm, "StopTrainingJob", TrainingJobName=running[0]["TrainingJobName"])
    completed = _checked(
        sm,
        "ListTrainingJobsForHyperParameterTuningJob",
        HyperParameterTuningJobName="shapes",
        StatusEquals="Completed",
    )["TrainingJobSummaries"][0]
    artifacts = _checked(sm, "DescribeTrainingJob", TrainingJobName=completed["TrainingJobName"])[
        "ModelArtifacts"
    ]["S3ModelArtifacts"]
    _checked(
        sm,
        "CreateModel",
        ModelName="shapes-model",
        PrimaryContainer={"Image": IMAGE, "ModelDataUrl": artifacts},
        ExecutionRoleArn="arn:aws:iam::123456789012:role/test",
    )
    _checked(sm, "DescribeModel", ModelName="shapes-model")
    _checked(sm, "ListModels")
    _checked(sm, "DeleteModel", ModelName="shapes-model")


def test_the_walk_covers_every_served_operation():
    walked = {
        "CreateHyperParameterTuningJob",
        "DescribeHyperParameterTuningJob",
        "ListTrainingJobsForHyperParameterTuningJob",
        "ListHyperParameterTuningJobs",
        "ListTrainingJobs",
        "DescribeTrainingJob",
        "StopHyperParameterTuningJob",
        "DeleteHyperParameterTuningJob",
        "StopTrainingJob",
        "CreateModel",
        "DescribeModel",
        "ListModels",
        "DeleteModel",
        "AddTags",
        "ListTags",
        "DeleteTags",
    }
    assert set(Service.OPERATIONS) <= walked, set(Service.OPERATIONS) - walked

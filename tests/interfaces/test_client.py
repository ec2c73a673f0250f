"""localtune.client(): boto3's calling style, responses and errors over a real SQLite home."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from botocore.exceptions import ClientError

import localtune
from tests.helpers import seed_request


@pytest.fixture
def sm(tmp_path, monkeypatch):
    """A client whose tuning jobs are recorded but not run: these tests are about the API."""
    monkeypatch.setenv("LOCALTUNE_ENGINE", "off")
    return localtune.client(home=tmp_path)


def test_create_returns_arn_and_describe_echoes_request(sm):
    response = sm.create_hyper_parameter_tuning_job(**seed_request("Seed-Job"))
    assert response["HyperParameterTuningJobArn"].endswith(":hyper-parameter-tuning-job/seed-job")
    described = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="seed-job")
    assert described["HyperParameterTuningJobName"] == "Seed-Job"
    assert described["HyperParameterTuningJobStatus"] == "InProgress"
    assert described["CreationTime"].tzinfo is not None
    assert described["HyperParameterTuningJobConfig"]["RandomSeed"] == 123
    definition = described["TrainingJobDefinition"]
    # What SageMaker adds and the SDK's HyperparameterTuner.attach() reads:
    assert definition["StaticHyperParameters"]["_tuning_objective_metric"] == "validation:auc"
    assert definition["ResourceConfig"]["InstanceType"] == "ml.m5.xlarge"
    names = {m["Name"] for m in definition["AlgorithmSpecification"]["MetricDefinitions"]}
    assert "validation:auc" in names
    assert "TrainingJobDefinitions" not in described
    assert set(described["TrainingJobStatusCounters"]) == {
        "Completed",
        "InProgress",
        "RetryableError",
        "NonRetryableError",
        "Stopped",
    }


def test_positional_arguments_are_a_type_error_as_in_boto3(sm):
    with pytest.raises(TypeError):
        sm.describe_hyper_parameter_tuning_job("seed-job")


def test_unknown_job_is_resource_not_found_the_boto3_way(sm):
    with pytest.raises(sm.exceptions.ResourceNotFound) as caught:
        sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="missing")
    error = caught.value.response["Error"]
    assert error["Code"] == "ResourceNotFound"
    assert error["Message"] == (
        "Amazon SageMaker can't find a tuning job called missing. Type another name."
    )


def test_duplicate_name_is_resource_in_use_case_insensitively(sm):
    sm.create_hyper_parameter_tuning_job(**seed_request("dup-job"))
    with pytest.raises(sm.exceptions.ResourceInUse) as caught:
        sm.create_hyper_parameter_tuning_job(**seed_request("DUP-JOB"))
    assert caught.value.response["Error"]["Message"] == (
        "A hyperparameter tuning job with the name, DUP-JOB, already exists. "
        "Choose a different name."
    )


def test_invalid_request_is_a_validation_exception_naming_the_member(sm):
    request = seed_request("bad-job")
    request["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxParallelTrainingJobs"] = 0
    with pytest.raises(ClientError) as caught:
        sm.create_hyper_parameter_tuning_job(**request)
    error = caught.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert (
        "hyperParameterTuningJobConfig.resourceLimits.maxParallelTrainingJobs" in (error["Message"])
    )
    with pytest.raises(sm.exceptions.ResourceNotFound):
        sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="bad-job")


def test_unknown_member_and_wrong_type_are_validation_exceptions(sm):
    with pytest.raises(ClientError) as caught:
        sm.list_hyper_parameter_tuning_jobs(MaxResults="ten")
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ClientError) as caught:
        sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="a", Bogus=1)
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert "Bogus" in caught.value.response["Error"]["Message"]


def _create_many(sm, count):
    for i in range(count):
        sm.create_hyper_parameter_tuning_job(**seed_request(f"job-{i:02d}"))


def test_list_pages_with_default_size_ten_and_next_token(sm):
    _create_many(sm, 13)
    first = sm.list_hyper_parameter_tuning_jobs()
    assert len(first["HyperParameterTuningJobSummaries"]) == 10
    second = sm.list_hyper_parameter_tuning_jobs(NextToken=first["NextToken"])
    assert "NextToken" not in second
    names = [s["HyperParameterTuningJobName"] for s in first["HyperParameterTuningJobSummaries"]]
    names += [s["HyperParameterTuningJobName"] for s in second["HyperParameterTuningJobSummaries"]]
    assert names == [f"job-{i:02d}" for i in range(13)]
    paginator = sm.get_paginator("list_hyper_parameter_tuning_jobs")
    pages = list(paginator.paginate(PaginationConfig={"PageSize": 4}))
    assert [len(p["HyperParameterTuningJobSummaries"]) for p in pages] == [4, 4, 4, 1]


def test_list_sorts_filters_and_rejects_foreign_tokens(sm):
    _create_many(sm, 5)
    descending = sm.list_hyper_parameter_tuning_jobs(SortBy="Name", SortOrder="Descending")
    names = [
        s["HyperParameterTuningJobName"] for s in descending["HyperParameterTuningJobSummaries"]
    ]
    assert names == [f"job-{i:02d}" for i in reversed(range(5))]
    only = sm.list_hyper_parameter_tuning_jobs(NameContains="JOB-03")
    assert [s["HyperParameterTuningJobName"] for s in only["HyperParameterTuningJobSummaries"]] == [
        "job-03"
    ]
    future = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    assert (
        sm.list_hyper_parameter_tuning_jobs(CreationTimeAfter=future)[
            "HyperParameterTuningJobSummaries"
        ]
        == []
    )
    summary = sm.list_hyper_parameter_tuning_jobs(MaxResults=1)["HyperParameterTuningJobSummaries"][
        0
    ]
    assert summary["Strategy"] == "Bayesian"
    assert summary["ResourceLimits"]["MaxNumberOfTrainingJobs"] == 20
    token = sm.list_hyper_parameter_tuning_jobs(MaxResults=2)["NextToken"]
    with pytest.raises(ClientError) as caught:
        sm.list_hyper_parameter_tuning_jobs(MaxResults=2, NameContains="job", NextToken=token)
    assert caught.value.response["Error"]["Code"] == "ValidationException"


def test_unknown_training_job_is_validation_exception_as_observed(sm):
    with pytest.raises(ClientError) as caught:
        sm.describe_training_job(TrainingJobName="nope")
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert caught.value.response["Error"]["Message"] == "Requested resource not found."


def test_delete_refuses_a_running_job(sm):
    sm.create_hyper_parameter_tuning_job(**seed_request("del-job"))
    with pytest.raises(ClientError) as caught:
        sm.delete_hyper_parameter_tuning_job(HyperParameterTuningJobName="del-job")
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert "Stop it first" in caught.value.response["Error"]["Message"]
    with pytest.raises(sm.exceptions.ResourceNotFound):
        sm.delete_hyper_parameter_tuning_job(HyperParameterTuningJobName="never-made")


def test_delete_removes_a_stopped_job(tmp_path):
    sm = localtune.client(home=tmp_path)  # with the engine: the stop completes
    sm.create_hyper_parameter_tuning_job(**seed_request("del-job"))
    sm.stop_hyper_parameter_tuning_job(HyperParameterTuningJobName="del-job")
    deadline = time.monotonic() + 60
    while (
        sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="del-job")[
            "HyperParameterTuningJobStatus"
        ]
        != "Stopped"
    ):
        assert time.monotonic() < deadline, "the stopped job never reached Stopped"
        time.sleep(0.1)
    sm.delete_hyper_parameter_tuning_job(HyperParameterTuningJobName="del-job")
    with pytest.raises(sm.exceptions.ResourceNotFound):
        sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="del-job")
    sm.create_hyper_parameter_tuning_job(**seed_request("del-job"))  # the name is free again


def test_two_clients_on_one_home_see_the_same_jobs(tmp_path):
    first = localtune.client(home=tmp_path)
    second = localtune.client(home=tmp_path, region_name="eu-west-1")
    first.create_hyper_parameter_tuning_job(**seed_request("shared"))
    described = second.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="shared")
    assert described["HyperParameterTuningJobName"] == "shared"

"""Real boto3 against localtune: in-process under mock_sagemaker() and over HTTP via serve."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

import localtune
from localtune.demo import write_breast_cancer
from localtune.interfaces.server import make_server, serve_in_thread
from tests.helpers import seed_request, small_seed_request, wait_for_status


def _exercise(sm) -> None:
    """What a boto3 script does: create, poll to Completed, list with paging, list training jobs
    by objective, describe a training job, stop, catch errors."""
    arn = sm.create_hyper_parameter_tuning_job(**small_seed_request("boto-job"))[
        "HyperParameterTuningJobArn"
    ]
    assert arn.endswith("/boto-job")
    for i in range(3):
        sm.create_hyper_parameter_tuning_job(**small_seed_request(f"boto-extra-{i}", jobs=1))
    described = wait_for_status(sm, "boto-job")
    assert described["HyperParameterTuningJobStatus"] == "Completed"
    assert described["TrainingJobStatusCounters"]["Completed"] == 3
    assert described["CreationTime"].tzinfo is not None
    pages = sm.get_paginator("list_hyper_parameter_tuning_jobs").paginate(
        PaginationConfig={"PageSize": 3}
    )
    names = [
        s["HyperParameterTuningJobName"]
        for p in pages
        for s in p["HyperParameterTuningJobSummaries"]
    ]
    assert names == ["boto-extra-0", "boto-extra-1", "boto-extra-2", "boto-job"]
    ranked = sm.list_training_jobs_for_hyper_parameter_tuning_job(
        HyperParameterTuningJobName="boto-job",
        SortBy="FinalObjectiveMetricValue",
        SortOrder="Descending",
    )["TrainingJobSummaries"]
    values = [s["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] for s in ranked]
    assert values == sorted(values, reverse=True) and len(values) == 3
    assert ranked[0]["TrainingJobName"] == described["BestTrainingJob"]["TrainingJobName"]
    job = sm.describe_training_job(TrainingJobName=ranked[0]["TrainingJobName"])
    assert job["TrainingJobStatus"] == "Completed"
    assert job["HyperParameters"]["_tuning_objective_metric"] == "validation:auc"
    assert job["ModelArtifacts"]["S3ModelArtifacts"].endswith("/output/model.tar.gz")

    sm.create_hyper_parameter_tuning_job(**small_seed_request("boto-stop", jobs=50, parallel=1))
    sm.stop_hyper_parameter_tuning_job(HyperParameterTuningJobName="boto-stop")
    assert wait_for_status(sm, "boto-stop")["HyperParameterTuningJobStatus"] == "Stopped"
    with pytest.raises(sm.exceptions.ResourceNotFound):
        sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="nope")
    bad = seed_request("bad-strategy")
    bad["HyperParameterTuningJobConfig"]["Strategy"] = "bayesian"  # botocore does not check enums
    with pytest.raises(ClientError) as caught:
        sm.create_hyper_parameter_tuning_job(**bad)
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert "hyperParameterTuningJobConfig.strategy" in caught.value.response["Error"]["Message"]


def test_boto3_client_under_mock_sagemaker(tmp_path, monkeypatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    write_breast_cancer(tmp_path)
    with localtune.mock_sagemaker(home=tmp_path):
        _exercise(boto3.client("sagemaker"))
    assert "AWS_ACCESS_KEY_ID" not in __import__("os").environ


def test_mock_as_decorator_leaves_other_services_alone(tmp_path):
    @localtune.mock_sagemaker(home=tmp_path)
    def run():
        sm = boto3.client("sagemaker", region_name="eu-central-1")
        sm.create_hyper_parameter_tuning_job(**small_seed_request("deco-job", jobs=1))
        s3 = boto3.client("s3", region_name="eu-central-1")
        return sm, s3

    sm, s3 = run()
    assert sm.meta.endpoint_url.startswith("https://api.sagemaker")
    assert s3.meta.service_model.service_name == "s3"


def test_boto3_client_against_serve(tmp_path):
    write_breast_cancer(tmp_path)
    server = make_server(home=tmp_path, port=0)
    serve_in_thread(server)
    try:
        sm = boto3.client(
            "sagemaker",
            endpoint_url=server.url,
            region_name="us-west-2",
            aws_access_key_id="anything",
            aws_secret_access_key="anything",
        )
        _exercise(sm)
    finally:
        server.shutdown()
        server.server_close()

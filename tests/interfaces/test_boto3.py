"""Real boto3 against localtune: in-process under mock_sagemaker() and over HTTP via serve."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

import localtune
from localtune.interfaces.server import make_server, serve_in_thread
from tests.helpers import seed_request


def _exercise(sm) -> None:
    """What a boto3 script does: create, describe, list with paging, stop, catch errors."""
    arn = sm.create_hyper_parameter_tuning_job(**seed_request("boto-job"))[
        "HyperParameterTuningJobArn"
    ]
    assert arn.endswith("/boto-job")
    for i in range(3):
        sm.create_hyper_parameter_tuning_job(**seed_request(f"boto-extra-{i}"))
    described = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="boto-job")
    assert described["HyperParameterTuningJobConfig"]["Strategy"] == "Bayesian"
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
    listed = sm.list_training_jobs_for_hyper_parameter_tuning_job(
        HyperParameterTuningJobName="boto-job", SortBy="FinalObjectiveMetricValue"
    )
    assert isinstance(listed["TrainingJobSummaries"], list)
    sm.stop_hyper_parameter_tuning_job(HyperParameterTuningJobName="boto-job")
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
    with localtune.mock_sagemaker(home=tmp_path):
        _exercise(boto3.client("sagemaker"))
    assert "AWS_ACCESS_KEY_ID" not in __import__("os").environ


def test_mock_as_decorator_leaves_other_services_alone(tmp_path):
    @localtune.mock_sagemaker(home=tmp_path)
    def run():
        sm = boto3.client("sagemaker", region_name="eu-central-1")
        sm.create_hyper_parameter_tuning_job(**seed_request("deco-job"))
        s3 = boto3.client("s3", region_name="eu-central-1")
        return sm, s3

    sm, s3 = run()
    assert sm.meta.endpoint_url.startswith("https://api.sagemaker")
    assert s3.meta.service_model.service_name == "s3"


def test_boto3_client_against_serve(tmp_path):
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

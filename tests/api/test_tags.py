"""AddTags / ListTags / DeleteTags on tuning jobs, their training jobs and models (moto serves
them; reference §2.1: a tuning job's tags are copied to every training job it launches).
Real training processes (the engine tests' registered image), real botocore client."""

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
from tests.engine.conftest import IMAGE, SCRIPT, request, wait_done, wait_until

TAGS = [{"Key": "project", "Value": "localtune"}, {"Key": "team", "Value": "ml"}]


@pytest.fixture
def sm(tmp_path: Path) -> Iterator[Any]:
    images.register(IMAGE, [sys.executable, str(SCRIPT)], home=tmp_path)
    yield localtune.client(home=tmp_path)
    services.close_service(tmp_path)


def _tags(sm: Any, arn: str) -> dict[str, str]:
    listed = sm.list_tags(ResourceArn=arn)
    assert check_output("ListTags", listed) == []
    return {tag["Key"]: tag["Value"] for tag in listed["Tags"]}


def _jobs(sm: Any, name: str) -> list[dict[str, Any]]:
    return sm.list_training_jobs_for_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=name, SortBy="CreationTime"
    )["TrainingJobSummaries"]


def test_tuning_job_tags_reach_the_training_jobs_launched_after_a_change(sm: Any) -> None:
    req = request("tagged", jobs=2, parallel=1, static={"sleep": "1"})
    req["Tags"] = TAGS
    arn = sm.create_hyper_parameter_tuning_job(**req)["HyperParameterTuningJobArn"]
    assert _tags(sm, arn) == {"project": "localtune", "team": "ml"}
    first = wait_until(lambda: _jobs(sm, "tagged"))[0]
    # Documented: tags added to / deleted from a tuning job reach only later training jobs.
    added = sm.add_tags(ResourceArn=arn, Tags=[{"Key": "stage", "Value": "2"}])
    assert added["Tags"] == [{"Key": "stage", "Value": "2"}]
    sm.delete_tags(ResourceArn=arn, TagKeys=["team", "not-there"])
    assert _tags(sm, arn) == {"project": "localtune", "stage": "2"}
    wait_done(sm, "tagged")
    jobs = _jobs(sm, "tagged")
    assert len(jobs) == 2 and jobs[0]["TrainingJobName"] == first["TrainingJobName"]
    assert _tags(sm, jobs[0]["TrainingJobArn"]) == {"project": "localtune", "team": "ml"}
    assert _tags(sm, jobs[1]["TrainingJobArn"]) == {"project": "localtune", "stage": "2"}

    # Deleting the tuning job keeps its training jobs' tags; a new job of that name has its own.
    sm.delete_hyper_parameter_tuning_job(HyperParameterTuningJobName="tagged")
    assert _tags(sm, jobs[1]["TrainingJobArn"]) == {"project": "localtune", "stage": "2"}
    with pytest.raises(ClientError) as caught:
        sm.list_tags(ResourceArn=arn)
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert arn in caught.value.response["Error"]["Message"]
    again = request("tagged", jobs=1, parallel=1)
    assert sm.create_hyper_parameter_tuning_job(**again)["HyperParameterTuningJobArn"] == arn
    assert _tags(sm, arn) == {}


def test_add_tags_overwrites_by_key_and_keeps_at_most_50(sm: Any) -> None:
    arn = sm.create_hyper_parameter_tuning_job(**request("many", jobs=1, parallel=1))[
        "HyperParameterTuningJobArn"
    ]
    sm.add_tags(ResourceArn=arn, Tags=[{"Key": f"k{i:02d}", "Value": "a"} for i in range(50)])
    sm.add_tags(ResourceArn=arn, Tags=[{"Key": "k00", "Value": "b"}])  # overwrite: still 50
    tags = _tags(sm, arn)
    assert len(tags) == 50 and tags["k00"] == "b"
    with pytest.raises(ClientError) as caught:
        sm.add_tags(ResourceArn=arn, Tags=[{"Key": "k50", "Value": "a"}])
    error = caught.value.response["Error"]
    assert error["Code"] == "ValidationException" and "51" in error["Message"]
    assert len(_tags(sm, arn)) == 50
    pages = sm.get_paginator("list_tags").paginate(ResourceArn=arn)
    assert sum(len(page["Tags"]) for page in pages) == 50
    wait_done(sm, "many")


def test_tag_requests_are_validated_and_unknown_resources_rejected(sm: Any) -> None:
    unknown = "arn:aws:sagemaker:us-east-1:123456789012:hyper-parameter-tuning-job/nope"
    for call in (
        lambda: sm.list_tags(ResourceArn=unknown),
        lambda: sm.add_tags(ResourceArn=unknown, Tags=TAGS),
        lambda: sm.delete_tags(ResourceArn=unknown, TagKeys=["a"]),
        lambda: sm.list_tags(ResourceArn=unknown.replace("hyper-parameter-tuning-job", "endpoint")),
    ):
        with pytest.raises(ClientError) as caught:
            call()
        assert caught.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ClientError) as caught:
        sm.add_tags(ResourceArn="not-an-arn", Tags=[{"Key": "a#b", "Value": "v"}])
    message = caught.value.response["Error"]["Message"]
    assert message.startswith("2 validation errors detected")
    assert "'resourceArn'" in message and "'tags.1.member.key'" in message


def test_model_tags(sm: Any) -> None:
    sm.create_hyper_parameter_tuning_job(**request("for-model", jobs=1, parallel=1))
    wait_done(sm, "for-model")
    job = sm.describe_training_job(TrainingJobName=_jobs(sm, "for-model")[0]["TrainingJobName"])
    arn = sm.create_model(
        ModelName="tagged-model",
        PrimaryContainer={
            "Image": IMAGE,
            "ModelDataUrl": job["ModelArtifacts"]["S3ModelArtifacts"],
        },
        ExecutionRoleArn="arn:aws:iam::123456789012:role/test",
        Tags=[{"Key": "owner", "Value": "me"}],
    )["ModelArn"]
    assert _tags(sm, arn) == {"owner": "me"}
    sm.add_tags(ResourceArn=arn, Tags=[{"Key": "owner", "Value": "you"}])
    assert _tags(sm, arn) == {"owner": "you"}
    sm.delete_model(ModelName="tagged-model")
    with pytest.raises(ClientError):
        sm.list_tags(ResourceArn=arn)


def test_concurrent_add_tags_lose_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from tests.helpers import small_seed_request

    monkeypatch.setenv("LOCALTUNE_ENGINE", "off")
    home = tmp_path / "quiet"
    sm = localtune.client(home=home)
    try:
        arn = sm.create_hyper_parameter_tuning_job(**small_seed_request("race", jobs=1))[
            "HyperParameterTuningJobArn"
        ]

        def add(prefix: str) -> None:
            client = localtune.client(home=home)
            for i in range(20):
                client.add_tags(ResourceArn=arn, Tags=[{"Key": f"{prefix}{i}", "Value": "v"}])

        threads = [threading.Thread(target=add, args=(p,)) for p in ("a", "b")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(_tags(sm, arn)) == 40
    finally:
        services.close_service(home)

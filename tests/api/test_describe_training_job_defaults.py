"""DescribeTrainingJob fills what SageMaker fills when the request left it out, because the
SageMaker SDK's ``Estimator.attach()`` reads these members without a default."""

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


def test_left_out_members_are_described_with_their_defaults(sm: Any) -> None:
    req = request("defaults", jobs=1, parallel=1)
    definition = req["TrainingJobDefinition"]
    del definition["ResourceConfig"]["VolumeSizeInGB"]
    definition["StoppingCondition"] = {}
    sm.create_hyper_parameter_tuning_job(**req)
    wait_done(sm, "defaults")
    name = sm.list_training_jobs_for_hyper_parameter_tuning_job(
        HyperParameterTuningJobName="defaults"
    )["TrainingJobSummaries"][0]["TrainingJobName"]
    job = sm.describe_training_job(TrainingJobName=name)
    assert job["OutputDataConfig"] == {
        "S3OutputPath": "s3://bucket/out",
        "KmsKeyId": "",
        "CompressionType": "GZIP",
    }
    assert job["StoppingCondition"] == {"MaxRuntimeInSeconds": 86400}
    assert job["ResourceConfig"]["VolumeSizeInGB"] == 30
    assert job["TrainingJobStatus"] == "Completed"

"""The real AWS CLI against `localtune serve`: tags and list-training-jobs."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.helpers import small_seed_request
from tests.interfaces.test_aws_cli import AWS, _describe, aws

pytestmark = pytest.mark.skipif(AWS is None, reason="awscli (test extra) is not installed")


def test_tags_and_training_jobs_through_the_aws_cli(endpoint: str, tmp_path: Path) -> None:
    request = small_seed_request("cli-tags", jobs=1, parallel=1)
    request["Tags"] = [{"Key": "team", "Value": "ml"}]
    path = tmp_path / "request.json"
    path.write_text(json.dumps(request))
    created = aws(endpoint, tmp_path, "create-hyper-parameter-tuning-job",
                  "--cli-input-json", f"file://{path}")  # fmt: skip
    assert created.returncode == 0, created.stderr
    arn = json.loads(created.stdout)["HyperParameterTuningJobArn"]
    added = aws(endpoint, tmp_path, "add-tags", "--resource-arn", arn,
                "--tags", "Key=stage,Value=dev")  # fmt: skip
    assert added.returncode == 0, added.stderr
    listed = aws(endpoint, tmp_path, "list-tags", "--resource-arn", arn)
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout)["Tags"] == [
        {"Key": "team", "Value": "ml"},
        {"Key": "stage", "Value": "dev"},
    ]
    deadline = time.monotonic() + 120
    while _describe(endpoint, tmp_path, "cli-tags")["HyperParameterTuningJobStatus"] != "Completed":
        assert time.monotonic() < deadline
        time.sleep(0.5)
    jobs = aws(endpoint, tmp_path, "list-training-jobs", "--name-contains", "cli-tags")
    assert jobs.returncode == 0, jobs.stderr
    summaries = json.loads(jobs.stdout)["TrainingJobSummaries"]
    assert [s["TrainingJobStatus"] for s in summaries] == ["Completed"]
    missing = aws(
        endpoint, tmp_path, "list-tags", "--resource-arn", arn.replace("cli-tags", "nope")
    )
    assert missing.returncode != 0 and "ValidationException" in missing.stderr

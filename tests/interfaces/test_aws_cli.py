"""The real AWS CLI (awscli from PyPI) against `localtune serve`, in a real subprocess."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import seed_request, small_seed_request

AWS = shutil.which("aws", path=str(Path(sys.executable).parent)) or shutil.which("aws")
pytestmark = pytest.mark.skipif(AWS is None, reason="awscli (test extra) is not installed")


def aws(endpoint: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "x",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
    }
    return subprocess.run(
        [str(AWS), "--endpoint-url", endpoint, "sagemaker", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def _describe(endpoint: str, tmp_path: Path, name: str) -> dict:
    described = aws(
        endpoint, tmp_path, "describe-hyper-parameter-tuning-job",
        "--hyper-parameter-tuning-job-name", name,
    )  # fmt: skip
    assert described.returncode == 0, described.stderr
    return json.loads(described.stdout)


def test_create_describe_list_stop_with_the_aws_cli(endpoint, tmp_path):
    request = tmp_path / "request.json"
    request.write_text(json.dumps(small_seed_request("cli-job", jobs=2)))
    created = aws(
        endpoint, tmp_path, "create-hyper-parameter-tuning-job",
        "--cli-input-json", f"file://{request}",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    assert json.loads(created.stdout)["HyperParameterTuningJobArn"].endswith("/cli-job")

    deadline = time.monotonic() + 120
    while _describe(endpoint, tmp_path, "cli-job")["HyperParameterTuningJobStatus"] == "InProgress":
        assert time.monotonic() < deadline, "cli-job did not finish"
        time.sleep(0.5)
    assert _describe(endpoint, tmp_path, "cli-job")["HyperParameterTuningJobStatus"] == "Completed"

    listed = aws(
        endpoint, tmp_path, "list-training-jobs-for-hyper-parameter-tuning-job",
        "--hyper-parameter-tuning-job-name", "cli-job",
        "--sort-by", "FinalObjectiveMetricValue",
    )  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    summaries = json.loads(listed.stdout)["TrainingJobSummaries"]
    assert [s["TrainingJobStatus"] for s in summaries] == ["Completed", "Completed"]

    long_request = tmp_path / "long.json"
    long_request.write_text(json.dumps(small_seed_request("cli-long", jobs=50, parallel=1)))
    started = aws(
        endpoint, tmp_path, "create-hyper-parameter-tuning-job",
        "--cli-input-json", f"file://{long_request}",
    )  # fmt: skip
    assert started.returncode == 0, started.stderr
    stopped = aws(
        endpoint, tmp_path, "stop-hyper-parameter-tuning-job",
        "--hyper-parameter-tuning-job-name", "cli-long",
    )  # fmt: skip
    assert stopped.returncode == 0, stopped.stderr
    assert stopped.stdout.strip() == ""  # StopHyperParameterTuningJob has no output


def test_errors_look_as_the_cli_shows_them_for_the_real_service(endpoint, tmp_path):
    missing = aws(
        endpoint,
        tmp_path,
        "describe-hyper-parameter-tuning-job",
        "--hyper-parameter-tuning-job-name",
        "missing",
    )
    assert missing.returncode in (254, 255)  # awscli v2 says 254, v1 (PyPI) 255
    assert (
        "An error occurred (ResourceNotFound) when calling the DescribeHyperParameterTuningJob "
        "operation: Amazon SageMaker can't find a tuning job called missing. Type another name."
    ) in missing.stderr

    bad = seed_request("cli-bad")
    bad["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxNumberOfTrainingJobs"] = 100000
    request = tmp_path / "bad.json"
    request.write_text(json.dumps(bad))
    rejected = aws(
        endpoint,
        tmp_path,
        "create-hyper-parameter-tuning-job",
        "--cli-input-json",
        f"file://{request}",
    )
    assert rejected.returncode in (254, 255)
    assert "(ValidationException)" in rejected.stderr
    assert "MaxNumberOfTrainingJobs" in rejected.stderr or "maxNumberOfTrainingJobs" in (
        rejected.stderr
    )

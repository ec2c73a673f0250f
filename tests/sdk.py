"""What the SageMaker SDK tests share: a ``sagemaker.Session`` whose boto3 client is answered by
``localtune.mock_sagemaker()`` (no AWS account, no credentials read from the machine), with the
breast_cancer demo data in the local S3, and the image and role of the seed example."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

import localtune
from localtune.demo import write_breast_cancer

IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
ROLE = "arn:aws:iam::123456789012:role/service-role/LocaltuneExecutionRole"


@pytest.fixture
def sdk_session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    sagemaker = pytest.importorskip("sagemaker")
    monkeypatch.setenv("SAGEMAKER_SUPPRESS_V2_WARNING", "1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    home = tmp_path / "home"
    write_breast_cancer(home)
    with localtune.mock_sagemaker(home=home):
        boto_session = boto3.Session(
            region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
        )
        yield sagemaker.Session(boto_session=boto_session, default_bucket="localtune-demo")


def xgboost_estimator(session: Any, **hyperparameters: Any) -> Any:
    """An SDK ``Estimator`` of the built-in XGBoost image writing to the demo bucket."""
    from sagemaker.estimator import Estimator

    estimator = Estimator(
        image_uri=IMAGE,
        role=ROLE,
        instance_count=1,
        instance_type="ml.m5.xlarge",
        output_path="s3://localtune-demo/sdk/output",
        sagemaker_session=session,
    )
    estimator.set_hyperparameters(**hyperparameters)
    return estimator

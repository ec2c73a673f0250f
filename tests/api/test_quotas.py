"""Account quotas the API enforces (reference §10): at most 100 tuning jobs running at once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

import localtune
from localtune.interfaces import services
from tests.helpers import small_seed_request


@pytest.fixture
def sm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("LOCALTUNE_ENGINE", "off")  # jobs are recorded InProgress, never run
    yield localtune.client(home=tmp_path)
    services.close_service(tmp_path)


def test_the_101st_concurrent_tuning_job_exceeds_the_account_limit(sm: Any, tmp_path: Path) -> None:
    for i in range(100):
        sm.create_hyper_parameter_tuning_job(**small_seed_request(f"busy-{i}", jobs=1))
    sm.stop_hyper_parameter_tuning_job(HyperParameterTuningJobName="busy-0")  # Stopping: running
    with pytest.raises(sm.exceptions.ResourceLimitExceeded) as caught:
        sm.create_hyper_parameter_tuning_job(**small_seed_request("one-too-many", jobs=1))
    message = caught.value.response["Error"]["Message"]
    assert "100" in message and "hyperparameter tuning jobs" in message
    with pytest.raises(ClientError):
        sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="one-too-many")
    # A finished job frees its place.
    store = services.get_service(tmp_path).store
    store.update_tuning_job("busy-1", status="Completed", end_time=time.time())
    sm.create_hyper_parameter_tuning_job(**small_seed_request("one-too-many", jobs=1))

"""``localtune.analytics``: the SDK's DataFrame, column for column, from the training-job list."""

from __future__ import annotations

import math
import sys
from typing import Any

import pandas as pd
import pytest
from botocore.exceptions import ClientError

import localtune
from localtune.interfaces.cli import main
from localtune.results.analytics import MissingExtra, require
from tests.results.conftest import TrainedModel, record_tuning_job

RANGES = {
    "ContinuousParameterRanges": [{"Name": "eta", "MinValue": "0.01", "MaxValue": "1"}],
    "IntegerParameterRanges": [{"Name": "max_depth", "MinValue": "1", "MaxValue": "10"}],
    "CategoricalParameterRanges": [{"Name": "booster", "Values": ["gbtree", "dart"]}],
}
JOBS: list[dict[str, Any]] = [
    {
        "tuned": {"eta": "0.5", "max_depth": "3", "booster": "gbtree"},
        "status": "Completed",
        "objective": 0.97,
        "start": -50,
        "end": -40.5,
    },
    {
        "tuned": {"eta": "0.05", "max_depth": "7", "booster": "dart"},
        "status": "Failed",
        "failure_reason": "AlgorithmError: boom",
    },
    {
        "tuned": {"eta": "0.2", "max_depth": "1", "booster": "gbtree"},
        "status": "Stopped",
        "objective": 0.91,
        "start": -30,
        "end": -29,
        "definition_name": "second-definition",
    },
    {
        "tuned": {"eta": "0.3", "max_depth": "5", "booster": "dart"},
        "status": "InProgress",
        "start": -5,
    },
]


@pytest.fixture(scope="module")
def tuning_job(trained: TrainedModel) -> str:
    record_tuning_job(trained.home, "analytics-job", JOBS, RANGES)
    return "analytics-job"


def listed(sm: Any, name: str) -> list[dict[str, Any]]:
    pages = sm.get_paginator("list_training_jobs_for_hyper_parameter_tuning_job").paginate(
        HyperParameterTuningJobName=name
    )
    return [summary for page in pages for summary in page["TrainingJobSummaries"]]


def test_columns_in_the_sdk_order(tuning_job: str, trained: TrainedModel) -> None:
    frame = localtune.analytics(tuning_job, trained.home)
    assert list(frame.columns) == [
        "eta",
        "max_depth",
        "booster",
        "TrainingJobName",
        "TrainingJobStatus",
        "FinalObjectiveValue",
        "TrainingStartTime",
        "TrainingEndTime",
        "TrainingElapsedTimeSeconds",
        "TrainingJobDefinitionName",
    ]


def _same(cell: Any, value: Any) -> bool:
    if value is None:
        return cell is None or (not isinstance(cell, str) and pd.isna(cell))
    return bool(cell == value)


def test_frame_equals_the_training_job_list(
    tuning_job: str, trained: TrainedModel, sm: Any
) -> None:
    frame = localtune.analytics(tuning_job, trained.home)
    summaries = listed(sm, tuning_job)
    assert len(frame) == len(summaries) == len(JOBS)
    for (_, row), summary in zip(frame.iterrows(), summaries, strict=True):
        for name, value in summary["TunedHyperParameters"].items():
            want: Any = value if name == "booster" else float(value)
            assert row[name] == want
        assert row["TrainingJobName"] == summary["TrainingJobName"]
        assert row["TrainingJobStatus"] == summary["TrainingJobStatus"]
        objective = summary.get("FinalHyperParameterTuningJobObjectiveMetric", {}).get("Value")
        assert _same(row["FinalObjectiveValue"], objective)
        start, end = summary.get("TrainingStartTime"), summary.get("TrainingEndTime")
        assert _same(row["TrainingStartTime"], start)
        assert _same(row["TrainingEndTime"], end)
        elapsed = (end - start).total_seconds() if start and end else None
        assert _same(row["TrainingElapsedTimeSeconds"], elapsed)
        assert _same(row["TrainingJobDefinitionName"], summary.get("TrainingJobDefinitionName"))
    by_name = frame.set_index("TrainingJobName")
    first = summaries[0]["TrainingJobName"]
    assert math.isclose(by_name.loc[first, "TrainingElapsedTimeSeconds"], 9.5, abs_tol=1e-3)


def test_follows_next_token_past_100(trained: TrainedModel, sm: Any) -> None:
    jobs = [
        {
            "tuned": {"eta": str(i / 1000), "max_depth": "2", "booster": "gbtree"},
            "status": "Completed",
            "objective": i / 1000,
        }
        for i in range(130)
    ]
    record_tuning_job(trained.home, "many-jobs", jobs, RANGES)
    frame = localtune.analytics("many-jobs", trained.home, client=sm)
    assert list(frame["TrainingJobName"]) == [s["TrainingJobName"] for s in listed(sm, "many-jobs")]
    assert len(frame) == 130
    assert sorted(frame["FinalObjectiveValue"]) == sorted(i / 1000 for i in range(130))


def test_equals_the_sagemaker_sdk_dataframe(
    tuning_job: str, trained: TrainedModel, sm: Any
) -> None:
    sagemaker = pytest.importorskip("sagemaker")
    boto3 = pytest.importorskip("boto3")
    session = sagemaker.session.Session(
        boto_session=boto3.Session(region_name="us-east-1"), sagemaker_client=sm
    )
    sdk = sagemaker.HyperparameterTuningJobAnalytics(tuning_job, sagemaker_session=session)
    pd.testing.assert_frame_equal(localtune.analytics(tuning_job, client=sm), sdk.dataframe())


def test_unknown_tuning_job(trained: TrainedModel, capfd: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        localtune.analytics("no-such-job", trained.home)
    assert excinfo.value.response["Error"]["Code"] == "ResourceNotFound"
    assert main(["--home", str(trained.home), "export", "no-such-job", "--csv", "x.csv"]) == 1
    err = capfd.readouterr().err
    assert "ResourceNotFound" in err and "no-such-job" in err and "Traceback" not in err


def test_export_csv_command(tuning_job: str, trained: TrainedModel, tmp_path: Any) -> None:
    target = tmp_path / "out" / "jobs.csv"
    assert main(["--home", str(trained.home), "export", tuning_job, "--csv", str(target)]) == 0
    back = pd.read_csv(target, index_col=0)
    frame = localtune.analytics(tuning_job, trained.home)
    assert list(back.columns) == list(frame.columns)
    assert list(back["TrainingJobName"]) == list(frame["TrainingJobName"])
    pd.testing.assert_series_equal(back["FinalObjectiveValue"], frame["FinalObjectiveValue"])


def test_missing_pandas_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(MissingExtra, match=r"pip install 'localtune\[analytics\]'"):
        require("pandas", "analytics", "localtune.analytics()")
    with pytest.raises(MissingExtra, match="analytics"):
        localtune.analytics("whatever")

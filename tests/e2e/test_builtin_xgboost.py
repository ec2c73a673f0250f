"""Issue "Training for real", end to end through tuning jobs: the seed example on real data, other
objectives and data formats, the container's errors, and a script-mode job."""

from __future__ import annotations

import copy
import io
import json
import tarfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import xgboost
from sklearn.datasets import dump_svmlight_file, load_diabetes, load_wine
from sklearn.metrics import roc_auc_score

import localtune
from localtune.demo import DATA_PREFIX, write_breast_cancer
from localtune.interfaces import services
from localtune.runtime.s3 import LocalS3
from tests.helpers import seed_request, small_seed_request, wait_for_status


@pytest.fixture
def home(tmp_path: Path):
    yield tmp_path
    services.close_service(tmp_path)


def _summaries(sm: Any, name: str) -> list[dict[str, Any]]:
    pages = sm.get_paginator("list_training_jobs_for_hyper_parameter_tuning_job").paginate(
        HyperParameterTuningJobName=name
    )
    return [s for page in pages for s in page["TrainingJobSummaries"]]


def _booster(home: Path, artifacts: str) -> xgboost.Booster:
    with tarfile.open(LocalS3.from_home(home).path(artifacts)) as tar:
        member = tar.extractfile("xgboost-model")
        assert member is not None
        raw = bytearray(member.read())
    booster = xgboost.Booster()
    booster.load_model(raw)
    return booster


def test_seed_example_twenty_jobs_best_auc_recomputed(home: Path) -> None:
    write_breast_cancer(home)
    sm = localtune.client(home=home)
    sm.create_hyper_parameter_tuning_job(**seed_request("seed-e2e"))
    described = wait_for_status(sm, "seed-e2e", timeout=600)
    assert described["HyperParameterTuningJobStatus"] == "Completed", described.get("FailureReason")
    assert described["TrainingJobStatusCounters"]["Completed"] == 20
    jobs = _summaries(sm, "seed-e2e")
    assert len(jobs) == 20 and {j["TrainingJobStatus"] for j in jobs} == {"Completed"}

    events = sorted(
        [(j["TrainingStartTime"], 1) for j in jobs] + [(j["TrainingEndTime"], -1) for j in jobs]
    )
    running = peak = 0
    for _, step in events:
        running += step
        peak = max(peak, running)
    assert peak <= 3

    values = {j["TrainingJobName"]: j["FinalHyperParameterTuningJobObjectiveMetric"] for j in jobs}
    best = described["BestTrainingJob"]
    assert best["TrainingJobName"] == max(values, key=lambda n: values[n]["Value"])

    artifacts = sm.describe_training_job(TrainingJobName=best["TrainingJobName"])["ModelArtifacts"][
        "S3ModelArtifacts"
    ]
    booster = _booster(home, artifacts)
    validation = np.loadtxt(
        LocalS3.from_home(home).path(f"{DATA_PREFIX}/validation/validation.csv"), delimiter=","
    )
    predictions = booster.predict(xgboost.DMatrix(validation[:, 1:]))
    recomputed = roc_auc_score(validation[:, 0], predictions)
    reported = best["FinalHyperParameterTuningJobObjectiveMetric"]["Value"]
    assert round(recomputed, 5) == pytest.approx(reported, abs=1e-9)


def _put(home: Path, uri: str, data: bytes) -> None:
    path = LocalS3.from_home(home).path(uri)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _csv(y: np.ndarray, x: np.ndarray) -> bytes:
    buffer = io.StringIO()
    np.savetxt(buffer, np.column_stack([y, x]), delimiter=",", fmt="%.8g")
    return buffer.getvalue().encode()


def _libsvm(y: np.ndarray, x: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    dump_svmlight_file(x, y, buffer, zero_based=True)
    return buffer.getvalue()


def _parquet(y: np.ndarray, x: np.ndarray) -> bytes:
    pandas = pytest.importorskip("pandas")
    frame = pandas.DataFrame(
        np.column_stack([y, x]), columns=[f"c{i}" for i in range(x.shape[1] + 1)]
    )
    buffer = io.BytesIO()
    frame.to_parquet(buffer)
    return buffer.getvalue()


def _task_request(name: str, prefix: str, content_type: str, static: dict[str, str], objective):
    request = small_seed_request(name, jobs=2, parallel=2)
    config = request["HyperParameterTuningJobConfig"]
    config["HyperParameterTuningJobObjective"] = {"Type": objective[1], "MetricName": objective[0]}
    definition = request["TrainingJobDefinition"]
    definition["StaticHyperParameters"] = {"num_round": "10", **static}
    for channel in definition["InputDataConfig"]:
        name_ = channel["ChannelName"]
        channel["DataSource"]["S3DataSource"]["S3Uri"] = f"{prefix}/{name_}/"
        channel["ContentType"] = content_type
    return request


def _split(x: np.ndarray, y: np.ndarray) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    order = np.random.default_rng(0).permutation(len(y))
    cut = int(0.7 * len(y))
    train, validation = order[:cut], order[cut:]
    return (y[train], x[train]), (y[validation], x[validation])


TASKS = {
    "regression-csv": (load_diabetes, _csv, "text/csv", {"objective": "reg:squarederror"},
                       ("validation:rmse", "Minimize")),
    "multiclass-csv": (load_wine, _csv, "text/csv",
                       {"objective": "multi:softprob", "num_class": "3"},
                       ("validation:mlogloss", "Minimize")),
    "binary-libsvm": (None, _libsvm, "text/libsvm", {"objective": "binary:logistic"},
                      ("validation:auc", "Maximize")),
    "regression-parquet": (load_diabetes, _parquet, "application/x-parquet",
                           {"objective": "reg:squarederror"}, ("validation:mae", "Minimize")),
}  # fmt: skip


@pytest.mark.parametrize("task", sorted(TASKS))
def test_objectives_and_formats_end_to_end(home: Path, task: str) -> None:
    loader, encode, content_type, static, objective = TASKS[task]
    if loader is None:
        from sklearn.datasets import load_breast_cancer as loader
    x, y = loader(return_X_y=True)
    prefix = f"s3://data/{task}"
    for channel, (labels, features) in zip(("train", "validation"), _split(x, y), strict=True):
        _put(home, f"{prefix}/{channel}/part-0", encode(labels.astype(float), features))
    sm = localtune.client(home=home)
    sm.create_hyper_parameter_tuning_job(
        **_task_request(task, prefix, content_type, static, objective)
    )
    described = wait_for_status(sm, task)
    assert described["HyperParameterTuningJobStatus"] == "Completed", [
        j.get("FailureReason") for j in _summaries(sm, task)
    ]
    values = [
        j["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] for j in _summaries(sm, task)
    ]
    pick = min if objective[1] == "Minimize" else max
    metric = described["BestTrainingJob"]["FinalHyperParameterTuningJobObjectiveMetric"]
    assert metric["MetricName"] == objective[0]
    assert metric["Value"] == pick(values)


ERRORS = {
    "unknown-static": ({"num_round": "5", "not_a_param": "1"}, True,
                       "Extraneous hyperparameter found: not_a_param"),
    "eta-out-of-range": ({"num_round": "5", "eta": "1.5"}, True, "eta"),
    "missing-train": ({"num_round": "5"}, False, "Missing required channel: train"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_container_errors_end_as_non_retryable_failures(home: Path, case: str) -> None:
    static, with_train, message = ERRORS[case]
    write_breast_cancer(home)
    request = small_seed_request(case, jobs=1, parallel=1)
    request["HyperParameterTuningJobConfig"]["ParameterRanges"] = {
        "IntegerParameterRanges": [{"Name": "max_depth", "MinValue": "1", "MaxValue": "5"}]
    }
    definition = request["TrainingJobDefinition"]
    definition["StaticHyperParameters"] = {"objective": "binary:logistic", **static}
    if not with_train:
        definition["InputDataConfig"] = [
            c for c in definition["InputDataConfig"] if c["ChannelName"] != "train"
        ]
    sm = localtune.client(home=home)
    sm.create_hyper_parameter_tuning_job(**request)
    described = wait_for_status(sm, case)
    assert described["TrainingJobStatusCounters"]["NonRetryableError"] == 1
    (job,) = _summaries(sm, case)
    assert job["TrainingJobStatus"] == "Failed"
    assert job["FailureReason"].startswith("ClientError: ")
    assert message in job["FailureReason"]


ENTRY_POINT = """\
import argparse, os
import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score

parser = argparse.ArgumentParser()
parser.add_argument("--n-estimators", type=int)
parser.add_argument("--max-depth", type=int)
args = parser.parse_args()
channel = os.environ["SM_CHANNEL_TRAIN"], os.environ["SM_CHANNEL_VALIDATION"]
train = np.loadtxt(os.path.join(channel[0], "train.csv"), delimiter=",")
valid = np.loadtxt(os.path.join(channel[1], "validation.csv"), delimiter=",")
model = RandomForestClassifier(
    n_estimators=args.n_estimators, max_depth=args.max_depth, random_state=0
)
model.fit(train[:, 1:], train[:, 0])
print(f"validation accuracy={accuracy_score(valid[:, 0], model.predict(valid[:, 1:])):.6f};")
with open(os.path.join(os.environ["SM_MODEL_DIR"], "model.txt"), "w") as out:
    out.write(str(model.get_params()))
"""


def test_script_mode_sklearn_entry_point(home: Path) -> None:
    write_breast_cancer(home)
    source = io.BytesIO()
    with tarfile.open(fileobj=source, mode="w:gz") as tar:
        data = ENTRY_POINT.encode()
        info = tarfile.TarInfo("train.py")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    _put(home, "s3://code/sklearn/sourcedir.tar.gz", source.getvalue())
    request = copy.deepcopy(small_seed_request("script-mode", jobs=4, parallel=2))
    config = request["HyperParameterTuningJobConfig"]
    config["HyperParameterTuningJobObjective"] = {"Type": "Maximize", "MetricName": "accuracy"}
    config["ParameterRanges"] = {
        "IntegerParameterRanges": [
            {"Name": "n-estimators", "MinValue": "5", "MaxValue": "30"},
            {"Name": "max-depth", "MinValue": "2", "MaxValue": "6"},
        ]
    }
    definition = request["TrainingJobDefinition"]
    definition["AlgorithmSpecification"] = {
        "TrainingImage": "683313688378.dkr.ecr.us-east-1.amazonaws.com/"
        "sagemaker-scikit-learn:1.2-1-cpu-py3",
        "TrainingInputMode": "File",
        "MetricDefinitions": [{"Name": "accuracy", "Regex": r"validation accuracy=([0-9.]+);"}],
    }
    definition["StaticHyperParameters"] = {
        "sagemaker_program": json.dumps("train.py"),
        "sagemaker_submit_directory": json.dumps("s3://code/sklearn/sourcedir.tar.gz"),
    }
    sm = localtune.client(home=home)
    sm.create_hyper_parameter_tuning_job(**request)
    described = wait_for_status(sm, "script-mode", timeout=180)
    assert described["HyperParameterTuningJobStatus"] == "Completed", [
        j.get("FailureReason") for j in _summaries(sm, "script-mode")
    ]
    assert described["TrainingJobStatusCounters"]["Completed"] == 4
    best = described["BestTrainingJob"]
    assert 0.85 < best["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] <= 1.0
    assert set(best["TunedHyperParameters"]) == {"n-estimators", "max-depth"}
    artifacts = sm.describe_training_job(TrainingJobName=best["TrainingJobName"])["ModelArtifacts"][
        "S3ModelArtifacts"
    ]
    with tarfile.open(LocalS3.from_home(home).path(artifacts)) as tar:
        assert "model.txt" in tar.getnames()

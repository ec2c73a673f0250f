"""A real XGBoost tuning run (seed example, Random, 6 jobs, breast_cancer in the local S3) turned
into a report, an analytics frame, a model and predictions.

The best job's booster is read straight from its model.tar.gz with xgboost (not through
localtune's loader), so the predictions are checked against an independent reference.
"""

from __future__ import annotations

import http.client
import io
import sys
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import xgboost as xgb

import localtune
from localtune.demo import DATA_PREFIX, demo_request, write_breast_cancer
from localtune.interfaces import services
from localtune.interfaces.cli import main
from localtune.interfaces.model_server import ModelServer, serve_in_thread
from localtune.results import inference
from localtune.results.report import FIGURES
from localtune.runtime.s3 import LocalS3

pytestmark = pytest.mark.slow
JOB = "results-e2e"
TERMINAL = ("Completed", "Failed", "Stopped")


@dataclass
class Run:
    home: Path
    sm: Any
    description: dict[str, Any]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    import time

    home = tmp_path_factory.mktemp("e2e") / "home"
    write_breast_cancer(home)
    request = demo_request(strategy="Random", jobs=6, name=JOB)
    config = request["HyperParameterTuningJobConfig"]
    config["ResourceLimits"]["MaxParallelTrainingJobs"] = 2
    config["ParameterRanges"]["ContinuousParameterRanges"][0] = {
        "Name": "eta",
        "MinValue": "0.01",
        "MaxValue": "1",
        "ScalingType": "Logarithmic",
    }
    request["TrainingJobDefinition"]["StaticHyperParameters"]["num_round"] = "20"
    sm = localtune.client(home)
    sm.create_hyper_parameter_tuning_job(**request)
    deadline = time.monotonic() + 600
    while True:
        description = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=JOB)
        if description["HyperParameterTuningJobStatus"] in TERMINAL:
            break
        assert time.monotonic() < deadline, "the tuning job did not finish in 10 minutes"
        time.sleep(0.2)
    yield Run(home, sm, description)
    services.close_service(home)


def test_the_run_completed(run: Run) -> None:
    assert run.description["HyperParameterTuningJobStatus"] == "Completed"
    assert run.description["TrainingJobStatusCounters"]["Completed"] == 6
    assert "BestTrainingJob" in run.description


def test_report_draws_every_plot_from_the_run(run: Run, tmp_path: Path) -> None:
    import matplotlib.image

    out = tmp_path / "report"
    assert main(["--home", str(run.home), "report", JOB, "--out", str(out)]) == 0
    page = (out / "index.html").read_text()
    for file_name, _title in FIGURES:
        assert f"src='{file_name}'" in page
        image = matplotlib.image.imread(out / file_name)
        height, width = image.shape[:2]
        assert height >= 300 and width >= 500
        assert float(np.std(image[..., :3])) > 0.05  # drawn on, not a blank canvas
    best = run.description["BestTrainingJob"]
    assert best["TrainingJobName"] in page
    assert "Training jobs Completed</th><td>6" in page
    assert "http://" not in page and "https://" not in page  # nothing loaded from the network
    for summary in run.sm.list_training_jobs_for_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=JOB, MaxResults=100
    )["TrainingJobSummaries"]:
        assert summary["TrainingJobName"] in page


def test_analytics_of_the_run(run: Run) -> None:
    frame = localtune.analytics(JOB, run.home)
    summaries = run.sm.list_training_jobs_for_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=JOB, MaxResults=100
    )["TrainingJobSummaries"]
    assert list(frame["TrainingJobName"]) == [s["TrainingJobName"] for s in summaries]
    for (_, row), summary in zip(frame.iterrows(), summaries, strict=True):
        for name, value in summary["TunedHyperParameters"].items():
            assert row[name] == float(value)
        objective = summary["FinalHyperParameterTuningJobObjectiveMetric"]["Value"]
        assert row["FinalObjectiveValue"] == objective
        elapsed = (summary["TrainingEndTime"] - summary["TrainingStartTime"]).total_seconds()
        assert row["TrainingElapsedTimeSeconds"] == elapsed
    best = run.description["BestTrainingJob"]["TrainingJobName"]
    assert frame.loc[frame["FinalObjectiveValue"].idxmax(), "TrainingJobName"] == best


def _validation_rows(home: Path) -> np.ndarray:
    path = LocalS3.from_home(home).path(f"{DATA_PREFIX}/validation/validation.csv")
    data = np.loadtxt(path, delimiter=",", ndmin=2)
    return data[:, 1:]  # label first


def _best_booster(run: Run) -> xgb.Booster:
    name = run.description["BestTrainingJob"]["TrainingJobName"]
    uri = run.sm.describe_training_job(TrainingJobName=name)["ModelArtifacts"]["S3ModelArtifacts"]
    with tarfile.open(LocalS3.from_home(run.home).path(uri)) as archive:
        stream = archive.extractfile("xgboost-model")
        assert stream is not None
        booster = xgb.Booster()
        booster.load_model(bytearray(stream.read()))
    return booster


def _csv(rows: np.ndarray) -> bytes:
    return "".join(",".join(repr(float(v)) for v in row) + "\n" for row in rows).encode()


def test_best_model_predictions_equal_the_booster(
    run: Run, monkeypatch: pytest.MonkeyPatch, capfd: Any
) -> None:
    home = str(run.home)
    code = main(
        [
            "--home",
            home,
            "create-model",
            "--model-name",
            "best-of-e2e",
            "--from-best-training-job",
            JOB,
        ]
    )
    assert code == 0, capfd.readouterr().err
    capfd.readouterr()
    described = run.sm.describe_model(ModelName="best-of-e2e")
    best = run.sm.describe_training_job(
        TrainingJobName=run.description["BestTrainingJob"]["TrainingJobName"]
    )
    assert (
        described["PrimaryContainer"]["ModelDataUrl"] == best["ModelArtifacts"]["S3ModelArtifacts"]
    )
    assert described["PrimaryContainer"]["Image"] == best["AlgorithmSpecification"]["TrainingImage"]

    rows = _validation_rows(run.home)
    want = [float(v) for v in _best_booster(run).predict(xgb.DMatrix(rows, nthread=1))]

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(_csv(rows))))
    assert main(["--home", home, "predict", "--model-name", "best-of-e2e"]) == 0
    assert [float(line) for line in capfd.readouterr().out.splitlines()] == want

    server = ModelServer(inference.load("best-of-e2e", home=run.home), port=0)
    serve_in_thread(server)
    try:
        host, port = server.server_address[:2]
        conn = http.client.HTTPConnection(str(host), int(port), timeout=30)
        conn.request("POST", "/invocations", b"1,2,3\n", {"Content-Type": "text/csv"})
        refused = conn.getresponse()
        assert refused.status == 400 and b"expects 30 features" in refused.read()
        conn.request("POST", "/invocations", _csv(rows), {"Content-Type": "text/csv"})
        answer = conn.getresponse()
        assert answer.status == 200
        assert [float(v) for v in answer.read().decode().split(",")] == want
        conn.close()
    finally:
        server.shutdown()
        server.server_close()


def test_sagemaker_sdk_creates_and_reuses_the_best_model(run: Run) -> None:
    """The SDK's Session.create_model_from_job against localtune: the model it creates is the
    one localtune serves, and a second call reuses it — the SDK recognises localtune's
    duplicate-name error as SageMaker's ("Cannot create already existing model")."""
    sagemaker = pytest.importorskip("sagemaker")
    boto3 = pytest.importorskip("boto3")
    best = run.description["BestTrainingJob"]["TrainingJobName"]
    session = sagemaker.session.Session(
        boto_session=boto3.Session(region_name="us-east-1"), sagemaker_client=run.sm
    )
    assert session.create_model_from_job(best, name="sdk-best") == "sdk-best"
    assert session.create_model_from_job(best, name="sdk-best") == "sdk-best"  # reused
    model = inference.load("sdk-best", home=run.home)
    rows = _validation_rows(run.home)[:10]
    answer, media = inference.invoke(model, _csv(rows), "text/csv")
    want = [float(v) for v in _best_booster(run).predict(xgb.DMatrix(rows, nthread=1))]
    assert media == "text/csv" and [float(v) for v in answer.decode().split(",")] == want

"""The HTML report over recorded tuning jobs: categorical and log-scaled ranges, failed and
running jobs, a job without any objective yet, and matplotlib missing."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from localtune.interfaces.cli import main
from localtune.results import plots
from localtune.results.analytics import MissingExtra
from localtune.results.report import FIGURES, write_report
from tests.results.conftest import TrainedModel, record_tuning_job

RANGES = {
    "ContinuousParameterRanges": [
        {"Name": "eta", "MinValue": "0.001", "MaxValue": "1", "ScalingType": "Logarithmic"},
        {
            "Name": "momentum",
            "MinValue": "0",
            "MaxValue": "0.999",
            "ScalingType": "ReverseLogarithmic",
        },
    ],
    "IntegerParameterRanges": [{"Name": "max_depth", "MinValue": "1", "MaxValue": "10"}],
    "CategoricalParameterRanges": [{"Name": "booster", "Values": ["gbtree", "dart", "gblinear"]}],
}


def _jobs(count: int) -> list[dict[str, Any]]:
    rng = np.random.default_rng(3)
    jobs: list[dict[str, Any]] = []
    for i in range(count):
        failed = i % 5 == 4
        jobs.append(
            {
                "tuned": {
                    "eta": repr(float(10 ** rng.uniform(-3, 0))),
                    "momentum": repr(float(1 - 10 ** rng.uniform(-3, 0))),
                    "max_depth": str(int(rng.integers(1, 11))),
                    "booster": ["gbtree", "dart", "gblinear"][i % 3],
                },
                "status": "Failed" if failed else ("InProgress" if i == count - 1 else "Completed"),
                "objective": None if failed or i == count - 1 else float(rng.uniform(0.8, 1)),
                "start": -60 + 4 * i,
                "end": None if i == count - 1 else -60 + 4 * i + 5,
                "failure_reason": "AlgorithmError: <boom> & friends" if failed else None,
            }
        )
    return jobs


def _image_is_drawn(path: Path) -> None:
    import matplotlib.image

    image = matplotlib.image.imread(path)
    assert image.shape[0] >= 300 and image.shape[1] >= 500
    assert float(np.std(image[..., :3])) > 0.05


def test_report_of_recorded_jobs(trained: TrainedModel, tmp_path: Path, sm: Any) -> None:
    record_tuning_job(trained.home, "report-job", _jobs(12), RANGES)
    page = write_report("report-job", tmp_path / "r", client=sm)
    assert page == tmp_path / "r" / "index.html"
    text = page.read_text()
    for file_name, title in FIGURES:
        assert f"<img src='{file_name}' alt='{title}'>" in text
        _image_is_drawn(tmp_path / "r" / file_name)
    best = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="report-job")[
        "BestTrainingJob"
    ]
    assert "<tr class='best'><td>" in text and best["TrainingJobName"] in text
    assert "AlgorithmError: &lt;boom&gt; &amp; friends" in text  # escaped, not raw HTML
    assert "booster (tuned)" in text and "momentum (tuned)" in text


def test_report_before_any_objective(trained: TrainedModel, tmp_path: Path, capsys: Any) -> None:
    tuned = {"eta": "0.1", "momentum": "0.5", "max_depth": "3", "booster": "dart"}
    jobs = [{"tuned": tuned, "status": "InProgress"}]
    record_tuning_job(trained.home, "report-early", jobs, RANGES)
    out = tmp_path / "early"
    assert main(["--home", str(trained.home), "report", "report-early", "--out", str(out)]) == 0
    assert str(out / "index.html") in capsys.readouterr().out
    text = (out / "index.html").read_text()
    assert "No training job has reported the objective yet." in text
    for file_name, _ in FIGURES:
        assert (out / file_name).stat().st_size > 1000


def test_report_of_unknown_job(trained: TrainedModel, tmp_path: Path, capsys: Any) -> None:
    out = tmp_path / "none"
    assert main(["--home", str(trained.home), "report", "nope", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "ResourceNotFound" in err and "nope" in err


def test_missing_matplotlib_names_the_extra(
    trained: TrainedModel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(MissingExtra, match=r"pip install 'localtune\[report\]'"):
        write_report("anything", tmp_path / "x", trained.home)
    assert main(["--home", str(trained.home), "report", "anything"]) == 1
    assert "localtune[report]" in capsys.readouterr().err


def test_best_so_far() -> None:
    values = [None, 0.5, 0.4, None, 0.7, 0.6]
    assert plots.best_so_far(values, maximize=True) == [None, 0.5, 0.5, 0.5, 0.7, 0.7]
    assert plots.best_so_far(values, maximize=False) == [None, 0.5, 0.4, 0.4, 0.4, 0.4]


def test_hyperparameter_axes_follow_the_scaling_type() -> None:
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    ranges = [
        plots.Range("eta", "Continuous", "Logarithmic"),
        plots.Range("momentum", "Continuous", "ReverseLogarithmic"),
        plots.Range("max_depth", "Integer", "Auto"),
        plots.Range("booster", "Categorical", values=("gbtree", "dart")),
    ]
    jobs = [
        plots.Job(
            name=f"j{i}",
            status="Completed",
            params={
                "eta": str(10.0**-i),
                "momentum": str(1 - 10.0**-i),
                "max_depth": str(i),
                "booster": ("gbtree", "dart")[i % 2],
            },
            objective=0.5 + i / 10,
            created=now,
            start=now,
            end=now,
        )
        for i in range(1, 5)
    ]
    figure = plots.hyperparameter_panels(jobs, ranges, "validation:auc", maximize=True)
    scales = [ax.get_xscale() for ax in figure.axes]
    assert scales == ["log", "function", "linear", "linear"]
    assert [t.get_text() for t in figure.axes[3].get_xticklabels()] == ["gbtree", "dart"]
    assert figure.axes[0].get_xlabel() == "eta (log)"

"""The built-in XGBoost container program end to end: real job dirs, real data, real XGBoost.

The headline cases run ``python -m localtune.runtime.xgb train`` as a subprocess, as the engine
does; the others call ``main(["train"])`` in-process (the engine's forked-worker path), which is
the same program and keeps this file fast.
"""

from __future__ import annotations

import json
import math
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
import xgboost as xgb
from sklearn.datasets import dump_svmlight_file, load_breast_cancer, load_diabetes, load_iris
from sklearn.metrics import log_loss, mean_squared_error, roc_auc_score

from localtune.runtime.contract import JobDir, job_environment, write_job_dir
from localtune.runtime.xgb import main, spec

ARN = "arn:aws:sagemaker:us-east-1:123456789012:training-job/job"


def make_job(
    root: Path,
    hyperparameters: Mapping[str, str],
    channels: Sequence[str] = ("train", "validation"),
    content_type: str | None = "text/csv",
    input_mode: str = "File",
    checkpoint_config: Mapping[str, str] | None = None,
) -> JobDir:
    config = []
    for name in channels:
        channel: dict[str, object] = {"ChannelName": name, "InputMode": input_mode}
        if content_type is not None:
            channel["ContentType"] = content_type
        config.append(channel)
    return write_job_dir(
        root,
        hyperparameters=dict(hyperparameters),
        input_data_config=config,
        checkpoint_config=checkpoint_config,
    )


def write_csv(path: Path, labels: np.ndarray, features: np.ndarray) -> None:
    np.savetxt(path, np.column_stack([labels, features]), delimiter=",", fmt="%.17g")


def split(features: np.ndarray, labels: np.ndarray, seed: int = 0) -> tuple[np.ndarray, ...]:
    order = np.random.default_rng(seed).permutation(len(labels))
    cut = int(0.7 * len(labels))
    train, valid = order[:cut], order[cut:]
    return features[train], labels[train], features[valid], labels[valid]


def run_subprocess(job: JobDir) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **job_environment(job, training_job_name="job", training_job_arn=ARN)}
    return subprocess.run(
        [sys.executable, "-m", "localtune.runtime.xgb", "train"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def run_inprocess(job: JobDir, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("SAGEMAKER_BASE_DIR", str(job.root))
    return main(["train"])


def last_value(stdout: str, metric: str) -> float:
    """The last value of ``metric`` found by SageMaker's registered regex (TAB shown as #011)."""
    regex = re.compile(spec.metric_regex(metric))
    values = [
        m.group(1) for line in stdout.splitlines() if (m := regex.match(line.replace("\t", "#011")))
    ]
    assert values, f"no {metric} in the log:\n{stdout}"
    return float(values[-1])


def load_booster(job: JobDir) -> xgb.Booster:
    booster = xgb.Booster()
    booster.load_model(bytearray((job.model_dir / "xgboost-model").read_bytes()))
    return booster


@pytest.fixture(scope="module")
def cancer() -> tuple[np.ndarray, ...]:
    features, labels = load_breast_cancer(return_X_y=True)
    return split(features, labels.astype(float))


def test_binary_auc_subprocess_matches_sklearn(
    tmp_path: Path, cancer: tuple[np.ndarray, ...]
) -> None:
    x_train, y_train, x_valid, y_valid = cancer
    job = make_job(
        tmp_path,
        {
            "num_round": "15",
            "objective": "binary:logistic",
            "max_depth": "3",
            "learning_rate": "0.3",
            "_tuning_objective_metric": "validation:auc",
        },
    )
    write_csv(job.channel_dir("train") / "train.csv", y_train, x_train)
    write_csv(job.channel_dir("validation") / "validation.csv", y_valid, x_valid)

    result = run_subprocess(job)

    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith("[")]
    assert len(lines) == 15
    assert lines[0].startswith("[0]\ttrain-auc:")
    assert re.fullmatch(r"\[14\]\ttrain-auc:\d\.\d{5}\tvalidation-auc:\d\.\d{5}", lines[-1])
    booster = load_booster(job)
    assert booster.num_boosted_rounds() == 15
    expected = roc_auc_score(y_valid, booster.predict(xgb.DMatrix(x_valid)))
    assert last_value(result.stdout, "validation:auc") == round(expected, 5)
    assert (job.output_dir / "success").exists()
    assert not job.failure_file.exists()


def test_regression_rmse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    x_train, y_train, x_valid, y_valid = split(*load_diabetes(return_X_y=True))
    job = make_job(
        tmp_path,
        {
            "num_round": "20",
            "objective": "reg:squarederror",
            "eta": "0.2",
            "_tuning_objective_metric": "validation:rmse",
        },
    )
    write_csv(job.channel_dir("train") / "part-1.csv", y_train[:150], x_train[:150])
    write_csv(job.channel_dir("train") / "part-2.csv", y_train[150:], x_train[150:])
    write_csv(job.channel_dir("validation") / "v.csv", y_valid, x_valid)

    assert run_inprocess(job, monkeypatch) == 0

    stdout = capsys.readouterr().out
    booster = load_booster(job)
    predictions = booster.predict(xgb.DMatrix(x_valid))
    rmse = float(np.sqrt(mean_squared_error(y_valid, predictions)))
    assert last_value(stdout, "validation:rmse") == pytest.approx(rmse, abs=2e-5)
    # both train files were read: the train rmse is computed over all of them
    assert booster.num_features() == x_train.shape[1]


def test_csv_weights_in_both_channels(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    x_train, y_train, x_valid, y_valid = split(*load_diabetes(return_X_y=True))
    rng = np.random.default_rng(1)
    w_train, w_valid = rng.uniform(0.1, 2, len(y_train)), rng.uniform(0.1, 2, len(y_valid))
    job = make_job(
        tmp_path,
        {"num_round": "5", "csv_weights": "1", "_tuning_objective_metric": "validation:rmse"},
    )
    write_csv(job.channel_dir("train") / "t.csv", y_train, np.column_stack([w_train, x_train]))
    write_csv(job.channel_dir("validation") / "v.csv", y_valid, np.column_stack([w_valid, x_valid]))

    assert run_inprocess(job, monkeypatch) == 0

    booster = load_booster(job)
    assert booster.num_features() == x_train.shape[1]  # the weight column is not a feature
    weighted = xgb.train({"nthread": 1}, xgb.DMatrix(x_train, label=y_train, weight=w_train), 5)
    np.testing.assert_allclose(
        booster.predict(xgb.DMatrix(x_valid)), weighted.predict(xgb.DMatrix(x_valid)), rtol=1e-6
    )
    # rmse is the container-computed metric here: unweighted, as in the image
    predictions = booster.predict(xgb.DMatrix(x_valid))
    rmse = float(np.sqrt(mean_squared_error(y_valid, predictions)))
    assert last_value(capsys.readouterr().out, "validation:rmse") == pytest.approx(rmse, abs=2e-5)


def test_tweedie_nloglik_is_logged_under_its_declared_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    x_train, y_train, x_valid, y_valid = split(*load_diabetes(return_X_y=True))
    job = make_job(
        tmp_path,
        {
            "num_round": "4",
            "objective": "reg:tweedie",
            "tweedie_variance_power": "1.4",
            "_tuning_objective_metric": "validation:tweedie-nloglik",
            "early_stopping_rounds": "2",
        },
    )
    write_csv(job.channel_dir("train") / "t.csv", y_train, x_train)
    write_csv(job.channel_dir("validation") / "v.csv", y_valid, x_valid)

    assert run_inprocess(job, monkeypatch) == 0

    booster = load_booster(job)
    booster.set_param({"eval_metric": "tweedie-nloglik@1.4"})
    expected = float(booster.eval(xgb.DMatrix(x_valid, label=y_valid), "v").rsplit(":", 1)[1])
    assert last_value(capsys.readouterr().out, "validation:tweedie-nloglik") == pytest.approx(
        expected, abs=2e-5
    )


def test_multiclass_mlogloss_with_num_class(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    x_train, y_train, x_valid, y_valid = split(*load_iris(return_X_y=True))
    job = make_job(
        tmp_path,
        {
            "num_round": "10",
            "objective": "multi:softprob",
            "num_class": "3",
            "eval_metric": "merror",
            "_tuning_objective_metric": "validation:mlogloss",
        },
    )
    write_csv(job.channel_dir("train") / "t.csv", y_train.astype(float), x_train)
    write_csv(job.channel_dir("validation") / "v.csv", y_valid.astype(float), x_valid)

    assert run_inprocess(job, monkeypatch) == 0

    stdout = capsys.readouterr().out
    probabilities = load_booster(job).predict(xgb.DMatrix(x_valid))
    assert probabilities.shape == (len(y_valid), 3)
    expected = log_loss(y_valid, probabilities, labels=[0, 1, 2])
    assert last_value(stdout, "validation:mlogloss") == pytest.approx(expected, abs=2e-5)
    # eval_metric and the objective metric are both evaluated, sorted: merror then mlogloss
    assert "\tvalidation-merror:" in stdout.splitlines()[-1]


def test_libsvm_channels(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    cancer: tuple[np.ndarray, ...],
) -> None:
    x_train, y_train, x_valid, y_valid = cancer
    # no ContentType: the container's default is text/libsvm
    job = make_job(
        tmp_path,
        {
            "num_round": "8",
            "objective": "binary:logistic",
            "_tuning_objective_metric": "validation:logloss",
        },
        content_type=None,
    )
    dump_svmlight_file(x_train, y_train, str(job.channel_dir("train") / "train.libsvm"))
    dump_svmlight_file(x_valid, y_valid, str(job.channel_dir("validation") / "v.libsvm"))

    assert run_inprocess(job, monkeypatch) == 0

    stdout = capsys.readouterr().out
    # LIBSVM leaves zeros out, and XGBoost treats absent entries as missing, not as 0
    predictions = load_booster(job).predict(xgb.DMatrix(sp.csr_matrix(x_valid)))
    assert last_value(stdout, "validation:logloss") == pytest.approx(
        log_loss(y_valid, predictions), abs=2e-5
    )


def test_parquet_channels(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    cancer: tuple[np.ndarray, ...],
) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    x_train, y_train, x_valid, y_valid = cancer
    job = make_job(
        tmp_path,
        {
            "num_round": "6",
            "objective": "binary:logistic",
            "_tuning_objective_metric": "validation:auc",
        },
        content_type="application/x-parquet",
    )
    for name, x, y in (("train", x_train, y_train), ("validation", x_valid, y_valid)):
        columns = {"label": y} | {f"f{i}": x[:, i] for i in range(x.shape[1])}
        pq.write_table(pa.table(columns), job.channel_dir(name) / f"{name}.parquet")

    assert run_inprocess(job, monkeypatch) == 0

    stdout = capsys.readouterr().out
    predictions = load_booster(job).predict(xgb.DMatrix(x_valid))
    assert last_value(stdout, "validation:auc") == round(roc_auc_score(y_valid, predictions), 5)


def test_early_stopping_watches_the_objective_on_validation(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    cancer: tuple[np.ndarray, ...],
) -> None:
    x_train, y_train, x_valid, y_valid = cancer
    job = make_job(
        tmp_path,
        {
            "num_round": "500",
            "eta": "0.5",
            "objective": "binary:logistic",
            "early_stopping_rounds": "3",
            "_tuning_objective_metric": "validation:auc",
        },
    )
    write_csv(job.channel_dir("train") / "t.csv", y_train, x_train)
    write_csv(job.channel_dir("validation") / "v.csv", y_valid, x_valid)

    assert run_inprocess(job, monkeypatch) == 0

    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("[")]
    assert 4 <= len(lines) < 500
    aucs = [float(line.rsplit("validation-auc:", 1)[1]) for line in lines]
    best = int(np.argmax(aucs))
    # stopped 3 rounds after the best round; the saved model ends at the best round
    assert len(lines) == best + 4
    assert load_booster(job).num_boosted_rounds() == best + 1


def test_accuracy_objective_is_computed_by_the_container(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    cancer: tuple[np.ndarray, ...],
) -> None:
    x_train, y_train, x_valid, y_valid = cancer
    job = make_job(
        tmp_path,
        {
            "num_round": "5",
            "objective": "binary:logistic",
            "_tuning_objective_metric": "validation:f1",
        },
    )
    write_csv(job.channel_dir("train") / "t.csv", y_train, x_train)
    write_csv(job.channel_dir("validation") / "v.csv", y_valid, x_valid)

    assert run_inprocess(job, monkeypatch) == 0

    from sklearn.metrics import f1_score

    predictions = load_booster(job).predict(xgb.DMatrix(x_valid)) > 0.5
    expected = f1_score(y_valid, predictions, average="macro")
    assert last_value(capsys.readouterr().out, "validation:f1") == pytest.approx(expected, abs=1e-5)


def test_checkpoints_are_written_and_training_resumes_from_them(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    cancer: tuple[np.ndarray, ...],
) -> None:
    x_train, y_train, x_valid, y_valid = cancer
    hps = {
        "num_round": "4",
        "objective": "binary:logistic",
        "_tuning_objective_metric": "validation:auc",
    }
    checkpoints = {"LocalPath": "/opt/ml/checkpoints", "S3Uri": "s3://bucket/checkpoints"}
    first = make_job(tmp_path / "first", hps, checkpoint_config=checkpoints)
    write_csv(first.channel_dir("train") / "t.csv", y_train, x_train)
    write_csv(first.channel_dir("validation") / "v.csv", y_valid, x_valid)
    assert run_inprocess(first, monkeypatch) == 0
    names = sorted(p.name for p in first.checkpoints_dir.iterdir())
    assert names == [f"xgboost-checkpoint.{i}" for i in range(4)]
    capsys.readouterr()

    # a second run (a spot restart) with more rounds continues from the newest checkpoint
    (first.model_dir / "xgboost-model").unlink()
    hps_more = dict(hps, num_round="7")
    first.hyperparameters_file.write_text(json.dumps(hps_more))
    assert run_inprocess(first, monkeypatch) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("[")]
    assert [line.split("\t")[0] for line in lines] == ["[4]", "[5]", "[6]"]
    assert load_booster(first).num_boosted_rounds() == 7


# ---- failures: the container's messages in output/failure --------------------------------------


def failure(job: JobDir) -> str:
    return job.failure_file.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("hyperparameters", "reason"),
    [
        (
            {"num_round": "5", "max_dept": "3"},
            "ClientError: Extraneous hyperparameter found: max_dept",
        ),
        (
            {"num_round": "5", "sagemaker_program": "train.py"},
            "ClientError: Extraneous hyperparameter found: sagemaker_program",
        ),
        ({"num_round": "5", "eta": "1.5"}, "ClientError: Hyperparameter eta: 1.5 is not in [0, 1]"),
        ({"eta": "0.1"}, "ClientError: Missing required hyperparameter: num_round"),
        (
            {"num_round": "5.0"},
            "ClientError: Hyperparameter num_round: could not parse value (caused by ValueError)",
        ),
        (
            {"num_round": "5", "objective": "multi:softmax"},
            "ClientError: Require input for parameter 'num_class' for multi-classification",
        ),
        (
            {"num_round": "5", "eval_metric": "auc"},
            "ClientError: Metric 'auc' can only be applied for classification and ranking "
            "problems.",
        ),
    ],
)
def test_bad_hyperparameters_fail_with_the_container_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hyperparameters: dict[str, str], reason: str
) -> None:
    job = make_job(tmp_path, hyperparameters)
    write_csv(job.channel_dir("train") / "t.csv", np.array([0.0, 1.0]), np.array([[1.0], [2.0]]))
    assert run_inprocess(job, monkeypatch) == 1
    assert failure(job) == reason
    assert not (job.model_dir / "xgboost-model").exists()


def test_missing_train_channel_subprocess(tmp_path: Path) -> None:
    job = make_job(tmp_path, {"num_round": "5"}, channels=("validation",))
    result = run_subprocess(job)
    assert result.returncode != 0
    assert failure(job) == "ClientError: Missing required channel: train"


@pytest.mark.parametrize(
    ("channels", "content_type", "mode", "reason"),
    [
        (("train", "test"), "text/csv", "File", "ClientError: Extraneous channel found: test"),
        (
            ("train",),
            "text/plain",
            "File",
            "ClientError: text/plain is not an accepted ContentType: csv, libsvm, parquet, "
            "recordio-protobuf, text/csv, text/libsvm, text/x-libsvm, application/x-parquet, "
            "application/x-recordio-protobuf.",
        ),
        (("train",), "text/libsvm", "Pipe", "ClientError: Pipe mode not supported for LibSVM."),
        (("train",), "text/csv", "Pipe", "localtune limitation"),
        (("train",), "application/x-recordio-protobuf", "File", "localtune limitation"),
    ],
)
def test_bad_channels(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    channels: tuple[str, ...],
    content_type: str,
    mode: str,
    reason: str,
) -> None:
    job = make_job(
        tmp_path, {"num_round": "2"}, channels=channels, content_type=content_type, input_mode=mode
    )
    assert run_inprocess(job, monkeypatch) == 1
    assert failure(job).startswith("ClientError: ")
    assert reason in failure(job)


def test_empty_train_and_validation_channels(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = make_job(tmp_path / "a", {"num_round": "2"})
    assert run_inprocess(job, monkeypatch) == 1
    assert (
        failure(job) == f"ClientError: No data in training channel path {job.channel_dir('train')}"
    )

    job = make_job(tmp_path / "b", {"num_round": "2"})
    write_csv(job.channel_dir("train") / "t.csv", np.array([0.0, 1.0]), np.array([[1.0], [2.0]]))
    assert run_inprocess(job, monkeypatch) == 1
    assert (
        failure(job)
        == f"ClientError: No data in validation channel path {job.channel_dir('validation')}"
    )


def test_labels_outside_unit_interval_for_logistic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = make_job(
        tmp_path, {"num_round": "2", "objective": "binary:logistic"}, channels=("train",)
    )
    write_csv(job.channel_dir("train") / "t.csv", np.array([0.0, 1.0, 2.0]), np.ones((3, 2)))
    assert run_inprocess(job, monkeypatch) == 1
    assert failure(job).startswith("ClientError: label must be in [0,1] for logistic regression")
    assert "from 0 to 2" in failure(job)


def test_label_not_below_num_class(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    job = make_job(
        tmp_path,
        {"num_round": "2", "objective": "multi:softmax", "num_class": "2"},
        channels=("train",),
    )
    write_csv(job.channel_dir("train") / "t.csv", np.array([0.0, 1.0, 2.0]), np.ones((3, 2)))
    assert run_inprocess(job, monkeypatch) == 1
    assert failure(job).startswith("ClientError: label must be in [0, num_class)")


def test_missing_label_is_reported_with_its_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = make_job(tmp_path, {"num_round": "2"}, channels=("train",))
    (job.channel_dir("train") / "t.csv").write_text("1,2,3\n,4,5\n0,6,7\n")
    assert run_inprocess(job, monkeypatch) == 1
    assert failure(job).startswith(
        "ClientError: Label contains NaN or infinity: row 2 of the train channel"
    )


def test_libsvm_validation_with_fewer_columns_than_train(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    job = make_job(
        tmp_path,
        {
            "num_round": "3",
            "objective": "reg:squarederror",
            "_tuning_objective_metric": "validation:rmse",
        },
        content_type="libsvm",
    )
    (job.channel_dir("train") / "t").write_text("1 0:1 5:2\n0 0:2 3:1\n1 5:1\n0 1:1\n")
    (job.channel_dir("validation") / "v").write_text("1 0:1\n0 2:3\n")
    assert run_inprocess(job, monkeypatch) == 0
    assert "validation-rmse:" in capsys.readouterr().out
    assert load_booster(job).num_features() == 6


def test_sigterm_handler_is_restored_after_an_in_process_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = make_job(
        tmp_path, {"num_round": "2", "save_model_on_termination": "true"}, channels=("train",)
    )
    write_csv(job.channel_dir("train") / "t.csv", np.array([0.0, 1.0]), np.ones((2, 2)))
    before = signal.getsignal(signal.SIGTERM)
    assert run_inprocess(job, monkeypatch) == 0
    assert signal.getsignal(signal.SIGTERM) is before
    assert (job.model_dir / "xgboost-model").exists()


def test_survival_aft_is_a_customer_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    job = make_job(tmp_path, {"num_round": "2", "objective": "survival:aft"}, channels=("train",))
    write_csv(job.channel_dir("train") / "t.csv", np.array([1.0, 2.0]), np.ones((2, 2)))
    assert run_inprocess(job, monkeypatch) == 1
    assert failure(job).startswith("ClientError: objective survival:aft needs lower and upper")


def test_xgboost_errors_are_classified(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the container's objective list includes 'aft_loss_distribution', which XGBoost rejects:
    # a customer mistake, reported without XGBoost's native stack trace
    job = make_job(
        tmp_path, {"num_round": "2", "objective": "aft_loss_distribution"}, channels=("train",)
    )
    write_csv(job.channel_dir("train") / "t.csv", np.array([0.0, 1.0]), np.ones((2, 2)))
    assert run_inprocess(job, monkeypatch) == 1
    assert failure(job).startswith("ClientError: ")
    assert "Unknown objective function" in failure(job)
    assert "Stack trace" not in failure(job)


def test_unexpected_errors_are_algorithm_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    job = make_job(tmp_path, {"num_round": "2"}, channels=("train",))
    write_csv(job.channel_dir("train") / "t.csv", np.array([0.0, 1.0]), np.ones((2, 2)))
    (job.model_dir / "xgboost-model").mkdir()  # the model cannot be written there
    assert run_inprocess(job, monkeypatch) == 1
    assert failure(job).startswith("AlgorithmError: framework error: IsADirectoryError: ")
    assert "Traceback" in capsys.readouterr().err  # the traceback goes to the log only
    assert "Traceback" not in failure(job)


def test_failure_file_is_not_overwritten(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    job = make_job(tmp_path, {"eta": "0.1"})
    job.failure_file.write_text("written earlier")
    assert run_inprocess(job, monkeypatch) == 1
    assert failure(job) == "written earlier"


def test_main_rejects_other_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve"]) == 2
    assert "usage" in capsys.readouterr().err


# ---- SIGTERM ------------------------------------------------------------------------------------


def _start(job: JobDir) -> subprocess.Popen[str]:
    env = {**os.environ, **job_environment(job, training_job_name="job", training_job_arn=ARN)}
    return subprocess.Popen(
        [sys.executable, "-m", "localtune.runtime.xgb", "train"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _rounds(process: subprocess.Popen[str], count: int) -> Iterator[str]:
    assert process.stdout is not None
    for _ in range(count):
        yield process.stdout.readline()


@pytest.mark.parametrize("save_on_termination", ["true", "false"])
def test_sigterm(tmp_path: Path, cancer: tuple[np.ndarray, ...], save_on_termination: str) -> None:
    x_train, y_train, x_valid, y_valid = cancer
    job = make_job(
        tmp_path,
        {
            "num_round": "100000",
            "eta": "0.01",
            "objective": "binary:logistic",
            "save_model_on_termination": save_on_termination,
        },
    )
    write_csv(job.channel_dir("train") / "t.csv", y_train, x_train)
    write_csv(job.channel_dir("validation") / "v.csv", y_valid, x_valid)
    (job.model_dir / "scratch.txt").write_text("removed on SIGTERM")
    process = _start(job)
    try:
        lines = list(_rounds(process, 3))
        assert lines[-1].startswith("[2]\t"), lines
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    if save_on_termination == "true":
        assert code == 0
        assert sorted(p.name for p in job.model_dir.iterdir()) == ["xgboost-model"]
        assert load_booster(job).num_boosted_rounds() >= 3
    else:
        assert code == -signal.SIGTERM
        assert not (job.model_dir / "xgboost-model").exists()


# ---- every declared metric ---------------------------------------------------------------------

_OBJECTIVE_FOR = {
    "auc": "binary:logistic",
    "aucpr": "binary:logistic",
    "map": "rank:map",
    "ndcg": "rank:ndcg",
    "merror": "multi:softmax",
    "mlogloss": "multi:softprob",
    "cox-nloglik": "survival:cox",
    "aft-nloglik": "survival:aft",
    "interval-regression-accuracy": "survival:aft",
    "gamma-deviance": "reg:gamma",
    "gamma-nloglik": "reg:gamma",
    "poisson-nloglik": "count:poisson",
    "tweedie-nloglik": "reg:tweedie",
    "mphe": "reg:pseudohubererror",
    "rmsle": "reg:squarederror",
    "mape": "reg:squarederror",
}


@pytest.mark.parametrize("metric", list(spec.METRICS))
def test_every_declared_metric_is_emitted_for_its_regex(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], metric: str
) -> None:
    short = metric.split(":")[1]
    objective = _OBJECTIVE_FOR.get(short, "binary:logistic")
    rng = np.random.default_rng(0)
    features = rng.normal(size=(60, 3))
    labels = (features[:, 0] > 0).astype(float)
    if objective.startswith("multi:"):
        labels = labels + (features[:, 1] > 0)
    elif not objective.startswith(("binary:", "rank:")):
        labels = np.exp(features[:, 0]) + 0.1
    hps = {"num_round": "2", "objective": objective, "_tuning_objective_metric": metric}
    if objective.startswith("multi:"):
        hps["num_class"] = "3"
    job = make_job(tmp_path, hps)
    write_csv(job.channel_dir("train") / "t.csv", labels, features)
    write_csv(job.channel_dir("validation") / "v.csv", labels, features)

    code = run_inprocess(job, monkeypatch)

    if objective == "survival:aft":  # needs label bounds the input formats cannot carry
        assert code == 1
        assert failure(job).startswith("ClientError: objective survival:aft")
        return
    assert code == 0, failure(job)
    assert math.isfinite(last_value(capsys.readouterr().out, metric))

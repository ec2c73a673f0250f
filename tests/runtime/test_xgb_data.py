"""Channels, data files and metrics of the built-in XGBoost program, on small real files."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
import xgboost as xgb
from sklearn.metrics import balanced_accuracy_score, f1_score, precision_score, r2_score

from localtune.runtime.xgb.channels import content_format, data_files, validate_channels
from localtune.runtime.xgb.data import load
from localtune.runtime.xgb.errors import UserError
from localtune.runtime.xgb.metrics import CUSTOM_METRICS, eval_setup


def message(error: pytest.ExceptionInfo[UserError]) -> str:
    return error.value.failure_reason()


# ---- channels ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "fmt"),
    [
        ("csv", "csv"),
        ("TEXT/CSV", "csv"),
        ("text/csv; label_size=1", "csv"),
        ("text/x-libsvm", "libsvm"),
        ("text/libsvm;charset=utf-8", "libsvm"),
        ("application/x-parquet", "parquet"),
        ("application/x-recordio-protobuf", "recordio-protobuf"),
    ],
)
def test_content_type_spellings(content_type: str, fmt: str) -> None:
    assert content_format(content_type) == fmt


def test_label_size_must_be_one() -> None:
    with pytest.raises(UserError, match="Optional parameter label_size must be equal to 1"):
        content_format("text/csv;label_size=2")


def test_channel_defaults_and_accepted_modes() -> None:
    channels = validate_channels(
        {
            "train": {"TrainingInputMode": "FastFile", "S3DistributionType": "ShardedByS3Key"},
            "validation": {"ContentType": "csv", "TrainingInputMode": "File"},
            "code": {"ContentType": "text/python", "TrainingInputMode": "File"},
        }
    )
    assert channels["train"].content_type == "text/libsvm"
    assert set(channels) == {"train", "validation", "code"}
    with pytest.raises(UserError) as caught:
        validate_channels({"train": {"TrainingInputMode": "Stream"}})
    assert "Channel configuration for 'train' channel is not supported" in message(caught)


def test_data_files_order_hidden_and_underscore_files(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.csv").write_text("1,2\n")
    (tmp_path / "a.csv").write_text("0,1\n")
    (tmp_path / "_SUCCESS").write_text("")
    deep = tmp_path / "x" / "y" / "z"
    deep.mkdir(parents=True)
    (deep / "too-deep.csv").write_text("1,1\n")
    assert [p.relative_to(tmp_path).as_posix() for p in data_files(tmp_path)] == [
        "a.csv",
        "b/2.csv",
    ]
    (tmp_path / "b" / ".DS_Store").write_text("x")
    with pytest.raises(UserError) as caught:
        data_files(tmp_path)
    assert message(caught) == (
        "ClientError: Hidden file found in the data path! Remove that before training."
    )


def test_data_files_survive_a_cycle_of_linked_folders(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("0,1\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "loop").symlink_to(tmp_path, target_is_directory=True)
    names = [p.relative_to(tmp_path).as_posix() for p in data_files(tmp_path)]
    assert names[0] == "a.csv"
    assert len(names) < 10


# ---- CSV ---------------------------------------------------------------------------------------


def test_csv_delimiter_is_sniffed_and_files_concatenated(tmp_path: Path) -> None:
    (tmp_path / "a.tsv").write_text("1\t0.5\t2\n0\t1.5\t\n\n")
    (tmp_path / "b.tsv").write_text("1\t2.5\t3\n")
    data = load([tmp_path / "a.tsv", tmp_path / "b.tsv"], "csv")
    assert data.labels.tolist() == [1.0, 0.0, 1.0]
    assert data.features.shape == (3, 2)
    assert math.isnan(float(data.features[1, 1]))  # an empty field is a missing value
    assert data.weights is None


def test_csv_missing_values_in_narrow_columns(tmp_path: Path) -> None:
    (tmp_path / "n.csv").write_text("1,2,\n0,,3\n")
    data = load([tmp_path / "n.csv"], "csv")
    assert np.isnan(data.features[0, 1])
    assert np.isnan(data.features[1, 0])
    assert data.features[1, 1] == 3.0


def test_csv_weights_are_the_second_column(tmp_path: Path) -> None:
    (tmp_path / "w.csv").write_text("1,0.2,5,6\n0,0.8,7,8\n")
    data = load([tmp_path / "w.csv"], "csv", csv_weights=1)
    assert data.weights is not None
    assert data.weights.tolist() == [0.2, 0.8]
    assert data.features.tolist() == [[5.0, 6.0], [7.0, 8.0]]


def test_csv_errors_name_the_file_line_and_value(tmp_path: Path) -> None:
    (tmp_path / "ragged.csv").write_text("1,2,3\n0,4\n")
    with pytest.raises(UserError) as caught:
        load([tmp_path / "ragged.csv"], "csv")
    assert "line 2 of file 'ragged.csv' has 2 columns, but its first line has 3" in message(caught)
    (tmp_path / "text.csv").write_text("1,2,3\n0,abc,4\n")
    with pytest.raises(UserError) as caught:
        load([tmp_path / "text.csv"], "csv")
    assert "line 2, column 2 of file 'text.csv': could not convert string to float: 'abc'" in (
        message(caught)
    )
    (tmp_path / "one.csv").write_text("1\n0\n")
    with pytest.raises(UserError, match="Could not determine delimiter on line 1"):
        load([tmp_path / "one.csv"], "csv")


# ---- LIBSVM ------------------------------------------------------------------------------------


def test_libsvm_labels_weights_and_query_ids(tmp_path: Path) -> None:
    (tmp_path / "r.libsvm").write_text("2:0.5 qid:1 0:1.5 3:2\n1 qid:1 1:4\n0:1 qid:2\n")
    data = load([tmp_path / "r.libsvm"], "libsvm")
    assert data.labels.tolist() == [2.0, 1.0, 0.0]
    assert data.weights is not None
    assert data.weights.tolist() == [0.5, 1.0, 1.0]
    assert data.qid is not None
    assert data.qid.tolist() == [1, 1, 2]
    assert sp.issparse(data.features)
    dense = sp.csr_matrix(data.features).toarray()
    assert dense.shape == (3, 4)
    assert dense[0].tolist() == [1.5, 0.0, 0.0, 2.0]


def test_libsvm_format_errors(tmp_path: Path) -> None:
    (tmp_path / "csv.libsvm").write_text("1,2,3\n")
    with pytest.raises(UserError) as caught:
        load([tmp_path / "csv.libsvm"], "libsvm")
    assert message(caught) == (
        "ClientError: First line '1,2,3\n...' of file 'csv.libsvm' is not 'LIBSVM' format. "
        "Please ensure the file is in 'LIBSVM' format."
    )
    (tmp_path / "late.libsvm").write_text("1 0:1\n0 1-2\n")
    with pytest.raises(UserError, match=r"line 2 of file 'late\.libsvm'"):
        load([tmp_path / "late.libsvm"], "libsvm")


def test_parquet_without_pyarrow_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    (tmp_path / "d.parquet").write_bytes(b"PAR1")
    with pytest.raises(UserError) as caught:
        load([tmp_path / "d.parquet"], "parquet")
    assert "needs the 'pyarrow' package" in message(caught)
    assert "localtune[parquet]" in message(caught)


# ---- metrics -----------------------------------------------------------------------------------


def test_eval_setup_unions_the_objective_with_eval_metric() -> None:
    setup = eval_setup("validation:auc", ["logloss", "error"])
    assert setup.native == ["auc", "error", "logloss"]
    assert setup.custom == []
    assert (setup.stopping_metric, setup.maximize) == ("auc", True)

    setup = eval_setup("validation:accuracy", ["rmse"])
    assert setup.native == []
    assert setup.custom == ["accuracy", "rmse"]
    assert (setup.stopping_metric, setup.maximize) == ("accuracy", True)

    # without a tuning objective, early stopping watches the last eval_metric
    setup = eval_setup(None, ["auc", "ndcg@5", "logloss"])
    assert setup.native == ["auc", "ndcg@5", "logloss"]
    assert (setup.stopping_metric, setup.maximize) == ("logloss", False)
    assert eval_setup(None, ["ndcg@5"]).maximize is True
    assert eval_setup(None, None).stopping_metric is None


def test_custom_metrics_match_scikit_learn() -> None:
    labels = np.array([0.0, 1.0, 1.0, 0.0, 1.0, 0.0])
    probabilities = np.array([0.1, 0.7, 0.4, 0.6, 0.9, 0.2])
    classes = (probabilities > 0.5).astype(float)
    assert CUSTOM_METRICS["f1_binary"](labels, probabilities, "binary:logistic") == pytest.approx(
        f1_score(labels, classes)
    )
    margins = np.log(probabilities / (1 - probabilities))
    assert CUSTOM_METRICS["precision"](labels, margins, "binary:logitraw") == pytest.approx(
        precision_score(labels, classes)
    )
    assert CUSTOM_METRICS["r2"](labels, probabilities, "reg:squarederror") == pytest.approx(
        r2_score(labels, probabilities)
    )
    multi = np.array([0.0, 2.0, 1.0, 2.0])
    softprob = np.array([[0.8, 0.1, 0.1], [0.1, 0.2, 0.7], [0.3, 0.3, 0.4], [0.2, 0.1, 0.7]])
    predicted = np.argmax(softprob, axis=1)
    assert CUSTOM_METRICS["balanced_accuracy"](multi, softprob, "multi:softprob") == pytest.approx(
        balanced_accuracy_score(multi, predicted)
    )
    assert CUSTOM_METRICS["accuracy"](multi, predicted.astype(float), "multi:softmax") == 0.75


def test_binary_precision_on_multiclass_labels_is_a_customer_error() -> None:
    setup = eval_setup("validation:precision", None)
    evaluate = setup.custom_metric("multi:softmax")
    assert evaluate is not None
    dmatrix = xgb.DMatrix(np.zeros((3, 1)), label=np.array([0.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match="Target is multiclass but average='binary'"):
        evaluate(np.array([0.0, 1.0, 2.0]), dmatrix)

"""Inference helpers: loading a trained model and answering text/csv and text/libsvm bodies."""

from __future__ import annotations

import tarfile
from pathlib import Path

import numpy as np
import pytest
import xgboost as xgb
from sklearn.datasets import load_iris

from localtune.runtime.xgb.callbacks import save_atomically
from localtune.runtime.xgb.serve import (
    ModelLoadError,
    PayloadError,
    UnsupportedContentType,
    load_model,
    predict,
)


@pytest.fixture(scope="module")
def iris() -> tuple[np.ndarray, np.ndarray]:
    features, labels = load_iris(return_X_y=True)
    return features, labels.astype(float)


def train(features: np.ndarray, labels: np.ndarray, **params: object) -> xgb.Booster:
    return xgb.train({"nthread": 1, **params}, xgb.DMatrix(features, label=labels), 5)


def test_load_model_from_dir_file_and_tarball(tmp_path: Path, iris: tuple[np.ndarray, ...]) -> None:
    features, labels = iris
    booster = train(features, labels)
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    save_atomically(booster, model_dir / "xgboost-model")
    with tarfile.open(tmp_path / "model.tar.gz", "w:gz") as archive:
        archive.add(model_dir / "xgboost-model", arcname="xgboost-model")
    expected = booster.predict(xgb.DMatrix(features))
    for location in (model_dir, model_dir / "xgboost-model", tmp_path / "model.tar.gz"):
        loaded = load_model(location)
        np.testing.assert_array_equal(loaded.predict(xgb.DMatrix(features)), expected)


def test_load_model_errors(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="no model file"):
        load_model(tmp_path)
    (tmp_path / "xgboost-model").write_bytes(b"\x80\x04pickled booster")
    with pytest.raises(ModelLoadError, match="not an XGBoost model"):
        load_model(tmp_path)


def test_csv_and_libsvm_bodies(iris: tuple[np.ndarray, ...]) -> None:
    features, labels = iris
    booster = train(features, labels, objective="reg:squarederror")
    rows = features[:3]
    expected = booster.predict(xgb.DMatrix(rows)).tolist()
    body = "\n".join(",".join(repr(float(v)) for v in row) for row in rows).encode()
    assert predict(booster, body, "text/csv") == pytest.approx(expected)
    libsvm = "\n".join(
        "1 " + " ".join(f"{i}:{float(v)!r}" for i, v in enumerate(row)) for row in rows
    ).encode()
    assert predict(booster, libsvm, "text/libsvm; charset=utf-8") == pytest.approx(expected)
    no_label = "\n".join(" ".join(f"{i}:{float(v)!r}" for i, v in enumerate(row)) for row in rows)
    assert predict(booster, no_label.encode(), "text/x-libsvm") == pytest.approx(expected)


def test_softprob_answers_a_list_per_row(iris: tuple[np.ndarray, ...]) -> None:
    features, labels = iris
    booster = train(features, labels, objective="multi:softprob", num_class=3)
    answer = predict(booster, b"5.1,3.5,1.4,0.2\n6.7,3.0,5.2,2.3", "text/csv")
    assert len(answer) == 2
    first = answer[0]
    assert isinstance(first, list)
    assert len(first) == 3
    assert sum(first) == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize(
    ("body", "content_type", "error", "text"),
    [
        (b"1,2,3", "text/csv", PayloadError, "has 3 values; the model expects 4 features"),
        (b"1,2,x,4", "text/csv", PayloadError, "'x' is not a number"),
        (b"", "text/csv", PayloadError, "no rows"),
        (b"1 0:1 9:2", "text/libsvm", PayloadError, "feature index 9 is out of range"),
        (b"1 0-1", "text/libsvm", PayloadError, "is not <index>:<value>"),
        (b"\xff\xfe", "text/csv", PayloadError, "not UTF-8"),
        (b"{}", "application/json", UnsupportedContentType, "use text/csv or text/libsvm"),
    ],
)
def test_bad_payloads(
    iris: tuple[np.ndarray, ...], body: bytes, content_type: str, error: type[Exception], text: str
) -> None:
    booster = train(*iris)
    with pytest.raises(error) as caught:
        predict(booster, body, content_type)
    assert text in str(caught.value)
    assert isinstance(caught.value, ValueError)

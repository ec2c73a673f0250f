"""Inference helpers for models trained by the built-in XGBoost program (for a model server).

``load_model`` reads ``xgboost-model`` from a model directory, a ``model.tar.gz`` or the file
itself. ``predict`` answers a request body as the image's serving code does for ``text/csv``
(features only, no label column) and ``text/libsvm`` (``<index>:<value>`` pairs, zero-based; a
leading label token is accepted and ignored). Models pickled by images older than 1.3-1 are not
loaded (unpickling runs arbitrary code); they must be re-saved in XGBoost's native format.
"""

from __future__ import annotations

import csv
import io
import math
import tarfile
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import xgboost as xgb

from localtune.runtime.xgb.callbacks import MODEL_FILE

__all__ = [
    "ModelLoadError",
    "PayloadError",
    "UnsupportedContentType",
    "load_model",
    "predict",
]

CSV_TYPES = ("text/csv", "csv")
LIBSVM_TYPES = ("text/libsvm", "text/x-libsvm", "libsvm")


class PayloadError(ValueError):
    """The request body cannot be read as the given content type."""


class UnsupportedContentType(PayloadError):
    """The content type is not one the model server accepts."""


class ModelLoadError(ValueError):
    """No loadable ``xgboost-model`` at the given location."""


def load_model(model_dir_or_tar: str | Path) -> xgb.Booster:
    """The booster in a model directory, a ``.tar.gz``/``.tar`` archive or a model file."""
    path = Path(model_dir_or_tar)
    if path.is_dir():
        path = path / MODEL_FILE
    if not path.is_file():
        raise ModelLoadError(f"no model file at {path}")
    raw = _from_tar(path) if tarfile.is_tarfile(path) else path.read_bytes()
    booster = xgb.Booster()
    try:
        booster.load_model(bytearray(raw))
    except xgb.core.XGBoostError as error:
        raise ModelLoadError(
            f"{path} is not an XGBoost model in JSON/UBJSON format (models pickled by images "
            f"before 1.3-1 are not supported): {str(error).splitlines()[0]}"
        ) from None
    return booster


def _from_tar(path: Path) -> bytes:
    with tarfile.open(path) as archive:
        members = [m for m in archive.getmembers() if m.isfile()]
        chosen = next((m for m in members if Path(m.name).name == MODEL_FILE), None)
        if chosen is None and len(members) == 1:
            chosen = members[0]
        if chosen is None:
            names = sorted(m.name for m in members)
            raise ModelLoadError(f"{path} has no {MODEL_FILE} file (it holds {names})")
        stream = archive.extractfile(chosen)
        if stream is None:
            raise ModelLoadError(f"cannot read {chosen.name} from {path}")
        return stream.read()


def predict(booster: xgb.Booster, body: bytes, content_type: str) -> list[float | list[float]]:
    """Predictions for each row of ``body``: a float, or a list of class probabilities."""
    kind = content_type.split(";")[0].strip().lower()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise PayloadError(f"the request body is not UTF-8 text: {error}") from None
    if kind in CSV_TYPES:
        features: np.ndarray | sp.csr_matrix = _csv_rows(text, booster.num_features())
    elif kind in LIBSVM_TYPES:
        features = _libsvm_rows(text, booster.num_features())
    else:
        raise UnsupportedContentType(
            f"content type {content_type!r} is not supported: use text/csv or text/libsvm"
        )
    predictions = booster.predict(xgb.DMatrix(features, nthread=1))
    return [row.tolist() if np.ndim(row) else float(row) for row in predictions]


def _csv_rows(text: str, width: int) -> np.ndarray:
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise PayloadError("the text/csv body has no rows")
    try:
        delimiter = csv.Sniffer().sniff(lines[0], delimiters=",\t;| ").delimiter
    except csv.Error:
        delimiter = ","
    rows = []
    for number, line in enumerate(lines, start=1):
        cells = [c.strip() for c in next(csv.reader(io.StringIO(line), delimiter=delimiter))]
        if len(cells) != width:
            raise PayloadError(
                f"row {number} of the text/csv body has {len(cells)} values; the model expects "
                f"{width} features (no label column)"
            )
        rows.append([_number(c, number) if c else math.nan for c in cells])
    return np.asarray(rows, dtype=np.float64)


def _number(value: str, row: int) -> float:
    try:
        return float(value)
    except ValueError:
        raise PayloadError(f"row {row}: {value!r} is not a number") from None


def _libsvm_rows(text: str, width: int) -> sp.csr_matrix:
    indptr, indices, values = [0], [], []
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise PayloadError("the text/libsvm body has no rows")
    for number, line in enumerate(lines, start=1):
        tokens = line.split()
        if ":" not in tokens[0]:
            tokens = tokens[1:]  # a label (or label:weight) first; not used for prediction
        for token in tokens:
            key, sep, value = token.partition(":")
            if not sep or not key.isdigit():
                raise PayloadError(f"row {number}: {token!r} is not <index>:<value>")
            if int(key) >= width:
                raise PayloadError(
                    f"row {number}: feature index {key} is out of range; the model has {width} "
                    "features (indices are zero-based)"
                )
            indices.append(int(key))
            values.append(_number(value, number))
        indptr.append(len(indices))
    return sp.csr_matrix((values, indices, indptr), shape=(len(lines), width))

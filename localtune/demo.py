"""The seed example, end to end: scikit-learn's breast_cancer data in the local S3, the seed
request (``localtune/examples/seed-xgboost-bayesian.json``) run as a real tuning job, the best
training job and its hyperparameters printed.

``make demo`` runs ``localtune demo``; ``localtune demo --jobs N --strategy Random`` varies it.
"""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from localtune.runtime.s3 import LocalS3

SEED_EXAMPLE = Path(__file__).resolve().parent / "examples" / "seed-xgboost-bayesian.json"
DATA_PREFIX = "s3://localtune-demo/breast-cancer"


def seed_request() -> dict[str, Any]:
    request: dict[str, Any] = json.loads(SEED_EXAMPLE.read_text())
    return request


def _csv(labels: np.ndarray, features: np.ndarray) -> str:
    rows = np.column_stack([labels, features])
    return "\n".join(",".join(f"{v:.10g}" for v in row) for row in rows) + "\n"


def write_breast_cancer(home: Path, seed: int = 0, validation_fraction: float = 0.3) -> None:
    """Split scikit-learn's bundled breast_cancer data 70/30 (stratified, fixed seed) and write
    the halves as header-less CSVs, label first — the built-in XGBoost's CSV format — to
    ``s3://localtune-demo/breast-cancer/{train,validation}/``."""
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split

    features, labels = load_breast_cancer(return_X_y=True)
    x_train, x_val, y_train, y_val = train_test_split(
        features, labels, test_size=validation_fraction, random_state=seed, stratify=labels
    )
    s3 = LocalS3.from_home(home)
    for channel, (x, y) in {"train": (x_train, y_train), "validation": (x_val, y_val)}.items():
        path = s3.path(f"{DATA_PREFIX}/{channel}/{channel}.csv")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_csv(y, x))


def demo_request(
    strategy: str | None = None, jobs: int | None = None, name: str | None = None
) -> dict[str, Any]:
    """The seed request under a fresh name (so the demo can run again in the same home)."""
    request = copy.deepcopy(seed_request())
    request["HyperParameterTuningJobName"] = name or time.strftime("seed-xgb-%y%m%d-%H%M%S")
    config = request["HyperParameterTuningJobConfig"]
    if strategy:
        config["Strategy"] = strategy
    if jobs:
        config["ResourceLimits"]["MaxNumberOfTrainingJobs"] = jobs
    return request

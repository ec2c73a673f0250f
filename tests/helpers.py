"""Small builders shared by tests: requests based on the seed example."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

SEED_PATH = (
    Path(__file__).resolve().parent.parent / "localtune" / "examples" / "seed-xgboost-bayesian.json"
)


def seed_request(name: str | None = None, **config_overrides: Any) -> dict[str, Any]:
    """The seed example request, optionally renamed and with HyperParameterTuningJobConfig
    members replaced."""
    request: dict[str, Any] = json.loads(SEED_PATH.read_text())
    if name is not None:
        request["HyperParameterTuningJobName"] = name
    request["HyperParameterTuningJobConfig"].update(copy.deepcopy(config_overrides))
    return request

"""Training callbacks: the per-round metric log line, per-round model saves, checkpoints.

The log line reproduces XGBoost's ``EvaluationMonitor`` format exactly,
``[<iteration>]\\t<data>-<metric>:<value:.5f>`` for each (data set, metric), and is flushed
every round so that the engine sees each value as it is produced. SageMaker's log pipeline
shows the TAB as ``#011``, which is what the built-in metric regexes expect.
"""

from __future__ import annotations

import math
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

import xgboost as xgb

from localtune.runtime.epochgate import EpochGate

__all__ = ["CheckpointSaver", "LogMonitor", "ModelSaver", "latest_checkpoint", "save_atomically"]

MODEL_FILE = "xgboost-model"
CHECKPOINT_PREFIX = "xgboost-checkpoint."
_CHECKPOINT = re.compile(r"^xgboost-checkpoint\.(\d+)$")


def save_atomically(booster: xgb.Booster, path: Path) -> None:
    """Save in XGBoost's native format (UBJSON, what ``save_model`` writes for a name without
    extension); readers never see a half-written file."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(bytes(booster.save_raw("ubj")))
    os.replace(temporary, path)


class LogMonitor(xgb.callback.TrainingCallback):
    """Print ``[i]\\ttrain-m:v\\tvalidation-m:v`` to ``stream`` after every round.

    With a ``gate`` (:mod:`localtune.runtime.epochgate`; the engine decides on every epoch of
    this job), a line that carries a finite ``validation-<objective>`` value is an epoch, and
    the next round waits until the engine has allowed that epoch. The model trained so far is
    saved to ``model_path`` before the line is printed, so a job stopped at the gate uploads the
    model its last objective value measured (SageMaker's built-in algorithms save intermediate
    models when stopped, on a best-effort basis)."""

    def __init__(
        self,
        renames: Mapping[str, str] | None = None,
        stream: TextIO | None = None,
        *,
        gate: EpochGate | None = None,
        objective: str | None = None,
        model_path: Path | None = None,
    ) -> None:
        super().__init__()
        self._renames = dict(renames or {})  # XGBoost's metric name -> the name to log
        self._stream = stream
        self._gate = gate if objective is not None else None
        self._objective = objective
        self._model_path = model_path
        self._epochs = 0

    def after_iteration(self, model: Any, epoch: int, evals_log: Any) -> bool:
        iteration = model.num_boosted_rounds() - 1
        parts = [f"[{iteration}]"]
        epoch = False
        for data, metrics in evals_log.items():
            for metric, history in metrics.items():
                value = history[-1]
                if isinstance(value, tuple):  # (mean, std) from cross-validation
                    value = value[0]
                name = self._renames.get(metric, metric)
                parts.append(f"{data}-{name}:{float(value):.5f}")
                if data == "validation" and name == self._objective:
                    epoch = math.isfinite(float(value))
        gated = epoch and self._gate is not None and not self._gate.open
        if gated and self._model_path is not None:
            # before the line: the engine may stop the job as soon as it reads it
            save_atomically(model, self._model_path)
        stream = self._stream or sys.stdout
        stream.write("\t".join(parts) + "\n")
        stream.flush()
        if gated and self._gate is not None:
            self._epochs += 1
            self._gate.passed(self._epochs)
        return False


class ModelSaver(xgb.callback.TrainingCallback):
    """Save ``model/xgboost-model`` after every round (``save_model_on_termination=true``)."""

    def __init__(self, model_dir: Path) -> None:
        super().__init__()
        self._path = model_dir / MODEL_FILE

    def after_iteration(self, model: Any, epoch: int, evals_log: Any) -> bool:
        save_atomically(model, self._path)
        return False


class CheckpointSaver(xgb.callback.TrainingCallback):
    """Write ``xgboost-checkpoint.<iteration>`` to the checkpoint dir, keeping the newest few."""

    def __init__(self, directory: Path, keep: int = 5) -> None:
        super().__init__()
        self._directory = directory
        self._keep = keep

    def after_iteration(self, model: Any, epoch: int, evals_log: Any) -> bool:
        iteration = model.num_boosted_rounds() - 1
        save_atomically(model, self._directory / f"{CHECKPOINT_PREFIX}{iteration}")
        for old in _checkpoints(self._directory)[: -self._keep]:
            old[1].unlink(missing_ok=True)
        return False


def _checkpoints(directory: Path) -> list[tuple[int, Path]]:
    if not directory.is_dir():
        return []
    found = []
    for path in directory.iterdir():
        match = _CHECKPOINT.match(path.name)
        if match and path.is_file():
            found.append((int(match.group(1)), path))
    return sorted(found)


def latest_checkpoint(directory: Path | None) -> tuple[Path, int] | None:
    """The newest checkpoint and the number of rounds it holds, or None."""
    if directory is None:
        return None
    found = _checkpoints(directory)
    if not found:
        return None
    iteration, path = found[-1]
    return path, iteration + 1

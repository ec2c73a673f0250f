"""The container program: ``python -m localtune.runtime.xgb train`` (algorithm mode, §8).

It reads the job directory named by ``SAGEMAKER_BASE_DIR`` (``/opt/ml`` when unset), validates
hyperparameters and channels as the image does, trains, and writes ``model/xgboost-model``
(``Booster.save_model``, XGBoost's native format, as images from 1.3-1 on do). On failure it
writes ``output/failure`` (only if absent, as the training toolkit does; the reason's prefix is
described in :mod:`localtune.runtime.xgb.errors`) and exits 1; on success it writes
``output/success`` and exits 0.

``save_model_on_termination=true`` saves the model after every round and handles SIGTERM: the
model directory keeps only ``xgboost-model`` and the program exits 0. Without it SIGTERM keeps
its default action. ``main`` can be called repeatedly in one process: it installs its SIGTERM
handler only around training, only in the main thread, and restores the previous one.
"""

from __future__ import annotations

import resource
import signal
import sys
import time
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

from localtune.runtime.contract import JobDir, job_dir_from_env, read_json
from localtune.runtime.xgb import channels as ch
from localtune.runtime.xgb.callbacks import MODEL_FILE, save_atomically
from localtune.runtime.xgb.data import Dataset, load
from localtune.runtime.xgb.errors import UserError, failure_reason
from localtune.runtime.xgb.hyperparameters import validate
from localtune.runtime.xgb.training import train

__all__ = ["main"]

USAGE = "usage: python -m localtune.runtime.xgb train"


class _Terminated(BaseException):
    """Raised by the SIGTERM handler to unwind training (BaseException: XGBoost won't catch it)."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the program; return the exit code (never calls ``sys.exit``)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args != ["train"]:
        print(f"{USAGE}\n(got arguments {args})", file=sys.stderr)
        return 2
    job = job_dir_from_env()
    marks = {"start": time.time()}
    try:
        _run(job, marks)
    except _Terminated:
        _keep_only_model(job.model_dir)
        print("SIGTERM received: kept the latest model and stopped", file=sys.stderr, flush=True)
        return 0
    except Exception as error:
        if not isinstance(error, UserError):
            traceback.print_exc(file=sys.stderr)
        reason = failure_reason(error)
        print(reason, file=sys.stderr, flush=True)
        _write_failure(job, reason)
        return 1
    job.success_file.parent.mkdir(parents=True, exist_ok=True)
    job.success_file.touch()
    _log_timings(marks)
    return 0


def _log_timings(marks: dict[str, float]) -> None:
    """One line with where the program's time went (read by ``benchmarks.seed_e2e``)."""
    start, loaded, trained = marks["start"], marks["loaded"], marks["trained"]
    usage = resource.getrusage(resource.RUSAGE_SELF)  # this process only (a fork starts at 0)
    peak = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)  # bytes / KiB
    print(
        f"[localtune xgboost] timings: started at {start:.6f} (epoch s); loading data "
        f"{1000 * (loaded - start):.1f} ms, training {1000 * (trained - loaded):.1f} ms, "
        f"saving the model {1000 * (time.time() - trained):.1f} ms; CPU "
        f"{1000 * (usage.ru_utime + usage.ru_stime):.1f} ms; peak memory "
        f"{peak:.1f} MiB",
        file=sys.stderr,
        flush=True,
    )


def _run(job: JobDir, marks: dict[str, float]) -> None:
    raw = _read_config(job.hyperparameters_file, "hyperparameters")
    hps = validate(raw)
    config = ch.validate_channels(_read_config(job.inputdataconfig_file, "input data config"))
    fmt = ch.content_format(config["train"].content_type)
    if "validation" in config and config["validation"].content_type != config["train"].content_type:
        print(
            "WARNING: the validation channel is read with the train channel's ContentType "
            f"{config['train'].content_type}, as SageMaker's XGBoost image does",
            file=sys.stderr,
        )
    csv_weights = hps.get("csv_weights", 0)  # both channels carry the weight column (as the image)
    train_data = _load_channel(job, "train", fmt, csv_weights)
    validation_data = None
    if "validation" in config:
        validation_data = _load_channel(job, "validation", fmt, csv_weights)
    marks["loaded"] = time.time()
    job.model_dir.mkdir(parents=True, exist_ok=True)
    with _sigterm_saves_model(hps.get("save_model_on_termination") == "true"):
        booster = train(
            hps,
            train_data,
            validation_data,
            model_dir=job.model_dir,
            checkpoint_dir=_checkpoint_dir(job),
        )
    marks["trained"] = time.time()
    save_atomically(booster, job.model_dir / MODEL_FILE)


def _read_config(path: Path, what: str) -> dict[str, Any]:
    try:
        return read_json(path)
    except FileNotFoundError:
        raise UserError(f"The {what} file {path.name} is missing from the job directory") from None
    except ValueError as error:
        raise UserError(f"The {what} file {path.name} is not a JSON object: {error}") from None


def _load_channel(job: JobDir, name: str, fmt: str, csv_weights: int) -> Dataset:
    path = job.channel_dir(name)
    files = ch.data_files(path)
    if sum(f.stat().st_size for f in files) == 0:
        kind = "training" if name == "train" else "validation"
        raise UserError(f"No data in {kind} channel path {path}")
    return load(files, fmt, csv_weights=csv_weights)


def _checkpoint_dir(job: JobDir) -> Path | None:
    if not job.checkpointconfig_file.is_file():
        return None
    local = read_json(job.checkpointconfig_file).get("LocalPath")
    return Path(local) if local else job.checkpoints_dir


@contextmanager
def _sigterm_saves_model(enabled: bool) -> Iterator[None]:
    import threading

    if not enabled or threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        raise _Terminated

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _keep_only_model(model_dir: Path) -> None:
    if not model_dir.is_dir():
        return
    for path in model_dir.iterdir():
        if path.is_file() and path.name != MODEL_FILE:
            path.unlink(missing_ok=True)


def _write_failure(job: JobDir, reason: str) -> None:
    try:
        job.failure_file.parent.mkdir(parents=True, exist_ok=True)
        if not job.failure_file.exists():
            job.failure_file.write_text(reason, encoding="utf-8")
    except OSError as error:
        print(f"could not write {job.failure_file}: {error}", file=sys.stderr)

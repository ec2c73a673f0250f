"""How a training image runs on this machine.

SageMaker runs ``docker run IMAGE train``. localtune has no Docker; an image runs as:

- a command registered for it (``localtune images register IMAGE -- CMD ...``), invoked as
  ``CMD ... train`` in the job's environment; a registration wins over everything below, so a
  user can replace even a built-in image;
- any image whose static hyperparameters carry ``sagemaker_program`` (the SageMaker SDK's framework
  estimators: scikit-learn, PyTorch, TensorFlow, Hugging Face, XGBoost in framework mode): the
  training toolkit's script mode, with the entry point run by the local interpreter (so the
  framework must be installed here);
- the built-in XGBoost images (``…/sagemaker-xgboost:<version>``): localtune's own XGBoost
  container program (algorithm mode);
- anything else: no runner, and the training job fails with a FailureReason naming the image and
  the command that fixes it.

This module only decides; it never starts anything (see :mod:`localtune.runtime.runner`).
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from localtune.runtime.xgb import spec as xgb_spec

__all__ = [
    "SCRIPT_MODE_PROGRAM",
    "XGBOOST_PROGRAM",
    "Launch",
    "NoRunner",
    "check_command",
    "resolve",
]

#: Container programs localtune ships, run as ``python -m <module> train``.
XGBOOST_PROGRAM = "localtune.runtime.xgb"
SCRIPT_MODE_PROGRAM = "localtune.runtime.scriptmode"
BUILTIN_PROGRAMS = (XGBOOST_PROGRAM, SCRIPT_MODE_PROGRAM)


@dataclass(frozen=True)
class Launch:
    """What to start: a Python ``module`` shipped with localtune (its ``main(["train"])``), or a
    command ``argv`` (``"train"`` already appended)."""

    module: str | None = None
    argv: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.module is not None:
            return f"python -m {self.module} train"
        return shlex.join(self.argv)


@dataclass(frozen=True)
class NoRunner:
    """The image cannot run here; ``reason`` is the training job's FailureReason."""

    reason: str


def check_command(command: Sequence[str]) -> list[str]:
    """A command to register: a non-empty list of non-empty strings."""
    if isinstance(command, str) or not command:
        raise ValueError(
            "the command for an image must be a non-empty list of arguments, e.g. "
            "['python', 'train.py']"
        )
    out = []
    for index, part in enumerate(command):
        if not isinstance(part, str) or not part:
            raise ValueError(f"argument {index} of the command must be a non-empty string")
        out.append(part)
    return out


def _no_runner(image: str) -> NoRunner:
    return NoRunner(
        f"ClientError: localtune has no local runner for the training image {image!r}. Register "
        f"the command that trains with it, e.g. `localtune images register {shlex.quote(image)} "
        "-- python train.py` (or localtune.images.register(image, ['python', 'train.py'])); "
        "it is run with the argument 'train' in the training job's environment."
    )


def resolve(
    definition: Mapping[str, Any], registered: Callable[[str], Sequence[str] | None]
) -> Launch | NoRunner:
    """How a training job made from ``definition`` runs; ``registered(image)`` is the command
    registered for an image, or None."""
    algorithm = definition.get("AlgorithmSpecification") or {}
    image = algorithm.get("TrainingImage")
    if not image:
        name = algorithm.get("AlgorithmName", "?")
        return NoRunner(
            f"ClientError: localtune cannot run the algorithm resource {name!r}: algorithm "
            "resources live in AWS Marketplace. Use a TrainingImage (the built-in XGBoost image, "
            "or an image with a command registered by `localtune images register`)."
        )
    command = registered(image)
    if command:
        return Launch(argv=(*command, "train"))
    if "sagemaker_program" in (definition.get("StaticHyperParameters") or {}):
        return Launch(module=SCRIPT_MODE_PROGRAM)
    if xgb_spec.parse_image(image) is not None:
        return Launch(module=XGBOOST_PROGRAM)
    return _no_runner(image)

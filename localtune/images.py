"""Local runners for training images: ``localtune.images.register(image, command)``.

SageMaker runs ``docker run IMAGE train``; localtune runs the command registered for ``IMAGE``
with ``train`` appended, in the training job's directory and environment (the container contract
of :mod:`localtune.runtime.contract`). Registrations live in the home's store, so every process
using that home sees them. The CLI equivalent is ``localtune images register IMAGE -- CMD ...``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence

from localtune.config import resolve_home
from localtune.runtime.images import check_command
from localtune.store import Store

__all__ = ["list_images", "register"]


def _store(home: str | os.PathLike[str] | None) -> Store:
    return Store(resolve_home(home) / "localtune.sqlite")


def register(
    image: str, command: Sequence[str], home: str | os.PathLike[str] | None = None
) -> None:
    """Run training jobs whose ``TrainingImage`` is ``image`` as ``command + ["train"]``."""
    if not isinstance(image, str) or not image.strip():
        raise ValueError(f"the image must be a non-empty string; got {image!r}")
    _store(home).register_image(image, check_command(command), time.time())


def list_images(home: str | os.PathLike[str] | None = None) -> dict[str, list[str]]:
    """Every registered image and its command."""
    return {row["image"]: list(row["command"]) for row in _store(home).list_images()}

"""Which executor an engine uses: local processes, or a Dask cluster.

A *target* names it: ``"local"`` (the default), or a Dask scheduler as ``dask://HOST:PORT``,
``tcp://HOST:PORT`` (any Dask scheme) or ``HOST:PORT``. Without one, the environment variable
``LOCALTUNE_DASK_SCHEDULER`` decides (empty or unset: local) — it also reaches the background
engine that the AWS-CLI-style commands start.
"""

from __future__ import annotations

import os

from localtune.executors.base import Executor
from localtune.executors.local import LocalExecutor

__all__ = ["DASK_ENV", "LOCAL", "make_executor", "normalize_target", "target_of"]

DASK_ENV = "LOCALTUNE_DASK_SCHEDULER"
LOCAL = "local"


def normalize_target(target: str | None) -> str:
    """``"local"`` or ``dask://HOST:PORT`` for ``target`` (None: from the environment);
    ``ValueError`` naming the value when it is neither."""
    from_env = target is None
    if target is None:
        target = os.environ.get(DASK_ENV, "").strip() or LOCAL
    text = target.strip()
    if text.lower() == LOCAL:
        return LOCAL
    from localtune.executors.dask import scheduler_address, target_for

    try:
        return target_for(scheduler_address(text))
    except ValueError as exc:
        raise ValueError(f"{DASK_ENV}: {exc}" if from_env else str(exc)) from None


def make_executor(target: str | None = None) -> Executor:
    """The executor ``target`` names (see the module docstring). A Dask target connects to the
    scheduler now: ``DaskUnavailable`` when ``distributed`` is missing or it cannot be reached."""
    resolved = normalize_target(target)
    if resolved == LOCAL:
        return LocalExecutor()
    from localtune.executors.dask import DaskExecutor

    return DaskExecutor(resolved)


def target_of(executor: object) -> str:
    """The target an executor was made from (``"local"`` for anything without one)."""
    return str(getattr(executor, "target", LOCAL))

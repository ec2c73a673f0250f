"""Where training jobs run: the :class:`Executor` interface and the local process executor."""

from localtune.executors.base import Executor
from localtune.executors.local import LocalExecutor

__all__ = ["Executor", "LocalExecutor"]

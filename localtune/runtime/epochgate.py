"""A gate that holds a training program after each epoch until the engine has decided on it.

SageMaker takes its per-epoch decisions (Hyperband rungs and MaxResource, the median rule of
``TrainingJobEarlyStoppingType=Auto``) while an epoch of real training takes seconds, so a stop
lands at the epoch it was decided at. A built-in XGBoost round on a laptop takes about a
millisecond: without a gate a job would run tens or hundreds of rounds past the decision and
report values from rounds it should never have trained.

The gate is a small file in the job directory holding the number of epochs the program may
complete. The engine names it in the job's environment (:data:`ENV`) only for jobs whose epochs
it decides on; after the program prints epoch ``e`` (a log line carrying the objective) it waits
until the file allows ``e``; the engine writes ``e`` once it has decided to let the job go on, or
stops the job (SIGTERM) while it waits. If nothing is allowed within :data:`WAIT_LIMIT` seconds
(an engine gone or overloaded) the program goes on without the gate.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from pathlib import Path

__all__ = ["ENV", "FILE_NAME", "WAIT_LIMIT", "EpochGate", "allow"]

ENV = "LOCALTUNE_EPOCH_GATE"
FILE_NAME = "epoch-gate"
WAIT_LIMIT = 30.0
_FIRST_SLEEP = 0.0002
_LONGEST_SLEEP = 0.005


def allow(path: Path, epochs: int) -> None:
    """Let the program at ``path``'s job complete ``epochs`` epochs (atomic write)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(str(int(epochs)), encoding="ascii")
    os.replace(temporary, path)


def _allowed(path: Path) -> int:
    try:
        return int(path.read_text(encoding="ascii") or 0)
    except (OSError, ValueError):
        return 0


class EpochGate:
    """The program's side: :meth:`passed` blocks until epoch ``epoch`` is allowed."""

    def __init__(self, path: Path, wait_limit: float = WAIT_LIMIT) -> None:
        self.path = Path(path)
        self.wait_limit = wait_limit
        self.open = False  # True once the engine stopped answering: no more waiting

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> EpochGate | None:
        value = (os.environ if environ is None else environ).get(ENV)
        return cls(Path(value)) if value else None

    def passed(self, epoch: int) -> bool:
        """Wait until ``epoch`` is allowed; False when the wait limit ran out (gate now open)."""
        if self.open:
            return True
        deadline = time.monotonic() + self.wait_limit
        pause = _FIRST_SLEEP
        while _allowed(self.path) < epoch:
            if time.monotonic() >= deadline:
                self.open = True
                return False
            time.sleep(pause)
            pause = min(pause * 2, _LONGEST_SLEEP)
        return True

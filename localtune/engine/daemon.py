"""A background engine process for short-lived callers (the AWS-CLI-style commands).

``localtune create-hyper-parameter-tuning-job …`` returns at once, as on SageMaker; the tuning job
then runs in ``python -m localtune.interfaces.engine_daemon HOME``, a detached process that resumes
every unfinished tuning job of the home and exits when none is left. A long-lived process (a Python
client, ``localtune serve``, ``localtune tune``) runs its jobs itself and needs no daemon. Two
daemons of one home are harmless: the tuning jobs' leases let exactly one run each job.

The daemon's own messages go to ``<home>/engine.log``.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from localtune.store import Store

__all__ = ["LOG_NAME", "BackgroundEngine", "spawn"]

LOG_NAME = "engine.log"
IDLE_CHECKS = 2


def spawn(home: Path) -> int:
    """Start a detached daemon for ``home``; returns its pid."""
    with open(Path(home) / LOG_NAME, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "localtune.interfaces.engine_daemon", str(home)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
        )
    return process.pid


def _orphaned(store: Store, ttl: float) -> bool:
    """Whether an unfinished tuning job has no live owner."""
    from localtune.engine.engine import UNFINISHED, owner_alive

    now = time.time()
    for row in store.list_tuning_jobs():
        if row["status"] not in UNFINISHED:
            continue
        owner, heartbeat = row["owner"], row["heartbeat"]
        if owner is None or heartbeat is None or heartbeat < now - ttl or not owner_alive(owner):
            return True
    return False


class BackgroundEngine:
    """The engine hooks of a short-lived process: jobs run in a daemon (see the module doc)."""

    def __init__(self, home: Path, store: Store, lease_ttl: float = 10.0) -> None:
        self.home = Path(home)
        self.store = store
        self.lease_ttl = lease_ttl

    def start(self, tuning_job_name: str) -> None:
        spawn(self.home)

    def wake(self) -> None:
        """Nothing to do: the daemon reads stop requests from the store every few tenths of a
        second."""

    def resume(self) -> bool:
        """Start a daemon if an unfinished tuning job has no live owner; True if one started."""
        if _orphaned(self.store, self.lease_ttl):
            spawn(self.home)
            return True
        return False

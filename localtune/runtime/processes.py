"""Starting a training job's process: its own session (process group), output to its log file.

Two ways, one handle:

- :func:`start_command` — ``subprocess.Popen`` of a command (registered images), in a new
  session, stdout and stderr appended to the log file;
- :func:`start_program` — one of localtune's container programs (``main(["train"])`` of a module)
  in a child forked from a *fork server*: a helper process that imported numpy, xgboost and the
  programs once, so a job pays neither interpreter start-up nor imports. The fork server is
  started with single-threaded BLAS/OpenMP (its thread pools are fixed at import time), so a job
  whose environment asks for other thread counts gets a fresh interpreter instead
  (:func:`can_fork`).

A job's children die with it: every stop signals the whole process group. A forked program also
dies when the fork server does (``PR_SET_PDEATHSIG`` on Linux), which happens when the engine
process dies (:mod:`localtune.runtime.forkserver`); commands are reaped by the next engine
through :func:`kill_orphan`.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

__all__ = [
    "FORK_SERVER_ENV",
    "ProcessHandle",
    "can_fork",
    "kill_group",
    "kill_orphan",
    "start_command",
    "start_program",
    "warm_up",
]

#: The environment the fork server runs with; a forked job must agree with it.
FORK_SERVER_ENV = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
}
_lock = threading.Lock()
_server: _ForkServer | None = None


class ProcessHandle(Protocol):
    @property
    def pid(self) -> int: ...

    def wait(self, timeout: float) -> int | None:
        """The exit status (negative: killed by that signal) or None if still running."""
        ...


class _PopenHandle:
    """A command's process. Waits on a pidfd where Linux has them, so an exit is seen at once
    (``Popen.wait(timeout)`` polls with sleeps of up to 50 ms)."""

    def __init__(self, popen: subprocess.Popen[bytes]) -> None:
        self._popen = popen
        self._pidfd: int | None = None
        with contextlib.suppress(AttributeError, OSError):
            self._pidfd = os.pidfd_open(popen.pid)

    @property
    def pid(self) -> int:
        return self._popen.pid

    def wait(self, timeout: float) -> int | None:
        if self._pidfd is None:
            try:
                return self._popen.wait(timeout)
            except subprocess.TimeoutExpired:
                return None
        select.select([self._pidfd], [], [], timeout)
        status = self._popen.poll()
        if status is not None:
            os.close(self._pidfd)
            self._pidfd = None
        return status


class _ForkServer:
    """The engine's side of :mod:`localtune.runtime.forkserver`."""

    def __init__(self) -> None:
        env = {**os.environ, **FORK_SERVER_ENV}
        self._process = subprocess.Popen(
            [sys.executable, "-m", "localtune.runtime.forkserver"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            close_fds=True,
            start_new_session=True,  # a Ctrl-C at the terminal is the engine's to handle
        )
        assert self._process.stdin is not None and self._process.stdout is not None
        self._stdin = self._process.stdin
        self._stdout = self._process.stdout
        self._cond = threading.Condition()
        self._next_id = 0
        self._started: dict[int, dict[str, Any]] = {}
        self._statuses: dict[int, int] = {}
        self._ready = False
        self._dead = False
        threading.Thread(target=self._read, name="localtune-forkserver-reader", daemon=True).start()
        with self._cond:
            self._cond.wait_for(lambda: self._ready or self._dead, timeout=120)
            if not self._ready:
                raise OSError("the localtune fork server did not start")

    def _read(self) -> None:
        for line in self._stdout:
            message = json.loads(line)
            with self._cond:
                if "ready" in message:
                    self._ready = True
                elif "status" in message:
                    self._statuses[int(message["pid"])] = int(message["status"])
                else:
                    self._started[int(message["id"])] = message
                self._cond.notify_all()
        with self._cond:
            self._dead = True
            self._cond.notify_all()

    def alive(self) -> bool:
        return not self._dead and self._process.poll() is None

    def start(self, module: str, env: Mapping[str, str], cwd: Path, log: Path) -> int:
        with self._cond:
            request_id = self._next_id
            self._next_id += 1
            request = {
                "id": request_id,
                "module": module,
                "env": dict(env),
                "cwd": str(cwd),
                "log": str(log),
            }
            self._stdin.write((json.dumps(request) + "\n").encode())
            self._stdin.flush()
            self._cond.wait_for(lambda: request_id in self._started or self._dead, timeout=60)
            answer = self._started.pop(request_id, None)
        if answer is None or "pid" not in answer:
            reason = "it stopped" if answer is None else answer.get("error")
            raise OSError(f"the localtune fork server could not start the job: {reason}")
        return int(answer["pid"])

    def wait(self, pid: int, timeout: float) -> int | None:
        with self._cond:
            self._cond.wait_for(lambda: pid in self._statuses or self._dead, timeout=timeout)
            if pid in self._statuses:
                return self._statuses.pop(pid)
            if self._dead:
                return -signal.SIGKILL  # the server died and took its children along
            return None


class _ForkedHandle:
    def __init__(self, server: _ForkServer, pid: int) -> None:
        self._server = server
        self._pid = pid
        self._status: int | None = None

    @property
    def pid(self) -> int:
        return self._pid

    def wait(self, timeout: float) -> int | None:
        if self._status is None:
            self._status = self._server.wait(self._pid, timeout)
        return self._status


def can_fork(env: Mapping[str, str]) -> bool:
    """Whether a job with environment ``env`` may run in a child of the fork server."""
    return sys.platform.startswith("linux") and all(
        env.get(key) == value for key, value in FORK_SERVER_ENV.items()
    )


def _fork_server() -> _ForkServer:
    """The fork server of this process, started on first use (and again if it died)."""
    global _server
    with _lock:
        if _server is None or not _server.alive():
            _server = _ForkServer()
        return _server


def warm_up() -> None:
    """Start the fork server now (it takes a second or two to import xgboost)."""
    if sys.platform.startswith("linux"):
        _fork_server()


def start_program(module: str, env: Mapping[str, str], cwd: Path, log_path: Path) -> ProcessHandle:
    """Run ``module.main(["train"])`` in a child of the fork server."""
    server = _fork_server()
    return _ForkedHandle(server, server.start(module, env, cwd, log_path))


def start_command(
    argv: Sequence[str], env: Mapping[str, str], cwd: Path, log_path: Path
) -> ProcessHandle:
    """Run ``argv`` in a new session with stdout and stderr appended to ``log_path``.

    Raises ``OSError`` when the command cannot be started (not found, not executable)."""
    with open(log_path, "ab") as log:
        popen = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=dict(env),
            cwd=str(cwd),
            start_new_session=True,
        )
    return _PopenHandle(popen)


def kill_group(pid: int, sig: int) -> bool:
    """Signal the process group led by ``pid``; False if it no longer exists."""
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False
    return True


def kill_orphan(pid: int, job_name: str) -> bool:
    """SIGKILL the process group of a job left running by a dead engine, if ``pid`` is still
    that job's process (its environment names the job: pids are reused)."""
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return False
    if f"TRAINING_JOB_NAME={job_name}".encode() not in environ.split(b"\0"):
        return False
    return kill_group(pid, signal.SIGKILL)

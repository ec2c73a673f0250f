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
process dies; commands are reaped by the next engine through :func:`kill_orphan`.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import multiprocessing
import os
import select
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from multiprocessing.context import BaseContext
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
_PRELOAD = [
    "numpy",
    "scipy",
    "xgboost",
    "localtune.runtime.processes",
    "localtune.runtime.contract",
    "localtune.runtime.xgb.program",
    "localtune.runtime.scriptmode",
]
_lock = threading.Lock()
_context: BaseContext | None = None
_PR_SET_PDEATHSIG = 1


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


class _ForkedHandle:
    def __init__(self, process: Any) -> None:
        self._process = process

    @property
    def pid(self) -> int:
        return int(self._process.pid)

    def wait(self, timeout: float) -> int | None:
        self._process.join(timeout)
        code = self._process.exitcode
        return None if code is None else int(code)


def can_fork(env: Mapping[str, str]) -> bool:
    """Whether a job with environment ``env`` may run in a child of the fork server."""
    return sys.platform.startswith("linux") and all(
        env.get(key) == value for key, value in FORK_SERVER_ENV.items()
    )


def _fork_context() -> BaseContext:
    """The fork server, started once per process with the preloaded modules."""
    global _context
    with _lock:
        if _context is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(_PRELOAD)
            saved = {key: os.environ.get(key) for key in FORK_SERVER_ENV}
            os.environ.update(FORK_SERVER_ENV)
            try:
                from multiprocessing import forkserver

                forkserver.ensure_running()
            finally:
                for key, value in saved.items():
                    if value is None:
                        os.environ.pop(key, None)
                    else:
                        os.environ[key] = value
            _context = context
        return _context


def warm_up() -> None:
    """Start the fork server now (it takes a second or two to import xgboost)."""
    if sys.platform.startswith("linux"):
        _fork_context()


def _die_with_parent() -> None:
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _program_child(module: str, env: dict[str, str], cwd: str, log_path: str) -> None:
    """Runs in the forked child: become a process group, write to the log, run the program."""
    os.setsid()
    _die_with_parent()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)
    fd = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    sys.stdout = open(1, "w", buffering=1, encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", buffering=1, encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    code = importlib.import_module(module).main(["train"])
    sys.stdout.flush()
    sys.stderr.flush()
    sys.exit(int(code or 0))


def start_program(module: str, env: Mapping[str, str], cwd: Path, log_path: Path) -> ProcessHandle:
    """Run ``module.main(["train"])`` in a child of the fork server."""
    context = _fork_context()
    process = context.Process(  # type: ignore[attr-defined]
        target=_program_child,
        args=(module, dict(env), str(cwd), str(log_path)),
        name=f"localtune-job-{module}",
        daemon=False,
    )
    process.start()
    return _ForkedHandle(process)


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

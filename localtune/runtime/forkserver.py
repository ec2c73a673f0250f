"""The fork server: one helper process with numpy, xgboost and localtune's container programs
imported, forking one child per training job.

``python -m localtune.runtime.forkserver`` reads requests from stdin, one JSON object per line
(``{"id", "module", "env", "cwd", "log"}``), and answers on stdout, one JSON object per line:
``{"id", "pid"}`` once the child is forked (or ``{"id", "error"}``), and ``{"pid", "status"}``
when a child ends (``status`` as ``Popen.returncode``: negative for a signal). It exits when its
stdin closes — that is, when the engine process that started it ends or dies — and its children
die with it (``PR_SET_PDEATHSIG``).

A child becomes its own session and process group, writes stdout and stderr to the job's log
(line-buffered), takes the job's environment and working directory, and runs
``module.main(["train"])``; its return value is the exit code. Unlike ``multiprocessing``'s
fork server, nothing of the engine's ``__main__`` is imported into the child.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import json
import os
import selectors
import signal
import sys
import traceback
from typing import Any

PRELOAD = (
    "numpy",
    "scipy",
    "xgboost",
    "localtune.runtime.contract",
    "localtune.runtime.xgb.program",
    "localtune.runtime.scriptmode",
)
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _child(request: dict[str, Any], keep_open: list[int]) -> int:
    """In the forked child: set up and run the program; returns the exit code."""
    for fd in keep_open:
        with contextlib.suppress(OSError):
            os.close(fd)
    os.setsid()
    _die_with_parent()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGCHLD, signal.SIGPIPE):
        signal.signal(sig, signal.SIG_DFL)
    fd = os.open(request["log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    null = os.open(os.devnull, os.O_RDONLY)
    if null != 0:
        os.dup2(null, 0)
        os.close(null)
    sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115
    sys.stdout = open(1, "w", buffering=1, encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", buffering=1, encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])
    try:
        code = importlib.import_module(request["module"]).main(["train"])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
        code = 1
    with contextlib.suppress(Exception):
        sys.stdout.flush()
        sys.stderr.flush()
    return int(code or 0)


def _status(raw: int) -> int:
    if os.WIFSIGNALED(raw):
        return -os.WTERMSIG(raw)
    return os.WEXITSTATUS(raw)


class _Server:
    def __init__(self) -> None:
        self.out = sys.stdout
        self.wake_r, self.wake_w = os.pipe()
        os.set_blocking(self.wake_w, False)
        signal.set_wakeup_fd(self.wake_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        self.buffer = b""

    def send(self, message: dict[str, Any]) -> None:
        self.out.write(json.dumps(message) + "\n")
        self.out.flush()

    def reap(self) -> None:
        while True:
            try:
                pid, raw = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            self.send({"pid": pid, "status": _status(raw)})

    def fork(self, request: dict[str, Any]) -> None:
        try:
            pid = os.fork()
        except OSError as exc:
            self.send({"id": request.get("id"), "error": str(exc)})
            return
        if pid == 0:
            code = 1
            try:
                code = _child(request, [self.wake_r, self.wake_w])
            except BaseException:
                traceback.print_exc()
            finally:
                os._exit(code)
        self.send({"id": request.get("id"), "pid": pid})

    def serve(self) -> None:
        selector = selectors.DefaultSelector()
        stdin = sys.stdin.buffer.fileno()
        selector.register(stdin, selectors.EVENT_READ)
        selector.register(self.wake_r, selectors.EVENT_READ)
        while True:
            for key, _ in selector.select():
                if key.fd == self.wake_r:
                    with contextlib.suppress(BlockingIOError):
                        os.read(self.wake_r, 4096)
                    continue
                data = os.read(stdin, 65536)
                if not data:
                    return
                self.buffer += data
                *lines, self.buffer = self.buffer.split(b"\n")
                for line in lines:
                    if line.strip():
                        self.fork(json.loads(line))
            self.reap()


def main() -> int:
    for module in PRELOAD:
        with contextlib.suppress(Exception):
            importlib.import_module(module)
    # No PR_SET_PDEATHSIG here: it fires when the engine *thread* that started the server ends.
    # The server ends when its stdin closes, which the engine's death does.
    server = _Server()
    server.send({"ready": True})
    server.serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())

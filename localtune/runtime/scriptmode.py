"""Script mode: run a user's entry point as the SageMaker training toolkit would (reference §7).

``python -m localtune.runtime.scriptmode train`` (or :func:`main` with ``["train"]``) is the
container's ``train`` command for framework estimators (scikit-learn, PyTorch, … script mode). In
a job directory given by ``SAGEMAKER_BASE_DIR`` it

1. splits ``hyperparameters.json`` into user hyperparameters and framework parameters
   (``sagemaker_*``, ``_tuning_objective_metric``), values JSON-decoded;
2. puts ``sagemaker_submit_directory`` into ``code/`` (:mod:`localtune.runtime.sourcedir`), warns
   about ``requirements.txt`` (not installed);
3. runs ``sagemaker_program`` by the toolkit's entry-point types — ``.sh`` or any other name: a
   command ``/bin/sh -c "./<entry> <args>"``; a code dir with ``setup.py``: a package,
   ``<python> -m <module> <args>`` (the package is not pip-installed; ``code/`` is put on
   ``PYTHONPATH`` instead); ``.py``: ``<python> <entry> <args>`` — with ``sys.executable``, the
   sorted ``--key value`` arguments, the working directory ``code/`` and the ``SM_*`` variables;
4. passes the script's stdout and stderr through line by line, flushed, so metric regexes see
   every line as it is printed;
5. on a non-zero exit writes ``output/failure`` (only if the script did not write one) with the
   ``ExecuteUserScriptError`` text and exits with the script's exit code (128 + N when it was
   killed by signal N); on success writes ``output/success``.

Signals: the script runs in its own process group; SIGTERM and SIGINT sent to this process (alone
or with its process group) reach the script's group exactly once, forwarded. The script dies with
this process (``PR_SET_PDEATHSIG`` on Linux), and what its group leaves behind is killed when it
exits — as a container's processes end with its main process.

Choices where the toolkit differs or the reference is silent: the exit code is the script's (the
toolkit exits 1); ``ErrorMessage`` is the stderr from the last ``Traceback`` line on (else the
last 10 lines), cut to 700 characters so the whole text fits ``FailureReason`` (1024);
``SM_*`` variables already in the environment (set by the engine from the same files, possibly
overridden by the definition's ``Environment``) are kept, the missing ones are computed.
"""

from __future__ import annotations

import collections
import contextlib
import ctypes
import os
import shlex
import signal
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import IO, Any, TextIO

from localtune.runtime.contract import (
    JobDir,
    job_dir_from_env,
    job_environment,
    read_json,
    to_cli_args,
    user_hyperparameters,
)
from localtune.runtime.sourcedir import SourceDirError, fetch_source_dir, warn_requirements

__all__ = ["ScriptModeError", "build_command", "main", "run_training"]

ERROR_MESSAGE_CHARS = 700
TAIL_LINES = 10
PREFIX = "localtune scriptmode:"


class ScriptModeError(Exception):
    """A problem before the user's script could run (no program, no code, …)."""


def build_command(code_dir: Path, entry_point: str, args: Sequence[str]) -> list[str]:
    """The toolkit's command for ``entry_point`` in ``code_dir`` (§7.2 entry-point types)."""
    if not entry_point.endswith(".sh") and (code_dir / "setup.py").is_file():
        return [sys.executable, "-m", entry_point.replace(".py", ""), *args]
    if entry_point.endswith(".py"):
        return [sys.executable, entry_point, *args]
    script = code_dir / entry_point
    if script.is_file():
        script.chmod(script.stat().st_mode | 0o111)
    return ["/bin/sh", "-c", f"./{shlex.quote(entry_point)} {shlex.join(args)}".rstrip()]


def _child_environment(job: JobDir, code_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    computed = job_environment(
        job,
        training_job_name=env.get("TRAINING_JOB_NAME", "local-training-job"),
        training_job_arn=env.get("TRAINING_JOB_ARN", ""),
    )
    for key, value in computed.items():
        env.setdefault(key, value)
    paths = [str(code_dir), *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _pump(source: IO[bytes], sink: TextIO, tail: collections.deque[str] | None) -> None:
    """Copy ``source`` to ``sink`` line by line, flushing each; keep the last lines in ``tail``."""
    for raw in iter(source.readline, b""):
        line = raw.decode("utf-8", errors="replace")
        sink.write(line if line.endswith("\n") else line + "\n")
        sink.flush()
        if tail is not None:
            tail.append(line.rstrip("\n"))
    source.close()


def _error_message(tail: Sequence[str]) -> str:
    lines = list(tail)
    starts = [i for i, line in enumerate(lines) if line.startswith("Traceback")]
    chosen = lines[starts[-1] :] if starts else lines[-TAIL_LINES:]
    text = "\n".join(chosen)
    return text if len(text) <= ERROR_MESSAGE_CHARS else "…" + text[-ERROR_MESSAGE_CHARS:]


def execute_user_script_error(exit_code: int, stderr_tail: Sequence[str], command: str) -> str:
    """The toolkit's ``ExecuteUserScriptError`` text (§7.2)."""
    return (
        f"ExecuteUserScriptError:\nExitCode {exit_code}\n"
        f'ErrorMessage "{_error_message(stderr_tail)}"\nCommand "{command}"'
    )


_FORWARDED = (signal.SIGTERM, signal.SIGINT)
_PR_SET_PDEATHSIG = 1
JOIN_SECONDS = 5.0


class _Forwarder:
    """Forwards SIGTERM and SIGINT to the script's process group while it runs (main thread
    only; the previous handlers are restored afterwards)."""

    def __init__(self) -> None:
        self.child: subprocess.Popen[bytes] | None = None
        self.previous: dict[int, Any] = {}

    def __enter__(self) -> _Forwarder:
        if threading.current_thread() is threading.main_thread():
            for signum in _FORWARDED:
                self.previous[signum] = signal.signal(signum, self._handle)
        return self

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.child is not None and self.child.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.child.pid, signum)

    def __exit__(self, *exc: object) -> None:
        for signum, previous in self.previous.items():
            signal.signal(signum, previous)


def _die_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` making the script die (SIGKILL) when this process dies (Linux)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def preexec() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)

    return preexec


def _run_child(command: list[str], code_dir: Path, env: dict[str, str]) -> tuple[int, list[str]]:
    """Run the script in its own process group, so a signal sent to this process's group reaches
    it once (forwarded), and it dies with this process; leftovers of its group die at its end."""
    tail: collections.deque[str] = collections.deque(maxlen=200)
    with _Forwarder() as forwarder:
        child = subprocess.Popen(
            command,
            cwd=code_dir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            process_group=0,
            preexec_fn=_die_with_parent(),
        )
        forwarder.child = child
        assert child.stdout is not None and child.stderr is not None  # PIPE was asked for
        pumps = [
            threading.Thread(target=_pump, args=(child.stdout, sys.stdout, None), daemon=True),
            threading.Thread(target=_pump, args=(child.stderr, sys.stderr, tail), daemon=True),
        ]
        for pump in pumps:
            pump.start()
        returncode = child.wait()
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.pid, signal.SIGKILL)  # whatever the script left behind
        for pump in pumps:
            pump.join(JOIN_SECONDS)
    return returncode, list(tail)


def _write_failure(job: JobDir, text: str) -> None:
    """The toolkit writes the failure file only if the script did not write one itself."""
    if job.failure_file.exists():
        return
    job.failure_file.parent.mkdir(parents=True, exist_ok=True)
    job.failure_file.write_text(text, encoding="utf-8")


def run_training(job: JobDir) -> int:
    """Run the script-mode job in ``job``; return the process exit code (0 = success)."""
    raw = read_json(job.hyperparameters_file)
    user, framework = user_hyperparameters(raw)
    entry_point = framework.get("sagemaker_program")
    if not isinstance(entry_point, str) or not entry_point:
        raise ScriptModeError(
            "hyperparameter sagemaker_program is missing (got "
            f"{raw.get('sagemaker_program')!r}); script mode needs the entry point's file name, "
            'JSON-encoded, e.g. "\\"train.py\\""'
        )
    submit = framework.get("sagemaker_submit_directory")
    fetch_source_dir(None if submit is None else str(submit), job.code_dir)
    if not (job.code_dir / entry_point).exists() and not (job.code_dir / "setup.py").is_file():
        raise ScriptModeError(
            f"entry point {entry_point!r} (sagemaker_program) is not in the code directory "
            f"{job.code_dir} (from sagemaker_submit_directory {submit!r})"
        )
    warn_requirements(job.code_dir)
    command = build_command(job.code_dir, entry_point, to_cli_args(user))
    shown = shlex.join(command)
    print(f"{PREFIX} invoking user script\n{PREFIX} command: {shown}", file=sys.stderr, flush=True)
    returncode, tail = _run_child(command, job.code_dir, _child_environment(job, job.code_dir))
    if returncode == 0:
        job.success_file.parent.mkdir(parents=True, exist_ok=True)
        job.success_file.touch()
        return 0
    _write_failure(job, execute_user_script_error(returncode, tail, shown))
    print(f"{PREFIX} reporting training FAILURE (exit code {returncode})", file=sys.stderr)
    return returncode if returncode > 0 else 128 - returncode


def main(argv: Sequence[str] | None = None) -> int:
    """The container's command line: ``train`` runs the job of ``$SAGEMAKER_BASE_DIR``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args != ["train"]:
        print(
            f"usage: python -m localtune.runtime.scriptmode train (got {args!r})", file=sys.stderr
        )
        return 2
    job = job_dir_from_env()
    if not job.hyperparameters_file.is_file():
        print(
            f"{PREFIX} no job directory: {job.hyperparameters_file} does not exist "
            "(set SAGEMAKER_BASE_DIR to the job's directory)",
            file=sys.stderr,
        )
        return 1
    try:
        return run_training(job)
    except (ScriptModeError, SourceDirError, ValueError) as exc:
        message = f"Framework Error: \n{exc}"
    except Exception as exc:
        message = f"Framework Error: \n{traceback.format_exc()}\n{exc}"
    _write_failure(job, message)
    print(f"{PREFIX} {message}", file=sys.stderr, flush=True)
    return 1


if __name__ == "__main__":
    sys.exit(main())

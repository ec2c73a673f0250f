"""CLI commands that run tuning jobs: ``localtune tune`` and ``localtune images``.

- ``localtune tune REQUEST.json [--name NAME]`` creates the tuning job and runs it in this process
  with a live progress display (a redrawn block on a terminal, plain lines when piped); Ctrl-C
  asks for a clean stop (Stopping → Stopped, every training job accounted for); a second Ctrl-C
  leaves at once (running training jobs are killed and recorded as lost; the tuning job resumes
  with the next localtune process in that home). Exit status: 0
  Completed, 1 Failed, 2 bad request, 130 Stopped.
- ``localtune images register IMAGE -- CMD ...`` runs training jobs whose ``TrainingImage`` is
  IMAGE as ``CMD ... train``; ``localtune images list`` shows the registrations.

The AWS-CLI-style commands are short-lived: :func:`run_in_background` makes their tuning jobs run
in a detached engine process instead (see :mod:`localtune.engine.daemon`).
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

from botocore.exceptions import ClientError

from localtune import images
from localtune.interfaces import aws_cli, services
from localtune.interfaces.client import client as make_client

__all__ = ["add_parsers", "render_progress", "run_in_background"]

EXIT_FAILED = 1
EXIT_BAD_REQUEST = 2
EXIT_STOPPED = 130
TERMINAL = ("Completed", "Failed", "Stopped")


def run_in_background(home: str | None) -> None:
    """Tuning jobs created or resumed by this process run in a detached engine process."""
    services.prefer_background(home)


def _best(description: dict[str, Any]) -> str:
    best = description.get("BestTrainingJob")
    if not best:
        return "best: -"
    metric = best["FinalHyperParameterTuningJobObjectiveMetric"]
    return f"best: {metric['MetricName']}={metric['Value']:.6g} ({best['TrainingJobName']})"


def render_progress(description: dict[str, Any], running: list[str]) -> list[str]:
    """The lines of the progress display for one Describe response."""
    counters = description["TrainingJobStatusCounters"]
    limits = description["HyperParameterTuningJobConfig"]["ResourceLimits"]
    lines = [
        f"{description['HyperParameterTuningJobName']}: "
        f"{description['HyperParameterTuningJobStatus']}  "
        f"completed {counters['Completed']}/{limits['MaxNumberOfTrainingJobs']}  "
        f"running {counters['InProgress']}  stopped {counters['Stopped']}  "
        f"failed {counters['NonRetryableError'] + counters['RetryableError']}",
        _best(description),
    ]
    lines += [f"  running: {name}" for name in running]
    return lines


class _Display:
    """Redraws a block on a terminal; prints changed lines otherwise."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.tty = out.isatty()
        self._drawn = 0
        self._last: list[str] = []

    def show(self, lines: list[str]) -> None:
        if lines == self._last:
            return
        if self.tty:
            if self._drawn:
                self.out.write(f"\x1b[{self._drawn}F\x1b[J")
            self.out.write("\n".join(lines) + "\n")
            self._drawn = len(lines)
        else:
            self.out.write(lines[0] + "  " + lines[1] + "\n")
        self.out.flush()
        self._last = lines


def _running(sm: Any, name: str) -> list[str]:
    summaries = sm.list_training_jobs_for_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=name, StatusEquals="InProgress", MaxResults=100
    )["TrainingJobSummaries"]
    return sorted(s["TrainingJobName"] for s in summaries)


def _watch(sm: Any, name: str, display: _Display, interrupted: Callable[[], bool]) -> str:
    stop_sent = False
    while True:
        if interrupted() and not stop_sent:
            stop_sent = True
            display.out.write("stopping (Ctrl-C): stopping every running training job ...\n")
            with contextlib.suppress(ClientError):  # it may have ended meanwhile
                sm.stop_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
        d = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
        status: str = d["HyperParameterTuningJobStatus"]
        display.show(render_progress(d, [] if status in TERMINAL else _running(sm, name)))
        if status in TERMINAL:
            if d.get("FailureReason"):
                display.out.write(f"FailureReason: {d['FailureReason']}\n")
            return status
        time.sleep(0.5)


def cmd_tune(args: argparse.Namespace) -> int:
    try:
        request = aws_cli.read_json_argument(
            args.request if args.request.startswith("file://") else f"file://{args.request}"
        )
        if not isinstance(request, dict):
            raise ValueError("the request must be a JSON object")
    except (OSError, ValueError) as exc:
        print(f"localtune tune: cannot read {args.request}: {exc}", file=sys.stderr)
        return EXIT_BAD_REQUEST
    if args.name:
        request["HyperParameterTuningJobName"] = args.name
    try:
        sm = make_client(args.home, executor=getattr(args, "dask_scheduler", None))
    except (ValueError, RuntimeError) as exc:  # a bad scheduler address, Dask not reachable
        print(f"localtune tune: {exc}", file=sys.stderr)
        return EXIT_BAD_REQUEST
    try:
        sm.create_hyper_parameter_tuning_job(**request)
    except ClientError as exc:
        error = exc.response["Error"]
        print(f"localtune tune: {error['Code']}: {error['Message']}", file=sys.stderr)
        return EXIT_BAD_REQUEST
    flag = {"interrupted": False}

    def on_sigint(signum: int, frame: Any) -> None:
        if flag["interrupted"]:  # a second Ctrl-C: leave now; the job resumes next time
            raise KeyboardInterrupt
        flag["interrupted"] = True

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        status = _watch(
            sm,
            request["HyperParameterTuningJobName"],
            _Display(sys.stdout),
            lambda: flag["interrupted"],
        )
    except KeyboardInterrupt:
        print(
            "localtune tune: left before the stop finished; the tuning job resumes with the next "
            "localtune process in this home",
            file=sys.stderr,
        )
        return EXIT_STOPPED
    finally:
        signal.signal(signal.SIGINT, previous)
    return {"Completed": 0, "Failed": EXIT_FAILED}.get(status, EXIT_STOPPED)


def cmd_images_register(args: argparse.Namespace) -> int:
    command = list(args.command or [])
    if command and command[0] == "--":
        command = command[1:]
    try:
        images.register(args.image, command, home=args.home)
    except ValueError as exc:
        print(f"localtune images register: {exc}", file=sys.stderr)
        return EXIT_BAD_REQUEST
    print(f"{args.image}: runs as {' '.join(command)} train")
    return 0


def cmd_images_list(args: argparse.Namespace) -> int:
    registered = images.list_images(home=args.home)
    if not registered:
        print("no images registered (localtune images register IMAGE -- CMD ...)")
    for image, command in registered.items():
        print(f"{image}\t{' '.join(command)}")
    return 0


def add_dask_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dask-scheduler",
        metavar="tcp://HOST:PORT",
        help="run the training jobs on this Dask cluster (default: $LOCALTUNE_DASK_SCHEDULER, "
        "else local processes; needs the 'dask' extra)",
    )


def add_parsers(sub: Any) -> None:
    """Add ``tune`` and ``images`` to the ``localtune`` command line."""
    tune = sub.add_parser("tune", help="create a tuning job and run it here, with progress")
    tune.add_argument("request", help="REQUEST.json (CreateHyperParameterTuningJob request)")
    tune.add_argument("--name", help="use this HyperParameterTuningJobName instead")
    add_dask_option(tune)
    tune.set_defaults(func=cmd_tune)
    image = sub.add_parser("images", help="local commands for training images")
    image_sub = image.add_subparsers(dest="images_command", required=True, metavar="ACTION")
    register = image_sub.add_parser("register", help="IMAGE -- CMD ...: run IMAGE as CMD train")
    register.add_argument("image")
    register.add_argument("command", nargs=argparse.REMAINDER, help="-- CMD [ARG ...]")
    register.set_defaults(func=cmd_images_register)
    listing = image_sub.add_parser("list", help="show the registered images")
    listing.set_defaults(func=cmd_images_list)

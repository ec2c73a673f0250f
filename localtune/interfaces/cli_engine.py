"""CLI commands that run tuning jobs: ``localtune tune`` and ``localtune images``.

- ``localtune tune REQUEST.json [--name NAME] [--quiet | --json]`` creates the tuning job and runs
  it in this process. On a terminal a live block is redrawn (progress bar, counters, best
  objective, running jobs with their elapsed time); when stdout is not a terminal nothing is drawn
  while it runs. At the end a table of every training job, best first, is printed (``--quiet``:
  nothing; ``--json``: the final Describe response). Ctrl-C asks for a clean stop (Stopping →
  Stopped, every training job accounted for); a second Ctrl-C leaves at once (running training
  jobs are killed and recorded as lost; the tuning job resumes with the next localtune process in
  that home). Exit status: 0 Completed, 1 Failed, 2 bad request, 130 Stopped.
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
from localtune.api.responses import TERMINAL_TUNING_STATUSES
from localtune.interfaces import aws_cli, progress, services
from localtune.interfaces.client import client as make_client

__all__ = ["add_parsers", "run_in_background"]

EXIT_FAILED = 1
EXIT_BAD_REQUEST = 2
EXIT_STOPPED = 130


def run_in_background(home: str | None) -> None:
    """Tuning jobs created or resumed by this process run in a detached engine process."""
    services.prefer_background(home)


class _Live:
    """Redraws the live block in place on a terminal (nothing is drawn elsewhere)."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self._drawn = 0

    def show(self, lines: list[str]) -> None:
        if self._drawn:
            self.out.write(f"\x1b[{self._drawn}F\x1b[J")
        self.out.write("\n".join(lines) + "\n")
        self.out.flush()
        self._drawn = len(lines)


def _running(sm: Any, name: str) -> list[dict[str, Any]]:
    summaries = sm.list_training_jobs_for_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=name, StatusEquals="InProgress", MaxResults=100
    )["TrainingJobSummaries"]
    jobs = []
    for summary in sorted(summaries, key=lambda s: s["TrainingJobName"]):
        with contextlib.suppress(ClientError):
            jobs.append(sm.describe_training_job(TrainingJobName=summary["TrainingJobName"]))
    return jobs


def _all_summaries(sm: Any, name: str) -> list[dict[str, Any]]:
    pages = sm.get_paginator("list_training_jobs_for_hyper_parameter_tuning_job").paginate(
        HyperParameterTuningJobName=name
    )
    return [summary for page in pages for summary in page["TrainingJobSummaries"]]


def _watch(
    sm: Any, name: str, live: _Live | None, interrupted: Callable[[], bool]
) -> dict[str, Any]:
    """Poll until the tuning job ends; returns its final description."""
    stop_sent = False
    while True:
        if interrupted() and not stop_sent:
            stop_sent = True
            print("stopping (Ctrl-C): stopping every running training job ...", file=sys.stderr)
            with contextlib.suppress(ClientError):  # it may have ended meanwhile
                sm.stop_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
        described: dict[str, Any] = sm.describe_hyper_parameter_tuning_job(
            HyperParameterTuningJobName=name
        )
        finished = described["HyperParameterTuningJobStatus"] in TERMINAL_TUNING_STATUSES
        if live is not None:
            live.show(progress.live_lines(described, [] if finished else _running(sm, name)))
        if finished:
            return described
        time.sleep(0.5)


def _report(sm: Any, described: dict[str, Any], mode: str) -> None:
    """What is printed once the tuning job has ended, per output mode."""
    described.pop("ResponseMetadata", None)
    if mode == "json":
        aws_cli.print_json(described)
    elif mode != "quiet":
        name = described["HyperParameterTuningJobName"]
        print("\n".join(progress.summary_lines(described, _all_summaries(sm, name))))
    if described.get("FailureReason"):
        print(f"FailureReason: {described['FailureReason']}", file=sys.stderr)


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

    mode = "json" if args.json else "quiet" if args.quiet else "auto"
    live = _Live(sys.stdout) if mode == "auto" and sys.stdout.isatty() else None
    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        described = _watch(
            sm, request["HyperParameterTuningJobName"], live, lambda: flag["interrupted"]
        )
        _report(sm, described, mode)
        status = described["HyperParameterTuningJobStatus"]
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
    output = tune.add_mutually_exclusive_group()
    output.add_argument(
        "--quiet", action="store_true", help="print nothing; the exit status tells the outcome"
    )
    output.add_argument(
        "--json", action="store_true", help="print only the final Describe response as JSON"
    )
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

"""The ``localtune`` command line.

- ``localtune validate REQUEST.json`` — every check ``create`` would run (exit 0 valid, 1 invalid
  with every problem listed, 2 unreadable input);
- AWS-CLI-style operations (``create-hyper-parameter-tuning-job --cli-input-json file://…``,
  ``describe-…``, ``list-…``) printing JSON as the AWS CLI does;
- ``localtune demo`` — the seed example.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from localtune.api.validation import check_create_tuning_job
from localtune.interfaces import aws_cli, cli_engine, cli_s3
from localtune.interfaces.cli_results import add_result_commands
from localtune.interfaces.client import client as make_client
from localtune.interfaces.services import get_service

EXIT_INVALID = 1
EXIT_UNREADABLE = 2

SEED_EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "seed-xgboost-bayesian.json"


def _read_request(path: str) -> dict[str, Any]:
    """A request file (plain path or ``file://PATH``); ``ValueError``/``OSError`` if unreadable."""
    request = aws_cli.read_json_argument(path if path.startswith("file://") else f"file://{path}")
    if not isinstance(request, dict):
        raise ValueError("the request must be a JSON object")
    return request


def cmd_validate(args: argparse.Namespace) -> int:
    try:
        request = _read_request(args.request)
    except (OSError, ValueError) as exc:
        print(f"localtune validate: cannot read {args.request}: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    service = get_service(args.home)
    problems = check_create_tuning_job(request, parent_lookup=service.parent_lookup)
    if not problems:
        name = request.get("HyperParameterTuningJobName", "?")
        print(f"{args.request}: valid (tuning job {name})")
        return 0
    print(f"{args.request}: {len(problems)} problem(s)")
    for problem in problems:
        print(f"  - {problem}")
    return EXIT_INVALID


def cmd_demo(args: argparse.Namespace) -> int:
    """The seed example for real: data into the local S3, the tuning job with live progress,
    then the best training job and its hyperparameters."""
    from localtune import demo
    from localtune.config import resolve_home

    home = resolve_home(args.home)
    demo.write_breast_cancer(home)
    request = demo.demo_request(strategy=args.strategy, jobs=args.jobs)
    config = request["HyperParameterTuningJobConfig"]
    objective = config["HyperParameterTuningJobObjective"]
    limits = config["ResourceLimits"]
    print(
        f"localtune demo: the seed example ({SEED_EXAMPLE.name}) on scikit-learn's breast_cancer"
        f" data in {demo.DATA_PREFIX}/ (home {home})\n"
        f"  {config['Strategy']} search, {limits['MaxNumberOfTrainingJobs']} training jobs of the"
        f" built-in XGBoost, {limits['MaxParallelTrainingJobs']} at a time,"
        f" objective {objective['MetricName']} ({objective['Type']})",
        flush=True,
    )
    path = home / "demo-request.json"
    path.write_text(json.dumps(request, indent=2))
    status = cli_engine.cmd_tune(
        argparse.Namespace(request=str(path), name=None, home=str(home), quiet=False, json=False)
    )
    sm = make_client(home)
    name = request["HyperParameterTuningJobName"]
    described = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
    best = described.get("BestTrainingJob")
    if best is None:
        print(f"{name}: {described['HyperParameterTuningJobStatus']}, no best training job")
        return status or EXIT_INVALID
    job = sm.describe_training_job(TrainingJobName=best["TrainingJobName"])
    metric = best["FinalHyperParameterTuningJobObjectiveMetric"]
    print(f"\nBest training job: {best['TrainingJobName']}")
    print(f"  {metric['MetricName']} = {metric['Value']}")
    for key, value in sorted(best["TunedHyperParameters"].items()):
        print(f"  {key} = {value}")
    print(f"  model: {job['ModelArtifacts']['S3ModelArtifacts']}")
    print(
        f"\nSee it all: localtune --home {home} describe-hyper-parameter-tuning-job "
        f"--hyper-parameter-tuning-job-name {name}"
    )
    return status


def cmd_serve(args: argparse.Namespace) -> int:
    from localtune.interfaces.server import make_server, serve_until_interrupted

    try:
        server = make_server(args.home, args.host, args.port, executor=args.dask_scheduler)
    except (ValueError, RuntimeError) as exc:  # a bad scheduler address, Dask not reachable
        print(f"localtune serve: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    print(f"localtune serving SageMaker on {server.url} (home {server.service.home})", flush=True)
    print(f"  export AWS_ENDPOINT_URL_SAGEMAKER={server.url}", flush=True)
    return serve_until_interrupted(server)


def build_parser(operations: Sequence[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="localtune", description="Run SageMaker hyperparameter tuning jobs locally."
    )
    parser.add_argument(
        "--home", help="localtune home (default: $LOCALTUNE_HOME, else ~/.localtune)"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    validate = sub.add_parser("validate", help="check a CreateHyperParameterTuningJob request")
    validate.add_argument("request", help="REQUEST.json (as for aws ... --cli-input-json)")
    validate.set_defaults(func=cmd_validate)
    demo = sub.add_parser("demo", help="the seed example tuning job")
    demo.add_argument("--strategy", choices=("Bayesian", "Random", "Grid", "Hyperband"))
    demo.add_argument("--jobs", type=int, help="MaxNumberOfTrainingJobs (default: the seed's 20)")
    demo.set_defaults(func=cmd_demo)
    serve = sub.add_parser("serve", help="serve SageMaker's JSON 1.1 API over HTTP")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8642, help="port (default 8642)")
    serve.add_argument("--home", default=argparse.SUPPRESS, help="localtune home")
    cli_engine.add_dask_option(serve)
    serve.set_defaults(func=cmd_serve)
    aws_cli.add_operation_parsers(sub, operations)
    cli_engine.add_parsers(sub)
    cli_s3.add_parsers(sub)
    add_result_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from localtune.api.service import Service

    parser = build_parser(Service.OPERATIONS)
    args = parser.parse_args(argv)
    if hasattr(args, "func"):
        return int(args.func(args))
    cli_engine.run_in_background(args.home)  # a short-lived process: jobs run in a daemon
    return aws_cli.run_operation(make_client(args.home), args)


if __name__ == "__main__":
    sys.exit(main())

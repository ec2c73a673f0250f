"""CLI commands for results: ``export``, ``report``, ``predict``, ``serve-model`` and the
``create-model --from-best-training-job`` shortcut.

* ``localtune export JOB --csv FILE`` — the analytics frame (as the SDK's ``export_csv``);
* ``localtune report JOB [--out DIR]`` — ``DIR/index.html`` with PNG plots;
* ``localtune create-model --model-name NAME --from-best-training-job JOB`` — CreateModel from the
  tuning job's best training job (image, model artifacts, role); every other ``create-model``
  option of the AWS-CLI-style command still works and overrides what the shortcut fills in;
* ``localtune predict --model-name NAME --content-type text/csv < rows.csv`` — one prediction per
  line, as the built-in XGBoost container answers a batch transform;
* ``localtune serve-model NAME [--host 127.0.0.1] [--port 8080]`` — SageMaker's inference
  container contract (``GET /ping``, ``POST /invocations``) for one model.

Failures print one line naming the problem to stderr and exit 1 (254 for service errors of
``create-model``, as the AWS CLI does).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from botocore.exceptions import ClientError

from localtune.interfaces import aws_cli, services
from localtune.interfaces.client import client as make_client
from localtune.interfaces.server import serve_until_interrupted

EXIT_FAILURE = 1


def _no_engine_here(args: argparse.Namespace) -> None:
    """These commands only read results: unfinished tuning jobs of the home keep running in (or
    are resumed by) a detached engine process, never inside this command's process."""
    services.prefer_background(args.home)


def _fail(command: str, message: str) -> int:
    print(f"localtune {command}: {message}", file=sys.stderr)
    return EXIT_FAILURE


def _error_message(exc: ClientError) -> str:
    error = exc.response["Error"]
    return f"{error['Code']}: {error['Message']}"


def cmd_export(args: argparse.Namespace) -> int:
    _no_engine_here(args)
    from localtune.results.analytics import MissingExtra
    from localtune.results.export import export_csv

    try:
        rows = export_csv(args.job, args.csv, args.home)
    except MissingExtra as exc:
        return _fail("export", str(exc))
    except ClientError as exc:
        return _fail("export", _error_message(exc))
    except OSError as exc:
        return _fail("export", f"cannot write {args.csv}: {exc}")
    print(f"{args.csv}: {rows} training job(s) of {args.job}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    _no_engine_here(args)
    from localtune.results.analytics import MissingExtra
    from localtune.results.report import write_report

    try:
        page = write_report(args.job, args.out, args.home)
    except MissingExtra as exc:
        return _fail("report", str(exc))
    except ClientError as exc:
        return _fail("report", _error_message(exc))
    except OSError as exc:
        return _fail("report", f"cannot write the report: {exc}")
    print(f"report of {args.job}: {page}")
    return 0


def cmd_create_model(args: argparse.Namespace) -> int:
    """``create-model``: the AWS-CLI-style command, plus ``--from-best-training-job``."""
    from localtune.results.export import NoBestTrainingJob, best_model_request

    _no_engine_here(args)
    sm = make_client(args.home)
    if not args.from_best_training_job:
        return aws_cli.run_operation(sm, args)
    try:
        explicit = aws_cli.build_request(args)
    except (OSError, ValueError) as exc:
        print(f"\nError parsing parameter: {exc}\n", file=sys.stderr)
        return aws_cli.EXIT_USAGE
    if not explicit.get("ModelName"):
        return _fail("create-model", "--from-best-training-job needs --model-name NAME")
    try:
        request = best_model_request(args.from_best_training_job, explicit["ModelName"], sm)
        request.update(explicit)
        response = sm.create_model(**request)
    except NoBestTrainingJob as exc:
        return _fail("create-model", str(exc))
    except ClientError as exc:
        error = exc.response["Error"]
        print(
            f"\nAn error occurred ({error['Code']}) when calling the CreateModel operation: "
            f"{error['Message']}\n",
            file=sys.stderr,
        )
        return aws_cli.EXIT_SERVICE_ERROR
    response.pop("ResponseMetadata", None)
    aws_cli.print_json(response)
    return 0


def cmd_predict(args: argparse.Namespace) -> int:
    _no_engine_here(args)
    from localtune.results import inference

    try:
        model = inference.load(args.model_name, home=args.home)
    except inference.ModelNotServable as exc:
        return _fail("predict", str(exc))
    if args.input and args.input != "-":
        try:
            with open(args.input, "rb") as stream:
                body = stream.read()
        except OSError as exc:
            return _fail("predict", f"cannot read {args.input}: {exc}")
    else:
        body = sys.stdin.buffer.read()
    # The CLI answers as a batch transform does: one prediction per line.
    model.environment = {**model.environment, "SAGEMAKER_BATCH": "true"}
    try:
        answer, _ = inference.invoke(model, body, args.content_type, args.accept)
    except inference.InvocationError as exc:
        return _fail("predict", exc.message)
    sys.stdout.buffer.write(answer)
    if not answer.endswith(b"\n"):
        sys.stdout.buffer.write(b"\n")
    sys.stdout.flush()
    return 0


def cmd_serve_model(args: argparse.Namespace) -> int:
    _no_engine_here(args)
    from localtune.interfaces.model_server import ModelServer
    from localtune.results import inference

    try:
        model = inference.load(args.model_name, home=args.home)
    except inference.ModelNotServable as exc:
        return _fail("serve-model", str(exc))
    try:
        server = ModelServer(model, args.host, args.port)
    except OSError as exc:
        return _fail("serve-model", f"cannot listen on {args.host}:{args.port}: {exc}")
    print(f"localtune serving model {model.name} on {server.url}", flush=True)
    print(f"  curl {server.url}/ping", flush=True)
    print(
        f"  curl -H 'Content-Type: text/csv' --data-binary @rows.csv {server.url}/invocations",
        flush=True,
    )
    return serve_until_interrupted(server)


def _home(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--home", default=argparse.SUPPRESS, help="localtune home")


def add_result_commands(sub: Any) -> None:
    """Add the results commands to the ``localtune`` sub-parsers (after the AWS-CLI ones)."""
    export = sub.add_parser("export", help="write a tuning job's training jobs as CSV")
    export.add_argument("job", help="tuning job name")
    export.add_argument("--csv", required=True, metavar="FILE", help="CSV file to write")
    _home(export)
    export.set_defaults(func=cmd_export)

    report = sub.add_parser("report", help="HTML report with plots of a tuning job")
    report.add_argument("job", help="tuning job name")
    report.add_argument("--out", metavar="DIR", help="output directory (default ./JOB-report)")
    _home(report)
    report.set_defaults(func=cmd_report)

    predict = sub.add_parser("predict", help="predictions of a model for rows on stdin")
    predict.add_argument("--model-name", required=True, help="a model made with create-model")
    predict.add_argument(
        "--content-type", default="text/csv", help="text/csv (default) or text/libsvm"
    )
    predict.add_argument("--accept", default=None, help="text/csv (default) or application/json")
    predict.add_argument("--input", metavar="FILE", help="read the rows from FILE, not stdin")
    _home(predict)
    predict.set_defaults(func=cmd_predict)

    serve = sub.add_parser("serve-model", help="serve a model as a SageMaker endpoint container")
    serve.add_argument("model_name", metavar="NAME", help="a model made with create-model")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8080, help="port (default 8080; 0 = any)")
    _home(serve)
    serve.set_defaults(func=cmd_serve_model)

    create_model = sub.choices.get("create-model")
    if create_model is not None:
        create_model.add_argument(
            "--from-best-training-job",
            metavar="TUNING_JOB",
            help="fill PrimaryContainer and ExecutionRoleArn from the best training job of "
            "TUNING_JOB (localtune shortcut)",
        )
        create_model.set_defaults(func=cmd_create_model)

"""AWS-CLI-style commands.

``localtune describe-hyper-parameter-tuning-job --hyper-parameter-tuning-job-name NAME``
behaves like ``aws sagemaker describe-hyper-parameter-tuning-job …``.

Every operation the service implements gets a sub-command named as the AWS CLI names it, with
``--cli-input-json`` (a JSON string or ``file://PATH``) and one ``--kebab-case`` option per top-
level member of the operation's input (scalars as text, structures and lists as JSON). Output is
the JSON the AWS CLI prints (4-space indent, ISO-8601 times, no ResponseMetadata); errors go to
stderr as ``An error occurred (Code) when calling the Op operation: message`` with the AWS CLI's
exit code 254 (252 for unusable arguments).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import botocore.session
from botocore.exceptions import ClientError

EXIT_SERVICE_ERROR = 254
EXIT_USAGE = 252


def kebab(name: str) -> str:
    """``ListHyperParameterTuningJobs`` -> ``list-hyper-parameter-tuning-jobs``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", name).lower()


def _service_model() -> Any:
    return botocore.session.get_session().get_service_model("sagemaker")


def read_json_argument(value: str) -> Any:
    """A JSON argument as the AWS CLI takes it: inline, or ``file://PATH``."""
    if value.startswith("file://"):
        value = Path(value[len("file://") :]).expanduser().read_text()
    return json.loads(value)


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot print {type(value).__name__}")


def print_json(document: Any) -> None:
    print(json.dumps(document, indent=4, default=_default, ensure_ascii=False))


def add_operation_parsers(sub: Any, operations: Sequence[str]) -> None:
    model = _service_model()
    for operation in operations:
        shape = model.operation_model(operation).input_shape
        parser = sub.add_parser(
            kebab(operation),
            help=f"as `aws sagemaker {kebab(operation)}`",
            description=f"SageMaker's {operation}, served by localtune.",
        )
        parser.set_defaults(operation=operation)
        parser.add_argument("--cli-input-json", help="the request as JSON, or file://PATH")
        for member, member_shape in (shape.members if shape else {}).items():
            parser.add_argument(
                f"--{kebab(member)}",
                dest=f"member__{member}",
                metavar=member_shape.type_name.upper(),
            )


def _convert(value: str, type_name: str) -> Any:
    if type_name in ("structure", "list", "map"):
        return read_json_argument(value)
    if type_name in ("integer", "long"):
        return int(value)
    if type_name in ("float", "double"):
        return float(value)
    if type_name == "boolean":
        return value.lower() == "true"
    return value


def build_request(args: argparse.Namespace) -> dict[str, Any]:
    model = _service_model()
    shape = model.operation_model(args.operation).input_shape
    request: dict[str, Any] = {}
    if args.cli_input_json:
        request.update(read_json_argument(args.cli_input_json))
    for key, value in vars(args).items():
        if key.startswith("member__") and value is not None:
            member = key[len("member__") :]
            request[member] = _convert(value, shape.members[member].type_name)
    return request


def run_operation(client: Any, args: argparse.Namespace) -> int:
    try:
        request = build_request(args)
    except (OSError, ValueError) as exc:
        print(f"\nError parsing parameter: {exc}\n", file=sys.stderr)
        return EXIT_USAGE
    method = getattr(client, botocore.xform_name(args.operation))
    try:
        response = method(**request)
    except ClientError as exc:
        error = exc.response["Error"]
        print(
            f"\nAn error occurred ({error['Code']}) when calling the {args.operation} "
            f"operation: {error['Message']}\n",
            file=sys.stderr,
        )
        return EXIT_SERVICE_ERROR
    response.pop("ResponseMetadata", None)
    if response:
        print_json(response)
    return 0

"""Where a localtune home lives and what it holds.

A *home* is one directory: the SQLite store (``localtune.sqlite``), the local S3 (``s3/``), the
training jobs' working directories (``jobs/``). ``home`` arguments default to ``$LOCALTUNE_HOME``,
else ``~/.localtune``.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_REGION = "us-east-1"
#: The account id in every ARN localtune makes (12 digits, as ARNs require).
ACCOUNT_ID = "123456789012"


def resolve_home(home: str | os.PathLike[str] | None = None) -> Path:
    """The home directory: the argument, else ``$LOCALTUNE_HOME``, else ``~/.localtune``."""
    if home is None:
        home = os.environ.get("LOCALTUNE_HOME") or Path.home() / ".localtune"
    path = Path(home).expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION


def arn(region: str, resource: str, name: str) -> str:
    """An ARN as SageMaker spells it; resource names are lower-cased as SageMaker's List
    operations show them (localtune lower-cases them everywhere, Describe included)."""
    return f"arn:aws:sagemaker:{region}:{ACCOUNT_ID}:{resource}/{name.lower()}"

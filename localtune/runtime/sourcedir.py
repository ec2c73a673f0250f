"""Script mode's code: fetch ``sagemaker_submit_directory`` into ``code/`` and check requirements.

``sagemaker_submit_directory`` may be an ``s3://…/sourcedir.tar.gz`` (resolved through the local
S3 of ``$LOCALTUNE_HOME``), a ``file://`` URI or a local path; each may name a ``.tar.gz`` archive
(extracted, refusing members that would land outside ``code/``) or a directory (copied).

``requirements.txt`` is **not installed** (the SageMaker training toolkit pip-installs it): the
job runs with the current Python environment. localtune prints a warning saying so and lists the
requirements whose distribution is not installed at all; a missing requirement does not fail the
job by itself (versions are not compared) — if the script really needs it, its ImportError ends
up in the failure reason.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import sys
import tarfile
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO
from urllib.parse import unquote, urlparse

from localtune.runtime.s3 import LocalS3

__all__ = ["SourceDirError", "fetch_source_dir", "missing_requirements", "warn_requirements"]

_REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


class SourceDirError(Exception):
    """The code of a script-mode job cannot be fetched; the message says why."""


def _local_home(environ: Mapping[str, str]) -> Path:
    home = environ.get("LOCALTUNE_HOME")
    return Path(home).expanduser() if home else Path.home() / ".localtune"


def _resolve(location: str, environ: Mapping[str, str]) -> Path:
    if location.startswith(("s3://", "https://")):
        try:
            return LocalS3.from_home(_local_home(environ), environ).path(location)
        except ValueError as exc:
            raise SourceDirError(f"sagemaker_submit_directory {location!r}: {exc}") from None
    if location.startswith("file://"):
        return Path(unquote(urlparse(location).path))
    return Path(location).expanduser()


def fetch_source_dir(
    location: str | None,
    code_dir: Path,
    environ: Mapping[str, str] | None = None,
) -> None:
    """Put the code of ``location`` into ``code_dir`` (emptied first); None keeps ``code_dir``."""
    if not location:
        return
    env = os.environ if environ is None else environ
    source = _resolve(location, env)
    if source.resolve() == Path(code_dir).resolve():
        return
    if not source.exists():
        raise SourceDirError(
            f"sagemaker_submit_directory {location!r} does not exist (looked at {source})"
        )
    _empty(code_dir)
    if source.is_dir():
        shutil.copytree(source, code_dir, symlinks=True, dirs_exist_ok=True)
        return
    try:
        with tarfile.open(source, "r:*") as archive:
            archive.extractall(code_dir, filter="data")
    except (tarfile.TarError, OSError) as exc:
        raise SourceDirError(
            f"sagemaker_submit_directory {location!r} is neither a directory nor a readable "
            f"tar.gz archive: {exc}"
        ) from None


def _empty(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for entry in directory.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def missing_requirements(requirements: Path) -> list[str]:
    """Names in a requirements file whose distribution is not installed (versions not checked)."""
    missing: list[str] = []
    for line in requirements.read_text(encoding="utf-8", errors="replace").splitlines():
        text = line.split("#", 1)[0].strip()
        if not text or text.startswith("-") or "://" in text:
            continue  # options (-r, -e, --index-url) and URLs are not checked
        match = _REQUIREMENT_NAME.match(text)
        if not match:
            continue
        name = match.group(1)
        try:
            importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            missing.append(name)
    return missing


def warn_requirements(code_dir: Path, stream: TextIO | None = None) -> list[str]:
    """Print the requirements.txt warning (if the file exists); return the missing names."""
    requirements = code_dir / "requirements.txt"
    if not requirements.is_file():
        return []
    out = sys.stderr if stream is None else stream
    print(
        "localtune: WARNING: requirements.txt found in the code directory; localtune does not "
        "install it (SageMaker would pip-install it) - the job runs with the current Python "
        f"environment ({sys.executable})",
        file=out,
        flush=True,
    )
    missing = missing_requirements(requirements)
    if missing:
        print(
            "localtune: WARNING: not installed in this environment: "
            + ", ".join(missing)
            + " (install them yourself if the script needs them)",
            file=out,
            flush=True,
        )
    return missing

"""S3 URIs on a local disk: parsing, the errors, and mount configuration for :mod:`.s3`.

A mount maps an ``s3://bucket[/prefix]`` to a local directory, so a dataset that already sits on
the laptop is used where it is. Mounts come from three places, later ones winning on the same URI:
the file ``<home>/s3-mounts.json`` (a JSON object ``{"s3://bucket/prefix": "dir"}``; relative
directories are relative to the home), the environment variable ``LOCALTUNE_S3_MOUNTS``
(``s3://b/p=/dir;s3://c=/dir2``: entries separated by ``;``, the *last* ``=`` of an entry separates
URI and directory, so keys such as ``year=2024`` work; relative directories are relative to the
current directory), and the ``mounts`` given to :class:`~localtune.runtime.s3.LocalS3`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "MOUNTS_ENV",
    "MOUNTS_FILE",
    "S3Error",
    "S3NotFoundError",
    "S3NotSupportedError",
    "S3PathError",
    "S3Uri",
    "load_mounts",
    "parse_mount_spec",
]

MOUNTS_ENV = "LOCALTUNE_S3_MOUNTS"
MOUNTS_FILE = "s3-mounts.json"


class S3Error(ValueError):
    """A problem with a local S3 request; the message names the URI and what is wrong."""


class S3PathError(S3Error):
    """A URI that is malformed or would resolve outside the local S3 root or a mount."""


class S3NotFoundError(S3Error):
    """No object (or no object under a prefix) where one is needed."""


class S3NotSupportedError(S3Error):
    """A data source or URI scheme that SageMaker accepts but localtune cannot serve."""


@dataclass(frozen=True)
class S3Uri:
    """``s3://bucket/key``; ``key`` may be empty or end with ``/`` (a folder-like prefix)."""

    bucket: str
    key: str

    @classmethod
    def parse(cls, uri: str) -> S3Uri:
        if not isinstance(uri, str):
            raise S3PathError(f"An S3 URI must be a string, got {type(uri).__name__} {uri!r}")
        if uri.lower().startswith("https://"):
            raise S3NotSupportedError(
                f"{uri!r}: https:// S3 URIs are not supported by localtune; "
                "write the location as s3://bucket/key"
            )
        if not uri.startswith("s3://"):
            raise S3PathError(f"{uri!r} is not an S3 URI: it must start with s3://")
        bucket, _, key = uri[len("s3://") :].partition("/")
        if not bucket or bucket in {".", ".."} or "\\" in bucket or "\0" in bucket:
            raise S3PathError(f"{uri!r} has no valid bucket name (got {bucket!r})")
        result = cls(bucket, key)
        result.parts()  # validates the key
        return result

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    def parts(self) -> list[str]:
        """The key's folder names and file name; rejects keys a file system cannot hold safely."""
        if not self.key:
            return []
        if self.key.startswith("/"):
            raise S3PathError(
                f"{self.uri!r}: the key {self.key!r} starts with '/' (an absolute path); "
                "localtune cannot store it under the local S3 root"
            )
        if "\0" in self.key:
            raise S3PathError(f"{self.uri!r}: the key contains a NUL character")
        parts = self.key.split("/")
        if parts[-1] == "":
            parts.pop()  # a trailing "/" names a folder-like prefix
        for part in parts:
            if part in {"", ".", ".."}:
                raise S3PathError(
                    f"{self.uri!r}: the key {self.key!r} has a {part or 'empty'!r} path segment; "
                    "keys with '..', '.' or '//' would escape or alias folders on a local disk"
                )
        return parts

    def child(self, relative: str) -> S3Uri:
        return S3Uri(self.bucket, self.key + relative)


def parse_mount_spec(spec: str, base: Path | None = None) -> dict[str, Path]:
    """Parse ``s3://b/p=/dir;s3://c=/dir2`` (the ``LOCALTUNE_S3_MOUNTS`` format)."""
    mounts: dict[str, Path] = {}
    for raw in spec.split(";"):
        entry = raw.strip()
        if not entry:
            continue
        uri, sep, directory = entry.rpartition("=")
        if not sep or not uri or not directory:
            raise S3PathError(
                f"{MOUNTS_ENV} entry {entry!r} must look like s3://bucket/prefix=/local/dir"
            )
        mounts[normalize_mount_uri(uri.strip())] = _local_dir(directory.strip(), base)
    return mounts


def normalize_mount_uri(uri: str) -> str:
    """A mount's URI without its trailing ``/``; the key must be a clean folder path."""
    parsed = S3Uri.parse(uri)
    return S3Uri(parsed.bucket, "/".join(parsed.parts())).uri.rstrip("/")


def _local_dir(directory: str | os.PathLike[str], base: Path | None) -> Path:
    path = Path(directory).expanduser()
    if not path.is_absolute() and base is not None:
        path = base / path
    return path.absolute()


def load_mounts(home: Path, environ: Mapping[str, str] | None = None) -> dict[str, Path]:
    """Mounts from ``<home>/s3-mounts.json`` then ``$LOCALTUNE_S3_MOUNTS`` (the latter wins)."""
    mounts: dict[str, Path] = {}
    config = Path(home) / MOUNTS_FILE
    if config.is_file():
        try:
            data = json.loads(config.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise S3PathError(f"{config} is not valid JSON: {exc}") from None
        if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in data.items()
        ):
            raise S3PathError(
                f"{config} must be a JSON object mapping s3:// URIs to directories, "
                'e.g. {"s3://bucket/prefix": "/data/dir"}'
            )
        for uri, directory in data.items():
            mounts[normalize_mount_uri(uri)] = _local_dir(directory, Path(home))
    env = os.environ if environ is None else environ
    spec = env.get(MOUNTS_ENV, "")
    if spec.strip():
        mounts.update(parse_mount_spec(spec, Path.cwd()))
    return mounts

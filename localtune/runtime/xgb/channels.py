"""Channel configuration and data-file discovery, as the built-in image does them (§8.2).

``train`` is required, ``validation`` and ``code`` optional, anything else is rejected. The
ContentType defaults to ``text/libsvm``; the accepted spellings are parsed case-insensitively with
MIME parameters (``text/csv;label_size=1``). As in the image, both channels are read with the
**train** channel's format.

localtune limitations (said in the failure reason, so nobody mistakes them for SageMaker
rules): ``Pipe`` input mode and ``recordio-protobuf`` content are not supported. ``FastFile``
behaves as ``File`` (the data is already in the channel directory).

Files: every regular file under the channel directory (linked folders followed), in folders up
to 3 levels deep counting the channel itself (deeper folders are ignored with a warning, as in
the image), in sorted path order. A file whose name starts with ``.`` fails the job ("Hidden
file found in the data path! ..."); names starting with ``_`` (``_SUCCESS`` markers of Spark
jobs) are skipped.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from localtune.runtime.xgb.errors import UserError

__all__ = ["ChannelConfig", "content_format", "data_files", "validate_channels"]

CSV, LIBSVM, PARQUET, RECORDIO = "csv", "libsvm", "parquet", "recordio-protobuf"
DEFAULT_CONTENT_TYPE = "text/libsvm"
_FORMATS = {
    "csv": CSV,
    "libsvm": LIBSVM,
    "parquet": PARQUET,
    "recordio-protobuf": RECORDIO,
    "text/csv": CSV,
    "text/libsvm": LIBSVM,
    "text/x-libsvm": LIBSVM,
    "application/x-parquet": PARQUET,
    "application/x-recordio-protobuf": RECORDIO,
}
_CHANNELS = ("train", "validation", "code")
_MODES = ("File", "FastFile", "Pipe")
_DISTRIBUTIONS = ("FullyReplicated", "ShardedByS3Key")
MAX_FOLDER_DEPTH = 3


@dataclass(frozen=True)
class ChannelConfig:
    name: str
    content_type: str
    input_mode: str
    distribution: str


def validate_channels(config: Mapping[str, Mapping[str, Any]]) -> dict[str, ChannelConfig]:
    """Check inputdataconfig.json; return the channels, the ContentType default filled in."""
    if "train" not in config:
        raise UserError("Missing required channel: train")
    result: dict[str, ChannelConfig] = {}
    for name, value in config.items():
        if name not in _CHANNELS:
            raise UserError(f"Extraneous channel found: {name}")
        channel = ChannelConfig(
            name,
            str(value.get("ContentType") or DEFAULT_CONTENT_TYPE),
            str(value.get("TrainingInputMode", "File")),
            str(value.get("S3DistributionType", "FullyReplicated")),
        )
        if channel.input_mode not in _MODES or channel.distribution not in _DISTRIBUTIONS:
            raise UserError(f"Channel configuration for '{name}' channel is not supported: {value}")
        if name != "code":
            _check_supported(channel, content_format(channel.content_type))
        result[name] = channel
    return result


def content_format(content_type: str) -> str:
    """``csv`` | ``libsvm`` | ``parquet`` | ``recordio-protobuf`` for an accepted ContentType."""
    main, *params = (part.strip() for part in content_type.lower().split(";"))
    fmt = _FORMATS.get(main)
    if fmt is None:
        raise UserError(
            f"{content_type} is not an accepted ContentType: " + ", ".join(_FORMATS) + "."
        )
    for param in params:
        key, _, value = param.partition("=")
        if fmt == CSV and key.strip() == "label_size" and value.strip().strip('"') != "1":
            raise UserError(
                f"{content_type} is not an accepted csv ContentType. "
                "Optional parameter label_size must be equal to 1"
            )
    return fmt


def _check_supported(channel: ChannelConfig, fmt: str) -> None:
    if channel.input_mode == "Pipe":
        if fmt == LIBSVM:
            raise UserError("Pipe mode not supported for LibSVM.")
        raise UserError(
            f"Channel '{channel.name}' uses TrainingInputMode Pipe, which localtune does not "
            "support (a localtune limitation, not a SageMaker rule): use File or FastFile."
        )
    if fmt == RECORDIO:
        raise UserError(
            f"Channel '{channel.name}' has ContentType {channel.content_type}: localtune cannot "
            "read recordio-protobuf data (a localtune limitation, not a SageMaker rule); "
            "convert it to csv, libsvm or parquet."
        )


def data_files(channel_dir: Path) -> list[Path]:
    """The data files of a channel directory, in sorted order (see the module docstring)."""
    if not channel_dir.exists():
        return []
    if channel_dir.is_file():
        return [channel_dir]
    found: list[Path] = []
    for root, dirs, files in os.walk(channel_dir, followlinks=True):
        depth = len(Path(root).relative_to(channel_dir).parts) + 1
        if depth >= MAX_FOLDER_DEPTH and dirs:
            # Deeper folders are not read (this also ends cycles of linked folders).
            print(
                f"WARNING: folders below {root} are more than {MAX_FOLDER_DEPTH} levels deep in "
                f"the channel; their files are not loaded: {sorted(dirs)}",
                file=sys.stderr,
            )
            dirs.clear()
        dirs.sort()
        for name in sorted(files):
            if name.startswith("."):
                raise UserError("Hidden file found in the data path! Remove that before training.")
            if not name.startswith("_"):
                found.append(Path(root) / name)
    return found

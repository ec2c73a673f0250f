"""A local S3: ``s3://bucket/key`` is ``<home>/s3/bucket/key`` on disk, or a file under a mount.

Training jobs read their channels from here (:meth:`LocalS3.materialize`, File-mode semantics) and
write their artifacts here (:meth:`LocalS3.upload_artifacts`); users put data in and take models out
with :meth:`LocalS3.cp` and :meth:`LocalS3.ls`, as they would with ``aws s3``.

Choices where SageMaker's behaviour is not documented (UNKNOWN in the reference):
- S3Prefix placement: an object whose key continues the prefix with ``/`` (the prefix names a
  folder, with or without the trailing ``/``) lands at its path below that folder; an object whose
  name merely starts with the prefix (a partial name, ``data/train`` matching ``data/train-1.csv``)
  lands under its full name, relative to the prefix's last ``/`` (as observed in
  aws/sagemaker-python-sdk#3612). Two objects landing on the same file are an error.
- ManifestFile entries land at their relative path from the manifest (``rel/key`` → ``rel/key``).
- Input files are hard links to the stored objects (symlinks when the job directory is on another
  file system): a script that rewrites an input file in place rewrites the stored object too.
- ``CompressionType=NONE``: the model directory's files are stored uncompressed under
  ``<S3OutputPath>/<job>/output/model/`` and that prefix is the ``S3ModelArtifacts``;
  ``output/data`` is still packed as ``output.tar.gz`` (the setting concerns the model).
- Symlinks inside the local S3 root are followed only while they stay inside the root (or the
  mount); a link out of it is an error — mount the directory instead.
"""

from __future__ import annotations

import json
import os
import shutil
import tarfile
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from localtune.runtime.contract import JobDir
from localtune.runtime.s3paths import (
    S3Error,
    S3NotFoundError,
    S3NotSupportedError,
    S3PathError,
    S3Uri,
    load_mounts,
    normalize_mount_uri,
)

__all__ = [
    "LocalS3",
    "S3Entry",
    "S3Error",
    "S3NotFoundError",
    "S3NotSupportedError",
    "S3PathError",
]


@dataclass(frozen=True)
class S3Entry:
    """One line of :meth:`LocalS3.ls`: an object (with its size) or a folder-like prefix."""

    uri: str
    size: int | None = None

    @property
    def is_prefix(self) -> bool:
        return self.size is None


class LocalS3:
    """S3 on the local disk; see the module docstring for the layout and the mounts."""

    def __init__(self, home: Path, mounts: Mapping[str, Path] | None = None) -> None:
        self.home = Path(home)
        self.root = self.home / "s3"
        self.mounts: dict[str, Path] = {
            normalize_mount_uri(uri): Path(directory).expanduser().absolute()
            for uri, directory in (mounts or {}).items()
        }

    @classmethod
    def from_home(cls, home: Path, environ: Mapping[str, str] | None = None) -> LocalS3:
        """The local S3 of ``home`` with mounts from ``<home>/s3-mounts.json`` and the env."""
        return cls(home, load_mounts(Path(home), environ))

    # -- resolution ---------------------------------------------------------------------------

    def _trees(self, bucket: str) -> list[tuple[str, Path]]:
        """``(key prefix, directory)`` of every tree serving ``bucket``, the longest first."""
        trees: dict[str, Path] = {"": self.root / bucket}
        for uri, directory in self.mounts.items():
            mount = S3Uri.parse(uri)
            if mount.bucket == bucket:
                trees[mount.key] = directory
        return sorted(trees.items(), key=lambda item: len(item[0]), reverse=True)

    def _tree_for(self, bucket: str, key: str) -> tuple[str, Path]:
        for tree_key, directory in self._trees(bucket):
            if not tree_key or key == tree_key or key.startswith(tree_key + "/"):
                return tree_key, directory
        raise AssertionError("the bucket's own tree matches every key")  # pragma: no cover

    def path(self, uri: str) -> Path:
        """The local path of ``uri``; raises :class:`S3PathError` if it would leave its tree."""
        s3 = S3Uri.parse(uri)
        parts = s3.parts()
        tree_key, base = self._tree_for(s3.bucket, "/".join(parts))
        local = base.joinpath(*parts[len(tree_key.split("/")) if tree_key else 0 :])
        _check_inside(local, base, uri)
        return local

    def _objects(self, bucket: str, prefix: str) -> list[tuple[str, Path]]:
        """Every stored object whose key starts with ``prefix`` (a string prefix, as in S3),
        sorted by key as S3 lists them."""
        return sorted(self._iter_objects(bucket, prefix))

    def _iter_objects(self, bucket: str, prefix: str) -> Iterator[tuple[str, Path]]:
        S3Uri(bucket, prefix).parts()  # rejects "..", "//", absolute keys
        for tree_key, base in self._trees(bucket):
            folder = tree_key + "/" if tree_key else ""
            if prefix.startswith(folder):
                start_rel = prefix[len(folder) :].rpartition("/")[0]
            elif folder.startswith(prefix):
                start_rel = ""
            else:
                continue
            start = base.joinpath(*start_rel.split("/")) if start_rel else base
            if not start.is_dir():
                continue
            _check_inside(start, base, f"s3://{bucket}/{folder}{start_rel}")
            for path, rel in _walk(start, base, f"s3://{bucket}/{folder}"):
                key = folder + rel
                if key.startswith(prefix) and self._tree_for(bucket, key)[0] == tree_key:
                    yield key, path

    # -- channels -----------------------------------------------------------------------------

    def materialize(self, channel: Mapping[str, Any], dest: Path) -> None:
        """Put one ``Channel``'s data into ``dest`` (File mode) without copying the files."""
        name = channel.get("ChannelName", "?")
        source = channel.get("DataSource") or {}
        if source.get("FileSystemDataSource"):
            raise S3NotSupportedError(
                f"Channel {name!r}: FileSystemDataSource (EFS/FSx for Lustre) is not supported by "
                "localtune; put the data in the local S3 or mount its directory "
                "(LOCALTUNE_S3_MOUNTS) and use an S3DataSource"
            )
        s3 = source.get("S3DataSource")
        if not s3:
            raise S3NotSupportedError(
                f"Channel {name!r}: only S3DataSource channels are supported by localtune "
                f"(got DataSource keys {sorted(source)})"
            )
        data_type = s3.get("S3DataType", "S3Prefix")
        uri = s3.get("S3Uri", "")
        if data_type == "S3Prefix":
            files = self._prefix_files(uri, name)
        elif data_type == "ManifestFile":
            files = self._manifest_files(uri, name)
        else:
            raise S3NotSupportedError(
                f"Channel {name!r}: S3DataType {data_type!r} is not supported by localtune "
                "(supported: S3Prefix, ManifestFile)"
            )
        dest = Path(dest)
        dest.mkdir(parents=True, exist_ok=True)
        for relative, source_path in files.items():
            _link(source_path, dest.joinpath(*relative.split("/")))

    def _prefix_files(self, uri: str, channel: str) -> dict[str, Path]:
        s3 = S3Uri.parse(uri)
        prefix = s3.key
        cut = prefix.rfind("/") + 1
        files: dict[str, Path] = {}
        for key, path in self._objects(s3.bucket, prefix):
            rest = key[len(prefix) :]
            relative = rest[1:] if prefix and rest.startswith("/") else key[cut:]
            if relative in files:
                raise S3Error(
                    f"Channel {channel!r}: two objects under {uri} land on the same file "
                    f"{relative!r} in the channel directory"
                )
            files[relative] = path
        if not files:
            raise S3NotFoundError(
                f"Channel {channel!r}: no objects found under S3Prefix {uri} "
                f"(the local S3 keeps them under {self.path(uri)}); copy the data there or "
                "mount its directory with LOCALTUNE_S3_MOUNTS"
            )
        return files

    def _manifest_files(self, uri: str, channel: str) -> dict[str, Path]:
        manifest = self.path(uri)
        if not manifest.is_file():
            raise S3NotFoundError(f"Channel {channel!r}: ManifestFile {uri} does not exist")
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise S3Error(f"Channel {channel!r}: ManifestFile {uri} is not JSON: {exc}") from None
        if (
            not isinstance(data, list)
            or not data
            or not isinstance(data[0], dict)
            or not isinstance(data[0].get("prefix"), str)
            or not all(isinstance(entry, str) for entry in data[1:])
        ):
            raise S3Error(
                f"Channel {channel!r}: ManifestFile {uri} must be a JSON list "
                '[{"prefix": "s3://bucket/prefix/"}, "relative/key", ...]'
            )
        prefix: str = data[0]["prefix"]
        S3Uri.parse(prefix)
        files: dict[str, Path] = {}
        for relative in data[1:]:
            S3Uri("manifest", relative).parts()  # the entry becomes a path in the channel
            path = self.path(prefix + relative)
            if not path.is_file():
                raise S3NotFoundError(
                    f"Channel {channel!r}: ManifestFile {uri} lists {prefix + relative}, "
                    "which does not exist"
                )
            files[relative] = path
        if not files:
            raise S3NotFoundError(f"Channel {channel!r}: ManifestFile {uri} lists no objects")
        return files

    # -- artifacts ----------------------------------------------------------------------------

    def upload_artifacts(
        self, job_dir: JobDir, output_path: str, job_name: str, compression: str = "GZIP"
    ) -> str:
        """Store ``model/`` and ``output/data/`` as SageMaker does; return S3ModelArtifacts."""
        if compression not in {"GZIP", "NONE"}:
            raise S3Error(
                f"OutputDataConfig.CompressionType must be GZIP or NONE, got {compression!r}"
            )
        base = S3Uri.parse(output_path.rstrip("/") + f"/{job_name}/output")
        if compression == "NONE":
            model_uri = base.child("/model/").uri
            target = self.path(model_uri)
            if target.exists():
                shutil.rmtree(target)
            target.mkdir(parents=True)
            if job_dir.model_dir.is_dir():
                shutil.copytree(job_dir.model_dir, target, dirs_exist_ok=True)
        else:
            model_uri = base.child("/model.tar.gz").uri
            self._write_tar(job_dir.model_dir, model_uri)
        data_dir = job_dir.output_data_dir
        if data_dir.is_dir() and any(data_dir.iterdir()):
            self._write_tar(data_dir, base.child("/output.tar.gz").uri)
        return model_uri

    def _write_tar(self, directory: Path, uri: str) -> None:
        target = self._writable(uri)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        os.close(handle)
        try:
            with tarfile.open(temporary, "w:gz", compresslevel=6) as archive:
                if directory.is_dir():
                    for entry in sorted(directory.iterdir()):
                        archive.add(entry, arcname=entry.name)
            os.replace(temporary, target)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)

    def _writable(self, uri: str) -> Path:
        """The path for a new object at ``uri``, its folders created."""
        target = self.path(uri)
        if S3Uri.parse(uri).key.endswith("/") or target.is_dir():
            raise S3Error(f"Cannot write the object {uri}: it names a folder in the local S3")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            raise S3Error(
                f"Cannot write {uri}: a parent of it is an object, and a local disk cannot hold "
                "a key that is also a folder"
            ) from None
        return target

    # -- checkpoints --------------------------------------------------------------------------

    def restore_checkpoints(
        self, checkpoint_config: Mapping[str, Any], local_dir: Path
    ) -> list[str]:
        """Copy the objects under ``CheckpointConfig.S3Uri`` into ``local_dir`` (job start)."""
        return self.cp(str(checkpoint_config["S3Uri"]), str(local_dir), recursive=True)

    def save_checkpoints(self, local_dir: Path, checkpoint_config: Mapping[str, Any]) -> list[str]:
        """Copy every file of ``local_dir`` to ``CheckpointConfig.S3Uri`` (uncompressed)."""
        if not Path(local_dir).is_dir():
            return []
        return self.cp(str(local_dir), str(checkpoint_config["S3Uri"]), recursive=True)

    # -- aws s3 ls / cp -----------------------------------------------------------------------

    def ls(self, uri: str = "s3://", recursive: bool = False) -> list[S3Entry]:
        """Like ``aws s3 ls``: buckets, or the objects and sub-prefixes under a prefix."""
        if uri.rstrip("/") in {"s3:", ""}:
            buckets = (
                {p.name for p in self.root.iterdir() if p.is_dir()} if self.root.is_dir() else set()
            )
            buckets |= {S3Uri.parse(m).bucket for m in self.mounts}
            return [S3Entry(f"s3://{b}/") for b in sorted(buckets)]
        s3 = S3Uri.parse(uri if "/" in uri[len("s3://") :] else uri + "/")
        folder = s3.key[: s3.key.rfind("/") + 1]
        entries: dict[str, S3Entry] = {}
        for key, path in self._objects(s3.bucket, s3.key):
            rest = key[len(folder) :]
            if recursive or "/" not in rest:
                entries[key] = S3Entry(f"s3://{s3.bucket}/{key}", path.stat().st_size)
            else:
                sub = folder + rest.split("/")[0] + "/"
                entries[sub] = S3Entry(f"s3://{s3.bucket}/{sub}")
        return [entries[k] for k in sorted(entries)]

    def cp(self, src: str, dst: str, recursive: bool = False) -> list[str]:
        """Like ``aws s3 cp``: local path ⇄ ``s3://`` (or S3 to S3); returns what was written."""
        if not _is_s3(src) and not _is_s3(dst):
            raise S3Error(f"cp {src} {dst}: one side must be an s3:// URI")
        written: list[str] = []
        for relative, source in self._cp_sources(src, recursive):
            target = _join_target(dst, relative, recursive)
            if _is_s3(target):
                path = self._writable(target)
            else:
                path = Path(target)
                path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, path)
            written.append(target)
        return written

    def _cp_sources(self, src: str, recursive: bool) -> list[tuple[str, Path]]:
        if _is_s3(src):
            s3 = S3Uri.parse(src)
            if not recursive:
                path = self.path(src)
                if not path.is_file():
                    hint = " (it is a prefix: use recursive=True)" if path.is_dir() else ""
                    raise S3NotFoundError(f"No object at {src}{hint}")
                return [(s3.parts()[-1], path)]
            folder = s3.key if not s3.key or s3.key.endswith("/") else s3.key + "/"
            return [(k[len(folder) :], p) for k, p in self._objects(s3.bucket, folder)]
        local = Path(src)
        if not recursive:
            if not local.is_file():
                raise S3NotFoundError(f"No file at {src}")
            return [(local.name, local)]
        if not local.is_dir():
            raise S3NotFoundError(f"No directory at {src}")
        return [
            (p.relative_to(local).as_posix(), p) for p in sorted(local.rglob("*")) if p.is_file()
        ]


def _is_s3(location: str) -> bool:
    return location.startswith(("s3://", "https://"))


def _join_target(dst: str, relative: str, recursive: bool) -> str:
    """Where one source file goes: ``dst`` itself, or ``relative`` below the folder ``dst``."""
    if _is_s3(dst):
        s3 = S3Uri.parse(dst)
        if recursive or not s3.key or s3.key.endswith("/"):
            folder = s3.key if not s3.key or s3.key.endswith("/") else s3.key + "/"
            return f"s3://{s3.bucket}/{folder}{relative}"
        return dst
    if recursive or dst.endswith(("/", os.sep)) or Path(dst).is_dir():
        return str(Path(dst).joinpath(*relative.split("/")))
    return dst


def _check_inside(local: Path, base: Path, uri: str) -> None:
    real = os.path.realpath(local)
    real_base = os.path.realpath(base)
    if real != real_base and not real.startswith(real_base.rstrip(os.sep) + os.sep):
        raise S3PathError(
            f"{uri} resolves to {real}, outside its local S3 directory {real_base}; "
            "links out of the local S3 are refused: mount the directory instead "
            "(LOCALTUNE_S3_MOUNTS or s3-mounts.json)"
        )


def _walk(start: Path, base: Path, label: str) -> Iterator[tuple[Path, str]]:
    """Files below ``start`` as ``(path, key relative to base)``, sorted; links stay inside."""
    real_base = os.path.realpath(base)
    seen: set[str] = set()
    for directory, dirnames, filenames in os.walk(start, followlinks=True):
        real_dir = os.path.realpath(directory)
        if real_dir in seen:
            dirnames[:] = []
            continue
        seen.add(real_dir)
        kept = []
        for name in sorted(dirnames):
            path = Path(directory, name)
            _check_inside(path, Path(real_base), label + path.relative_to(base).as_posix() + "/")
            kept.append(name)
        dirnames[:] = kept
        for name in sorted(filenames):
            path = Path(directory, name)
            relative = path.relative_to(base).as_posix()
            _check_inside(path, Path(real_base), label + relative)
            if path.is_file():
                yield path, relative


def _link(source: Path, target: Path) -> None:
    """``target`` becomes a hard link to ``source`` (a symlink across file systems)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_symlink() or target.is_file():
        target.unlink()
    real = os.path.realpath(source)
    try:
        os.link(real, target)
    except OSError:
        os.symlink(real, target)

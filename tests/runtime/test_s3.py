"""The local S3: resolution, mounts, escapes, channel materialization, artifacts, cp/ls."""

from __future__ import annotations

import errno
import json
import os
import re
import tarfile
from pathlib import Path

import pytest

from localtune.runtime.contract import write_job_dir
from localtune.runtime.s3 import (
    LocalS3,
    S3Error,
    S3NotFoundError,
    S3NotSupportedError,
    S3PathError,
)


def _put(path: Path, text: str = "x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _channel(uri: str, data_type: str = "S3Prefix", name: str = "train") -> dict[str, object]:
    return {
        "ChannelName": name,
        "DataSource": {"S3DataSource": {"S3DataType": data_type, "S3Uri": uri}},
    }


def _files(directory: Path) -> list[str]:
    return sorted(
        p.relative_to(directory).as_posix()
        for p in directory.rglob("*")
        if p.is_file() or p.is_symlink()
    )


@pytest.fixture
def s3(tmp_path: Path) -> LocalS3:
    return LocalS3(tmp_path / "home")


def test_path_resolution(s3: LocalS3) -> None:
    assert s3.path("s3://bucket/a/b.csv") == s3.root / "bucket/a/b.csv"
    assert s3.path("s3://bucket/a/") == s3.root / "bucket/a"
    assert s3.path("s3://bucket") == s3.root / "bucket"


@pytest.mark.parametrize(
    ("uri", "error", "needle"),
    [
        ("s3://bucket/../other/x", S3PathError, "'..'"),
        ("s3://bucket/a/../../x", S3PathError, "'..'"),
        ("s3://bucket//etc/passwd", S3PathError, "absolute"),
        ("s3://bucket/a//b", S3PathError, "'empty'"),
        ("s3://../x", S3PathError, "bucket"),
        ("/local/file", S3PathError, "must start with s3://"),
        ("https://bucket.s3.amazonaws.com/key", S3NotSupportedError, "https://"),
    ],
)
def test_bad_uris_are_rejected(s3: LocalS3, uri: str, error: type, needle: str) -> None:
    with pytest.raises(error, match=re.escape(needle)):
        s3.path(uri)


def test_symlink_out_of_root_is_rejected(s3: LocalS3, tmp_path: Path) -> None:
    outside = _put(tmp_path / "outside/secret.txt")
    (s3.root / "bucket").mkdir(parents=True)
    os.symlink(outside.parent, s3.root / "bucket/link")
    with pytest.raises(S3PathError, match="outside its local S3 directory"):
        s3.path("s3://bucket/link/secret.txt")
    with pytest.raises(S3PathError, match="mount the directory"):
        s3.materialize(_channel("s3://bucket/"), tmp_path / "dest")
    # A link that stays inside the root is fine.
    _put(s3.root / "bucket/real/data.csv")
    (s3.root / "bucket/link").unlink()
    os.symlink(s3.root / "bucket/real", s3.root / "bucket/alias")
    assert s3.path("s3://bucket/alias/data.csv").read_text() == "x"


def test_mounts_longest_prefix_wins(tmp_path: Path) -> None:
    wide, narrow = tmp_path / "wide", tmp_path / "narrow"
    s3 = LocalS3(tmp_path / "home", mounts={"s3://data/sets/": wide, "s3://data/sets/big": narrow})
    assert s3.path("s3://data/sets/small/x.csv") == wide / "small/x.csv"
    assert s3.path("s3://data/sets/big/x.csv") == narrow / "x.csv"
    assert s3.path("s3://data/sets/bigger/x.csv") == wide / "bigger/x.csv"  # folder boundary
    assert s3.path("s3://data/other") == s3.root / "data/other"
    with pytest.raises(S3PathError, match=re.escape("'..'")):
        s3.path("s3://data/sets/big/../../x")


def test_mounts_from_env_and_file(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "s3-mounts.json").write_text(
        json.dumps({"s3://file-bucket/p": "rel-dir", "s3://both/x": str(tmp_path / "from-file")})
    )
    env = {
        "LOCALTUNE_S3_MOUNTS": f"s3://env/year=2024={tmp_path / 'hive'};"
        f" s3://both/x={tmp_path / 'from-env'}"
    }
    s3 = LocalS3.from_home(home, env)
    assert s3.path("s3://file-bucket/p/a") == home / "rel-dir/a"
    assert s3.path("s3://env/year=2024/a") == tmp_path / "hive/a"
    assert s3.path("s3://both/x/a") == tmp_path / "from-env/a"  # the env wins
    with pytest.raises(S3PathError, match="LOCALTUNE_S3_MOUNTS entry"):
        LocalS3.from_home(home, {"LOCALTUNE_S3_MOUNTS": "no-equals-sign"})
    (home / "s3-mounts.json").write_text("[1]")
    with pytest.raises(S3PathError, match="must be a JSON object"):
        LocalS3.from_home(home, {})


def test_s3prefix_partial_name_and_folder_semantics(s3: LocalS3, tmp_path: Path) -> None:
    bucket = s3.root / "b"
    _put(bucket / "data/train-1.csv")
    _put(bucket / "data/train-2.csv")
    _put(bucket / "data/training/part/a.csv")
    _put(bucket / "data/train/inner.csv")
    _put(bucket / "data/test.csv")
    dest = tmp_path / "d1"
    s3.materialize(_channel("s3://b/data/train"), dest)
    # Partial names keep their full name; the folder "train" is stripped like a folder prefix.
    assert _files(dest) == ["inner.csv", "train-1.csv", "train-2.csv", "training/part/a.csv"]
    dest = tmp_path / "d2"
    s3.materialize(_channel("s3://b/data/train/"), dest)
    assert _files(dest) == ["inner.csv"]
    dest = tmp_path / "d3"
    s3.materialize(_channel("s3://b/data/test.csv"), dest)
    assert _files(dest) == ["test.csv"]
    with pytest.raises(S3NotFoundError, match="Channel 'train': no objects found under S3Prefix"):
        s3.materialize(_channel("s3://b/data/nothing"), tmp_path / "d4")


def test_s3prefix_spans_a_mount(tmp_path: Path) -> None:
    mounted = tmp_path / "mounted"
    _put(mounted / "x.csv")
    s3 = LocalS3(tmp_path / "home", mounts={"s3://b/data/big": mounted})
    _put(s3.root / "b/data/small.csv")
    _put(s3.root / "b/data/big/shadowed.csv")  # hidden by the mount
    dest = tmp_path / "dest"
    s3.materialize(_channel("s3://b/data/"), dest)
    assert _files(dest) == ["big/x.csv", "small.csv"]


def test_materialize_does_not_copy(s3: LocalS3, tmp_path: Path) -> None:
    big = s3.root / "b/data/big.bin"
    big.parent.mkdir(parents=True)
    big.write_bytes(os.urandom(1 << 20))
    dest = tmp_path / "job/input/data/train"
    s3.materialize(_channel("s3://b/data/"), dest)
    placed = dest / "big.bin"
    assert placed.is_symlink() or placed.stat().st_ino == big.stat().st_ino
    assert placed.read_bytes() == big.read_bytes()


def test_manifest_file(s3: LocalS3, tmp_path: Path) -> None:
    _put(s3.root / "b/some/prefix/rel/a.csv", "a")
    _put(s3.root / "b/some/prefix/b.csv", "b")
    _put(s3.root / "b/some/prefix/not-listed.csv")
    manifest = [{"prefix": "s3://b/some/prefix/"}, "rel/a.csv", "b.csv"]
    _put(s3.root / "b/m.manifest", json.dumps(manifest))
    dest = tmp_path / "dest"
    s3.materialize(_channel("s3://b/m.manifest", "ManifestFile"), dest)
    assert _files(dest) == ["b.csv", "rel/a.csv"]
    assert (dest / "rel/a.csv").read_text() == "a"
    _put(s3.root / "b/bad.manifest", json.dumps([*manifest, "missing.csv"]))
    with pytest.raises(S3NotFoundError, match=re.escape("lists s3://b/some/prefix/missing.csv")):
        s3.materialize(_channel("s3://b/bad.manifest", "ManifestFile"), tmp_path / "d2")
    _put(s3.root / "b/evil.manifest", json.dumps([{"prefix": "s3://b/"}, "../x"]))
    with pytest.raises(S3PathError):
        s3.materialize(_channel("s3://b/evil.manifest", "ManifestFile"), tmp_path / "d3")
    _put(s3.root / "b/shape.manifest", json.dumps({"prefix": "s3://b/"}))
    with pytest.raises(S3Error, match="must be a JSON list"):
        s3.materialize(_channel("s3://b/shape.manifest", "ManifestFile"), tmp_path / "d4")


def test_unsupported_sources_are_clear(s3: LocalS3, tmp_path: Path) -> None:
    efs = {
        "ChannelName": "train",
        "DataSource": {
            "FileSystemDataSource": {
                "FileSystemId": "fs-12345678",
                "FileSystemAccessMode": "ro",
                "FileSystemType": "EFS",
                "DirectoryPath": "/data",
            }
        },
    }
    with pytest.raises(S3NotSupportedError, match="FileSystemDataSource"):
        s3.materialize(efs, tmp_path)
    with pytest.raises(S3NotSupportedError, match="https://"):
        s3.materialize(_channel("https://b.s3.amazonaws.com/data/"), tmp_path)
    with pytest.raises(S3NotSupportedError, match="AugmentedManifestFile"):
        s3.materialize(_channel("s3://b/a.manifest", "AugmentedManifestFile"), tmp_path)


def test_upload_artifacts_gzip_layout(s3: LocalS3, tmp_path: Path) -> None:
    job = write_job_dir(tmp_path / "job", hyperparameters={}, input_data_config=[])
    _put(job.model_dir / "xgboost-model", "model")
    _put(job.model_dir / "sub/extra.json", "{}")
    _put(job.output_data_dir / "predictions.csv", "1,2")
    uri = s3.upload_artifacts(job, "s3://out/prefix/", "job-1")
    assert uri == "s3://out/prefix/job-1/output/model.tar.gz"
    with tarfile.open(s3.path(uri)) as archive:
        names = sorted(archive.getnames())
        assert names == ["sub", "sub/extra.json", "xgboost-model"]
        member = archive.extractfile("xgboost-model")
        assert member is not None and member.read() == b"model"
    with tarfile.open(s3.path("s3://out/prefix/job-1/output/output.tar.gz")) as archive:
        assert archive.getnames() == ["predictions.csv"]
    assert [e.uri for e in s3.ls("s3://out/prefix/job-1/output/")] == [
        "s3://out/prefix/job-1/output/model.tar.gz",
        "s3://out/prefix/job-1/output/output.tar.gz",
    ]


def test_upload_artifacts_uncompressed_and_empty(s3: LocalS3, tmp_path: Path) -> None:
    job = write_job_dir(tmp_path / "job", hyperparameters={}, input_data_config=[])
    _put(job.model_dir / "model.pkl", "m")
    uri = s3.upload_artifacts(job, "s3://out", "job-2", compression="NONE")
    assert uri == "s3://out/job-2/output/model/"
    assert (s3.path(uri) / "model.pkl").read_text() == "m"
    assert not s3.path("s3://out/job-2/output/output.tar.gz").exists()  # output/data was empty
    empty = write_job_dir(tmp_path / "empty", hyperparameters={}, input_data_config=[])
    uri = s3.upload_artifacts(empty, "s3://out", "job-3")
    with tarfile.open(s3.path(uri)) as archive:
        assert archive.getnames() == []
    with pytest.raises(S3Error, match="GZIP or NONE"):
        s3.upload_artifacts(job, "s3://out", "job-4", compression="Gzip")


def test_cp_and_ls_round_trip(s3: LocalS3, tmp_path: Path) -> None:
    source = tmp_path / "src"
    _put(source / "train.csv", "t")
    _put(source / "nested/valid.csv", "v")
    written = s3.cp(str(source), "s3://b/data", recursive=True)
    assert written == ["s3://b/data/nested/valid.csv", "s3://b/data/train.csv"]
    assert [(e.uri, e.size) for e in s3.ls("s3://b/data/")] == [
        ("s3://b/data/nested/", None),
        ("s3://b/data/train.csv", 1),
    ]
    assert [e.uri for e in s3.ls("s3://b/data/tr")] == ["s3://b/data/train.csv"]
    assert [e.uri for e in s3.ls("s3://b", recursive=True)] == written
    assert [e.uri for e in s3.ls("s3://")] == ["s3://b/"]
    back = tmp_path / "back"
    assert s3.cp("s3://b/data/", str(back), recursive=True) == [
        str(back / "nested/valid.csv"),
        str(back / "train.csv"),
    ]
    assert (back / "nested/valid.csv").read_text() == "v"
    assert s3.cp("s3://b/data/train.csv", str(back) + "/") == [str(back / "train.csv")]
    assert s3.cp(str(source / "train.csv"), "s3://b/single/") == ["s3://b/single/train.csv"]
    assert s3.cp("s3://b/single/train.csv", "s3://c/renamed.csv") == ["s3://c/renamed.csv"]
    assert s3.path("s3://c/renamed.csv").read_text() == "t"


def test_cp_errors_are_clear(s3: LocalS3, tmp_path: Path) -> None:
    _put(s3.root / "b/obj", "o")
    with pytest.raises(S3NotFoundError, match="No object at s3://b/missing"):
        s3.cp("s3://b/missing", str(tmp_path / "x"))
    _put(s3.root / "b/dir/file")
    with pytest.raises(S3NotFoundError, match="use recursive=True"):
        s3.cp("s3://b/dir", str(tmp_path / "x"))
    with pytest.raises(S3Error, match="a key that is also a folder"):
        s3.cp(str(s3.root / "b/dir/file"), "s3://b/obj/inner")
    with pytest.raises(S3Error, match="one side must be an s3:// URI"):
        s3.cp(str(tmp_path), str(tmp_path / "y"))


def test_checkpoints_round_trip(s3: LocalS3, tmp_path: Path) -> None:
    config = {"S3Uri": "s3://b/ckpt/job", "LocalPath": "/opt/ml/checkpoints"}
    local = tmp_path / "checkpoints"
    assert s3.restore_checkpoints(config, local) == []  # first start: nothing yet
    _put(local / "xgboost-checkpoint.3", "3")
    assert s3.save_checkpoints(local, config) == ["s3://b/ckpt/job/xgboost-checkpoint.3"]
    again = tmp_path / "again"
    s3.restore_checkpoints(config, again)
    assert (again / "xgboost-checkpoint.3").read_text() == "3"


def test_materialize_across_file_systems_uses_symlinks(
    s3: LocalS3, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored = _put(s3.root / "b/data/a.csv", "a")

    def cross_device_link(src: object, dst: object) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", cross_device_link)  # the disk boundary is the machine's edge
    dest = tmp_path / "dest"
    s3.materialize(_channel("s3://b/data/"), dest)
    assert (dest / "a.csv").is_symlink()
    assert (dest / "a.csv").resolve() == stored.resolve()
    # Materializing again (a retried job) replaces what is there.
    stored.write_text("a2")
    s3.materialize(_channel("s3://b/data/"), dest)
    assert (dest / "a.csv").read_text() == "a2"


def test_upload_uncompressed_replaces_previous_model(s3: LocalS3, tmp_path: Path) -> None:
    job = write_job_dir(tmp_path / "job", hyperparameters={}, input_data_config=[])
    _put(job.model_dir / "old.bin")
    s3.upload_artifacts(job, "s3://out", "job", compression="NONE")
    (job.model_dir / "old.bin").unlink()
    _put(job.model_dir / "new.bin")
    uri = s3.upload_artifacts(job, "s3://out", "job", compression="NONE")
    assert [e.uri for e in s3.ls(uri)] == ["s3://out/job/output/model/new.bin"]

"""Predictions of a created model — ``localtune predict`` and the model server's
``/invocations`` — equal ``xgboost.Booster.predict`` exactly; bad requests get clear 4xx answers
and the server keeps serving."""

from __future__ import annotations

import http.client
import io
import json
import sys
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import xgboost as xgb
from botocore.exceptions import ClientError

from localtune.interfaces.cli import main
from localtune.interfaces.model_server import ModelServer, serve_in_thread
from localtune.results import inference
from tests.results.conftest import IMAGE, TrainedModel, create_xgb_model


def csv_rows(rows: np.ndarray) -> bytes:
    return "".join(",".join(repr(float(v)) for v in row) + "\n" for row in rows).encode()


def libsvm_rows(rows: np.ndarray) -> bytes:
    lines = [" ".join(f"{i}:{float(v)!r}" for i, v in enumerate(row) if v != 0) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def expected(trained: TrainedModel, rows: np.ndarray) -> list[float]:
    return [float(v) for v in trained.booster.predict(xgb.DMatrix(rows, nthread=1))]


@pytest.fixture(scope="module")
def model_name(sm: Any, trained: TrainedModel) -> str:
    create_xgb_model(sm, "served-model", trained.uri)
    return "served-model"


@pytest.fixture(scope="module")
def server(model_name: str, trained: TrainedModel) -> Iterator[ModelServer]:
    model = inference.load(model_name, home=trained.home)
    srv = ModelServer(model, port=0)
    serve_in_thread(srv)
    yield srv
    srv.shutdown()
    srv.server_close()


def request(
    srv: ModelServer,
    method: str,
    path: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> tuple[int, str, bytes]:
    host, port = srv.server_address[:2]
    conn = http.client.HTTPConnection(str(host), int(port), timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.getheader("Content-Type") or "", response.read()
    finally:
        conn.close()


def run_cli(argv: list[str], stdin: bytes, monkeypatch: pytest.MonkeyPatch, capfd: Any) -> Any:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    code = main(argv)
    return code, capfd.readouterr()


def test_predict_cli_csv_equals_booster(
    model_name: str, trained: TrainedModel, monkeypatch: pytest.MonkeyPatch, capfd: Any
) -> None:
    rows = trained.rows[:40]
    code, out = run_cli(
        ["--home", str(trained.home), "predict", "--model-name", model_name],
        csv_rows(rows),
        monkeypatch,
        capfd,
    )
    assert code == 0, out.err
    lines = out.out.splitlines()
    assert [float(line) for line in lines] == expected(trained, rows)


def test_predict_cli_libsvm_from_a_file_equals_booster(
    model_name: str,
    trained: TrainedModel,
    monkeypatch: pytest.MonkeyPatch,
    capfd: Any,
    tmp_path: Any,
) -> None:
    rows = trained.rows[40:60]
    source = tmp_path / "rows.libsvm"
    source.write_bytes(libsvm_rows(rows))
    argv = ["--home", str(trained.home), "predict", "--model-name", model_name]
    code, out = run_cli(
        [*argv, "--content-type", "text/libsvm", "--input", str(source)], b"", monkeypatch, capfd
    )
    assert code == 0, out.err
    assert [float(line) for line in out.out.splitlines()] == expected(trained, rows)
    code, out = run_cli([*argv, "--accept", "application/json"], csv_rows(rows), monkeypatch, capfd)
    assert code == 0, out.err
    assert json.loads(out.out) == expected(trained, rows)


@pytest.mark.parametrize(
    ("argv", "stdin", "needle"),
    [
        (["--model-name", "no-such-model"], b"1,2\n", 'Could not find model "arn:aws:sagemaker'),
        (["--model-name", "served-model"], b"1,2,x\n", "values; the model expects 30 features"),
        (["--model-name", "served-model"], b"", "request body is empty"),
        (
            ["--model-name", "served-model", "--content-type", "application/x-parquet"],
            b"1\n",
            "Unsupported Content-Type",
        ),
    ],
)
def test_predict_cli_bad_inputs(
    model_name: str,
    trained: TrainedModel,
    monkeypatch: pytest.MonkeyPatch,
    capfd: Any,
    argv: list[str],
    stdin: bytes,
    needle: str,
) -> None:
    code, out = run_cli(["--home", str(trained.home), "predict", *argv], stdin, monkeypatch, capfd)
    assert code == 1
    assert needle in out.err
    assert "Traceback" not in out.err
    assert out.out == ""


def test_server_ping_and_invocations(server: ModelServer, trained: TrainedModel) -> None:
    assert request(server, "GET", "/ping")[0] == 200
    rows = trained.rows[:25]
    status, media, body = request(
        server, "POST", "/invocations", csv_rows(rows), {"Content-Type": "text/csv"}
    )
    assert status == 200 and media == "text/csv"
    # A real-time endpoint of the built-in XGBoost answers one comma-separated line.
    assert [float(v) for v in body.decode().split(",")] == expected(trained, rows)
    status, media, body = request(
        server,
        "POST",
        "/invocations",
        libsvm_rows(rows),
        {"Content-Type": "text/libsvm", "Accept": "application/json"},
    )
    assert status == 200 and media == "application/json"
    assert json.loads(body) == expected(trained, rows)


@pytest.mark.parametrize(
    ("body", "headers", "status", "needle"),
    [
        (b"1,2,3\n", {"Content-Type": "text/csv"}, 400, "the model expects 30 features"),
        (b"a,b\n", {"Content-Type": "text/csv"}, 400, "Unable to evaluate payload"),
        (("1," * 29 + "oops\n").encode(), {"Content-Type": "text/csv"}, 400, "not a number"),
        (b"1,2\n", {"Content-Type": "application/x-npy"}, 415, "Unsupported Content-Type"),
        (b"1,2\n", {}, 415, "no Content-Type"),
        (b"", {"Content-Type": "text/csv"}, 400, "request body is empty"),
        (b"0:1\n", {"Content-Type": "text/libsvm", "Accept": "image/png"}, 406, "Accept type"),
        (b"9999:1\n", {"Content-Type": "text/libsvm"}, 400, "feature index 9999 is out of range"),
    ],
)
def test_server_refuses_bad_requests_and_keeps_serving(
    server: ModelServer,
    trained: TrainedModel,
    body: bytes,
    headers: dict[str, str],
    status: int,
    needle: str,
) -> None:
    got, _, answer = request(server, "POST", "/invocations", body, headers)
    assert got == status
    assert needle in answer.decode()
    rows = trained.rows[:3]
    ok, _, again = request(
        server, "POST", "/invocations", csv_rows(rows), {"Content-Type": "text/csv"}
    )
    assert ok == 200
    assert [float(v) for v in again.decode().split(",")] == expected(trained, rows)


def test_server_unknown_route(server: ModelServer) -> None:
    status, _, body = request(server, "GET", "/nowhere")
    assert status == 404 and b"/ping" in body


def test_models_that_localtune_cannot_serve(sm: Any, trained: TrainedModel) -> None:
    sm.create_model(
        ModelName="custom-image",
        PrimaryContainer={"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/mine:1"},
    )
    with pytest.raises(inference.ModelNotServable, match="only models of the built-in XGBoost"):
        inference.load("custom-image", home=trained.home)
    create_xgb_model(
        sm, "script-model", trained.uri, Environment={"SAGEMAKER_PROGRAM": "inference.py"}
    )
    with pytest.raises(inference.ModelNotServable, match="script mode"):
        inference.load("script-model", home=trained.home)


def test_serve_model_command_in_a_real_process(
    model_name: str, trained: TrainedModel, tmp_path: Any
) -> None:
    import os
    import subprocess

    command = [sys.executable, "-m", "localtune", "--home", str(trained.home)]
    process = subprocess.Popen(
        [*command, "serve-model", model_name, "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert "serving model served-model on http://127.0.0.1:" in first, process.stderr
        host_port = first.rsplit("http://", 1)[1].strip()
        conn = http.client.HTTPConnection(host_port, timeout=30)
        conn.request("GET", "/ping")
        ping = conn.getresponse()
        assert ping.status == 200 and ping.read() == b""
        rows = trained.rows[:5]
        conn.request("POST", "/invocations", csv_rows(rows), {"Content-Type": "text/csv"})
        answer = conn.getresponse().read().decode()
        assert [float(v) for v in answer.split(",")] == expected(trained, rows)
        conn.close()
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stdout:
            process.stdout.close()
        if process.stderr:
            process.stderr.close()


def test_serve_model_command_refuses_unknown_model(trained: TrainedModel, capfd: Any) -> None:
    assert main(["--home", str(trained.home), "serve-model", "nobody", "--port", "0"]) == 1
    assert 'Could not find model "' in capfd.readouterr().err


def test_model_data_source_uncompressed_folder(sm: Any, trained: TrainedModel) -> None:
    """ModelDataSource as the SDK sends it for an uncompressed model (S3Prefix, None)."""
    folder = trained.home / "s3" / "results-bucket" / "uncompressed" / "job-1"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "xgboost-model").write_bytes(bytes(trained.booster.save_raw(raw_format="ubj")))
    source = {
        "S3Uri": "s3://results-bucket/uncompressed/job-1/",
        "S3DataType": "S3Prefix",
        "CompressionType": "None",
    }
    sm.create_model(
        ModelName="from-folder",
        PrimaryContainer={"Image": IMAGE, "ModelDataSource": {"S3DataSource": source}},
    )
    model = inference.load("from-folder", home=trained.home)
    rows = trained.rows[:7]
    answer, _ = inference.invoke(model, csv_rows(rows), "text/csv", "application/json")
    assert json.loads(answer) == expected(trained, rows)
    missing = {**source, "S3Uri": "s3://results-bucket/uncompressed/nothing/"}
    with pytest.raises(ClientError) as excinfo:
        sm.create_model(
            ModelName="from-nothing",
            PrimaryContainer={"Image": IMAGE, "ModelDataSource": {"S3DataSource": missing}},
        )
    message = excinfo.value.response["Error"]["Message"]
    assert "Could not find model data at s3://results-bucket/uncompressed/nothing/." in message

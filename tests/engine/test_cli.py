"""``localtune tune`` (progress, Ctrl-C), ``localtune images``, and AWS-CLI-style creates that run
in a background engine process."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from localtune.interfaces.cli import main
from localtune.store import Store
from tests.engine.conftest import request, wait_until

ROOT = Path(__file__).resolve().parents[2]


def _cli(home: Path, *args: str, **kwargs: Any) -> subprocess.Popen[str]:
    env = {**os.environ, "LOCALTUNE_STOP_GRACE_SECONDS": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "localtune", "--home", str(home), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=str(ROOT),
        env=env,
        **kwargs,
    )


def test_images_register_and_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "--home",
                str(tmp_path),
                "images",
                "register",
                "my/img:2",
                "--",
                "python3",
                "train.py",
                "--",
                "x",
            ]
        )
        == 0
    )
    assert main(["--home", str(tmp_path), "images", "list"]) == 0
    out = capsys.readouterr().out
    assert "my/img:2\tpython3 train.py -- x" in out
    assert main(["--home", str(tmp_path), "images", "register", "my/img:3"]) == 2
    assert "non-empty list" in capsys.readouterr().err


def test_tune_piped_draws_nothing_live_and_ends_with_the_ranked_table(home: Path) -> None:
    path = home / "req.json"
    path.write_text(json.dumps(request("fg", jobs=3, parallel=2)))
    proc = _cli(home, "tune", str(path))
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    lines = out.strip().splitlines()
    assert "\x1b[" not in out  # no terminal redraws when stdout is a pipe
    assert lines[0].startswith("fg: Completed  Completed 3")
    assert lines[1].startswith("best: loss = ")
    header, *rows = lines[3:]
    assert header.split()[:4] == ["#", "training", "job", "loss"]
    losses = [float(row.split()[2]) for row in rows]
    assert len(rows) == 3 and losses == sorted(losses)  # Minimize: best first
    assert lines[1].endswith(f"({rows[0].split()[1]})")


def test_tune_json_and_quiet_modes(home: Path) -> None:
    path = home / "req.json"
    path.write_text(json.dumps(request("js", jobs=2, parallel=2)))
    proc = _cli(home, "tune", str(path), "--json")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    described = json.loads(out)
    assert described["HyperParameterTuningJobStatus"] == "Completed"
    assert described["TrainingJobStatusCounters"]["Completed"] == 2
    proc = _cli(home, "tune", str(path), "--name", "qt", "--quiet")
    out, err = proc.communicate(timeout=60)
    assert (proc.returncode, out) == (0, "")


def test_tune_ctrl_c_stops_cleanly(home: Path) -> None:
    path = home / "req.json"
    path.write_text(json.dumps(request("intr", jobs=4, parallel=2, static={"sleep": "30"})))
    proc = _cli(home, "tune", str(path))
    store = Store(home / "localtune.sqlite")
    try:
        wait_until(
            lambda: (
                [j["status"] for j in store.list_training_jobs("intr")].count("InProgress") == 2
            ),
            30,
        )
        started = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert time.monotonic() - started < 10
    assert "intr: Stopped" in out
    import localtune

    d = localtune.client(home=home).describe_hyper_parameter_tuning_job(
        HyperParameterTuningJobName="intr"
    )
    assert d["HyperParameterTuningJobStatus"] == "Stopped"
    assert d["TrainingJobStatusCounters"]["Stopped"] == 2
    assert d["TrainingJobStatusCounters"]["InProgress"] == 0


def test_aws_cli_create_runs_in_a_daemon(home: Path) -> None:
    path = home / "req.json"
    path.write_text(json.dumps(request("bg", jobs=2, parallel=2)))
    proc = _cli(home, "create-hyper-parameter-tuning-job", "--cli-input-json", f"file://{path}")
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "hyper-parameter-tuning-job/bg" in out

    store = Store(home / "localtune.sqlite")  # read only: no engine in this process
    wait_until(lambda: store.get_tuning_job("bg")["status"] == "Completed", 60, 0.1)  # type: ignore[index]
    p = _cli(home, "describe-hyper-parameter-tuning-job", "--hyper-parameter-tuning-job-name", "bg")
    text, _ = p.communicate(timeout=30)
    assert json.loads(text)["TrainingJobStatusCounters"]["Completed"] == 2
    log = (home / "engine.log").read_text()
    pids = {int(p) for p in re.findall(r"daemon\[(\d+)\]", log)}
    assert pids

    # every daemon exits once nothing is left to run
    def gone() -> bool:
        return all(not Path(f"/proc/{pid}").exists() for pid in pids)

    wait_until(gone, 20, 0.2)

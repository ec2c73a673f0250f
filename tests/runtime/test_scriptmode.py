"""Script mode end to end: real job directories, real processes, a real scikit-learn entry point."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tarfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from localtune.runtime import scriptmode
from localtune.runtime.contract import JobDir, job_environment, write_job_dir
from localtune.runtime.s3 import LocalS3
from localtune.runtime.sourcedir import SourceDirError, fetch_source_dir

REPO = Path(__file__).resolve().parents[2]

SKLEARN_SCRIPT = """\
import argparse, json, os, sys
import joblib
import numpy as np
from sklearn.linear_model import Ridge

parser = argparse.ArgumentParser()
parser.add_argument("--alpha", type=float, required=True)
parser.add_argument("--n-iter", type=int, required=True)
parser.add_argument("--solver", type=str, required=True)
parser.add_argument("--model-dir", default=os.environ["SM_MODEL_DIR"])
parser.add_argument("--train", default=os.environ["SM_CHANNEL_TRAIN"])
args = parser.parse_args()
print("ARGV " + json.dumps(sys.argv[1:]))
print("ENV " + json.dumps({k: v for k, v in os.environ.items() if k.startswith("SM_")}))
data = np.loadtxt(os.path.join(args.train, "train.csv"), delimiter=",")
X, y = data[:, 1:], data[:, 0]
model = Ridge(alpha=args.alpha, solver=args.solver).fit(X, y)
rmse = float(np.sqrt(np.mean((model.predict(X) - y) ** 2)))
print(f"validation:rmse={rmse:.6f}")
joblib.dump(model, os.path.join(args.model_dir, "model.joblib"))
"""

FAILING_SCRIPT = """\
import sys
print("about to fail")
print("some noise on stderr", file=sys.stderr)
raise RuntimeError("the data is bad")
"""


def _pack(source: dict[str, str], archive: Path) -> None:
    archive.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "w:gz") as tar:
        for name, text in source.items():
            path = archive.parent / "src" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            tar.add(path, arcname=name)


def _job(tmp_path: Path, program: str, submit: str, **hps: str) -> JobDir:
    home = tmp_path / "home"
    s3 = LocalS3(home)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 3))
    y = x @ [1.0, -2.0, 0.5] + 0.1 * rng.normal(size=40)
    train = s3.path("s3://data/train/train.csv")
    train.parent.mkdir(parents=True)
    rows = np.column_stack([y, x])
    train.write_text("\n".join(",".join(f"{v:.6f}" for v in row) for row in rows))
    channel = {
        "ChannelName": "train",
        "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://data/train"}},
    }
    hyperparameters = {
        "sagemaker_program": json.dumps(program),
        "sagemaker_submit_directory": json.dumps(submit),
        "_tuning_objective_metric": "validation:rmse",
        **hps,
    }
    job = write_job_dir(
        tmp_path / "job", hyperparameters=hyperparameters, input_data_config=[channel]
    )
    s3.materialize(channel, job.channel_dir("train"))
    return job


def _env(job: JobDir, home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(job_environment(job, training_job_name="job-1", training_job_arn="arn:job-1"))
    env["LOCALTUNE_HOME"] = str(home)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def _run(job: JobDir, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "localtune.runtime.scriptmode", "train"],
        env=_env(job, home),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def run_in_process(monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> Any:
    """``main(["train"])`` in this process (the script still runs as a real child process):
    faster than a fresh interpreter per test; returns (exit code, stdout, stderr)."""

    def run(job: JobDir, home: Path) -> tuple[int, str, str]:
        for key, value in _env(job, home).items():
            monkeypatch.setenv(key, value)
        code = scriptmode.main(["train"])
        out, err = capfd.readouterr()
        return code, out, err

    return run


def _line(stdout: str, prefix: str) -> Any:
    return json.loads(
        next(ln for ln in stdout.splitlines() if ln.startswith(prefix))[len(prefix) :]
    )


def test_sklearn_entry_point_from_local_s3(tmp_path: Path) -> None:
    home = tmp_path / "home"
    _pack({"train.py": SKLEARN_SCRIPT}, LocalS3(home).path("s3://code/src/sourcedir.tar.gz"))
    job = _job(
        tmp_path,
        "train.py",
        "s3://code/src/sourcedir.tar.gz",
        alpha="0.5",
        **{"n-iter": "3", "solver": '"auto"'},
    )
    result = _run(job, home)
    assert result.returncode == 0, result.stderr
    # Arguments as the toolkit passes them: sorted, JSON-decoded, framework keys removed.
    assert _line(result.stdout, "ARGV ") == ["--alpha", "0.5", "--n-iter", "3", "--solver", "auto"]
    env = _line(result.stdout, "ENV ")
    assert env["SM_MODEL_DIR"] == str(job.model_dir)
    assert env["SM_CHANNEL_TRAIN"] == str(job.channel_dir("train"))
    assert env["SM_HP_N-ITER"] == "3"
    assert env["SM_USER_ENTRY_POINT"] == "train.py"
    assert json.loads(env["SM_HPS"]) == {"alpha": 0.5, "n-iter": 3, "solver": "auto"}
    # The printed metric line passes through, whole, for the metric regexes.
    rmse = [ln for ln in result.stdout.splitlines() if ln.startswith("validation:rmse=")]
    assert len(rmse) == 1 and 0.0 < float(rmse[0].split("=")[1]) < 0.5
    assert (job.model_dir / "model.joblib").is_file()
    assert (job.code_dir / "train.py").is_file()
    assert job.success_file.exists() and not job.failure_file.exists()


def test_failing_script_reports_execute_user_script_error(
    tmp_path: Path, run_in_process: Any
) -> None:
    source = tmp_path / "code-src"
    source.mkdir()
    (source / "fail.py").write_text(FAILING_SCRIPT)
    job = _job(tmp_path, "fail.py", f"file://{source}")
    returncode, stdout, _ = run_in_process(job, tmp_path / "home")
    assert returncode == 1
    assert "about to fail" in stdout
    failure = job.failure_file.read_text()
    assert failure.startswith('ExecuteUserScriptError:\nExitCode 1\nErrorMessage "Traceback')
    assert 'RuntimeError: the data is bad"' in failure
    assert "some noise" not in failure  # the message starts at the last traceback
    assert f'Command "{sys.executable} fail.py"' in failure
    assert len(failure) <= 1024


def test_shell_entry_point_and_own_failure_file(tmp_path: Path, run_in_process: Any) -> None:
    source = tmp_path / "code-src"
    source.mkdir()
    (source / "run.sh").write_text(
        'echo "args: $@"\necho "channel=$SM_CHANNEL_TRAIN"\n'
        'echo "my own reason" > "$SM_OUTPUT_DIR/failure"\nexit 3\n'
    )
    job = _job(tmp_path, "run.sh", str(source), epochs="5", b="x y")
    returncode, stdout, _ = run_in_process(job, tmp_path / "home")
    assert returncode == 3
    assert "args: -b x y --epochs 5" in stdout
    assert f"channel={job.channel_dir('train')}" in stdout
    assert job.failure_file.read_text() == "my own reason\n"  # the script's file is kept


def test_package_entry_point_and_requirements_warning(tmp_path: Path, run_in_process: Any) -> None:
    source = tmp_path / "code-src"
    (source / "pkg").mkdir(parents=True)
    (source / "setup.py").write_text("from setuptools import setup\nsetup(name='pkg')\n")
    (source / "pkg/__init__.py").write_text("")
    (source / "pkg/main.py").write_text("import sys\nprint('pkg main', sys.argv[1:])\n")
    (source / "requirements.txt").write_text("numpy>=1\nsurely-not-installed-pkg==1.0\n")
    job = _job(tmp_path, "pkg.main", str(source), lr="0.1")
    returncode, stdout, stderr = run_in_process(job, tmp_path / "home")
    assert returncode == 0, stderr
    assert "pkg main ['--lr', '0.1']" in stdout
    assert "localtune does not install it" in stderr
    assert "not installed in this environment: surely-not-installed-pkg" in stderr
    assert "numpy," not in stderr


def test_framework_errors_are_clear(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    job = _job(tmp_path, "missing.py", "s3://code/nothing/sourcedir.tar.gz")
    monkeypatch.setenv("SAGEMAKER_BASE_DIR", str(job.root))
    monkeypatch.setenv("LOCALTUNE_HOME", str(tmp_path / "home"))
    assert scriptmode.main(["train"]) == 1
    failure = job.failure_file.read_text()
    assert failure.startswith("Framework Error: \n")
    assert "s3://code/nothing/sourcedir.tar.gz" in failure and "does not exist" in failure
    assert scriptmode.main(["serve"]) == 2
    monkeypatch.setenv("SAGEMAKER_BASE_DIR", str(tmp_path / "nowhere"))
    assert scriptmode.main(["train"]) == 1


def test_build_command_types(tmp_path: Path) -> None:
    (tmp_path / "run").write_text("echo hi\n")
    assert scriptmode.build_command(tmp_path, "train.py", ["--a", "1"]) == [
        sys.executable,
        "train.py",
        "--a",
        "1",
    ]
    assert scriptmode.build_command(tmp_path, "run", ["--a", "x y"]) == [
        "/bin/sh",
        "-c",
        "./run --a 'x y'",
    ]
    assert os.access(tmp_path / "run", os.X_OK)
    (tmp_path / "setup.py").write_text("")
    assert scriptmode.build_command(tmp_path, "train.py", []) == [sys.executable, "-m", "train"]
    assert scriptmode.build_command(tmp_path, "go.sh", []) == ["/bin/sh", "-c", "./go.sh"]


WAIT_SCRIPT = """\
import signal, sys, time
def stop(signum, frame):
    print('got SIGTERM', flush=True)
    sys.exit(0)
if sys.argv[1:] == ["--handle", "True"]:
    signal.signal(signal.SIGTERM, stop)
print('ready', flush=True)
time.sleep(60)
"""


class _Forked:
    """``scriptmode.main(["train"])`` in a forked child with its own session, as the runner's
    fork server runs it (no interpreter start-up, so the signal tests stay fast)."""

    def __init__(self, env: dict[str, str]) -> None:
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            code = 70
            try:
                os.setsid()
                os.close(read_fd)
                os.dup2(write_fd, 1)
                os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
                sys.stdout = open(1, "w", buffering=1, closefd=False)  # noqa: SIM115
                sys.stderr = open(2, "w", buffering=1, closefd=False)  # noqa: SIM115
                os.environ.clear()
                os.environ.update(env)
                for signum in (signal.SIGTERM, signal.SIGINT):
                    signal.signal(signum, signal.SIG_DFL)
                code = scriptmode.main(["train"])
            finally:
                os._exit(code)
        os.close(write_fd)
        self.pid = pid
        self.stdout = os.fdopen(read_fd)

    def wait_for(self, prefix: str) -> str:
        """The first output line starting with ``prefix`` (fails if output ends first)."""
        for line in self.stdout:
            if line.startswith(prefix):
                return line
        pytest.fail(f"scriptmode ended without printing {prefix!r}")

    def finish(self, timeout: float = 30) -> tuple[int, str]:
        """Wait for the exit; return (exit code or -signal, the rest of the output)."""
        rest = self.stdout.read()
        self.stdout.close()
        deadline = time.monotonic() + timeout
        while True:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status), rest
            if time.monotonic() > deadline:
                os.kill(self.pid, signal.SIGKILL)
                pytest.fail("scriptmode did not exit")
            time.sleep(0.02)


def _start_waiting(tmp_path: Path, script: str, **hps: str) -> tuple[_Forked, list[int], JobDir]:
    """Start scriptmode on ``script``; wait until the script prints 'ready <pid> [numbers]'."""
    source = tmp_path / "code-src"
    source.mkdir()
    (source / "script.py").write_text(script)
    job = _job(tmp_path, "script.py", str(source), **hps)
    forked = _Forked(_env(job, tmp_path / "home"))
    return forked, [int(word) for word in forked.wait_for("ready").split()[1:]], job


WAIT_SCRIPT = """\
import os, signal, sys, time
def stop(signum, frame):
    print('got SIGTERM', flush=True)
    sys.exit(0)
if sys.argv[1:] == ["--handle", "True"]:
    signal.signal(signal.SIGTERM, stop)
print('ready', os.getpid(), flush=True)
time.sleep(60)
"""


@pytest.mark.parametrize(("handle", "exit_code"), [("true", 0), ("false", 128 + signal.SIGTERM)])
def test_sigterm_is_forwarded(tmp_path: Path, handle: str, exit_code: int) -> None:
    forked, _, job = _start_waiting(tmp_path, WAIT_SCRIPT, handle=handle)
    os.kill(forked.pid, signal.SIGTERM)  # to the toolkit process only, as `docker stop` does
    returncode, out = forked.finish()
    assert returncode == exit_code
    if exit_code == 0:
        assert "got SIGTERM" in out
        assert job.success_file.exists()
    else:
        assert job.failure_file.read_text().startswith(
            f"ExecuteUserScriptError:\nExitCode -{int(signal.SIGTERM)}"
        )


def test_in_process_main_passes_lines_through(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "code-src"
    source.mkdir()
    (source / "hello.py").write_text(
        "import os, sys\n"
        "print('epoch=1 loss=0.5')\n"
        "print('warn line', file=sys.stderr)\n"
        "print('hp', os.environ['SM_HP_LR'], sys.argv[1:])\n"
    )
    job = _job(tmp_path, "hello.py", str(source), lr="0.25")
    for key, value in _env(job, tmp_path / "home").items():
        monkeypatch.setenv(key, value)
    before = signal.getsignal(signal.SIGTERM)
    assert scriptmode.main(["train"]) == 0
    assert signal.getsignal(signal.SIGTERM) is before  # the forwarder is uninstalled
    out, err = capfd.readouterr()
    assert "epoch=1 loss=0.5\n" in out
    assert "hp 0.25 ['--lr', '0.25']" in out
    assert "warn line\n" in err


def test_source_archive_cannot_escape_code_dir(tmp_path: Path) -> None:
    archive = tmp_path / "evil.tar.gz"
    payload = tmp_path / "payload.py"
    payload.write_text("print('x')\n")
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(payload, arcname="../escaped.py")
    code = tmp_path / "job/code"
    with pytest.raises(SourceDirError, match=r"tar\.gz archive"):
        fetch_source_dir(str(archive), code)
    assert not (tmp_path / "job/escaped.py").exists()
    # A stale file from an earlier attempt does not survive a fresh fetch.
    (code / "stale.py").write_text("")
    good = tmp_path / "good"
    _pack({"train.py": "print(1)\n"}, good / "sourcedir.tar.gz")
    fetch_source_dir(f"file://{good / 'sourcedir.tar.gz'}", code)
    assert sorted(p.name for p in code.iterdir()) == ["train.py"]


COUNT_SCRIPT = """\
import os, signal, time
count = 0
def on_term(signum, frame):
    global count
    count += 1
signal.signal(signal.SIGTERM, on_term)
print('ready', os.getpid(), os.getpgid(0), os.getpgid(os.getppid()), flush=True)
deadline = time.time() + 60
while count == 0 and time.time() < deadline:
    time.sleep(0.01)
time.sleep(0.5)  # a second SIGTERM would arrive in this window
print(f'terms={count}', flush=True)
"""


def test_sigterm_to_the_group_reaches_the_script_once(tmp_path: Path) -> None:
    forked, (_, group, parent_group), job = _start_waiting(tmp_path, COUNT_SCRIPT)
    assert group != parent_group  # so a group signal reaches the script only through scriptmode
    os.killpg(forked.pid, signal.SIGTERM)  # as the runner stops a job
    returncode, out = forked.finish()
    assert "terms=1" in out
    assert returncode == 0 and job.success_file.exists()


SLEEP_SCRIPT = "import os, time\nprint('ready', os.getpid(), flush=True)\ntime.sleep(60)\n"


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting to be reaped counts as dead)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux-only")
def test_script_dies_with_a_killed_scriptmode(tmp_path: Path) -> None:
    forked, (script_pid,), _ = _start_waiting(tmp_path, SLEEP_SCRIPT)
    assert _alive(script_pid)
    os.kill(forked.pid, signal.SIGKILL)  # the scriptmode process alone, as a hard kill might
    assert forked.finish()[0] == -signal.SIGKILL
    deadline = time.monotonic() + 10
    while _alive(script_pid):
        if time.monotonic() > deadline:
            pytest.fail(f"the script (pid {script_pid}) outlived its scriptmode process")
        time.sleep(0.05)

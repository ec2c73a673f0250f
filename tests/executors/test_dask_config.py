"""Choosing the executor: targets, the environment variable, the command line; no cluster."""

from __future__ import annotations

from pathlib import Path

import pytest

from localtune.executors import LocalExecutor
from localtune.executors.choose import DASK_ENV, make_executor, normalize_target
from localtune.executors.dask import scheduler_address
from localtune.executors.dask_worker import home_problem, home_token
from localtune.interfaces import cli


@pytest.mark.parametrize(
    ("target", "address"),
    [
        ("dask://10.0.0.5:8786", "tcp://10.0.0.5:8786"),
        ("tcp://scheduler.lan:8786", "tcp://scheduler.lan:8786"),
        ("scheduler.lan:8786", "tcp://scheduler.lan:8786"),
        ("tls://scheduler.lan:8786", "tls://scheduler.lan:8786"),
    ],
)
def test_scheduler_addresses(target: str, address: str) -> None:
    assert scheduler_address(target) == address


@pytest.mark.parametrize("bad", ["scheduler.lan", "http://x:8786", "tcp://x:port", "tcp://:8786"])
def test_bad_scheduler_addresses_are_named(bad: str) -> None:
    with pytest.raises(ValueError, match=f"'{bad}' must look like tcp://HOST:PORT"):
        scheduler_address(bad)


def test_target_from_argument_then_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DASK_ENV, raising=False)
    assert normalize_target(None) == "local"
    assert normalize_target("LOCAL") == "local"
    assert normalize_target("tcp://h:8786") == "dask://h:8786"
    monkeypatch.setenv(DASK_ENV, "h:8786")
    assert normalize_target(None) == "dask://h:8786"
    assert normalize_target("local") == "local"  # an explicit target wins
    monkeypatch.setenv(DASK_ENV, "nonsense")
    with pytest.raises(ValueError, match=f"^{DASK_ENV}: Dask scheduler address 'nonsense'"):
        normalize_target(None)
    monkeypatch.setenv(DASK_ENV, "")
    executor = make_executor()
    assert isinstance(executor, LocalExecutor)
    executor.shutdown()


def test_home_check(tmp_path: Path) -> None:
    token = home_token(tmp_path)
    assert home_token(tmp_path) == token  # made once, then read
    assert home_problem(tmp_path, token) is None
    assert "is a different directory here" in (home_problem(tmp_path, "other") or "")
    missing = tmp_path / "nowhere"
    assert home_problem(missing, token) == f"{missing} does not exist here"
    (tmp_path / "sub").mkdir()
    assert "is not the engine's home here" in (home_problem(tmp_path / "sub", token) or "")


def test_cli_rejects_a_bad_scheduler_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    request = tmp_path / "request.json"
    request.write_text("{}")
    code = cli.main(["--home", str(tmp_path), "tune", str(request), "--dask-scheduler", "x"])
    assert code == 2
    err = capsys.readouterr().err
    assert "localtune tune: Dask scheduler address 'x' must look like tcp://HOST:PORT" in err
    assert "Traceback" not in err


def test_a_failed_executor_leaves_no_half_made_service(tmp_path: Path) -> None:
    import localtune
    from localtune.interfaces import services

    with pytest.raises(ValueError, match="'x' must look like"):
        localtune.client(home=tmp_path, executor="x")
    sm = localtune.client(home=tmp_path)  # made afresh, with a working (local) engine
    try:
        assert sm.list_hyper_parameter_tuning_jobs()["HyperParameterTuningJobSummaries"] == []
        with pytest.raises(ValueError, match="already runs its training jobs on local"):
            localtune.client(home=tmp_path, executor="tcp://h:8786")
    finally:
        services.close_service(tmp_path)

"""Smoke test of ``benchmarks.seed_e2e``: 1 repeat of 3 jobs on the real seed example, and the
breakdown / slot-idle arithmetic on hand-made records."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import stats

from benchmarks import _seed_analysis as analysis
from benchmarks import seed_e2e

HAS_OPTUNA = importlib.util.find_spec("optuna") is not None
TIMINGS = (
    "[localtune xgboost] timings: started at 100.050000 (epoch s); loading data 10.0 ms, "
    "training 60.0 ms, saving the model 5.0 ms; CPU 70.0 ms; peak memory 140.5 MiB\n"
)


def _row(
    tmp_path: Path, name: str, created: float, ended: float, log: str = TIMINGS
) -> dict[str, Any]:
    job_dir = tmp_path / name
    job_dir.mkdir()
    (job_dir / "training.log").write_text("[0]\ttrain-auc:0.9\n" + log)
    phases = [("Starting", created, 100.01), ("Downloading", 100.01, 100.02)]
    phases += [
        ("Training", 100.02, 100.2),
        ("Uploading", 100.2, ended),
        ("Completed", ended, ended),
    ]
    return {
        "name": name,
        "status": "Completed",
        "creation_time": created,
        "end_time": ended,
        "job_dir": str(job_dir),
        "transitions": [{"Status": s, "StartTime": a, "EndTime": b} for s, a, b in phases],
    }


def test_breakdown_adds_up_to_the_job(tmp_path: Path) -> None:
    row = _row(tmp_path, "a", 100.0, 100.21)
    phases = analysis.job_breakdown(row)
    assert phases is not None
    assert phases["process start"] == pytest.approx(30.0)
    assert phases["exit seen"] == pytest.approx(200 - 125)
    assert sum(phases[p] for p in analysis.PHASES) == pytest.approx(phases["job total"])
    assert analysis.job_peaks([row]) == {"median": 140.5, "max": 140.5}
    assert analysis.jobs_cpu([row]) == pytest.approx(0.070)
    assert analysis.job_breakdown({**row, "status": "Failed"}) is None


def test_slot_idle_pairs_each_end_with_the_launch_it_allowed(tmp_path: Path) -> None:
    rows = [
        _row(tmp_path, "a", 100.0, 101.0),
        _row(tmp_path, "b", 100.1, 102.0),
        _row(tmp_path, "c", 101.03, 103.0),  # 30 ms after a's end
        _row(tmp_path, "d", 102.01, 104.0),  # 10 ms after b's end
    ]
    idle = analysis.slot_idle(99.9, rows, parallel=2)
    assert idle["gaps"] == 2
    assert idle["mean_ms"] == pytest.approx(20.0)
    assert idle["max_ms"] == pytest.approx(30.0)
    assert idle["first_launch_ms"] == pytest.approx(100.0)


def test_a_log_without_timings_is_left_out(tmp_path: Path) -> None:
    assert analysis.program_timings("no timings here") is None
    rows = [_row(tmp_path, "a", 100.0, 100.21, log="crashed\n")]
    assert analysis.breakdown(rows) == {}
    assert analysis.job_peaks(rows) is None


def _summary_run(method: str, auc: float) -> dict[str, Any]:
    run: dict[str, Any] = {"method": method, "wall_s": 1.0, "best_auc": auc, "cpu_s": 1.0}
    if method == "localtune":
        run.update(
            breakdown_ms={},
            slot_idle={"mean_ms": 1.0, "max_ms": 2.0, "first_launch_ms": 3.0},
            engine_cpu_s=1.0,
            jobs_cpu_s=1.0,
            store_ms_per_job=1.0,
            store_calls_per_job=1.0,
            engine_peak_mib=1.0,
            job_peak_mib={"max": 1.0},
            failed=[],
            status="Completed",
        )
    else:
        run["peak_mib"] = 1.0
    return run


def test_best_aucs_of_every_repeat_are_compared_between_methods() -> None:
    ours, theirs = [0.981, 0.984, 0.986, 0.987], [0.975, 0.979, 0.980, 0.983]
    runs = [_summary_run("localtune", a) for a in ours]
    runs += [_summary_run("optuna-gp", a) for a in theirs]
    summary = seed_e2e.summarize(runs, {"peak_mib": 5.0})
    assert summary["methods"]["optuna-gp"]["best_aucs"] == theirs
    expected = stats.mannwhitneyu(ours, theirs).pvalue
    assert summary["auc_p_localtune_optuna-gp"] == pytest.approx(expected)
    text = seed_e2e.report(summary)
    assert f"optuna-gp   {np.mean(theirs):.5f} ± {np.std(theirs, ddof=1):.5f}, p = " in text


def test_bad_arguments_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        seed_e2e.main(["--repeats", "0"])
    assert "--repeats must be at least 1, got 0" in capsys.readouterr().err


def test_one_repeat_of_three_jobs_end_to_end(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "out"
    argv = ["--repeats", "1", "--jobs", "3", "--out", str(out_dir), "--methods", "localtune"]
    assert seed_e2e.main(argv) == 0
    result = json.loads((out_dir / "seed_e2e.json").read_text())
    summary = result["summary"]
    m = summary["methods"]["localtune"]
    assert m["repeats"] == 1 and m["wall_s"] > 0 and m["cpu_s"] > 0
    assert 0.9 < m["best_auc"] <= 1.0  # breast_cancer is easy: any sane run is > 0.9
    (run,) = result["runs"]
    assert run["status"] == "Completed" and run["jobs"] == 3
    lt = summary["localtune"]
    assert lt["failed_jobs"] == []
    assert set(analysis.PHASES) <= set(lt["breakdown_ms"])
    assert all(v >= 0 for k, v in lt["breakdown_ms"].items() if k != "exit seen")
    assert lt["job_peak_mib"] > 0 and lt["engine_peak_mib"] > 0
    assert summary["xgboost_alone_peak_mib"] > 0
    assert "slot idle:" in capsys.readouterr().out


@pytest.mark.skipif(not HAS_OPTUNA, reason="optuna (the bench extra) is not installed")
def test_optuna_side_trains_the_same_ranges_in_threads(tmp_path: Path) -> None:
    from benchmarks import _seed_workers as workers
    from localtune import demo

    demo.write_breast_cancer(tmp_path)
    result = workers.run_optuna(tmp_path, jobs=3, parallel=3, sampler_name="tpe")
    assert result["method"] == "optuna-tpe" and result["jobs"] == 3
    assert 0.9 < result["best_auc"] <= 1.0 and result["wall_s"] > 0 and result["cpu_s"] > 0


def test_seed_seeds_searches_twenty_configurations_three_in_flight() -> None:
    from benchmarks import seed_seeds

    seen: list[dict[str, Any]] = []

    def objective(params: dict[str, Any]) -> float:
        seen.append(params)
        return -abs(params["eta"] - 0.3)  # best near eta = 0.3

    best = seed_seeds.run("localtune-bayesian:patience=none", objective, seed=1)
    assert len(seen) == seed_seeds.TRIALS
    assert best == max(-abs(p["eta"] - 0.3) for p in seen)
    assert all(1 <= p["max_depth"] <= 10 and isinstance(p["max_depth"], int) for p in seen)
    events: list[str] = []
    seed_seeds._search(
        lambda: (events.append("ask") or None, {}),
        lambda handle, value: events.append("tell"),
        lambda params: 0.0,
        in_flight=3,
    )
    # three asked before the first result, then one ask per result until 20 were asked
    assert events[:4] == ["ask", "ask", "ask", "tell"]
    assert events.count("ask") == events.count("tell") == seed_seeds.TRIALS


def test_seed_seeds_keeps_every_training_of_every_seed() -> None:
    from benchmarks import seed_seeds

    bests, trained = seed_seeds.run_seeds(
        "localtune-bayesian", lambda params: -abs(params["eta"] - 0.3), seeds=2, in_flight=3
    )
    assert len(trained) == 2 * seed_seeds.TRIALS
    per_seed = [trained[: seed_seeds.TRIALS], trained[seed_seeds.TRIALS :]]
    assert list(bests) == [max(value for _, value in run) for run in per_seed]
    assert all(value == -abs(params["eta"] - 0.3) for params, value in trained)


def test_seed_seeds_landscape_summarises_random_configurations() -> None:
    from benchmarks import seed_seeds

    values = iter(np.linspace(0.9, 0.99, 100))
    line = seed_seeds.landscape(lambda params: float(next(values)), 100)
    assert line.startswith("100 random configurations: best 0.99000, median 0.94500")
    best_of = float(line.rsplit(" ", 1)[1])
    assert 0.97 < best_of <= 0.99  # the best of 20 of 100 evenly spread values

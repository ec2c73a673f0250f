"""Smoke tests of the strategy benchmark harness (tiny budgets, 1 seed, 2 tasks)."""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from benchmarks import _strat_scoring as scoring
from benchmarks import strategies as cli
from benchmarks._strat_methods import METHODS, get_method
from benchmarks._strat_report import paired_lines
from benchmarks._strat_run import Unit, load_records, run_unit, run_units
from benchmarks._tasks import dims_of, get_task, sample_uniform, task_names
from benchmarks._tasks_ml import from_logit

HAS_STRATEGIES = METHODS["localtune-bayesian"].missing() is None


def _record(task: str, method: str, seed: int, values: list[float | None]) -> dict[str, Any]:
    return {
        "task": task,
        "group": "synthetic",
        "method": method,
        "budget": "sequential",
        "batch": 1,
        "seed": seed,
        "values": values + [values[-1]] * (50 - len(values)),
        "optimizer_seconds": 0.0,
        "evaluation_seconds": 0.0,
    }


def test_synthetic_minima_match_the_reference() -> None:
    cases: dict[str, dict[str, Any]] = {
        "branin": {"x1": -math.pi, "x2": 12.275},
        "hartmann6": dict(
            zip(
                [f"x{i}" for i in range(1, 7)],
                [0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573],
                strict=True,
            )
        ),
        "ackley5": {f"x{i}": 0.0 for i in range(1, 6)},
        "rosenbrock4": {f"x{i}": 1.0 for i in range(1, 5)},
        "levy4": {f"x{i}": 1.0 for i in range(1, 5)},
        "mixed5": {"x1": math.pi, "x2": 2.275, "lr": 10**-2.5, "units": 7, "activation": "relu"},
    }
    for name, point in cases.items():
        task = get_task(name)
        assert task.optimum is not None
        assert task.evaluate(point) == pytest.approx(task.optimum, abs=1e-4), name


def test_sample_uniform_respects_every_scaling() -> None:
    dims = dims_of(
        {
            "ContinuousParameterRanges": [
                {
                    "Name": "b",
                    "MinValue": "0.9",
                    "MaxValue": "0.999999",
                    "ScalingType": "ReverseLogarithmic",
                }
            ],
            "IntegerParameterRanges": [{"Name": "h", "MinValue": "50", "MaxValue": "200"}],
        }
    )
    rng = np.random.default_rng(1)
    draws = [sample_uniform(dims, rng) for _ in range(300)]
    b = np.array([d["b"] for d in draws])
    assert b.min() >= 0.9 and b.max() <= 1 - 1e-6
    # ReverseLogarithmic puts most draws close to 1: median of 1 - x is near the geometric mean.
    assert np.median(1 - b) < 0.01
    sizes = [d["h"] for d in draws]
    assert all(isinstance(s, int) and 50 <= s <= 200 for s in sizes)


def test_logit_ranges_give_every_method_bayesmarks_geometry() -> None:
    task = get_task("dt-iris-nll")
    names = {r["Name"] for r in task.ranges["ContinuousParameterRanges"]}
    assert "min_samples_leaf_logit" in names and "min_samples_leaf" not in names
    rng = np.random.default_rng(0)
    draws = [from_logit(sample_uniform(task.dims, rng), task.ranges) for _ in range(400)]
    leaf = np.array([d["min_samples_leaf"] for d in draws])
    assert leaf.min() >= 0.01 and leaf.max() <= 0.49
    # uniform in logit space: half of the draws below the logit midpoint's fraction (≈ 0.09),
    # where a Linear range over [0.01, 0.49] would put 17 %
    assert (
        0.4 < np.mean(leaf < 1 / (1 + math.exp(-(math.log(1 / 99) + math.log(49 / 51)) / 2))) < 0.6
    )
    assert all("min_samples_leaf_logit" not in d for d in draws)
    beta_2 = get_task("mlp-adam-iris-acc").ranges["ContinuousParameterRanges"]
    top = next(r for r in beta_2 if r["Name"] == "beta_2_logit")
    edge = from_logit(
        {"beta_2_logit": float(top["MaxValue"])}, {"ContinuousParameterRanges": [top]}
    )
    assert 0.999998 < edge["beta_2"] <= 1 - 1e-6


def test_records_of_two_versions_of_a_task_space_are_not_scored_together(tmp_path: Path) -> None:
    rec = run_unit(
        Unit("branin", "harness-random", "sequential", 0), method=METHODS["harness-random"]
    )
    assert rec["space"] == get_task("branin").space_id
    old = {**rec, "seed": 1, "space": "0123456789ab"}
    with pytest.raises(ValueError, match="branin come from different search spaces"):
        scoring.score([rec, old], "harness-random")
    raw = tmp_path / "raw.jsonl"
    raw.write_text("\n".join(json.dumps(r) for r in (rec, old)), encoding="utf-8")
    with pytest.raises(SystemExit, match="--rescore: records of branin"):
        cli.main(["--rescore", str(raw), "--out", str(tmp_path / "out")])


def test_sklearn_task_is_deterministic_and_cached() -> None:
    task = get_task("knn-iris-acc")
    params = {"n_neighbors": "5", "p": "2"}  # strategies may hand back strings
    first = task.evaluate(params)
    assert -1.0 <= first <= -0.8  # negated CV accuracy of kNN on iris
    assert task.evaluate({"n_neighbors": 5, "p": 2}) == first
    assert len(task._cache) == 1


def test_xgboost_task_runs_real_training() -> None:
    task = get_task("xgb-breast-nll")
    good = task.evaluate({"eta": 0.3, "alpha": 0.0, "min_child_weight": 1.0, "max_depth": 3})
    useless = task.evaluate({"eta": 0.0, "alpha": 0.0, "min_child_weight": 1.0, "max_depth": 3})
    assert good < 0.2 < useless  # eta = 0 never leaves the 0.5 prior: log loss ≈ 0.69


def test_run_unit_records_every_evaluation_in_batches() -> None:
    method = METHODS["harness-random"]
    rec = run_unit(Unit("branin", "harness-random", "batch", 3), method=method)
    assert len(rec["values"]) == 128 and rec["batch"] == 8
    assert all(v is not None and v >= 0.397887 - 1e-6 for v in rec["values"])
    again = run_unit(Unit("branin", "harness-random", "batch", 3), method=method)
    assert again["values"] == rec["values"]  # seeded


def test_scoring_matches_bayesmark_definition() -> None:
    records = [
        _record("t", "harness-random", 0, [4.0, 3.0, 5.0, 6.0]),
        _record("t", "harness-random", 1, [2.0, 7.0, 8.0, 9.0]),
        _record("t", "good", 0, [1.0]),
        _record("t", "good", 1, [3.0]),
        _record("t", "bad", 0, [100.0]),
        _record("t", "bad", 1, [None, None]),  # all failed: counts as clip
    ]
    sc = scoring.score(records, "harness-random")
    pooled = [4.0, 3.0, 5.0, 6.0] + [6.0] * 46 + [2.0, 7.0, 8.0, 9.0] + [9.0] * 46
    assert sc.clip["t"] == pytest.approx(float(np.median(pooled)))
    assert sc.opt["t"] == 1.0
    clip = sc.clip["t"]
    expected_good = 100 * (1 - np.mean([0.0, (3.0 - 1.0) / (clip - 1.0)]))
    assert sc.task_score(("t", "good", "sequential")) == pytest.approx(expected_good)
    assert sc.task_score(("t", "bad", "sequential")) == pytest.approx(0.0)
    ranks = scoring.average_ranks(sc, "sequential", ["good", "bad", "harness-random"])
    assert ranks == {"good": 1.0, "harness-random": 2.0, "bad": 3.0}


def test_seed_pairs_compare_per_seed_overall_scores() -> None:
    """Two tasks, four seeds: each seed's score is the mean over both tasks; seed 3 of task u
    is missing for the variant, so seed 3 is left out of the pairs (and the report line)."""
    records = []
    for task in ("t", "u"):
        for seed in range(4):
            records.append(_record(task, "harness-random", seed, [0.0, 10.0, 10.0, 10.0]))
            records.append(_record(task, "optuna-tpe", seed, [0.0]))
    ours = {("t", 0): 5.0, ("t", 1): 10.0, ("t", 2): 0.0, ("u", 0): 10.0, ("u", 1): 10.0}
    ours |= {("u", 2): 5.0, ("t", 3): 0.0, ("u", 3): 0.0}
    variant = {key: value / 2 for key, value in ours.items() if key != ("u", 3)}
    for (task, seed), value in ours.items():
        records.append(_record(task, "localtune-bayesian", seed, [value]))
    for (task, seed), value in variant.items():
        records.append(_record(task, "localtune-bayesian:x=1", seed, [value]))
    sc = scoring.score(records, "harness-random")
    assert sc.clip == {"t": 10.0, "u": 10.0} and sc.opt == {"t": 0.0, "u": 0.0}
    pairs = scoring.seed_pairs(sc, "localtune-bayesian", "localtune-bayesian:x=1", "sequential")
    assert pairs is not None and pairs.seeds == [0, 1, 2]
    np.testing.assert_allclose(pairs.a, [25.0, 0.0, 75.0])  # 100 × (1 − mean normalised loss)
    np.testing.assert_allclose(pairs.b, [62.5, 50.0, 87.5])
    diff, se, p, wins = pairs.summary()
    assert diff == pytest.approx(100 / 3) and wins == 3
    assert se == pytest.approx(float(np.std([37.5, 50.0, 12.5], ddof=1) / np.sqrt(3)))
    assert 0.0 < p < 0.2
    lines = paired_lines(sc, "sequential").splitlines()
    (line,) = [x for x in lines if x.startswith("- localtune-bayesian:x=1 − localtune-bayesian:")]
    assert "+33.33 ± " in line and line.endswith("higher on 3 of 3 seeds")
    assert any(x.startswith("- optuna-tpe − localtune-bayesian: +66.67") for x in lines)


def test_opt_comes_from_reference_methods_so_ours_can_exceed_100() -> None:
    records = [
        _record("t", "harness-random", 0, [4.0, 3.0]),
        _record("t", "optuna-tpe", 0, [2.0]),
        _record("t", "localtune-bayesian", 0, [1.0]),
        _record("t", "localtune-bayesian:patience=3", 0, [0.5]),
    ]
    sc = scoring.score(records, "harness-random")
    assert sc.opt["t"] == 2.0  # neither ours nor its variant sets opt
    assert sc.task_score(("t", "optuna-tpe", "sequential")) == pytest.approx(100.0)
    clip = sc.clip["t"]
    assert sc.task_score(("t", "localtune-bayesian", "sequential")) == pytest.approx(
        100 * (1 - (1.0 - 2.0) / (clip - 2.0))
    )
    assert sc.task_score(("t", "localtune-bayesian", "sequential")) > 100.0
    assert sc.opt_from_all == []
    alone = scoring.score([r for r in records if r["method"] != "optuna-tpe"][1:], "x")
    assert alone.opt == {}  # no baseline random method: nothing can be normalised
    only_ours = [records[0], records[2]]
    only_ours[0] = {**records[0], "method": "localtune-bayesian:n_initial=3"}
    assert scoring.score(only_ours, "localtune-bayesian:n_initial=3").opt_from_all == ["t"]


def test_references_fix_opt_and_clip_for_runs_on_other_seeds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    references = [
        _record("branin", "harness-random", 0, [4.0, 6.0]),  # clip = 6
        _record("branin", "optuna-tpe", 0, [2.0]),  # opt = 2
        _record("branin", "localtune-bayesian", 0, [0.0]),  # under test: never sets opt
    ]
    tested = [
        _record("branin", "localtune-bayesian", 7, [3.0]),
        _record("branin", "localtune-bayesian:patience=3", 7, [4.0]),
        _record("branin", "localtune-bayesian:patience=3", 8, [5.0]),  # seed 8 lacks the default
    ]
    sc = scoring.score(tested, "harness-random", references)
    assert (sc.opt["branin"], sc.clip["branin"]) == (2.0, 6.0)
    assert sc.references == ["optuna-tpe", "harness-random"]
    assert sc.seeds["branin"] == [7]
    assert sc.task_score(("branin", "localtune-bayesian", "sequential")) == pytest.approx(75.0)
    assert sc.task_score(
        ("branin", "localtune-bayesian:patience=3", "sequential")
    ) == pytest.approx(50.0)
    # Without the references the same runs have no baseline to be scored against.
    assert scoring.score(tested, "harness-random").opt == {}
    for name, recs in (("refs", references), ("tested", tested)):
        (tmp_path / f"{name}.jsonl").write_text("\n".join(json.dumps(r) for r in recs))
    argv = ["--rescore", str(tmp_path / "tested.jsonl"), "--out", str(tmp_path / "out")]
    assert cli.main([*argv, "--references", str(tmp_path / "refs.jsonl")]) == 0
    out = capsys.readouterr().out
    assert "| localtune-bayesian | 75.00 |" in out
    assert "the reference methods (optuna-tpe, harness-random;" in out
    with pytest.raises(SystemExit, match="no random method in the results"):
        cli.main(argv)
    with pytest.raises(SystemExit):
        cli.main(["--references", str(tmp_path / "refs.jsonl"), "--out", str(tmp_path)])


def test_a_run_far_below_opt_counts_at_most_minus_one_as_in_bayesmark() -> None:
    records = [
        _record("t", "harness-random", 0, [4.0, 6.0]),  # clip = 6 (padded with its last value)
        _record("t", "optuna-tpe", 0, [2.0]),  # opt = 2: span 4
        _record("t", "localtune-bayesian", 0, [-20.0]),  # (−20 − 2) / 4 = −5.5, floored at −1
    ]
    sc = scoring.score(records, "harness-random")
    assert (sc.opt["t"], sc.clip["t"]) == (2.0, 6.0)
    assert sc.task_score(("t", "localtune-bayesian", "sequential")) == pytest.approx(200.0)


def test_bayesian_variants_are_method_specs_with_typed_options() -> None:
    method = get_method("localtune-bayesian:patience=none:n_initial=10:output_transform=none")
    assert method.name == "localtune-bayesian:patience=none:n_initial=10:output_transform=none"
    assert get_method("optuna-tpe") is METHODS["optuna-tpe"]
    with pytest.raises(KeyError, match="'n_initial' is not NAME=VALUE"):
        get_method("localtune-bayesian:n_initial")
    with pytest.raises(KeyError, match="unknown method 'optuna-tpe:x=1'"):
        get_method("optuna-tpe:x=1")
    with pytest.raises(SystemExit, match="unknown method 'nope'"):
        cli.resolve_methods("nope")
    if HAS_STRATEGIES:
        default = get_method("localtune-bayesian").make(get_task("branin").ranges, 0)
        variant = get_method("localtune-bayesian:n_initial=2").make(get_task("branin").ranges, 0)
        for searcher in (default, variant):
            for _ in range(3):
                ((handle, params),) = searcher.ask(1)
                searcher.tell([(handle, get_task("branin").evaluate(params))])
        # with two initial points the third ask is a model-based one, so the runs differ
        assert default.ask(1)[0][1] != variant.ask(1)[0][1]


def test_preset_expands_to_a_representative_sklearn_subset() -> None:
    names = cli.resolve_tasks("bayesmark-lite,branin")
    assert names[-1] == "branin" and len(names) == 9
    lite = names[:-1]
    assert {n.split("-")[-1] for n in lite} == {"nll", "acc", "mae", "mse"}
    models = {n.rsplit("-", 2)[0] for n in lite}
    assert len(models) == 7 and "ada" not in models  # AdaBoost and MLP-adam cost too much
    broad = cli.resolve_tasks("bayesmark-broad")
    assert len(broad) == len(set(broad)) == 59 and set(lite) <= set(broad)
    assert {n.split("-")[-2] for n in broad} == {"breast", "diabetes", "digits", "iris", "wine"}
    hard = cli.resolve_tasks("bayesmark-hard")
    assert len(hard) == len(set(hard)) == 20 and set(hard) <= set(broad)
    easy = cli.resolve_tasks("bayesmark-easy")
    assert len(easy) == 39 and sorted(easy + hard) == sorted(broad)


def test_common_seeds_drop_unmatched_runs() -> None:
    records = [
        _record("t", "harness-random", 0, [2.0]),
        _record("t", "harness-random", 1, [3.0]),
        _record("t", "good", 0, [1.0]),
    ]
    sc = scoring.score(records, "harness-random")
    assert sc.seeds["t"] == [0]
    assert sc.curves[("t", "harness-random", "sequential")].shape == (1, 50)


def test_unknown_task_is_a_clear_usage_error() -> None:
    with pytest.raises(SystemExit, match="unknown task 'brannin'"):
        cli.resolve_tasks("synthetic,brannin")
    assert len(task_names("sklearn")) == 90  # 9 models × (4 clf × 2 + 1 reg × 2) metrics


def test_process_parallel_run_writes_each_record(tmp_path: Path) -> None:
    units = [Unit("branin", "harness-random", "sequential", s) for s in range(2)]
    sink = tmp_path / "raw.jsonl"
    records = run_units(units, jobs=2, sink=sink)
    assert sorted(r["seed"] for r in records) == [0, 1]
    assert sorted(r["seed"] for r in load_records(sink)) == [0, 1]


@pytest.mark.skipif(importlib.util.find_spec("optuna") is None, reason="bench extra")
def test_optuna_sees_reverse_log_as_log_of_one_minus_x() -> None:
    beta_2 = {"Name": "beta_2", "MinValue": "0.9", "MaxValue": "0.999999"}
    ranges = {"ContinuousParameterRanges": [{**beta_2, "ScalingType": "ReverseLogarithmic"}]}
    searcher = METHODS["optuna-tpe"].make(ranges, 0)
    proposals = searcher.ask(4)
    for _, params in proposals:
        assert 0.9 <= params["beta_2"] <= 1 - 1e-6
    searcher.tell([(h, 0.5) for h, _ in proposals])


def test_cli_end_to_end_two_tasks_one_seed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Without the strategies package the harness still runs on its own random baseline.
    methods = "harness-random,localtune-bayesian" if HAS_STRATEGIES else "harness-random"
    argv = ["--seeds", "1", "--tasks", "branin,knn-iris-acc", "--methods", methods]
    assert cli.main([*argv, "--budget", "sequential", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "estimated CPU time" in out and "### Targets" in out
    assert "score ≥ 98 on sklearn tasks (sequential)" in out
    payload = json.loads((tmp_path / "results.json").read_text())
    assert {r["task"] for r in payload["records"]} == {"branin", "knn-iris-acc"}
    assert (tmp_path / "score_sequential.png").stat().st_size > 1000
    # Rescoring the raw file reproduces the same report.
    assert cli.main(["--rescore", str(tmp_path / "raw.jsonl"), "--out", str(tmp_path / "r")]) == 0
    assert (tmp_path / "r" / "report.md").read_text() == (tmp_path / "report.md").read_text()
    assert dims_of(get_task("branin").ranges)[0].name == "x1"


def test_sequential320_budget_runs_past_200_results(tmp_path: Path) -> None:
    argv = ["--seeds", "1", "--tasks", "branin", "--methods", "harness-random"]
    assert cli.main([*argv, "--budget", "sequential320", "--out", str(tmp_path)]) == 0
    records = [json.loads(line) for line in (tmp_path / "raw.jsonl").read_text().splitlines()]
    assert {len(r["values"]) for r in records} == {320}
    assert "(320×1)" in (tmp_path / "report.md").read_text()


def test_exclude_takes_method_budget_pairs() -> None:
    assert cli.parse_exclude("skopt-gp:batch, optuna-gp:sequential128") == {
        ("skopt-gp", "batch"),
        ("optuna-gp", "sequential128"),
    }
    with pytest.raises(SystemExit, match="'skopt-gp:huge' must be METHOD:BUDGET"):
        cli.parse_exclude("skopt-gp:huge")


@pytest.mark.skipif(not HAS_STRATEGIES, reason="needs the strategies package")
def test_latency_smoke_reports_percentiles_and_verdicts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from benchmarks import latency

    argv = ["--ns", "12", "--dims", "6", "--repeats", "2", "--methods", "localtune-bayesian"]
    assert latency.main([*argv, "--out", str(tmp_path)]) == 0
    results = json.loads((tmp_path / "latency.json").read_text())
    wall = results["dims"]["6"]["localtune-bayesian"]["12"]
    cpu = results["dims"]["6"]["localtune-bayesian:cpu"]["12"]
    assert len(wall) == len(cpu) == 2 and all(w > 0 for w in wall)
    out = capsys.readouterr().out
    assert "SKIP: ask() p50 ≤ 50 ms at n = 100, d = 6" in out  # n = 100 was not measured
    batch = results["dims"]["6"]["localtune-batch"]["12"]
    assert len(batch) == 1 and batch[0] > 0  # one batch of 8 pending asks (repeats // 3 ≥ 1)
    assert "batch of 8 ≤ 2× one ask at n = 12, d = 6 (reference)" in out
    with pytest.raises(SystemExit):
        latency.main(["--dims", "5"])  # the objective needs multiples of 6


def test_first_seed_extends_an_earlier_run(tmp_path: Path) -> None:
    argv = ["--tasks", "branin", "--methods", "harness-random", "--budget", "sequential"]
    assert cli.main([*argv, "--seeds", "2", "--first-seed", "3", "--out", str(tmp_path)]) == 0
    assert sorted(r["seed"] for r in load_records(tmp_path / "raw.jsonl")) == [3, 4]
    with pytest.raises(SystemExit):
        cli.main([*argv, "--first-seed", "-1"])

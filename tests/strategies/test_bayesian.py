"""Bayesian strategy: quality against Random, parallel asks, robustness to awkward data."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import strategies
from strategies import StrategyError

Objective = Callable[[dict[str, Any]], float]


def branin(p: dict[str, Any]) -> float:
    a, b = p["x0"], p["x1"]
    return (
        (b - 5.1 / (4 * math.pi**2) * a**2 + 5 / math.pi * a - 6) ** 2
        + 10 * (1 - 1 / (8 * math.pi)) * math.cos(a)
        + 10
    )


_A3 = np.array([[3, 10, 30], [0.1, 10, 35], [3, 10, 30], [0.1, 10, 35]])
_P3 = 1e-4 * np.array(
    [[3689, 1170, 2673], [4699, 4387, 7470], [1091, 8732, 5547], [381, 5743, 8828]]
)
_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])


def hartmann3(p: dict[str, Any]) -> float:
    x = np.array([p["x0"], p["x1"], p["x2"]])
    return float(-_ALPHA @ np.exp(-(_A3 * (x - _P3) ** 2).sum(1)))


def box(lo: list[float], hi: list[float]) -> dict[str, Any]:
    return {
        "ContinuousParameterRanges": [
            {"Name": f"x{i}", "MinValue": str(a), "MaxValue": str(b)}
            for i, (a, b) in enumerate(zip(lo, hi, strict=True))
        ]
    }


def best_found(
    name: str, ranges: dict[str, Any], f: Objective, budget: int, seed: int, **options: Any
) -> float:
    s = strategies.create(name, ranges, seed=seed, **options)
    best = math.inf
    for _ in range(budget):
        t = s.ask()
        assert t is not None
        value = f(t.params)
        best = min(best, value)
        s.tell(t.id, value)
    return best


@pytest.mark.parametrize(
    ("f", "ranges", "optimum", "budget"),
    [
        (branin, box([-5, 0], [10, 15]), 0.397887, 25),
        (hartmann3, box([0, 0, 0], [1, 1, 1]), -3.86278, 25),
    ],
    ids=["branin", "hartmann3"],
)
@pytest.mark.parametrize("acquisition", ["ei", "mace"])
def test_bayesian_beats_random(
    f: Objective, ranges: dict[str, Any], optimum: float, budget: int, acquisition: str
) -> None:
    seeds = range(4)
    bo = [
        best_found("Bayesian", ranges, f, budget, s, acquisition=acquisition) - optimum
        for s in seeds
    ]
    rs = [best_found("Random", ranges, f, budget, s) - optimum for s in seeds]
    assert np.median(bo) < 0.1 * np.median(rs)
    assert sum(b < r for b, r in zip(bo, rs, strict=True)) >= 3


def test_parallel_asks_spread_out() -> None:
    """With pending trials, fantasies push the next asks away from each other."""
    ranges = box([-5, 0], [10, 15])
    s = strategies.create("Bayesian", ranges, seed=0)
    for _ in range(12):
        t = s.ask()
        assert t is not None
        s.tell(t.id, branin(t.params))
    batch = [s.ask() for _ in range(4)]
    points = np.array(
        [[float(t.params["x0"]) / 15, float(t.params["x1"]) / 15] for t in batch if t]
    )
    gaps = [np.linalg.norm(points[i] - points[j]) for i in range(4) for j in range(i)]
    assert min(gaps) > 1e-3


def test_failures_steer_away_and_all_failures_keep_exploring() -> None:
    ranges = box([0], [1])
    s = strategies.create("Bayesian", ranges, seed=1)
    for _ in range(10):
        t = s.ask()
        assert t is not None
        s.tell(t.id, None)
    asked = [s.ask() for _ in range(3)]
    assert all(t is not None for t in asked)  # still exploring, no crash, no repeats
    xs = {t.params["x0"] for t in asked if t}
    assert len(xs) == 3


def test_failed_region_is_avoided() -> None:
    """Trials with x > 0.5 fail; after a while the strategy proposes mostly x <= 0.5."""
    s = strategies.create("Bayesian", box([0], [1]), seed=2)
    late = []
    for i in range(30):
        t = s.ask()
        assert t is not None
        x = float(t.params["x0"])
        s.tell(t.id, None if x > 0.5 else (x - 0.3) ** 2)
        if i >= 15:
            late.append(x)
    assert np.mean(np.array(late) <= 0.5) >= 0.8


@pytest.mark.parametrize(
    "values",
    [
        [1.0] * 8,  # constant
        [float("nan"), 1.0, float("inf"), 2.0, -float("inf"), 3.0, 0.5, 4.0],  # non-finite
        [1e12, 1.0, 1.1, 0.9, 1.0, 1.05, 1e-12, 0.95],  # wild scale
    ],
    ids=["constant", "non-finite", "wild-scale"],
)
def test_awkward_values_do_not_break_asks(values: list[float]) -> None:
    ranges = box([0, 0], [1, 1])
    s = strategies.create("Bayesian", ranges, seed=0, n_initial=3)
    for v in values:
        t = s.ask()
        assert t is not None
        s.tell(t.id, v)
    for _ in range(3):
        t = s.ask()
        assert t is not None and 0 <= float(t.params["x0"]) <= 1
        s.tell(t.id, 1.0)
    told = [v for _, v in s.observations()[: len(values)]]
    np.testing.assert_array_equal(np.array(told, dtype=float), np.array(values))  # kept as told


def test_duplicates_and_single_observation() -> None:
    ranges = box([0, 0], [1, 1])
    s = strategies.create("Bayesian", ranges, seed=0, n_initial=1)
    s.add_observation({"x0": 0.5, "x1": 0.5}, 1.0)
    t = s.ask()  # a single observation: the GP is used (n_initial=1)
    assert t is not None
    s.tell(t.id, 2.0)
    for _ in range(5):
        s.add_observation({"x0": 0.2, "x1": 0.2}, 0.5)  # exact duplicates
    t = s.ask()
    assert t is not None and (t.params["x0"], t.params["x1"]) != (0.2, 0.2)


def test_warm_start_observations_are_used_and_clipped() -> None:
    ranges = box([0], [1])
    s = strategies.create("Bayesian", ranges, seed=0, n_initial=5)
    for x in np.linspace(0, 1, 8):
        s.add_observation({"x0": float(x)}, float((x - 0.7) ** 2))
    s.add_observation({"x0": "7.5"}, 0.09)  # outside the new range (string as stored): clipped
    t = s.ask()  # 9 known ≥ n_initial: the model is used at once
    assert t is not None and abs(float(t.params["x0"]) - 0.7) < 0.15


def test_integer_and_categorical_spaces_respect_types() -> None:
    ranges = {
        "IntegerParameterRanges": [{"Name": "k", "MinValue": "1", "MaxValue": "100"}],
        "CategoricalParameterRanges": [{"Name": "c", "Values": ["a", "b", "c"]}],
    }
    s = strategies.create("Bayesian", ranges, seed=0)
    seen = set()
    for _ in range(25):
        t = s.ask()
        assert t is not None
        k, c = t.params["k"], t.params["c"]
        assert type(k) is int and 1 <= k <= 100 and c in ("a", "b", "c")
        assert (k, c) not in seen
        seen.add((k, c))
        s.tell(t.id, abs(k - 37) + (0 if c == "b" else 10))
    best = min(s.observations(), key=lambda o: o[1] if o[1] is not None else math.inf)
    assert best[0]["c"] == "b" and abs(int(best[0]["k"]) - 37) <= 5


def test_options_are_checked() -> None:
    with pytest.raises(StrategyError, match="n_initial"):
        strategies.create("Bayesian", box([0], [1]), n_initial=-1)
    s = strategies.create("Bayesian", box([0], [1]), output_transform="yeo-johnson", seed=0)
    for _ in range(8):
        t = s.ask()
        assert t is not None
        s.tell(t.id, float(np.exp(10 * t.params["x0"])))


def test_a_diverged_run_does_not_blind_the_model() -> None:
    """One loss of 1e12 among ordinary ones: the search still homes in on the minimum."""
    s = strategies.create("Bayesian", box([0, 0], [1, 1]), seed=3)
    s.add_observation({"x0": 0.95, "x1": 0.95}, 1e12)
    for _ in range(20):
        t = s.ask()
        assert t is not None
        x0, x1 = float(t.params["x0"]), float(t.params["x1"])
        s.tell(t.id, (x0 - 0.3) ** 2 + (x1 - 0.6) ** 2)
    best = min(v for _, v in s.observations() if v is not None)
    assert best < 1e-3
    with pytest.raises(StrategyError, match="clip_outliers"):
        strategies.create("Bayesian", box([0], [1]), clip_outliers="yes")
    with pytest.raises(StrategyError, match="random_fraction"):
        strategies.create("Bayesian", box([0], [1]), random_fraction=1.0)
    with pytest.raises(StrategyError, match="patience"):
        strategies.create("Bayesian", box([0], [1]), patience=0)


def test_lengthscale_prior_option_is_checked_and_changes_the_search() -> None:
    with pytest.raises(StrategyError, match="lengthscale_prior must be one of median, midpoint"):
        strategies.create("Bayesian", box([0], [1]), lengthscale_prior="botorch")
    with pytest.raises(StrategyError, match="lengthscale_prior must be one of"):
        strategies.create("Bayesian", box([0], [1]), lengthscale_prior=["mode"])
    asked: dict[str, list[float]] = {}
    for kind in ("median", "midpoint", "mode"):
        s = strategies.create(
            "Bayesian", box([0, 0], [1, 1]), seed=3, n_initial=4, lengthscale_prior=kind
        )
        for _ in range(8):
            t = s.ask()
            assert t is not None
            x0, x1 = float(t.params["x0"]), float(t.params["x1"])
            s.tell(t.id, math.sin(9 * x0) + (x1 - 0.4) ** 2)
            asked.setdefault(kind, []).append(x0)
    assert asked["midpoint"][:4] == asked["median"][:4] == asked["mode"][:4]  # initial design
    assert len({tuple(v[4:]) for v in asked.values()}) == 3  # the model differs


def _async_asks(sign: float, n_asks: int, in_flight: int = 3) -> list[dict[str, object]]:
    """Asks of a Bayesian search with ``in_flight`` trials running, as the engine runs it: ask
    ``in_flight``, then tell the oldest and ask the next; values ``sign · f``."""
    s = strategies.create("Bayesian", box([0, 0, 0, 0], [1, 1, 1, 1]), seed=7, n_initial=5)
    asked = [s.ask() for _ in range(in_flight)]
    running = list(asked)
    while len(asked) < n_asks:
        t = running.pop(0)
        assert t is not None
        s.tell(t.id, sign * sum((float(v) - 0.3) ** 2 for v in t.params.values()))
        nxt = s.ask()
        asked.append(nxt)
        running.append(nxt)
    return [t.params for t in asked if t is not None]


def test_initial_design_counts_results_not_pending_trials() -> None:
    # With 3 in flight and n_initial 5, asks 1-7 are made with fewer than 5 results told: all
    # design points, whatever the values. The 8th ask, after 5 results, comes from the GP.
    up, down = _async_asks(1.0, 8), _async_asks(-1.0, 8)
    assert up[:7] == down[:7]
    assert up[7] != down[7]


def test_bayesian_keeps_off_the_ends_of_continuous_ranges() -> None:
    # The loss falls towards x = 0, but x = 0 itself is degenerate (a learning rate of 0): the
    # search closes in on the end of the range without ever suggesting the end itself.
    ranges = {
        "ContinuousParameterRanges": [
            {"Name": "x", "MinValue": "0", "MaxValue": "1", "ScalingType": "Linear"},
            {"Name": "y", "MinValue": "0.001", "MaxValue": "10", "ScalingType": "Logarithmic"},
        ]
    }
    s = strategies.create("Bayesian", ranges, seed=3)
    xs = []
    for _ in range(25):
        t = s.ask()
        assert t is not None
        x, y = float(t.params["x"]), float(t.params["y"])
        xs.append(x)
        assert 0.0 < x < 1.0 and 0.001 < y < 10.0
        s.tell(t.id, 10.0 if x == 0.0 else x + (math.log10(y) - 1.0) ** 2)
    assert min(xs) < 0.01


def test_model_between_refits_equals_a_fresh_factorisation() -> None:
    """Past REFIT_EVERY_ASK_UP_TO observations θ is kept between refits and the posterior's
    factor is grown by the new results; its predictions equal a posterior built from scratch on
    the same rows and targets."""
    from strategies.bayesian import gp
    from strategies.bayesian.strategy import REFIT_EVERY_ASK_UP_TO, BayesianStrategy

    rng = np.random.default_rng(0)
    s = strategies.create("Bayesian", box([0.0] * 3, [1.0] * 3), seed=0)
    assert isinstance(s, BayesianStrategy)
    for _ in range(REFIT_EVERY_ASK_UP_TO + 5):
        p = {k: float(v) for k, v in zip(("x0", "x1", "x2"), rng.random(3), strict=True)}
        s.add_observation(p, p["x0"] ** 2 + math.sin(5 * p["x1"]))
    first = s._model()[2]
    theta = s._theta
    t = s.ask()
    assert t is not None
    s.tell(t.id, 0.5)
    units, y, post = s._model()
    assert s._theta is theta and len(post.y) == len(first.y) + 1  # no refit: grown
    fresh = gp.Posterior(theta, s.space.encode(np.asarray(units)), y, s.layout)
    xq = s.space.encode(rng.random((40, 3)))
    for got, want in zip(post.predict(xq), fresh.predict(xq), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)  # targets have std 1


def test_asks_between_refits_share_a_candidate_pool() -> None:
    """Between refits (past REFIT_EVERY_ASK_UP_TO results) the candidates are drawn once and
    kept, with their predictions grown by each result (perturbations are added around each new
    incumbent); a refit starts afresh. Asks stay reproducible per seed."""
    from strategies.bayesian.strategy import REFIT_EVERY_ASK_UP_TO, BayesianStrategy

    def run() -> tuple[list[dict[str, Any]], list[Any]]:
        rng = np.random.default_rng(1)
        s = strategies.create("Bayesian", box([0.0] * 3, [1.0] * 3), seed=3)
        assert isinstance(s, BayesianStrategy)
        for _ in range(REFIT_EVERY_ASK_UP_TO + 5):
            p = dict(zip(("x0", "x1", "x2"), map(float, rng.random(3)), strict=True))
            s.add_observation(p, hartmann3(p))
        asks, pools = [], []
        for _ in range(14):  # 205 → 219 results: one refit at 216 (≥ 1.05 × 205)
            t = s.ask()
            assert t is not None
            asks.append(t.params)
            pools.append(s._pool)
            s.tell(t.id, hartmann3(t.params))
        return asks, pools

    asks, pools = run()
    assert asks == run()[0]
    assert pools[0] is None  # the first ask fitted θ: no pool on a fresh posterior
    first = pools[1]
    assert first is not None and all(p is first for p in pools[1:11])
    # 1024 Sobol points and 102 perturbations of each configuration that was an incumbent
    assert len(first.units) >= 1024 + 5 * 102 and (len(first.units) - 1024) % 102 == 0
    assert pools[11] is None and pools[12] is not None and pools[12] is not first  # refit at 216
    assert all(0.0 < v < 1.0 for a in asks for v in a.values())


def test_probability_of_improvement_reflects_the_model_and_changes_nothing() -> None:
    ranges = box([-5, 0], [10, 15])
    plain = strategies.create("Bayesian", ranges, seed=3)
    probed = strategies.create("Bayesian", ranges, seed=3)
    assert isinstance(probed, strategies.BayesianStrategy)
    with pytest.raises(StrategyError, match="at least one successful result"):
        probed.probability_of_improvement([{"x0": 0.0, "x1": 0.0}])
    for _ in range(6):  # rounds of 4: ask, probe (as benchmarks.calibration does), tell
        batches = [[s.ask() for _ in range(4)] for s in (plain, probed)]
        assert [t.params for t in batches[0] if t] == [t.params for t in batches[1] if t]
        if probed.observations():
            pi = probed.probability_of_improvement([t.params for t in batches[1] if t])
            assert pi.shape == (4,) and np.all((pi >= 0) & (pi <= 1))
        for s, batch in zip((plain, probed), batches, strict=True):
            for t in batch:
                assert t is not None
                s.tell(t.id, branin(t.params))
    # Far from the three minima of Branin, where values of ~100-300 were seen, the model
    # expects no improvement; at the best configuration found, a fair chance of a small one.
    best = min(probed.observations(), key=lambda o: o[1] if o[1] is not None else math.inf)[0]
    far, near = probed.probability_of_improvement([{"x0": -5.0, "x1": 0.0}, best])
    assert far < 0.01 < near
    assert probed.probability_of_improvement([]).shape == (0,)


def test_mace_option_is_checked_and_reproducible() -> None:
    with pytest.raises(StrategyError, match="acquisition must be one of ei, mace; got 'ucb'"):
        strategies.create("Bayesian", box([0], [1]), acquisition="ucb")
    for bad in (-0.1, True, "0.05", math.inf):
        with pytest.raises(
            StrategyError, match=r"lcb_resolution must be a finite number >= 0; got"
        ):
            strategies.create("Bayesian", box([0], [1]), lcb_resolution=bad)

    def batches(seed: int) -> list[list[float]]:
        s = strategies.create("Bayesian", box([-5, 0], [10, 15]), seed=seed, acquisition="mace")
        out = []
        for _ in range(5):
            trials = [s.ask() for _ in range(4)]
            out.append([float(t.params["x0"]) for t in trials if t])
            for t in trials:
                assert t is not None
                s.tell(t.id, branin(t.params))
        return out

    assert batches(3) == batches(3)
    assert batches(3) != batches(4)


def test_mace_batches_spread_wider_than_ei_on_a_staircase() -> None:
    """On a piecewise-constant objective (levels of a distance, a step of 0.25) EI's batches
    bunch on the best level seen; MACE's Pareto picks (LCB among them) spread the batch."""

    def stairs(p: dict[str, Any]) -> float:
        x = np.array([float(p[f"x{i}"]) for i in range(4)])
        return float(np.floor(4 * np.abs(x - 0.7).sum()) / 4)

    def spread(acquisition: str, seed: int) -> float:
        s = strategies.create("Bayesian", box([0] * 4, [1] * 4), seed=seed, acquisition=acquisition)
        medians = []
        for r in range(12):
            trials = [s.ask() for _ in range(8)]
            x = np.array([[float(t.params[f"x{i}"]) for i in range(4)] for t in trials if t])
            if r >= 4:
                d = np.linalg.norm(x[:, None] - x[None], axis=2)
                medians.append(np.median(d[np.triu_indices(len(x), 1)]))
            for t in trials:
                assert t is not None
                s.tell(t.id, stairs(t.params))
        return float(np.mean(medians))

    seeds = range(8)
    assert np.mean([spread("mace", k) for k in seeds]) > np.mean([spread("ei", k) for k in seeds])

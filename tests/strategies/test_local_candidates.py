"""Candidates around the incumbents (``AcquisitionOptimizer._local``)."""

from __future__ import annotations

import numpy as np
import pytest

import strategies
from strategies import StrategyError
from strategies.bayesian import gp
from strategies.bayesian.optimize import LOCAL_SCALES, AcquisitionOptimizer
from strategies.space import SearchSpace

RANGES = {
    "ContinuousParameterRanges": [
        {"Name": f"x{i}", "MinValue": "0", "MaxValue": "1"} for i in range(6)
    ]
}


def optimizer(**options: object) -> AcquisitionOptimizer:
    space = SearchSpace.from_parameter_ranges(RANGES)
    rng = np.random.default_rng(0)
    x = space.encode(rng.random((12, 6)))
    y = x.sum(axis=1)
    y = (y - y.mean()) / y.std()
    layout = gp.Layout(space.n_encoded)
    post = gp.Posterior(layout.initial(), x, y, layout)
    return AcquisitionOptimizer(
        space,
        post,
        np.array([y.min()]),
        rng,
        n_candidates=600,
        **options,  # type: ignore[arg-type]
    )


def test_multiscale_moves_a_subset_of_coordinates_at_three_step_sizes() -> None:
    incumbents = np.full((2, 6), 0.5)
    local = optimizer()._local(incumbents)
    assert len(local) == 300  # local_share 0.5 of 600 candidates, split over 2 incumbents
    moved = local != 0.5
    assert moved.any(axis=1).all()  # every row moves at least one coordinate
    assert (~moved).any(axis=1).mean() > 0.8  # most rows leave some coordinates alone
    rows = local - 0.5
    for k, scale in enumerate(LOCAL_SCALES):
        steps = np.abs(rows[k :: len(LOCAL_SCALES)][moved[k :: len(LOCAL_SCALES)]])
        assert 0.5 * scale < np.median(steps) / 0.6745 < 2.0 * scale  # |N(0, s)| median 0.67 s


def test_single_scale_rule_moves_every_coordinate() -> None:
    local = optimizer(local_share=0.25, multiscale=False)._local(np.full((2, 6), 0.5))
    assert len(local) == 150
    flipped_or_moved = local != 0.5
    assert flipped_or_moved.all()


def test_local_candidate_options_are_checked() -> None:
    with pytest.raises(StrategyError, match="local_share must be in"):
        strategies.create("Bayesian", RANGES, local_share=0.0)
    with pytest.raises(StrategyError, match="multiscale must be true or false"):
        strategies.create("Bayesian", RANGES, multiscale="yes")

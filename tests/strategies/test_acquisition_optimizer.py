"""The acquisition optimiser: chunked candidate scoring and the local search."""

from __future__ import annotations

import numpy as np

from strategies.bayesian import gp
from strategies.bayesian.acquisition import log_ei
from strategies.bayesian.optimize import AcquisitionOptimizer
from strategies.space import SearchSpace

RANGES = {
    "ContinuousParameterRanges": [
        {"Name": f"x{i}", "MinValue": "0", "MaxValue": "1"} for i in range(3)
    ],
    "IntegerParameterRanges": [{"Name": "k", "MinValue": "1", "MaxValue": "5"}],
    "CategoricalParameterRanges": [{"Name": "c", "Values": ["a", "b"]}],
}


def optimizer(n: int = 60, seed: int = 0) -> AcquisitionOptimizer:
    space = SearchSpace.from_parameter_ranges(RANGES)
    rng = np.random.default_rng(seed)
    units = space.snap(rng.random((n, space.n_params)))
    x = space.encode(units)
    y = np.sin(7 * x[:, 0]) + (x[:, 1] - 0.3) ** 2 + 0.2 * x[:, 3]
    y = (y - y.mean()) / y.std()
    layout = gp.Layout(space.n_encoded)
    theta, _ = gp.fit(x, y, layout, [layout.initial()], maxiter=100)
    post = gp.Posterior(theta, x, y, layout)
    return AcquisitionOptimizer(space, post, np.array([y.min()]), rng, n_candidates=256)


def test_chunked_scores_equal_one_prediction_per_row() -> None:
    opt = optimizer()
    units = opt.space.snap(np.random.default_rng(1).random((5000, opt.space.n_params)))
    scores = opt.score(units)  # several chunks of CHUNK_ELEMENTS // n rows
    pick = [0, 1, 2183, 2184, 4999]
    mean, var = opt.post.predict(opt.space.encode(units[pick]))
    np.testing.assert_allclose(scores[pick], log_ei(mean[:, None], var, opt.best), rtol=1e-7)

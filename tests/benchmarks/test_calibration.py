"""benchmarks.calibration: the model's predicted probability of improvement against outcomes."""

from __future__ import annotations

import pytest

from benchmarks import calibration


def test_calibration_scores_every_suggestion_of_the_scored_rounds(
    capsys: pytest.CaptureFixture[str],
) -> None:
    c = calibration.calibrate("branin", [0, 1], rounds=5, batch=3, from_round=2)
    assert c.suggestions == 2 * 3 * 3  # two seeds × rounds 2, 3, 4 × three asks
    assert 0.0 <= c.observed <= 1.0 and 0.0 < c.predicted < 1.0
    calibration.main(["--tasks", "branin", "--seeds", "1", "--rounds", "3", "--batch", "2"])
    out = capsys.readouterr().out
    assert "| task | suggestions | mean predicted PI | improved |" in out
    assert "| branin | 0 | nan | nan |" in out  # --from-round 4 is past the 3 rounds run

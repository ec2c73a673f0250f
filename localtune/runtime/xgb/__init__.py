"""SageMaker's built-in XGBoost algorithm, run as a local container program.

``python -m localtune.runtime.xgb train`` behaves like the image's algorithm mode; ``main`` is the
same program callable in-process (it returns the exit code). ``spec`` holds the algorithm's
hyperparameters and metrics as data and imports nothing heavy, so importing this package stays
cheap: xgboost is imported only when a job actually trains.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the container program (``["train"]``) and return its exit code."""
    from localtune.runtime.xgb.program import main as _main

    return _main(argv)

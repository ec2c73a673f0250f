"""The one exception type of the strategies package."""

from __future__ import annotations


class StrategyError(ValueError):
    """Wrong use of a strategy (bad ranges, unknown trial, telling twice, unknown option …)."""

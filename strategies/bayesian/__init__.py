"""Bayesian optimisation (GP + log-EI); see :mod:`strategies.bayesian.strategy`."""

from strategies.bayesian.strategy import BayesianStrategy

__all__ = ["BayesianStrategy"]

"""localtune: run Amazon SageMaker hyperparameter tuning jobs on your own machine."""

from localtune.interfaces.client import client

__version__ = "0.1.0"
__all__ = ["__version__", "client"]

"""localtune: run Amazon SageMaker hyperparameter tuning jobs on your own machine."""

from localtune.interfaces.client import client
from localtune.interfaces.mock import mock_sagemaker, patch_client
from localtune.results.analytics import analytics

__version__ = "0.1.0"
__all__ = ["__version__", "analytics", "client", "mock_sagemaker", "patch_client"]

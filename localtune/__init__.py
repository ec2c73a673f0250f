"""localtune: run Amazon SageMaker hyperparameter tuning jobs on your own machine.

``client``, ``mock_sagemaker``, ``patch_client`` and ``analytics`` are the public API. Importing
the package is cheap (training-job processes import ``localtune.runtime`` and should not pay for
the service); the SageMaker request hook that ``mock_sagemaker`` serves through is installed at
import, as moto does, so it reaches every botocore client created afterwards.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from localtune.interfaces.mock import mock_sagemaker, patch_client

if TYPE_CHECKING:
    from localtune.interfaces.client import client
    from localtune.results.analytics import analytics

__version__ = "0.1.0"
__all__ = ["__version__", "analytics", "client", "mock_sagemaker", "patch_client"]


def __getattr__(name: str) -> Any:
    if name == "client":
        from localtune.interfaces.client import client

        return client
    if name == "analytics":
        from localtune.results.analytics import analytics

        return analytics
    raise AttributeError(f"module 'localtune' has no attribute {name!r}")

"""Dask fixtures: real multi-process clusters on this machine (``distributed.LocalCluster``)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest


def local_cluster(threads_per_worker: int) -> Any:
    distributed = pytest.importorskip("distributed")
    # A killed worker, a closed cluster: expected here, not worth a page of warnings.
    for name in ("distributed", "distributed.nanny", "distributed.scheduler", "distributed.core"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    return distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=threads_per_worker,
        processes=True,
        dashboard_address=":0",  # any free port: None still tries 8787 and warns
    )


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    """Two single-threaded worker processes (a worker runs one training job at a time)."""
    made = local_cluster(threads_per_worker=1)
    yield made
    made.close()

"""Shared test set-up: every test runs with single-threaded BLAS and its own localtune home."""

from __future__ import annotations

import os

pytest_plugins = ["tests.sdk"]  # the sdk_session fixture

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

"""Benchmarks for localtune: run each one as ``python -m benchmarks.<name>``.

This package must not import numpy (or anything numeric) at import time: the benchmark entry
points pin BLAS to one thread through environment variables before numpy is first imported.
"""

"""Persistence. :class:`Store` is the SQLite store every localtune home uses."""

from localtune.store.sqlite import SCHEMA_VERSION, Store

__all__ = ["SCHEMA_VERSION", "Store"]

"""The engine: runs tuning jobs (tuning loop, training-job lifecycle, recovery).

Import :class:`localtune.engine.engine.Engine` from its module; this package stays light because
``localtune.engine.definitions`` is imported by the request side too.
"""

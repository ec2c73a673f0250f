"""Fixtures shared by the interface tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from localtune.demo import write_breast_cancer
from localtune.interfaces.server import make_server, serve_in_thread


@pytest.fixture
def endpoint(tmp_path: Path) -> Iterator[str]:
    """The URL of a ``localtune serve`` server on a free loopback port, its home (with the demo
    data in its local S3) under ``tmp_path / "home"``."""
    write_breast_cancer(tmp_path / "home")
    server = make_server(home=tmp_path / "home", port=0)
    serve_in_thread(server)
    yield server.url
    server.shutdown()
    server.server_close()

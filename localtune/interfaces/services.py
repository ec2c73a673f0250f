"""One :class:`~localtune.api.service.Service` per home per process, shared by every client,
mock and server in that process (so a tuning job runs once however many clients look at it)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from localtune.api.service import Service
from localtune.config import resolve_home

_lock = threading.Lock()
_services: dict[Path, Service] = {}


def get_service(home: str | os.PathLike[str] | None = None) -> Service:
    path = resolve_home(home)
    with _lock:
        service = _services.get(path)
        if service is None:
            service = Service(path)
            _services[path] = service
        return service

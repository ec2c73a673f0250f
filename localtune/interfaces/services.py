"""One :class:`~localtune.api.service.Service` per home per process, shared by every client,
mock and server in that process (so a tuning job runs once however many clients look at it).

The service gets an :class:`~localtune.engine.engine.Engine`: tuning jobs created through it run
in the background of this process, and unfinished tuning jobs of the home whose process is gone
are resumed here as soon as the service is made.

A short-lived process (the AWS-CLI-style commands) calls :func:`prefer_background` first: its
jobs then run in a detached daemon (:mod:`localtune.engine.daemon`) instead of dying with it.

``LOCALTUNE_ENGINE=off`` in the environment makes services without an engine: tuning jobs are
validated and recorded (InProgress) but never run — for checking requests only, as when
unit-testing tuning configurations, and for tests of the request side.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from localtune.api.service import Service
from localtune.config import resolve_home
from localtune.engine.daemon import BackgroundEngine
from localtune.engine.engine import Engine
from localtune.executors.choose import make_executor, normalize_target, target_of

ENGINE_ENV = "LOCALTUNE_ENGINE"
_lock = threading.Lock()
_services: dict[Path, Service] = {}
_background: set[Path] = set()


def prefer_background(home: str | os.PathLike[str] | None = None) -> None:
    """Run the tuning jobs of ``home`` in a daemon rather than in this (short-lived) process;
    effective for a service not made yet."""
    with _lock:
        _background.add(resolve_home(home))


def _engine_off() -> bool:
    return os.environ.get(ENGINE_ENV, "").lower() in ("off", "0", "false", "no")


def get_service(
    home: str | os.PathLike[str] | None = None, *, executor: str | None = None
) -> Service:
    """The service of ``home``; its engine runs training jobs where ``executor`` says ("local",
    "dask://HOST:PORT"; None: ``$LOCALTUNE_DASK_SCHEDULER``, else local). ``ValueError`` when the
    home's engine in this process already runs them elsewhere."""
    path = resolve_home(home)
    with _lock:
        service = _services.get(path)
        if service is not None and executor is not None:
            _check_executor(service, path, executor)
        if service is None:
            service = Service(path)
            _services[path] = service
            if _engine_off():
                return service
            if path in _background:
                background = BackgroundEngine(path, service.store)
                service.engine = background
                background.resume()
            else:
                try:  # a Dask executor connects now and may fail: then no service either
                    chosen = make_executor(executor) if executor is not None else None
                    engine = Engine(path, service.store, service.region, executor=chosen)
                except BaseException:
                    del _services[path]
                    service.store.close()
                    raise
                service.engine = engine
                engine.resume()
        return service


def _check_executor(service: Service, path: Path, executor: str) -> None:
    if not isinstance(service.engine, Engine):
        return
    wanted, current = normalize_target(executor), target_of(service.engine.executor)
    if wanted != current:
        raise ValueError(
            f"the localtune home {path} already runs its training jobs on {current} in this "
            f"process; cannot also use executor {executor!r}"
        )


def close_service(home: str | os.PathLike[str] | None = None) -> None:
    """Shut down the engine of ``home`` in this process and forget its service (tests, tools);
    unfinished tuning jobs are left to be resumed by the next service of that home."""
    path = resolve_home(home)
    with _lock:
        service = _services.pop(path, None)
    if service is not None and isinstance(service.engine, Engine):
        service.engine.shutdown()
        service.store.close()

"""``python -m localtune.interfaces.engine_daemon HOME``: the detached engine process that runs
the tuning jobs of short-lived callers (see :mod:`localtune.engine.daemon`). It resumes every
unfinished tuning job of the home and exits when none is left."""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Sequence

from localtune.engine.daemon import IDLE_CHECKS
from localtune.engine.engine import Engine
from localtune.interfaces.services import get_service


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m localtune.interfaces.engine_daemon HOME", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=logging.INFO, format=f"%(asctime)s daemon[{os.getpid()}] %(levelname)s %(message)s"
    )
    service = get_service(args[0])
    logging.info("engine daemon started for %s", service.home)
    engine = service.engine
    if not isinstance(engine, Engine):
        return 0
    idle = 0
    while idle < IDLE_CHECKS:
        time.sleep(1.0)
        engine.resume()
        idle = 0 if engine.running() else idle + 1
    engine.shutdown()
    logging.info("no unfinished tuning job left; engine daemon exits")
    return 0


if __name__ == "__main__":
    sys.exit(main())

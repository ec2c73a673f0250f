"""A container program for fork-server tests: logs a line and exits with ``$EXIT_CODE``."""

from __future__ import annotations

import os
from collections.abc import Sequence


def main(argv: Sequence[str]) -> int:
    print(f"finished {list(argv)}", flush=True)
    return int(os.environ.get("EXIT_CODE", "0"))

"""Exit statuses of programs forked by the fork server reach the engine exactly.

Regression test for a Completed-looking job recorded Failed with "AlgorithmError: Exit Code: 255"
(its log ended normally, ``output/success`` was written): ``multiprocessing``'s fork server
reports 255 when it cannot read a child's status. localtune's own fork server sends every
status over its pipe; many short jobs started and reaped concurrently must each get their own.
"""

from __future__ import annotations

import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from localtune.runtime import processes

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork server: Linux")
MODULE = "tests.runtime._exit_program"


def _run(tmp_path: Path, index: int) -> tuple[int, int | None, str]:
    code = (0, 0, 1, 3)[index % 4]
    env = {**os.environ, **processes.FORK_SERVER_ENV, "EXIT_CODE": str(code)}
    log = tmp_path / f"job-{index}.log"
    handle = processes.start_program(MODULE, env, tmp_path, log)
    status = None
    for _ in range(600):  # 60 s at most
        status = handle.wait(0.1)
        if status is not None:
            break
    return code, status, log.read_text()


def test_concurrent_short_jobs_each_get_their_own_exit_status(tmp_path: Path) -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda i: _run(tmp_path, i), range(40)))
    for code, status, log in results:
        assert status == code, f"exit {code} reported as {status}; log: {log!r}"
        assert log == "finished ['train']\n"

"""The epoch gate between the engine and a built-in program (runtime.epochgate)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from localtune.runtime.epochgate import ENV, EpochGate, allow


def test_a_program_waits_until_its_epoch_is_allowed(tmp_path: Path) -> None:
    gate = EpochGate(tmp_path / "epoch-gate", wait_limit=10.0)
    allow(gate.path, 1)
    assert gate.passed(1)
    opened = threading.Timer(0.2, allow, (gate.path, 2))
    opened.start()
    started = time.monotonic()
    assert gate.passed(2)
    assert time.monotonic() - started >= 0.15
    opened.join()


def test_the_gate_opens_for_good_when_the_engine_does_not_answer(tmp_path: Path) -> None:
    gate = EpochGate(tmp_path / "epoch-gate", wait_limit=0.05)
    assert not gate.passed(1)
    assert gate.open
    assert gate.passed(100)  # no more waiting


def test_the_gate_comes_from_the_environment(tmp_path: Path) -> None:
    assert EpochGate.from_env({}) is None
    gate = EpochGate.from_env({ENV: str(tmp_path / "g")})
    assert gate is not None and gate.path == tmp_path / "g"

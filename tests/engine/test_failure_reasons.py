"""FailureReason prefixes as SageMaker shows them (reference §5.2): the platform puts
``AlgorithmError: `` before the failure file's text unless the text already carries one of the
platform's own prefixes. Observed: "AlgorithmError: ExecuteUserScriptError: …"."""

from __future__ import annotations

import pytest

from localtune.engine import lifecycle
from localtune.runtime.runner import Outcome


def _failed(text: str) -> str | None:
    outcome = Outcome(
        exit_status=1,
        stop_reason=None,
        failure_text=text,
        error=None,
        model_artifacts=None,
        training_start=1.0,
        end_time=2.0,
        log_path="",
    )
    return lifecycle.verdict(outcome).failure_reason


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            'ExecuteUserScriptError:\nExitCode 1\nErrorMessage ""\nCommand "python t.py"',
            'AlgorithmError: ExecuteUserScriptError:\nExitCode 1\nErrorMessage ""\n'
            'Command "python t.py"',
        ),
        ("ValueError: bad input", "AlgorithmError: ValueError: bad input"),
        (
            "ClientError: Missing required channel: train",
            "ClientError: Missing required channel: train",
        ),
        ("AlgorithmError: it broke", "AlgorithmError: it broke"),
        ("InternalServerError: lost", "InternalServerError: lost"),
    ],
)
def test_failure_file_text_gets_the_platform_prefix(text: str, reason: str) -> None:
    assert _failed(text) == reason

"""Fixtures shared by the whole suite."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import conformance

_CONFORMANCE: dict[str, Any] = {}


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Write which messages of protocol/asyncapi.yaml the received frames covered, and which
    operations of protocol/openapi.yaml the REST responses covered (tests/support/conformance.py
    checks each one), to build/conformance.json."""
    if conformance.started():
        _CONFORMANCE.update(conformance.write_report())


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    summary = _CONFORMANCE or (conformance.write_report() if conformance.started() else {})
    if not summary:
        return
    rest = summary["rest"]
    line = (
        f"conformance: {summary['frames_checked']} frames checked, "
        f"{summary['observed_count']}/{summary['described']} messages observed; "
        f"{rest['responses_checked']} REST responses checked, "
        f"{rest['observed_count']}/{rest['described']} operations observed"
    )
    tolerated = sum(summary["tolerated"].values()) + sum(rest["tolerated"].values())
    if tolerated:
        line += f" ({tolerated} known deviations tolerated)"
    terminalreporter.write_line(line)

"""Fixtures shared by the whole suite."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import conformance

_CONFORMANCE: dict[str, Any] = {}


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Write which messages of protocol/asyncapi.yaml the received frames covered
    (tests/support/conformance.py checks each one) to build/conformance.json."""
    if conformance.started():
        _CONFORMANCE.update(conformance.write_report())


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    summary = _CONFORMANCE or (conformance.write_report() if conformance.started() else {})
    if not summary:
        return
    line = (
        f"conformance: {summary['frames_checked']} frames checked, "
        f"{summary['observed_count']} of {summary['described']} described messages observed"
    )
    if summary["tolerated"]:
        line += f" ({sum(summary['tolerated'].values())} known deviations tolerated)"
    terminalreporter.write_line(line)

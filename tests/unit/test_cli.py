"""``signaling --version`` and ``signaling config`` as an operator runs them."""

from __future__ import annotations

import os
import subprocess
import sys

SECRET = "a-secret-that-must-never-be-printed-0123456789"


def _run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SIGNALING_")}
    return subprocess.run(
        [sys.executable, "-m", "signaling", *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_version_names_the_distribution() -> None:
    done = _run("--version")
    assert done.returncode == 0
    assert done.stdout.startswith("signaling ") and done.stdout.split()[1][0].isdigit()


def test_config_prints_effective_settings_with_secrets_masked() -> None:
    done = _run(
        "config",
        SIGNALING_JWT_SECRET=SECRET,
        SIGNALING_REDIS_URL="redis://:hunter2@127.0.0.1:6390/0",
        SIGNALING_PORT="12345",
    )
    assert done.returncode == 0, done.stderr
    lines = dict(line.split("=", 1) for line in done.stdout.splitlines())
    assert lines["SIGNALING_PORT"] == "12345"
    assert lines["SIGNALING_JWT_SECRET"] == "***"
    assert lines["SIGNALING_REDIS_URL"] == "***"
    assert SECRET not in done.stdout and "hunter2" not in done.stdout


def test_config_exits_non_zero_on_an_invalid_setting() -> None:
    done = _run("config", SIGNALING_PORT="0")
    assert done.returncode == 2
    assert "SIGNALING_PORT" in done.stderr and done.stdout == ""

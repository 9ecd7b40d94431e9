"""The start files (Dockerfile, compose.yaml, the systemd unit) agree with the code: they
install from the lock file, run as a non-root user, check /healthz, and give the drain enough
time before a stop turns into a kill. No Docker engine runs here, so these are read, not run."""

from __future__ import annotations

import configparser
from pathlib import Path
from typing import Any

import yaml

from signaling.config import Settings
from signaling.drain import EXIT_MARGIN

ROOT = Path(__file__).parents[2]
DEFAULTS = Settings()
STOP_NEEDS = DEFAULTS.drain_seconds + DEFAULTS.shutdown_timeout  # seconds


def _instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1])
        for line in lines
        if line and not line.startswith("#")
    ]


def test_the_image_installs_the_lock_and_runs_unprivileged() -> None:
    steps = _instructions()
    runs = " ".join(arg for op, arg in steps if op == "RUN")
    assert "-r requirements/run.txt" in runs and "--no-deps ." in runs
    final = steps[max(i for i, (op, _) in enumerate(steps) if op == "FROM") :]
    users = [arg for op, arg in final if op == "USER"]
    assert users and users[-1] not in ("root", "0")
    (health,) = [arg for op, arg in final if op == "HEALTHCHECK"]
    assert "/healthz" in health
    assert ("ENTRYPOINT", '["signaling"]') in final and ("CMD", '["serve"]') in final


def test_compose_runs_two_nodes_on_a_persistent_redis_behind_a_proxy() -> None:
    compose: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    redis = " ".join(services["redis"]["command"])
    assert "--appendonly yes" in redis and "--maxmemory-policy noeviction" in redis
    nodes = [s for name, s in services.items() if name.startswith("signaling-")]
    assert len(nodes) == 2
    for node in nodes:
        assert node["environment"]["SIGNALING_REDIS_URL"].startswith("redis://redis:")
        assert int(node["stop_grace_period"].rstrip("s")) > STOP_NEEDS
    proxy = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "proxy_set_header Upgrade $http_upgrade" in proxy
    assert all(f"signaling-{i}:11311" in proxy for i in (1, 2))


def test_the_systemd_unit_gives_the_drain_its_time() -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.read(ROOT / "deploy" / "signaling.service")
    service = unit["Service"]
    assert service["ExecStart"].endswith("signaling serve")
    assert service["KillSignal"] == "SIGTERM" and service["User"] != "root"
    assert int(service["TimeoutStopSec"]) >= STOP_NEEDS + EXIT_MARGIN

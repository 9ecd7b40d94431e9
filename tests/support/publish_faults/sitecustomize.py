"""Loaded by a server process started with this folder on ``PYTHONPATH``: its broker refuses
every publication while the file ``<data dir>/fail-publish`` exists (a broker wrapper for the
half-applied-command tests; nothing else changes)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from signaling.errors import BackendUnavailable
from signaling.node import Node
from signaling.state import Keep

_build = Node.__init__


def _with_failing_publish(self: Node, settings: Any) -> None:
    _build(self, settings)
    flag = Path(settings.data_dir) / "fail-publish"
    publish = self.broker.publish

    async def failing(channel: str, data: bytes, keep: Keep | None = None) -> None:
        if flag.exists():
            raise BackendUnavailable("injected publish failure")
        await publish(channel, data, keep)

    self.broker.publish = failing  # type: ignore[method-assign]


Node.__init__ = _with_failing_publish  # type: ignore[method-assign]

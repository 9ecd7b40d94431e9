"""Prometheus metrics of one process, served at ``GET /metrics``.

The hot path (one frame per recipient) only adds to plain integers; :meth:`Metrics.sample`
moves them into the Prometheus objects and sets the gauges from the local sessions, once per
:data:`SAMPLE_PERIOD` and before every scrape. Commands, joins and closes are rare enough to
be observed directly.

With ``SIGNALING_WORKERS`` > 1 every worker writes its figures into files under
``PROMETHEUS_MULTIPROC_DIR`` (prometheus_client's multiprocess mode, prepared by
:func:`prepare_multiprocess` in the parent before the workers start) and a scrape of any
worker reports the sum of all of them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

if TYPE_CHECKING:
    from signaling.session import Session

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
SAMPLE_PERIOD = 1.0  # seconds between two samples of the hot-path counts and the gauges
STATES = ("none", "waiting", "joined")  # ConnState by value


def prepare_multiprocess(data_dir: str) -> None:
    """Give the worker processes about to start one empty directory for their figures."""
    directory = Path(os.environ.setdefault(MULTIPROC_ENV, str(Path(data_dir) / "metrics")))
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):  # figures of an earlier run
        stale.unlink()


def command_action(command: Any) -> str:
    """The ``action`` tag of a decoded command, ``-`` when it has none."""
    config = getattr(type(command), "__struct_config__", None)
    tag = getattr(config, "tag", None)
    return tag if isinstance(tag, str) else "-"


class Metrics:
    """The figures of this process (see the module docstring)."""

    def __init__(self) -> None:
        self.multiprocess = MULTIPROC_ENV in os.environ
        # In multiprocess mode values live in files and a scrape collects them all.
        registry = None if self.multiprocess else CollectorRegistry()
        self._registry = registry
        self.frames = 0  # frames handed to sockets since the last sample (hot path)
        self._resyncs_seen = 0
        self._connections = Gauge(
            "signaling_connections",
            "Open /signaling connections by state",
            ["state"],
            registry=registry,
            multiprocess_mode="livesum",
        )
        self._rooms = Gauge(
            "signaling_rooms",
            "Rooms with participants connected to this server",
            registry=registry,
            multiprocess_mode="livesum",
        )
        self._backlog = Gauge(
            "signaling_send_backlog_frames",
            "Frames waiting in send backlogs of slow readers",
            registry=registry,
            multiprocess_mode="livesum",
        )
        self._deliveries = Counter(
            "signaling_deliveries", "Frames written to sockets", registry=registry
        )
        self._commands = Counter(
            "signaling_commands",
            "Commands handled, by namespace, action and result",
            ["namespace", "action", "result"],
            registry=registry,
        )
        self._command_seconds = Histogram(
            "signaling_command_duration_seconds",
            "Time to handle one command, by namespace",
            ["namespace"],
            registry=registry,
        )
        self._join_seconds = Histogram(
            "signaling_join_duration_seconds",
            "From a join command to its join_success",
            registry=registry,
        )
        self._closes = Counter(
            "signaling_closes", "Closed connections by close code", ["code"], registry=registry
        )
        self._backend_errors = Counter(
            "signaling_backend_errors",
            "Commands and requests that met an unreachable backend",
            registry=registry,
        )
        self._webhook_events = Counter(
            "signaling_webhook_events",
            "Webhook events by outcome: delivered, failed (one attempt), given_up (retried"
            " for too long), dropped (past the bound of a room's outbox)",
            ["outcome"],
            registry=registry,
        )
        self._resyncs = Counter(
            "signaling_resyncs",
            "Lost ranges of room events whose clients were closed with 1012",
            registry=registry,
        )

    def command(self, namespace: str, action: str, ok: bool, seconds: float, joined: bool) -> None:
        """One command handled; ``joined`` when it took its session into the room."""
        self._commands.labels(namespace, action, "ok" if ok else "error").inc()
        self._command_seconds.labels(namespace).observe(seconds)
        if joined:
            self._join_seconds.observe(seconds)

    def closed(self, code: int) -> None:
        self._closes.labels(str(code)).inc()

    def webhook_events(self, outcome: str, count: int) -> None:
        self._webhook_events.labels(outcome).inc(count)

    def backend_error(self) -> None:
        self._backend_errors.inc()

    def sample(self, sessions: Iterable[Session], resyncs: int) -> None:
        """Move the hot-path counts into the metrics and set the gauges."""
        frames, self.frames = self.frames, 0
        if frames:
            self._deliveries.inc(frames)
        if resyncs > self._resyncs_seen:
            self._resyncs.inc(resyncs - self._resyncs_seen)
            self._resyncs_seen = resyncs
        states = [0, 0, 0]
        rooms = set()
        backlog = 0
        for session in sessions:
            states[session.state] += 1
            rooms.add(session.room)
            backlog += session.backlog_frames
        for state, count in zip(STATES, states, strict=True):
            self._connections.labels(state).set(count)
        self._rooms.set(len(rooms))
        self._backlog.set(backlog)

    def render(self) -> tuple[bytes, str]:
        """The text exposition of every process's figures, and its content type."""
        registry = self._registry
        if registry is None:
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST

    def retire(self) -> None:
        """This process stops: its gauges no longer count (multiprocess mode)."""
        if self.multiprocess:
            multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]

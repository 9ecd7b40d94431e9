"""Timer rules, pure: the deadline of a start and which commands apply to the running timer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from signaling.modules.timer.types import Start, Timer

#: The last representable ``ends_at`` (reference §12, **[ours]**).
LATEST = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)


class InvalidDuration(ValueError):
    """``ends_at`` would lie after :data:`LATEST`."""


def deadline(command: Start, started_at: datetime) -> datetime | None:
    """When a countdown ends (None for a stopwatch); raises :class:`InvalidDuration`."""
    if command.kind == "stopwatch":
        return None
    assert command.duration is not None
    if command.duration > (LATEST - started_at).total_seconds():
        raise InvalidDuration(command.duration)
    return started_at + timedelta(seconds=command.duration)


def is_valid(command: Start) -> bool:
    """A countdown without ``duration`` is an invalid payload (dropped, §4)."""
    return command.kind == "stopwatch" or command.duration is not None


def applies(running: Timer | None, timer_id: str) -> bool:
    """``stop`` acts only on the running timer; anything else is ignored silently."""
    return running is not None and running.timer_id == timer_id


def takes_ready_status(running: Timer | None, timer_id: str) -> bool:
    """``update_ready_status`` needs the running timer, with the ready check on."""
    return applies(running, timer_id) and running is not None and running.ready_check_enabled

"""The breakout namespace's rules, pure (reference §11): a configuration from a ``start``,
what each participant sees of it, and who may enter which room."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from signaling.modules.breakout.types import BreakoutPeer, BreakoutRoom, Config, Start, Started
from signaling.state import Participant
from signaling.wire import format_timestamp


def configure(
    command: Start, present: set[str], now: datetime, new_id: Callable[[], str]
) -> Config:
    """The configuration ``command`` opens at ``now``: one new room per spec, assignments
    only of ``present`` participants (a later spec wins), an expiry after ``duration``."""
    rooms = [BreakoutRoom(id=new_id(), name=spec.name) for spec in command.rooms]
    assignments = {
        pid: room.id
        for spec, room in zip(command.rooms, rooms, strict=True)
        for pid in spec.assignments
        if pid in present
    }
    duration = command.duration
    return Config(
        id=new_id(),
        rooms=rooms,
        started=format_timestamp(now),
        expires=format_timestamp(now + timedelta(seconds=duration)) if duration else None,
        assignments=assignments,
    )


def started(config: Config, pid: str) -> Started:
    """``started`` as participant ``pid`` sees it: its own assignment only."""
    return Started(
        rooms=config.rooms, expires=config.expires, assignment=config.assignments.get(pid)
    )


def may_enter(config: Config | None, breakout: str | None) -> bool:
    """The main room is always open; a breakout room only while its configuration runs."""
    if breakout is None:
        return True
    return config is not None and any(room.id == breakout for room in config.rooms)


def peer(participant: Participant, breakout: str | None) -> BreakoutPeer:
    """A participant of signaling room ``breakout`` as the other rooms see it."""
    return BreakoutPeer(
        breakout_room=breakout,
        id=participant.id,
        display_name=participant.display_name,
        role=participant.role,
        avatar_url=participant.avatar_url,
        participation_kind=participant.kind,
        joined_at=participant.joined_at,
        left_at=participant.left_at,
    )

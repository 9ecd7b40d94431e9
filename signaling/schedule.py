"""Scheduled rooms: when a meeting session must close, and whether a start is too early.

Pure rules over a room's ``starts_at`` and ``duration`` (minutes); the join pipeline and the
start endpoints apply them. Times are tz-aware UTC datetimes.
"""

from __future__ import annotations

from datetime import datetime, timedelta


def closes_at(
    now: datetime, time_limit: int, starts_at: datetime | None, duration: int | None
) -> datetime | None:
    """When a session that begins ``now`` closes: ``time_limit`` seconds (the tariff's; 0 =
    none) after ``now``, or ``duration`` minutes after ``starts_at`` (after ``now`` when unset),
    whichever comes first; None when neither limits it."""
    caps: list[datetime] = []
    if time_limit:
        caps.append(now + timedelta(seconds=time_limit))
    if duration is not None:
        caps.append((starts_at or now) + timedelta(minutes=duration))
    return min(caps, default=None)


def opens_at(starts_at: datetime, early_join: float) -> datetime:
    """The first moment a start call may admit a participant: ``early_join`` seconds before
    ``starts_at``."""
    return starts_at - timedelta(seconds=early_join)


def too_early(now: datetime, starts_at: datetime, early_join: float) -> bool:
    """A start call at ``now`` comes more than ``early_join`` seconds before ``starts_at``."""
    return now < opens_at(starts_at, early_join)


def starts_within(now: datetime, starts_at: datetime | None, minutes: int) -> bool:
    """``starts_at`` lies in ``[now, now + minutes]``."""
    return starts_at is not None and now <= starts_at <= now + timedelta(minutes=minutes)

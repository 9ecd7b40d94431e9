"""Commands and events of the ``timer`` namespace (reference §12, supplement C.3)."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from signaling.wire import Timestamp

TimerKind = Literal["countdown", "stopwatch"]
TimerId = Annotated[str, msgspec.Meta(max_length=64)]

# -- commands ------------------------------------------------------------------------------


class Start(msgspec.Struct, tag_field="action", tag="start"):
    """A countdown needs ``duration`` (whole seconds); a stopwatch ignores it (§19.7)."""

    kind: TimerKind
    duration: Annotated[int, msgspec.Meta(ge=0)] | None = None
    title: str | None = None
    style: str | None = None  # echoed verbatim: "normal", "coffee-break"
    enable_ready_check: bool = False


class Stop(msgspec.Struct, tag_field="action", tag="stop"):
    timer_id: TimerId
    reason: str | None = None


class UpdateReadyStatus(msgspec.Struct, tag_field="action", tag="update_ready_status"):
    timer_id: TimerId
    status: bool


Command = Start | Stop | UpdateReadyStatus

# -- events --------------------------------------------------------------------------------


class Timer(msgspec.Struct, omit_defaults=True, kw_only=True):
    """A running timer as stored; ``started`` without ``message``."""

    timer_id: str
    started_at: Timestamp
    kind: TimerKind
    ends_at: Timestamp | None = None  # countdowns only
    title: str | None = None
    style: str | None = None
    ready_check_enabled: bool


class Started(Timer, tag_field="message", tag="started"):
    pass


class Stopped(msgspec.Struct, tag_field="message", tag="stopped", omit_defaults=True):
    timer_id: str
    kind: Literal["by_moderator", "expired"]
    participant_id: str | None = None  # the moderator, with ``by_moderator``
    reason: str | None = None


class UpdatedReadyStatus(msgspec.Struct, tag_field="message", tag="updated_ready_status"):
    timer_id: str
    participant_id: str
    status: bool


ErrorCode = Literal[
    "insufficient_permissions",
    "invalid_duration",
    "timer_already_running",
    "service_unavailable",
    "internal_error",
]


class Error(msgspec.Struct, tag_field="message", tag="error"):
    error: ErrorCode


Event = Started | Stopped | UpdatedReadyStatus | Error


class TimerPeer(msgspec.Struct):
    """A participant's ``timer`` peer data while a timer with the ready check runs (without
    upstream's serde ``kind`` tag, which the web app does not read)."""

    ready_status: bool


class JoinData(Timer, kw_only=True):
    """``join_success.timer`` while a timer runs: the joiner's own ``ready_status`` only with
    the ready check on."""

    ready_status: bool | None = None

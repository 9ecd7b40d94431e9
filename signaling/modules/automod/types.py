"""Commands and events of the ``automod`` namespace (supplement B.2, B.3, B.4).

``start_animation`` is never sent: a random selection with ``animation_on_random`` picks the
speaker at once (the web app never starts a strategy that animates)."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

Strategy = Literal["none", "playlist", "random", "nomination"]
ParticipantId = Annotated[str, msgspec.Meta(max_length=64)]
Ids = Annotated[list[ParticipantId], msgspec.Meta(max_length=1000)]

# -- commands ------------------------------------------------------------------------------


class Parameter(msgspec.Struct, omit_defaults=True, kw_only=True):
    """A session's settings; ``time_limit`` per speaker in milliseconds."""

    selection_strategy: Strategy
    show_list: bool
    consider_hand_raise: bool  # stored; raising a hand changes nothing (as upstream)
    time_limit: Annotated[int, msgspec.Meta(ge=1, le=86_400_000)] | None = None
    allow_double_selection: bool
    animation_on_random: bool
    auto_append_on_join: bool


class Start(Parameter, tag_field="action", tag="start", kw_only=True):
    """The list the strategy uses is required: ``playlist`` for ``playlist``, else
    ``allow_list``."""

    allow_list: Ids | None = None
    playlist: Ids | None = None


class Edit(msgspec.Struct, tag_field="action", tag="edit"):
    allow_list: Ids | None = None
    playlist: Ids | None = None


class Stop(msgspec.Struct, tag_field="action", tag="stop"):
    pass


class Select(msgspec.Struct, tag_field="action", tag="select"):
    """``participant`` and ``keep_in_remaining`` are required with ``how: "specific"``."""

    how: Literal["none", "random", "next", "specific"]
    participant: ParticipantId | None = None
    keep_in_remaining: bool | None = None


class Yield(msgspec.Struct, tag_field="action", tag="yield"):
    """The current speaker passes on; ``next`` names the successor under ``nomination``."""

    next: ParticipantId | None = None


Command = Start | Edit | Stop | Select | Yield

# -- events --------------------------------------------------------------------------------


class Config(Parameter, kw_only=True):
    """The running session as clients see it; ``remaining`` is ``[]`` with ``show_list``
    false under ``playlist`` and ``random`` (everywhere, B.8-2)."""

    history: list[str]
    remaining: list[str]
    issued_by: str


class Started(Config, tag_field="message", tag="started", kw_only=True):
    pass


class SpeakerUpdated(
    msgspec.Struct, tag_field="message", tag="speaker_updated", omit_defaults=True
):
    speaker: str
    remaining: list[str]
    history: list[str] = []  # omitted when empty


class RemainingUpdated(msgspec.Struct, tag_field="message", tag="remaining_updated"):
    remaining: list[str]


class Stopped(msgspec.Struct, tag_field="message", tag="stopped", omit_defaults=True):
    reason: Literal["stopped_by_moderator", "session_finished"]
    issued_by: str | None = None  # with ``stopped_by_moderator``


ErrorCode = Literal[
    "insufficient_permissions",
    "invalid_selection",
    "session_already_running",
    "service_unavailable",
    "internal_error",
]


class Error(msgspec.Struct, tag_field="message", tag="error"):
    error: ErrorCode


Event = Started | SpeakerUpdated | RemainingUpdated | Stopped | Error


class JoinData(msgspec.Struct):
    """``join_success.automod``, only while a session runs; ``speaker`` null when nobody
    speaks."""

    config: Config
    speaker: str | None

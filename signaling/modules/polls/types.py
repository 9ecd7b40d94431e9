"""Commands and events of the ``polls`` namespace (reference §10, §19.6)."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from signaling.wire import Timestamp

# -- commands ------------------------------------------------------------------------------

# Hard bounds of what a command may carry at all (beyond them it is invalid, §4 rule 5); the
# module's own checks (topic 2..500 characters, 2..64 choices of 1..100 bytes, duration) come
# after, with their error codes.
Topic = Annotated[str, msgspec.Meta(max_length=2000)]
ChoiceText = Annotated[str, msgspec.Meta(max_length=400)]
PollId = Annotated[str, msgspec.Meta(max_length=64)]


class Start(msgspec.Struct, tag_field="action", tag="start"):
    topic: Topic
    choices: Annotated[list[ChoiceText], msgspec.Meta(max_length=256)]
    live: bool = False
    multiple_choice: bool = False
    duration: int | None = None  # seconds; 0 or absent: no time limit (§19.6)


class Vote(msgspec.Struct, tag_field="action", tag="vote"):
    poll_id: PollId
    choice_id: int | None = None
    choice_ids: Annotated[list[int], msgspec.Meta(max_length=256)] | None = None


class Finish(msgspec.Struct, tag_field="action", tag="finish"):
    id: PollId


Command = Start | Vote | Finish

# -- events --------------------------------------------------------------------------------


class Choice(msgspec.Struct):
    id: int
    content: str


class Result(msgspec.Struct):
    id: int
    count: int


class Started(msgspec.Struct, tag_field="message", tag="started"):
    id: str
    topic: str
    live: bool
    multiple_choice: bool
    choices: list[Choice]
    duration: int


class LiveUpdate(msgspec.Struct, tag_field="message", tag="live_update"):
    id: str
    results: list[Result]


class Done(msgspec.Struct, tag_field="message", tag="done"):
    id: str
    results: list[Result]


ErrorCode = Literal[
    "insufficient_permissions",
    "still_running",
    "invalid_duration",
    "invalid_topic_length",
    "invalid_choice_count",
    "invalid_choice_description",
    "invalid_poll_id",
    "multiple_choices_not_allowed",
    "invalid_choice_id",
    "service_unavailable",
    "internal_error",
]


class Error(msgspec.Struct, tag_field="message", tag="error"):
    error: ErrorCode


Event = Started | LiveUpdate | Done | Error


class Poll(msgspec.Struct):
    """A running poll as stored, and as ``join_success.polls`` shows it (no results)."""

    id: str
    topic: str
    live: bool
    multiple_choice: bool
    choices: list[Choice]
    started: Timestamp
    duration: int

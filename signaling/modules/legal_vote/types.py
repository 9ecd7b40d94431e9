"""Commands and events of the ``legal_vote`` namespace (supplement A.2, A.3, A.5).

Limits count characters, not bytes (A.9-5). ``generate_pdf`` is not offered (A.9-10): it is
an unknown action, and ``pdf_asset`` is never sent."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from signaling.wire import Timestamp

VoteKind = Literal["roll_call", "live_roll_call", "pseudonymous"]
Option = Literal["yes", "no", "abstain"]
VoteId = Annotated[str, msgspec.Meta(max_length=64)]
ParticipantId = Annotated[str, msgspec.Meta(max_length=64)]
#: 11 characters of base58: a u64.
Token = Annotated[str, msgspec.Meta(pattern="^[1-9A-HJ-NP-Za-km-z]{11}$")]

# -- commands ------------------------------------------------------------------------------


class Start(msgspec.Struct, tag_field="action", tag="start"):
    """Moderators only. ``duration`` in seconds: absent, null or 0 is no limit, else at least
    5 (1..4 make the payload invalid). No PDF is rendered (upstream's PDF asset is not
    signaling): ``create_pdf`` is only stored and echoed, ``generate_pdf`` is an unknown
    action and ``pdf_asset`` is never sent."""

    kind: VoteKind
    name: Annotated[str, msgspec.Meta(max_length=150)]
    allowed_participants: Annotated[
        list[ParticipantId], msgspec.Meta(min_length=1, max_length=1000)
    ]
    enable_abstain: bool
    auto_close: bool
    create_pdf: bool  # stored and echoed; no PDF is ever rendered
    subtitle: Annotated[str, msgspec.Meta(max_length=255)] | None = None
    topic: Annotated[str, msgspec.Meta(max_length=500)] | None = None
    duration: Annotated[int, msgspec.Meta(ge=0, le=31_536_000)] | None = None
    timezone: Annotated[str, msgspec.Meta(max_length=64)] | None = None


class Vote(msgspec.Struct, tag_field="action", tag="vote"):
    legal_vote_id: VoteId
    option: Option
    token: Token


class Stop(msgspec.Struct, tag_field="action", tag="stop"):
    legal_vote_id: VoteId


class Cancel(msgspec.Struct, tag_field="action", tag="cancel"):
    legal_vote_id: VoteId
    reason: Annotated[str, msgspec.Meta(max_length=255)]


IssueKind = Literal["audio", "video", "screenshare"]


class ReportIssue(msgspec.Struct, tag_field="action", tag="report_issue"):
    """Needs a ``kind`` or a ``description``."""

    legal_vote_id: VoteId
    kind: IssueKind | None = None
    description: Annotated[str, msgspec.Meta(max_length=1000)] | None = None


Command = Start | Vote | Stop | Cancel | ReportIssue

# -- events --------------------------------------------------------------------------------


class Parameters(msgspec.Struct, omit_defaults=True, kw_only=True):
    """A vote's parameters as clients see them (never ``allowed_users``, A.9-2)."""

    initiator_id: str
    legal_vote_id: str
    start_time: Timestamp
    max_votes: int
    kind: VoteKind
    name: str
    subtitle: str | None = None
    topic: str | None = None
    allowed_participants: list[str]
    enable_abstain: bool
    auto_close: bool
    duration: int | None = None
    create_pdf: bool
    timezone: str | None = None


class Started(Parameters, tag_field="message", tag="started", kw_only=True):
    token: str | None = None  # only in an allowed participant's own copy


class Voted(msgspec.Struct, tag_field="message", tag="voted", omit_defaults=True):
    """``success`` goes to the voter's user; ``failed`` (with ``reason``) to the sender."""

    legal_vote_id: str
    response: Literal["success", "failed"]
    vote_option: Option | None = None
    issuer: str | None = None
    consumed_token: str | None = None
    reason: Literal["invalid_vote_id", "ineligible", "invalid_option"] | None = None


class Tally(msgspec.Struct, omit_defaults=True):
    yes: int
    no: int
    abstain: int | None = None  # exactly when abstain is enabled


class Updated(msgspec.Struct, tag_field="message", tag="updated", omit_defaults=True):
    """Roll-call kinds only, after every vote."""

    legal_vote_id: str
    yes: int
    no: int
    voting_record: dict[str, Option]  # participant id -> option
    abstain: int | None = None


StopKind = Literal["by_participant", "auto", "expired"]
InvalidReason = Literal["abstain_disabled", "vote_count_inconsistent", "protocol_inconsistent"]


class Stopped(msgspec.Struct, tag_field="message", tag="stopped", omit_defaults=True):
    """``valid`` results carry the tally and the record (pseudonymous: token -> option);
    ``invalid`` ones a ``reason``. ``issuer`` (a participant id) with ``by_participant``."""

    legal_vote_id: str
    results: Literal["valid", "invalid"]
    kind: StopKind
    end_time: Timestamp
    yes: int | None = None
    no: int | None = None
    abstain: int | None = None
    voting_record: dict[str, Option] | None = None
    reason: InvalidReason | None = None
    issuer: str | None = None


CancelReason = Literal["custom", "initiator_left", "room_destroyed"]


class Canceled(msgspec.Struct, tag_field="message", tag="canceled", omit_defaults=True):
    legal_vote_id: str
    reason: CancelReason
    end_time: Timestamp
    custom: str | None = None


class ReportedIssue(msgspec.Struct, tag_field="message", tag="reported_issue", omit_defaults=True):
    """To the initiator only; no ``participant_id`` for pseudonymous votes."""

    legal_vote_id: str
    participant_id: str | None = None
    kind: IssueKind | None = None
    description: str | None = None


ErrorCode = Literal[
    "vote_already_active",
    "no_vote_active",
    "invalid_vote_id",
    "allowlist_contains_guests",
    "insufficient_permissions",
    "service_unavailable",
    "internal_error",
]


class Error(msgspec.Struct, tag_field="message", tag="error", omit_defaults=True):
    error: ErrorCode
    guests: list[str] | None = None  # with ``allowlist_contains_guests``


Event = Started | Voted | Updated | Stopped | Canceled | ReportedIssue | Error


class Summary(Parameters, omit_defaults=True, kw_only=True):
    """One entry of ``join_success.legal_vote.votes``: the parameters, the state and its
    fields; ``end_time`` once over. ``stopped_by`` and a cancel's ``issuer`` are user ids."""

    state: Literal["started", "finished", "canceled", "invalid"]
    stop_kind: Literal["by_user", "auto", "expired"] | None = None
    stopped_by: str | None = None
    yes: int | None = None
    no: int | None = None
    abstain: int | None = None
    voting_record: dict[str, Option] | None = None
    issuer: str | None = None
    reason: str | None = None
    custom: str | None = None
    end_time: Timestamp | None = None


class JoinData(msgspec.Struct):
    """``join_success.legal_vote`` for registered users: the votes that are over in start
    order, then the running one."""

    votes: list[Summary]

"""Vote rules, pure: tokens, ballots, the tally, the voting record and the validity check.

A token belongs to one user and is consumed by its first ballot (the module stores a ballot
only where none is, so concurrent votes on different nodes count once). A pseudonymous
ballot keeps no participant, so nothing derived from it can name one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

import msgspec

from signaling.modules.legal_vote.types import InvalidReason, Option, Started, Tally, VoteKind
from signaling.state import Kind, Participant
from signaling.wire import encode_event

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
TOKEN_LENGTH = 11  # base58 of a u64
MIN_DURATION = 5


class Broadcast(msgspec.Struct, omit_defaults=True):
    """A room-wide delivery only registered users render (A.1): ``started`` with each allowed
    participant's token, or a frame, optionally for one user's sessions."""

    frame: str | None = None
    user_id: str | None = None
    started: Started | None = None
    tokens: dict[str, str] = {}  # participant id -> token


def registered(participant: Participant | None) -> bool:
    """A present registered user (guests, SIP, recorders and leavers cannot vote)."""
    return (
        participant is not None
        and participant.kind == "user"
        and participant.user_id is not None
        and participant.left_at is None
    )


def frame_for(sent: Broadcast, kind: Kind, user_id: str | None, pid: str) -> str | None:
    """The frame participant ``pid`` (of ``kind``, user ``user_id``) gets of ``sent``: none
    unless a registered user (and the user named), ``started`` with its own token."""
    if kind != "user" or user_id is None:
        return None
    if sent.user_id is not None and sent.user_id != user_id:
        return None
    if sent.started is not None:
        token = sent.tokens.get(pid)
        started = sent.started
        if token is not None:
            started = msgspec.structs.replace(started, token=token)
        return encode_event("legal_vote", started)
    return sent.frame


class Ballot(msgspec.Struct, omit_defaults=True):
    option: Option
    participant: str | None = None  # roll-call kinds only


def encode_token(number: int) -> str:
    """``number`` (0 <= number < 2**64) as 11 base58 digits."""
    digits = []
    for _ in range(TOKEN_LENGTH):
        number, digit = divmod(number, len(ALPHABET))
        digits.append(ALPHABET[digit])
    return "".join(reversed(digits))


def distinct(users: Iterable[str]) -> list[str]:
    """The distinct user ids in first-seen order: one token each."""
    return list(dict.fromkeys(users))


def duration(value: int | None) -> int | None:
    """The stored duration: 0 means none (A.9-6); raises ValueError for 1..4 seconds."""
    if not value:
        return None
    if value < MIN_DURATION:
        raise ValueError(value)
    return value


def ballot_refusal(
    option: Option, enable_abstain: bool, owner: str | None, user_id: str
) -> Literal["invalid_option", "ineligible"] | None:
    """Why a ballot is refused before its token is tried: abstain when disabled, or a token
    that is not this user's (A.9-9)."""
    if option == "abstain" and not enable_abstain:
        return "invalid_option"
    if owner != user_id:
        return "ineligible"
    return None


def ballot(kind: VoteKind, option: Option, participant: str) -> Ballot:
    """What is stored for a vote: pseudonymous ballots name nobody."""
    return Ballot(option=option, participant=None if kind == "pseudonymous" else participant)


def tally(ballots: Iterable[Ballot], enable_abstain: bool) -> Tally:
    counts = {"yes": 0, "no": 0, "abstain": 0}
    for cast in ballots:
        counts[cast.option] += 1
    return Tally(
        yes=counts["yes"], no=counts["no"], abstain=counts["abstain"] if enable_abstain else None
    )


def voting_record(kind: VoteKind, ballots: Mapping[str, Ballot]) -> dict[str, Option]:
    """Participant -> option for roll calls; token -> option for pseudonymous votes."""
    if kind == "pseudonymous":
        return {token: cast.option for token, cast in ballots.items()}
    return {cast.participant: cast.option for cast in ballots.values() if cast.participant}


def invalid_reason(
    ballots: Mapping[str, Ballot], tokens: Iterable[str], max_votes: int, enable_abstain: bool
) -> InvalidReason | None:
    """Why the final results are invalid (A.6 step 2), or None."""
    issued = set(tokens)
    if len(ballots) > max_votes or not set(ballots) <= issued:
        return "vote_count_inconsistent"
    if not enable_abstain and any(cast.option == "abstain" for cast in ballots.values()):
        return "abstain_disabled"
    return None

"""The pure rules of the legal vote module (supplement A): tokens are 11 base58 digits, one
per distinct user; a token counts once (its first ballot wins, whatever the interleaving);
the tally and the record follow the ballots; pseudonymous results name nobody; the validity
check flags what cannot be."""

from __future__ import annotations

import re

import msgspec
from hypothesis import given
from hypothesis import strategies as st

from signaling.modules.legal_vote.core import (
    ALPHABET,
    Ballot,
    Broadcast,
    ballot,
    ballot_refusal,
    distinct,
    duration,
    encode_token,
    frame_for,
    invalid_reason,
    registered,
    tally,
    voting_record,
)
from signaling.modules.legal_vote.types import Option, Started, Vote, VoteKind
from signaling.state import Kind, Participant
from tests.support.participants import KINDS as PARTICIPANT_KINDS
from tests.support.participants import participants

USERS = ["alice", "bob", "carol", "dave"]
PARTICIPANTS = [f"00000000-0000-4000-8000-0000000000{n:02x}" for n in range(8)]
OPTIONS: list[Option] = ["yes", "no", "abstain"]
KIND_NAMES: list[VoteKind] = ["roll_call", "live_roll_call", "pseudonymous"]
KINDS = st.sampled_from(KIND_NAMES)


@given(st.integers(min_value=0, max_value=2**64 - 1))
def test_a_token_is_11_base58_digits_and_decodes_as_a_vote_token(number: int) -> None:
    token = encode_token(number)
    assert re.fullmatch(f"[{ALPHABET}]{{11}}", token)
    assert sum(ALPHABET.index(d) * 58**i for i, d in enumerate(reversed(token))) == number
    vote = {"action": "vote", "legal_vote_id": "x", "option": "yes", "token": token}
    assert msgspec.convert(vote, Vote).token == token


@given(st.lists(st.sampled_from(USERS), min_size=1, max_size=12))
def test_one_token_per_distinct_user_in_first_seen_order(users: list[str]) -> None:
    once = distinct(users)
    assert sorted(once) == sorted(set(users)) and len(once) == len(set(users))
    assert once == sorted(set(users), key=users.index)


@given(st.integers(min_value=0, max_value=10_000))  # negative: an invalid payload
def test_duration_zero_is_none_and_below_five_is_invalid(seconds: int) -> None:
    if seconds == 0:
        assert duration(seconds) is None and duration(None) is None
        return
    try:
        assert duration(seconds) == seconds and seconds >= 5
    except ValueError:
        assert 1 <= seconds <= 4


@given(
    st.sampled_from(OPTIONS), st.booleans(), st.sampled_from([None, *USERS]), st.sampled_from(USERS)
)
def test_a_ballot_is_refused_for_abstain_when_disabled_or_someone_elses_token(
    option: Option, enable_abstain: bool, owner: str | None, user: str
) -> None:
    refusal = ballot_refusal(option, enable_abstain, owner, user)
    if option == "abstain" and not enable_abstain:
        assert refusal == "invalid_option"
    elif owner != user:
        assert refusal == "ineligible"
    else:
        assert refusal is None


@st.composite
def attempts(draw: st.DrawFn) -> tuple[VoteKind, list[tuple[str, str, Option]]]:
    """A kind and votes (token, participant, option) arriving in any order, several per token
    (the same user on several nodes)."""
    kind = draw(KINDS)
    tokens = [encode_token(n) for n in range(draw(st.integers(min_value=1, max_value=4)))]
    votes = st.tuples(
        st.sampled_from(tokens), st.sampled_from(PARTICIPANTS), st.sampled_from(OPTIONS)
    )
    return kind, draw(st.lists(votes, max_size=20))


@given(attempts())
def test_each_token_counts_once_and_pseudonymous_results_name_nobody(
    case: tuple[VoteKind, list[tuple[str, str, Option]]],
) -> None:
    kind, votes = case
    stored: dict[str, Ballot] = {}
    for token, participant, option in votes:  # "stored only where none is"
        stored.setdefault(token, ballot(kind, option, participant))
    counts = tally(stored.values(), enable_abstain=True)
    assert (
        counts.yes + counts.no + (counts.abstain or 0)
        == len(stored)
        == len({t for t, _, _ in votes})
    )
    first: dict[str, Option] = {}
    for token, _, option in votes:
        first.setdefault(token, option)
    assert [counts.yes, counts.no, counts.abstain] == [
        list(first.values()).count(o) for o in OPTIONS
    ]
    record = voting_record(kind, stored)
    if kind == "pseudonymous":
        assert record == first
        text = msgspec.json.encode([record, list(stored.values())]).decode()
        assert not any(pid in text for pid in PARTICIPANTS)
    else:
        assert set(record) <= set(PARTICIPANTS)
    assert tally(stored.values(), enable_abstain=False).abstain is None


@given(attempts(), st.booleans(), st.integers(min_value=0, max_value=5))
def test_the_results_are_invalid_exactly_when_they_cannot_be(
    case: tuple[VoteKind, list[tuple[str, str, Option]]], enable_abstain: bool, max_votes: int
) -> None:
    kind, votes = case
    stored = {token: ballot(kind, option, p) for token, p, option in votes}
    issued = {token for token, _, _ in votes}
    reason = invalid_reason(stored, issued, max_votes, enable_abstain)
    if len(stored) > max_votes:
        assert reason == "vote_count_inconsistent"
    elif not enable_abstain and any(b.option == "abstain" for b in stored.values()):
        assert reason == "abstain_disabled"
    else:
        assert reason is None
    if stored:  # a ballot for a token that was never issued
        assert invalid_reason(stored, set(), 99, True) == "vote_count_inconsistent"


# -- who sees what ------------------------------------------------------------------------------


@given(st.none() | participants())
def test_only_present_registered_users_vote(participant: Participant | None) -> None:
    assert registered(participant) == (
        participant is not None
        and participant.kind == "user"
        and participant.user_id is not None
        and participant.left_at is None
    )


def _started() -> Started:
    return Started(
        initiator_id="i",
        legal_vote_id="v",
        start_time="2026-12-03T10:00:00.000000Z",
        max_votes=2,
        kind="roll_call",
        name="n",
        allowed_participants=["p1", "p2"],
        enable_abstain=False,
        auto_close=False,
        create_pdf=False,
    )


@given(
    PARTICIPANT_KINDS,
    st.none() | st.sampled_from(["u1", "u2"]),
    st.sampled_from(["p1", "p2", "p3"]),
)
def test_started_reaches_registered_users_each_with_its_own_token(
    kind: Kind, user_id: str | None, pid: str
) -> None:
    sent = Broadcast(started=_started(), tokens={"p1": "t1", "p2": "t2"})
    frame = frame_for(sent, kind, user_id, pid)
    if kind != "user" or user_id is None:
        assert frame is None
        return
    assert frame is not None
    payload = msgspec.json.decode(frame)["payload"]
    assert payload["message"] == "started"
    assert payload.get("token") == {"p1": "t1", "p2": "t2"}.get(pid)


@given(st.sampled_from(["u1", "u2"]), st.none() | st.sampled_from(["u1", "u2"]))
def test_a_frame_for_one_user_reaches_only_that_users_sessions(
    user_id: str, addressed: str | None
) -> None:
    sent = Broadcast(frame="F", user_id=addressed)
    expected = "F" if addressed in (None, user_id) else None
    assert frame_for(sent, "user", user_id, "p1") == expected

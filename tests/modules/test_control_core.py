"""signaling.modules.control.core: who a joiner is and who may change whose role (§5.1, §7)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from signaling.modules.control import core
from signaling.state import Kind, Participant
from tests.support.participants import KINDS, participants


@pytest.mark.parametrize(
    ("kind", "given_name", "account", "expected"),
    [
        ("user", None, "Ada  Lovelace", "Ada Lovelace"),  # the account's name, normalised
        ("user", "  Ada ", "Someone", "Ada"),
        ("guest", None, "Someone", None),  # a guest must name itself
        ("guest", "   ", "", None),
        ("sip", "+49 30 12345678", "", "+** ** *****678"),  # a caller's number is masked
        ("sip", None, "", None),
    ],
)
def test_display_name(
    kind: Kind, given_name: str | None, account: str, expected: str | None
) -> None:
    assert core.display_name(kind, given_name, account) == expected


@given(KINDS, st.booleans())
def test_the_owner_moderates_users_are_users_the_rest_guests(kind: Kind, owner: bool) -> None:
    role = core.initial_role(kind, owner)
    assert role == ("moderator" if owner else "user" if kind == "user" else "guest")


@given(participants())
def test_peer_data_shows_the_record(participant: Participant) -> None:
    peer = core.peer(participant)
    assert (peer.display_name, peer.role, peer.participation_kind, peer.left_at) == (
        participant.display_name,
        participant.role,
        participant.kind,
        participant.left_at,
    )
    assert (peer.hand_is_up, peer.is_room_owner) == (
        participant.hand_is_up,
        participant.is_room_owner,
    )


@given(st.none() | participants(), st.booleans())
def test_a_role_change_is_refused_in_the_references_order(
    target: Participant | None, grant: bool
) -> None:
    refusal = core.role_change_refusal(target, grant)
    if target is None or target.left_at is not None:
        assert refusal == "nothing_to_do"
    elif (target.role == "moderator") == grant:
        assert refusal == "nothing_to_do"  # a grant to a moderator, a revoke from a non-moderator
    elif not grant and target.is_room_owner:
        assert refusal == "target_is_room_owner"
    else:
        assert refusal is None
        new = core.changed_role(target, grant)
        assert (new == "moderator") == grant
        assert new != target.role


@given(participants())
def test_a_revoke_returns_to_what_the_kind_starts_as(target: Participant) -> None:
    assert core.changed_role(target, grant=False) == core.initial_role(target.kind, False)

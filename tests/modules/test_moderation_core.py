"""signaling.modules.moderation.core: whom moderation commands may touch (§8)."""

from __future__ import annotations

from typing import get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st

from signaling.modules.moderation import core
from signaling.modules.moderation.types import KickScope
from signaling.state import Participant, Role
from tests.support.participants import ROLES, participants

SCOPES: st.SearchStrategy[KickScope] = st.sampled_from(get_args(KickScope))


@given(st.none() | participants())
def test_only_present_members_are_targets(target: Participant | None) -> None:
    found = core.present(target)
    assert found is (target if target is not None and target.left_at is None else None)


@given(SCOPES, ROLES)
def test_a_debriefing_sends_away_a_widening_circle(scope: KickScope, role: Role) -> None:
    sent = core.in_scope(scope, role)
    ranks = {"guests": 0, "users_and_guests": 1, "all": 2}
    assert sent == ({"guest": 0, "user": 1, "moderator": 2}[role] <= ranks[scope])


@pytest.mark.parametrize(
    ("target", "expected"),
    [(None, None), ("a", {"a"}), (["a", "b", "a"], {"a", "b"}), ([], set())],
)
def test_hand_targets(target: str | list[str] | None, expected: set[str] | None) -> None:
    assert core.hand_targets(target) == expected


@given(participants())
def test_refusals(target: Participant) -> None:
    ban = core.ban_refusal(target)
    if target.is_room_owner:
        assert ban == "cannot_ban_room_owner"  # checked before the guest rule
    elif target.user_id is None:
        assert ban == "cannot_ban_guest"
    else:
        assert ban is None
    back = core.send_back_refusal(target)
    assert back == ("cannot_send_room_owner_to_waiting_room" if target.is_room_owner else None)
    rename = core.rename_refusal(target)
    renamable = target.kind in ("guest", "sip")
    assert rename == (None if renamable else "cannot_change_name_of_registered_users")
    waits = not core.never_waits(target)
    assert waits == (target.role != "moderator" and target.kind != "recorder")

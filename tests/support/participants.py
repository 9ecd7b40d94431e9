"""Hypothesis strategies for live-state participants (the pure module cores take them)."""

from __future__ import annotations

from typing import get_args

from hypothesis import strategies as st

from signaling.state import Kind, Participant, Role

KINDS: st.SearchStrategy[Kind] = st.sampled_from(get_args(Kind))
ROLES: st.SearchStrategy[Role] = st.sampled_from(get_args(Role))
AT = "2026-12-03T10:00:00.000000Z"


@st.composite
def participants(draw: st.DrawFn) -> Participant:
    kind = draw(KINDS)
    return Participant(
        id=draw(st.uuids()).hex,
        display_name=draw(st.text(min_size=1, max_size=20)),
        role=draw(ROLES),
        kind=kind,
        user_id=draw(st.none() | st.text(min_size=1, max_size=8)) if kind == "user" else None,
        is_room_owner=draw(st.booleans()),
        hand_is_up=draw(st.booleans()),
        hand_updated_at=AT,
        joined_at=AT,
        left_at=draw(st.none() | st.just(AT)),
    )

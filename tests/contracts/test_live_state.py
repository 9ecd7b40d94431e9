"""The LiveState contract (signaling/state/__init__.py), run against every backend."""

from __future__ import annotations

import asyncio
import time
import uuid

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from signaling.state import Keep, LiveState, Participant, Role
from tests.contracts.conftest import Factory

T0 = "2024-01-01T00:00:00.000000Z"
T1 = "2024-01-01T00:00:01.000000Z"
T2 = "2024-01-01T00:00:02.000000Z"
BR = "breakout-1"


def _room() -> str:
    return str(uuid.uuid4())


def _p(
    pid: str,
    *,
    role: Role = "user",
    runner: str | None = None,
    name: str = "",
    groups: list[str] | None = None,
) -> Participant:
    return Participant(
        id=pid,
        display_name=name or f"Name {pid}",
        role=role,
        kind="user",
        user_id=f"user-{pid}",
        hand_updated_at=T0,
        joined_at=T0,
        runner=runner if runner is not None else f"runner-{pid}",
        groups=list(groups or []),
    )


async def _join(
    state: LiveState,
    room: str,
    participant: Participant,
    *,
    breakout: str | None = None,
    limit: int = 0,
    counted: bool = False,
    closes_at: str | None = None,
) -> Participant | None:
    result = await state.join(
        room, breakout, participant, limit=limit, closes_at=closes_at, counted=counted
    )
    assert result.blocked == (result.participant is None)
    return result.participant


def _item(i: int) -> bytes:
    return f"item-{i}".encode()


async def _waiting_ids(state: LiveState, room: str) -> list[tuple[str, bool]]:
    return [(p.id, accepted) for p, accepted in await state.waiting(room)]


# --- join and the participant count ---------------------------------------------------------


async def test_empty_room(live_state: LiveState) -> None:
    room = _room()
    assert await live_state.count(room) == 0
    assert await live_state.participants(room, None) == []
    assert await live_state.participant(room, None, "nobody") is None
    assert await live_state.items(room, "chat") == []
    assert await live_state.value(room, "chat") is None
    assert await live_state.waiting(room) == []


async def test_join_stores_and_counts(live_state: LiveState) -> None:
    room = _room()
    joined = await _join(live_state, room, _p("a"))
    assert joined is not None
    assert joined.id == "a" and joined.left_at is None and joined.runner == "runner-a"
    assert await live_state.count(room) == 1
    assert [p.id for p in await live_state.participants(room, None)] == ["a"]
    stored = await live_state.participant(room, None, "a")
    assert stored == joined


async def test_join_resets_a_stale_left_at(live_state: LiveState) -> None:
    room = _room()
    participant = _p("a")
    participant.left_at = T1
    joined = await _join(live_state, room, participant)
    assert joined is not None and joined.left_at is None


async def test_join_respects_the_limit(live_state: LiveState) -> None:
    room = _room()
    assert await _join(live_state, room, _p("a"), limit=2) is not None
    assert await _join(live_state, room, _p("b"), limit=2) is not None
    result = await live_state.join(room, None, _p("c"), limit=2, closes_at=None, counted=False)
    assert result.blocked
    assert result.participant is None
    assert await live_state.count(room) == 2
    assert await live_state.participant(room, None, "c") is None
    assert [p.id for p in await live_state.participants(room, None)] == ["a", "b"]


async def test_limit_zero_means_no_limit(live_state: LiveState) -> None:
    room = _room()
    for i in range(40):
        assert await _join(live_state, room, _p(f"p{i}"), limit=0) is not None
    assert await live_state.count(room) == 40


async def test_limit_counts_breakout_rooms_of_the_parent(live_state: LiveState) -> None:
    room = _room()
    assert await _join(live_state, room, _p("a"), limit=2) is not None
    assert await _join(live_state, room, _p("b"), breakout=BR, limit=2) is not None
    assert await live_state.count(room) == 2
    assert await _join(live_state, room, _p("c"), breakout=BR, limit=2) is None
    assert [p.id for p in await live_state.participants(room, None)] == ["a"]
    assert [p.id for p in await live_state.participants(room, BR)] == ["b"]


async def test_counts_are_per_parent_room(live_state: LiveState) -> None:
    one, two = _room(), _room()
    await _join(live_state, one, _p("a"), limit=1)
    assert await _join(live_state, two, _p("b"), limit=1) is not None
    assert await live_state.count(one) == 1
    assert await live_state.count(two) == 1
    assert await live_state.participants(two, None) != await live_state.participants(one, None)


async def test_counted_join_skips_the_limit_and_the_count(live_state: LiveState) -> None:
    room = _room()
    await _join(live_state, room, _p("a"), limit=1)
    joined = await _join(live_state, room, _p("b"), limit=1, counted=True)
    assert joined is not None and joined.left_at is None
    assert await live_state.count(room) == 1  # counted already, in the waiting room


async def test_present_participant_rejoining_is_not_counted_twice(live_state: LiveState) -> None:
    room = _room()
    await _join(live_state, room, _p("a", runner="old"), limit=1)
    # a resumed session takes over its stale record: not blocked by the full room
    joined = await _join(live_state, room, _p("a", runner="new"), limit=1)
    assert joined is not None and joined.runner == "new"
    assert await live_state.count(room) == 1
    assert [p.id for p in await live_state.participants(room, None)] == ["a"]


async def test_rejoin_after_leave_is_counted_and_checked(live_state: LiveState) -> None:
    room = _room()
    await _join(live_state, room, _p("a"), limit=1)
    assert await live_state.leave(room, None, "a", T1, "runner-a")
    assert await live_state.count(room) == 0
    assert await _join(live_state, room, _p("b"), limit=1) is not None
    assert await _join(live_state, room, _p("a"), limit=1) is None  # full again
    assert await live_state.leave(room, None, "b", T1, "runner-b")
    assert await _join(live_state, room, _p("a"), limit=1) is not None
    assert await live_state.count(room) == 1


async def test_closes_at_is_set_by_the_first_join_only(live_state: LiveState) -> None:
    room = _room()
    first = await live_state.join(room, None, _p("a"), limit=0, closes_at=T1, counted=False)
    second = await live_state.join(room, None, _p("b"), limit=0, closes_at=T2, counted=False)
    assert first.closes_at == T1
    assert second.closes_at == T1


async def test_no_closes_at_at_the_first_join_stays_none(live_state: LiveState) -> None:
    room = _room()
    first = await live_state.join(room, None, _p("a"), limit=0, closes_at=None, counted=False)
    second = await live_state.join(room, None, _p("b"), limit=0, closes_at=T2, counted=False)
    assert first.closes_at is None
    assert second.closes_at is None


async def test_closes_at_is_fixed_again_by_the_next_session(live_state: LiveState) -> None:
    room = _room()
    first = await live_state.join(room, None, _p("a"), limit=0, closes_at=T1, counted=False)
    assert first.closes_at == T1
    assert await live_state.end_session(room)
    again = await live_state.join(room, None, _p("b"), limit=0, closes_at=T2, counted=False)
    assert again.closes_at == T2
    assert await live_state.delete_room(room)
    none = await live_state.join(room, None, _p("c"), limit=0, closes_at=None, counted=False)
    assert none.closes_at is None


# --- roles ----------------------------------------------------------------------------------


async def test_stored_role_wins_on_rejoin(live_state: LiveState) -> None:
    room = _room()
    await _join(live_state, room, _p("a", role="moderator"))
    assert await live_state.leave(room, None, "a", T1, "runner-a")
    joined = await _join(live_state, room, _p("a", role="guest"))
    assert joined is not None and joined.role == "moderator"
    stored = await live_state.participant(room, None, "a")
    assert stored is not None and stored.role == "moderator"


async def test_stored_role_wins_in_breakout_rooms(live_state: LiveState) -> None:
    room = _room()
    await _join(live_state, room, _p("a", role="moderator"))
    assert await live_state.leave(room, None, "a", T1, "runner-a")
    joined = await _join(live_state, room, _p("a", role="user"), breakout=BR)
    assert joined is not None and joined.role == "moderator"


async def test_roles_are_per_parent_room(live_state: LiveState) -> None:
    one, two = _room(), _room()
    await _join(live_state, one, _p("a", role="moderator"))
    joined = await _join(live_state, two, _p("a", role="guest"))
    assert joined is not None and joined.role == "guest"


async def test_set_role_is_stored_room_wide(live_state: LiveState) -> None:
    room = _room()
    await _join(live_state, room, _p("a", role="user"))
    changed = await live_state.set_role(room, None, "a", "moderator")
    assert changed is not None and changed.role == "moderator"
    stored = await live_state.participant(room, None, "a")
    assert stored is not None and stored.role == "moderator"
    assert await live_state.leave(room, None, "a", T1, "runner-a")
    rejoined = await _join(live_state, room, _p("a", role="user"), breakout=BR)
    assert rejoined is not None and rejoined.role == "moderator"


async def test_set_role_only_for_present_participants(live_state: LiveState) -> None:
    room = _room()
    assert await live_state.set_role(room, None, "ghost", "moderator") is None
    await _join(live_state, room, _p("a", role="user"))
    assert await live_state.leave(room, None, "a", T1, "runner-a")
    assert await live_state.set_role(room, None, "a", "moderator") is None
    gone = await live_state.participant(room, None, "a")
    assert gone is not None and gone.role == "user"
    rejoined = await _join(live_state, room, _p("a", role="guest"))
    assert rejoined is not None and rejoined.role == "user"  # the refused change stored nothing


async def test_set_role_only_in_the_participants_signaling_room(live_state: LiveState) -> None:
    room = _room()
    await _join(live_state, room, _p("a"), breakout=BR)
    assert await live_state.set_role(room, None, "a", "moderator") is None
    assert await live_state.participant(room, None, "a") is None


# --- leave ----------------------------------------------------------------------------------


async def test_leave_needs_the_matching_runner(live_state: LiveState) -> None:
    room = _room()
    await _join(live_state, room, _p("a", runner="mine"))
    assert await live_state.leave(room, None, "a", T1, "someone-else") is False
    stored = await live_state.participant(room, None, "a")
    assert stored is not None and stored.left_at is None
    assert await live_state.count(room) == 1
    assert await live_state.leave(room, None, "a", T1, "mine") is True
    assert await live_state.count(room) == 0


async def test_stale_session_cannot_leave_a_taken_over_record(live_state: LiveState) -> None:
    room = _room()
    await _join(live_state, room, _p("a", runner="old"))
    await _join(live_state, room, _p("a", runner="new"))
    assert await live_state.leave(room, None, "a", T1, "old") is False
    assert await live_state.count(room) == 1
    assert await live_state.leave(room, None, "a", T1, "new") is True
    assert await live_state.count(room) == 0


async def test_leave_uncounts_sets_left_at_and_lowers_the_hand(live_state: LiveState) -> None:
    room = _room()
    await _join(live_state, room, _p("a"))
    await _join(live_state, room, _p("b"))
    raised = await live_state.set_hand(room, None, "a", True, T1)
    assert raised is not None and raised.hand_is_up
    assert await live_state.leave(room, None, "a", T2, "runner-a")
    gone = await live_state.participant(room, None, "a")
    assert gone is not None
    assert gone.left_at == T2
    assert gone.hand_is_up is False
    assert await live_state.count(room) == 1


async def test_leave_twice_or_unknown_is_false_and_count_stays(live_state: LiveState) -> None:
    room = _room()
    assert await live_state.leave(room, None, "ghost", T1, "runner-ghost") is False
    await _join(live_state, room, _p("a"))
    assert await live_state.leave(room, None, "a", T1, "runner-a") is True
    assert await live_state.leave(room, None, "a", T2, "runner-a") is False
    assert await live_state.count(room) == 0
    gone = await live_state.participant(room, None, "a")
    assert gone is not None and gone.left_at == T1  # the second leave changed nothing


async def test_leave_in_another_signaling_room_is_false(live_state: LiveState) -> None:
    room = _room()
    await _join(live_state, room, _p("a"), breakout=BR)
    assert await live_state.leave(room, None, "a", T1, "runner-a") is False
    assert await live_state.count(room) == 1


async def test_participants_never_shrink_and_keep_join_order(live_state: LiveState) -> None:
    room = _room()
    for pid in ("a", "b", "c"):
        await _join(live_state, room, _p(pid))
    assert await live_state.leave(room, None, "b", T1, "runner-b")
    assert await live_state.leave(room, None, "a", T1, "runner-a")
    everyone = await live_state.participants(room, None)
    assert [p.id for p in everyone] == ["a", "b", "c"]
    assert [p.left_at for p in everyone] == [T1, T1, None]


# --- hands ----------------------------------------------------------------------------------


async def test_set_hand_for_present_participants(live_state: LiveState) -> None:
    room = _room()
    await _join(live_state, room, _p("a"))
    up = await live_state.set_hand(room, None, "a", True, T1)
    assert up is not None and up.hand_is_up and up.hand_updated_at == T1
    stored = await live_state.participant(room, None, "a")
    assert stored is not None and stored.hand_is_up and stored.hand_updated_at == T1
    down = await live_state.set_hand(room, None, "a", False, T2)
    assert down is not None and not down.hand_is_up and down.hand_updated_at == T2


async def test_set_hand_refused_for_absent_or_gone(live_state: LiveState) -> None:
    room = _room()
    assert await live_state.set_hand(room, None, "ghost", True, T1) is None
    await _join(live_state, room, _p("a"))
    assert await live_state.leave(room, None, "a", T1, "runner-a")
    assert await live_state.set_hand(room, None, "a", True, T2) is None
    gone = await live_state.participant(room, None, "a")
    assert gone is not None and not gone.hand_is_up and gone.hand_updated_at != T2


# --- display names --------------------------------------------------------------------------


async def test_set_display_name_for_present_participants(live_state: LiveState) -> None:
    room = _room()
    await _join(live_state, room, _p("a"))
    await _join(live_state, room, _p("b"), breakout=BR)
    renamed = await live_state.set_display_name(room, None, "a", "Alice ä")
    assert renamed is not None and renamed.display_name == "Alice ä"
    assert renamed == await live_state.participant(room, None, "a")
    in_breakout = await live_state.set_display_name(room, BR, "b", "Bob")
    assert in_breakout is not None and in_breakout.display_name == "Bob"
    assert in_breakout == await live_state.participant(room, BR, "b")


async def test_set_display_name_refused_for_absent_gone_or_elsewhere(
    live_state: LiveState,
) -> None:
    room = _room()
    assert await live_state.set_display_name(room, None, "ghost", "Ghost") is None
    await _join(live_state, room, _p("a", name="Alice"))
    await _join(live_state, room, _p("b", name="Bob"), breakout=BR)
    assert await live_state.leave(room, None, "a", T1, "runner-a")
    assert await live_state.set_display_name(room, None, "a", "Changed") is None
    gone = await live_state.participant(room, None, "a")
    assert gone is not None and gone.display_name == "Alice"
    assert await live_state.set_display_name(room, None, "b", "Changed") is None
    assert await live_state.participant(room, None, "b") is None
    elsewhere = await live_state.participant(room, BR, "b")
    assert elsewhere is not None and elsewhere.display_name == "Bob"


# --- the stored record: omitted defaults and groups survive every update --------------------

GROUPS = pytest.mark.parametrize("groups", [[], ["/a", "/b"], ["/only"]], ids=str)


@GROUPS
async def test_records_round_trip_through_every_update(
    live_state: LiveState, groups: list[str]
) -> None:
    room = _room()
    given = _p("a", groups=groups)
    original = msgspec.structs.replace(given, seq=1)  # the room's first join
    joined = await _join(live_state, room, given)
    assert joined == original
    assert await live_state.participant(room, None, "a") == original
    up = await live_state.set_hand(room, None, "a", True, T1)
    assert up == msgspec.structs.replace(original, hand_is_up=True, hand_updated_at=T1)
    moderator = await live_state.set_role(room, None, "a", "moderator")
    expected = msgspec.structs.replace(
        original, hand_is_up=True, hand_updated_at=T1, role="moderator"
    )
    assert moderator == expected
    renamed = await live_state.set_display_name(room, None, "a", "Renamed")
    expected = msgspec.structs.replace(expected, display_name="Renamed")
    assert renamed == expected
    assert await live_state.participants(room, None) == [expected]
    assert await live_state.leave(room, None, "a", T2, "runner-a")
    gone = await live_state.participant(room, None, "a")
    assert gone == msgspec.structs.replace(expected, left_at=T2, hand_is_up=False)
    rejoined = msgspec.structs.replace(original, role="moderator", seq=2)  # a new join
    assert await _join(live_state, room, given) == rejoined
    held = await live_state.move_to_waiting(room, None, "a", T2, "runner-a")
    assert held == rejoined
    assert await live_state.waiting(room) == [(rejoined, False)]
    assert await live_state.participant(room, None, "a") == msgspec.structs.replace(
        rejoined, left_at=T2
    )
    assert await live_state.accept(room, "a")
    assert await live_state.waiting(room) == [(rejoined, True)]


@GROUPS
async def test_held_records_round_trip(live_state: LiveState, groups: list[str]) -> None:
    room = _room()
    held = _p("a", groups=groups)
    assert await live_state.hold(room, held, limit=0)
    assert await live_state.waiting(room) == [(held, False)]
    assert await live_state.accept(room, "a")
    assert await live_state.waiting(room) == [(held, True)]


async def test_records_keep_optional_fields(live_state: LiveState) -> None:
    room = _room()
    full = msgspec.structs.replace(
        _p("a", groups=["/g"]),
        kind="guest",
        user_id=None,
        avatar_url="https://example.org/a.png",
        is_room_owner=True,
        runner="",
    )
    stored = msgspec.structs.replace(full, seq=1)
    assert await _join(live_state, room, full) == stored
    assert await live_state.set_display_name(room, None, "a", "X") == msgspec.structs.replace(
        stored, display_name="X"
    )


# --- flags, lists, values, bans -------------------------------------------------------------


async def test_flags_default_until_set(live_state: LiveState) -> None:
    room, other = _room(), _room()
    assert await live_state.flag(room, "chat", True) is True
    assert await live_state.flag(room, "chat", False) is False
    await live_state.set_flag(room, "chat", False)
    assert await live_state.flag(room, "chat", True) is False
    await live_state.set_flag(room, "raise_hands", True)
    assert await live_state.flag(room, "raise_hands", False) is True
    assert await live_state.flag(room, "chat", True) is False  # flags are independent
    assert await live_state.flag(other, "chat", True) is True  # and per room


async def test_lists_keep_the_newest_oldest_first(live_state: LiveState) -> None:
    room = _room()
    for i in range(7):
        await live_state.append(room, "chat", _item(i), 3)
    assert await live_state.items(room, "chat") == [_item(4), _item(5), _item(6)]


async def test_lists_below_the_limit_keep_everything(live_state: LiveState) -> None:
    room = _room()
    for i in range(3):
        await live_state.append(room, "chat", _item(i), 100)
    assert await live_state.items(room, "chat") == [_item(0), _item(1), _item(2)]


async def test_list_items_are_stored_byte_for_byte(live_state: LiveState) -> None:
    room = _room()
    raw = [b"", b"\x00\xff\x80", '{"k": "ä/\\\\"}'.encode()]
    for item in raw:
        await live_state.append(room, "raw", item, 10)
    assert await live_state.items(room, "raw") == raw


async def test_lists_are_per_room_and_per_name_and_clear(live_state: LiveState) -> None:
    room, other = _room(), _room()
    await live_state.append(room, "chat:global", _item(1), 10)
    await live_state.append(room, "chat:group", _item(2), 10)
    await live_state.append(other, "chat:global", _item(3), 10)
    assert await live_state.items(room, "chat:global") == [_item(1)]
    assert await live_state.items(room, "chat:group") == [_item(2)]
    assert await live_state.items(other, "chat:global") == [_item(3)]
    assert await live_state.items(room, "unknown") == []
    await live_state.clear(room, "chat:global")
    assert await live_state.items(room, "chat:global") == []
    assert await live_state.items(room, "chat:group") == [_item(2)]  # other names stay
    assert await live_state.items(other, "chat:global") == [_item(3)]  # other rooms stay
    await live_state.append(room, "chat:global", _item(4), 10)
    assert await live_state.items(room, "chat:global") == [_item(4)]
    await live_state.clear(room, "unknown")  # clearing nothing is fine
    await live_state.clear(_room(), "chat:global")


async def test_lists_limit_is_applied_per_append(live_state: LiveState) -> None:
    room = _room()
    for i in range(5):
        await live_state.append(room, "chat", _item(i), 10)
    await live_state.append(room, "chat", _item(5), 2)  # a lower limit trims the older ones
    assert await live_state.items(room, "chat") == [_item(4), _item(5)]


async def test_keep_appends_to_every_list_it_names(live_state: LiveState) -> None:
    room = _room()
    assert await live_state.keep(Keep(room, ("private:a", "private:b"), _item(1), 10))
    assert await live_state.keep(Keep(room, ("private:a",), _item(2), 10))
    assert await live_state.items(room, "private:a") == [_item(1), _item(2)]
    assert await live_state.items(room, "private:b") == [_item(1)]


async def test_keep_is_refused_while_its_flag_is_off(live_state: LiveState) -> None:
    room = _room()
    keep = Keep(room, ("chat", "other"), _item(1), 10, unless_off="chat_enabled")
    assert await live_state.keep(keep) is True  # a flag is on until it is switched off
    await live_state.set_flag(room, "chat_enabled", False)
    assert await live_state.keep(keep._replace(item=_item(2))) is False
    assert await live_state.items(room, "chat") == [_item(1)]  # nothing kept anywhere
    assert await live_state.items(room, "other") == [_item(1)]
    await live_state.set_flag(room, "chat_enabled", True)
    assert await live_state.keep(keep._replace(item=_item(3))) is True
    assert await live_state.items(room, "chat") == [_item(1), _item(3)]


async def test_keep_without_a_limit_keeps_nothing(live_state: LiveState) -> None:
    room = _room()
    await live_state.append(room, "chat", _item(1), 10)
    assert await live_state.keep(Keep(room, ("chat",), _item(2), 0)) is True
    assert await live_state.items(room, "chat") == []


@settings(max_examples=50, deadline=None)
@given(
    appends=st.lists(st.tuples(st.sampled_from(["a", "b"]), st.integers(1, 10)), max_size=30),
    clear_at=st.none() | st.integers(0, 30),
)
async def test_list_property(
    live_state_factory: Factory[LiveState],
    appends: list[tuple[str, int]],
    clear_at: int | None,
) -> None:
    room = _room()
    model: dict[str, list[bytes]] = {"a": [], "b": []}
    async with live_state_factory() as state:
        for i, (name, limit) in enumerate(appends):
            if i == clear_at:
                await state.clear(room, "a")
                model["a"] = []
            await state.append(room, name, _item(i), limit)
            model[name] = (model[name] + [_item(i)])[-limit:]
            assert await state.items(room, name) == model[name], f"step {i}"
        for name, expected in model.items():
            assert await state.items(room, name) == expected


async def test_values_are_per_room_and_per_name(live_state: LiveState) -> None:
    room, other = _room(), _room()
    assert await live_state.value(room, "topic") is None
    await live_state.put_value(room, "topic", b"one")
    assert await live_state.value(room, "topic") == b"one"
    await live_state.put_value(room, "topic", b"\x00two\xff")  # overwrites, byte for byte
    assert await live_state.value(room, "topic") == b"\x00two\xff"
    await live_state.put_value(room, "empty", b"")
    assert await live_state.value(room, "empty") == b""
    assert await live_state.value(room, "other") is None
    assert await live_state.value(other, "topic") is None


async def test_init_flag_sets_only_once(live_state: LiveState) -> None:
    room, other = _room(), _room()
    assert await live_state.init_flag(room, "waiting_room", True) is True
    assert await live_state.init_flag(room, "waiting_room", False) is True  # already set
    assert await live_state.flag(room, "waiting_room", False) is True
    assert await live_state.init_flag(room, "off", False) is False
    assert await live_state.init_flag(room, "off", True) is False
    assert await live_state.flag(room, "off", True) is False
    assert await live_state.init_flag(other, "waiting_room", False) is False  # per room


async def test_init_flag_returns_a_flag_set_before(live_state: LiveState) -> None:
    room = _room()
    await live_state.set_flag(room, "waiting_room", False)
    assert await live_state.init_flag(room, "waiting_room", True) is False
    await live_state.set_flag(room, "waiting_room", True)  # set_flag still changes it
    assert await live_state.init_flag(room, "waiting_room", False) is True
    assert await live_state.flag(room, "waiting_room", False) is True


async def test_concurrent_init_flag_agrees(live_state: LiveState) -> None:
    room = _room()
    first, second = await asyncio.gather(
        live_state.init_flag(room, "waiting_room", True),
        live_state.init_flag(room, "waiting_room", False),
    )
    assert first == second == await live_state.flag(room, "waiting_room", not first)


async def test_a_signaling_room_keeps_at_most_record_limit_records(
    live_state: LiveState,
) -> None:
    room = _room()
    for pid in ("a", "b"):
        joined = await live_state.join(
            room, None, _p(pid), limit=0, closes_at=None, counted=False, record_limit=2
        )
        assert not joined.blocked
    third = await live_state.join(
        room, None, _p("c"), limit=0, closes_at=None, counted=False, record_limit=2
    )
    assert third.blocked and third.participant is None
    assert await live_state.count(room) == 2  # the refused one left no trace
    again = await live_state.join(  # a known record may always come back
        room, None, _p("a"), limit=0, closes_at=None, counted=False, record_limit=2
    )
    assert not again.blocked


async def test_bans_are_per_room(live_state: LiveState) -> None:
    room, other = _room(), _room()
    assert await live_state.is_banned(room, "u1") is False
    await live_state.ban(room, "u1")
    await live_state.ban(room, "u1")
    assert await live_state.is_banned(room, "u1") is True
    assert await live_state.is_banned(room, "u2") is False
    assert await live_state.is_banned(other, "u1") is False
    await live_state.unban(room, "u1")
    await live_state.unban(room, "u1")
    assert await live_state.is_banned(room, "u1") is False
    await live_state.unban(other, "nobody")  # nothing to take back: no error


async def test_put_new_value_and_take_value_are_exactly_once(live_state: LiveState) -> None:
    room = _room()
    assert await live_state.put_new_value(room, "poll", b"one") is True
    assert await live_state.put_new_value(room, "poll", b"two") is False
    assert await live_state.value(room, "poll") == b"one"
    assert await live_state.take_value(room, "poll", b"two") is False
    takes = await asyncio.gather(*(live_state.take_value(room, "poll", b"one") for _ in range(5)))
    assert sorted(takes) == [False] * 4 + [True]
    assert await live_state.value(room, "poll") is None
    assert await live_state.put_new_value(room, "poll", b"three") is True


async def test_map_entries_replace_per_key_and_go_with_the_room(live_state: LiveState) -> None:
    room = _room()
    assert await live_state.entries(room, "votes") == {}
    await asyncio.gather(*(live_state.set_entry(room, "votes", f"p{i}", b"[0]") for i in range(5)))
    await live_state.set_entry(room, "votes", "p0", b"[1]")
    entries = await live_state.entries(room, "votes")
    assert entries == {"p0": b"[1]", **{f"p{i}": b"[0]" for i in range(1, 5)}}
    assert await live_state.entries(room, "other") == {}
    await live_state.join(room, None, _p("a"), limit=0, closes_at=None, counted=False)
    await live_state.delete_room(room)
    assert await live_state.entries(room, "votes") == {}


async def test_timers_fire_once(live_state: LiveState) -> None:
    key = f"test:{uuid.uuid4()}"
    now = time.time()
    await live_state.schedule(key, now + 60)
    assert key not in await live_state.due(now)
    await live_state.schedule(key, now - 1)
    assert key in await live_state.due(now)
    claims = await asyncio.gather(*(live_state.claim(key) for _ in range(4)))
    assert sorted(claims) == [False] * 3 + [True]
    assert key not in await live_state.due(now)
    await live_state.schedule(key, now - 1)
    await live_state.unschedule(key)
    assert key not in await live_state.due(now)
    assert await live_state.claim(key) is False


# --- the waiting room -----------------------------------------------------------------------


async def test_hold_counts_the_participant_in_no_signaling_room(live_state: LiveState) -> None:
    room = _room()
    held = _p("a")
    assert await live_state.hold(room, held, limit=0) is True
    assert await live_state.count(room) == 1
    assert await live_state.waiting(room) == [(held, False)]
    assert await live_state.participants(room, None) == []
    assert await live_state.participant(room, None, "a") is None
    assert await live_state.breakouts(room) == []
    assert room in await live_state.rooms()


async def test_hold_respects_the_limit(live_state: LiveState) -> None:
    room = _room()
    await _join(live_state, room, _p("a"), limit=2)
    assert await live_state.hold(room, _p("b"), limit=2) is True
    assert await live_state.hold(room, _p("c"), limit=2) is False
    assert await live_state.count(room) == 2
    assert await _waiting_ids(live_state, room) == [("b", False)]
    assert await _join(live_state, room, _p("d"), limit=2) is None  # the held one counts
    assert await live_state.hold(room, _p("c"), limit=0) is True  # 0 = no limit
    assert await live_state.count(room) == 3


async def test_hold_is_idempotent_for_a_held_participant(live_state: LiveState) -> None:
    room = _room()
    assert await live_state.hold(room, _p("a"), limit=1) is True
    assert await live_state.hold(room, _p("a"), limit=1) is True  # held already: not refused
    assert await live_state.hold(room, _p("a"), limit=0) is True
    assert await live_state.count(room) == 1
    assert await _waiting_ids(live_state, room) == [("a", False)]
    assert await live_state.accept(room, "a")
    assert await live_state.hold(room, _p("a"), limit=1) is True
    assert await live_state.count(room) == 1
    assert await _waiting_ids(live_state, room) == [("a", True)]  # still accepted
    assert await live_state.unhold(room, "a") is True
    assert await live_state.count(room) == 0
    assert await live_state.waiting(room) == []


async def test_accept_is_exactly_once(live_state: LiveState) -> None:
    room = _room()
    assert await live_state.accept(room, "a") is False  # nobody held
    await live_state.hold(room, _p("a"), limit=0)
    await live_state.hold(room, _p("b"), limit=0)
    assert await live_state.accept(room, "a") is True
    assert await live_state.accept(room, "a") is False
    assert await live_state.count(room) == 2
    assert await _waiting_ids(live_state, room) == [("b", False), ("a", True)]
    assert await live_state.accept(_room(), "b") is False  # per room
    assert await _waiting_ids(live_state, room) == [("b", False), ("a", True)]


async def test_concurrent_accepts_have_one_winner(live_state: LiveState) -> None:
    room = _room()
    await live_state.hold(room, _p("a"), limit=0)
    results = await asyncio.gather(live_state.accept(room, "a"), live_state.accept(room, "a"))
    assert sorted(results) == [False, True]
    assert await _waiting_ids(live_state, room) == [("a", True)]
    assert await live_state.count(room) == 1


async def test_admit_only_accepted_participants_and_keep_them_counted(
    live_state: LiveState,
) -> None:
    room = _room()
    assert await live_state.admit(room, "a") is False
    held = _p("a")
    await live_state.hold(room, held, limit=0)
    assert await live_state.admit(room, "a") is False  # waiting, not accepted
    assert await live_state.waiting(room) == [(held, False)]
    assert await live_state.accept(room, "a")
    assert await live_state.admit(room, "a") is True
    assert await live_state.admit(room, "a") is False  # once
    assert await live_state.waiting(room) == []
    assert await live_state.count(room) == 1
    assert await live_state.unhold(room, "a") is False  # off the lists: nothing to unhold
    assert await live_state.count(room) == 1
    # the admitted participant joins as counted already, even into a full room
    joined = await _join(live_state, room, held, limit=1, counted=True)
    assert joined is not None and joined.left_at is None
    assert await live_state.count(room) == 1
    assert await live_state.leave(room, None, "a", T1, "runner-a")
    assert await live_state.count(room) == 0


async def test_unhold_uncounts_waiting_or_accepted(live_state: LiveState) -> None:
    room = _room()
    assert await live_state.unhold(room, "a") is False
    await _join(live_state, room, _p("present"))
    await live_state.hold(room, _p("a"), limit=0)
    await live_state.hold(room, _p("b"), limit=0)
    assert await live_state.accept(room, "b")
    assert await live_state.count(room) == 3
    assert await live_state.unhold(room, "a") is True
    assert await live_state.count(room) == 2
    assert await _waiting_ids(live_state, room) == [("b", True)]
    assert await live_state.unhold(room, "b") is True
    assert await live_state.count(room) == 1
    assert await live_state.waiting(room) == []
    assert await live_state.unhold(room, "a") is False
    assert await live_state.unhold(room, "b") is False
    assert await live_state.unhold(room, "present") is False  # present is not held
    assert await live_state.accept(room, "a") is False
    assert await live_state.count(room) == 1


async def test_waiting_lists_waiting_then_accepted_in_arrival_order(
    live_state: LiveState,
) -> None:
    room = _room()
    for pid in ("a", "b", "c", "d", "e"):
        assert await live_state.hold(room, _p(pid), limit=0)
    assert await live_state.accept(room, "d")
    assert await live_state.accept(room, "a")  # accepted after d, but arrived first
    assert await _waiting_ids(live_state, room) == [
        ("b", False),
        ("c", False),
        ("e", False),
        ("a", True),
        ("d", True),
    ]


async def test_waiting_arrival_order_includes_moved_participants(live_state: LiveState) -> None:
    room = _room()
    await _join(live_state, room, _p("a"))
    assert await live_state.hold(room, _p("b"), limit=0)
    assert await live_state.move_to_waiting(room, None, "a", T1, "runner-a") is not None
    assert await live_state.hold(room, _p("c"), limit=0)
    assert await _waiting_ids(live_state, room) == [("b", False), ("a", False), ("c", False)]


async def test_waiting_room_is_per_room(live_state: LiveState) -> None:
    room, other = _room(), _room()
    await live_state.hold(room, _p("a"), limit=1)
    assert await live_state.hold(other, _p("b"), limit=1) is True
    assert await _waiting_ids(live_state, room) == [("a", False)]
    assert await _waiting_ids(live_state, other) == [("b", False)]
    assert await live_state.accept(other, "a") is False
    assert await live_state.unhold(other, "a") is False
    assert await live_state.count(room) == 1


async def test_move_to_waiting_keeps_the_count_and_marks_the_record(
    live_state: LiveState,
) -> None:
    room = _room()
    await _join(live_state, room, _p("a"))
    await _join(live_state, room, _p("b"))
    stored = await live_state.participant(room, None, "a")
    assert stored is not None
    before = msgspec.structs.replace(stored)  # a copy: memory returns its live record
    held = await live_state.move_to_waiting(room, None, "a", T1, "runner-a")
    assert held == before  # the record, still without left_at
    assert held is not None and held.left_at is None
    after = await live_state.participant(room, None, "a")
    assert after is not None and after.left_at == T1
    assert [p.id for p in await live_state.participants(room, None)] == ["a", "b"]
    assert await live_state.count(room) == 2
    assert await live_state.waiting(room) == [(held, False)]
    # no longer present: none of the present-only changes apply
    assert await live_state.leave(room, None, "a", T2, "runner-a") is False
    assert await live_state.set_hand(room, None, "a", True, T2) is None
    assert await live_state.set_display_name(room, None, "a", "X") is None
    assert await live_state.move_to_waiting(room, None, "a", T2, "runner-a") is None
    assert await live_state.count(room) == 2
    assert await _waiting_ids(live_state, room) == [("a", False)]


async def test_move_to_waiting_and_back(live_state: LiveState) -> None:
    room = _room()
    await _join(live_state, room, _p("a"), limit=1)
    held = await live_state.move_to_waiting(room, None, "a", T1, "runner-a")
    assert held is not None
    assert await live_state.hold(room, _p("b"), limit=1) is False  # a is still counted
    assert await live_state.accept(room, "a")
    assert await live_state.admit(room, "a")
    joined = await _join(live_state, room, held, limit=1, counted=True)
    assert joined is not None and joined.left_at is None
    assert await live_state.count(room) == 1
    assert [p.id for p in await live_state.participants(room, None)] == ["a"]


async def test_move_to_waiting_then_unhold_uncounts(live_state: LiveState) -> None:
    room = _room()
    await _join(live_state, room, _p("a"), breakout=BR)
    assert await live_state.move_to_waiting(room, BR, "a", T1, "runner-a") is not None
    gone = await live_state.participant(room, BR, "a")
    assert gone is not None and gone.left_at == T1
    assert await live_state.count(room) == 1
    assert await live_state.unhold(room, "a") is True
    assert await live_state.count(room) == 0
    assert room in await live_state.empty_rooms(time.time() + 60)


async def test_move_to_waiting_needs_the_matching_runner_and_presence(
    live_state: LiveState,
) -> None:
    room = _room()
    assert await live_state.move_to_waiting(room, None, "ghost", T1, "runner-ghost") is None
    await _join(live_state, room, _p("a", runner="mine"))
    await _join(live_state, room, _p("b"), breakout=BR)
    await _join(live_state, room, _p("c"))
    assert await live_state.leave(room, None, "c", T1, "runner-c")
    assert await live_state.move_to_waiting(room, None, "a", T1, "someone-else") is None
    assert await live_state.move_to_waiting(room, None, "b", T1, "runner-b") is None  # elsewhere
    assert await live_state.move_to_waiting(room, None, "c", T2, "runner-c") is None  # gone
    assert await live_state.waiting(room) == []
    assert await live_state.count(room) == 2
    untouched = await live_state.participant(room, None, "a")
    assert untouched is not None and untouched.left_at is None
    in_breakout = await live_state.participant(room, BR, "b")
    assert in_breakout is not None and in_breakout.left_at is None
    still_gone = await live_state.participant(room, None, "c")
    assert still_gone is not None and still_gone.left_at == T1


async def test_empty_rooms_after_the_last_unhold(live_state: LiveState) -> None:
    room = _room()
    await live_state.hold(room, _p("a"), limit=0)
    await live_state.hold(room, _p("b"), limit=0)
    assert room not in await live_state.empty_rooms(time.time() + 60)
    assert await live_state.unhold(room, "a")
    assert room not in await live_state.empty_rooms(time.time() + 60)
    assert await live_state.accept(room, "b")
    assert await live_state.unhold(room, "b")
    assert room in await live_state.empty_rooms(time.time() + 60)
    assert await live_state.hold(room, _p("c"), limit=0)  # counted again
    assert room not in await live_state.empty_rooms(time.time() + 60)
    assert await live_state.delete_if_empty(room) is False
    assert await live_state.unhold(room, "c")
    assert await live_state.delete_if_empty(room) is True
    assert room not in await live_state.empty_rooms(time.time() + 60)
    assert room not in await live_state.rooms()


# --- deletion -------------------------------------------------------------------------------


async def test_delete_if_empty_refuses_while_counted(live_state: LiveState) -> None:
    room = _room()
    await _join(live_state, room, _p("a"))
    await live_state.set_flag(room, "chat", False)
    assert await live_state.delete_if_empty(room) is False
    assert await live_state.count(room) == 1
    assert await live_state.flag(room, "chat", True) is False
    assert [p.id for p in await live_state.participants(room, None)] == ["a"]


async def test_delete_if_empty_refuses_while_someone_waits(live_state: LiveState) -> None:
    room = _room()
    await _join(live_state, room, _p("a"))
    assert await live_state.move_to_waiting(room, None, "a", T1, "runner-a") is not None
    await live_state.hold(room, _p("b"), limit=0)
    assert await live_state.accept(room, "b")
    await live_state.put_value(room, "topic", b"t")
    assert await live_state.delete_if_empty(room) is False
    assert await _waiting_ids(live_state, room) == [("a", False), ("b", True)]
    assert await live_state.value(room, "topic") == b"t"
    assert await live_state.unhold(room, "a")
    assert await live_state.delete_if_empty(room) is False  # b is still counted
    assert await live_state.admit(room, "b")
    assert await live_state.delete_if_empty(room) is False  # admitted: counted until it joins
    assert await live_state.count(room) == 1


async def test_delete_if_empty_refuses_while_a_breakout_is_counted(
    live_state: LiveState,
) -> None:
    room = _room()
    await _join(live_state, room, _p("a"), breakout=BR)
    assert await live_state.delete_if_empty(room) is False
    assert [p.id for p in await live_state.participants(room, BR)] == ["a"]


async def test_delete_if_empty_deletes_everything_once_empty(live_state: LiveState) -> None:
    room, other = _room(), _room()
    await _join(live_state, room, _p("a", role="moderator"))
    await _join(live_state, room, _p("b"), breakout=BR)
    await _join(live_state, other, _p("z"))
    await live_state.set_flag(room, "chat", False)
    await live_state.ban(room, "u1")
    await live_state.append(room, "chat", _item(1), 10)
    await live_state.append(room, "chat:group", _item(2), 10)
    await live_state.put_value(room, "topic", b"t")
    await live_state.init_flag(room, "waiting_room", True)
    assert await live_state.hold(room, _p("w"), limit=0)
    assert await live_state.hold(room, _p("x"), limit=0)
    assert await live_state.accept(room, "x")
    assert await live_state.unhold(room, "w")
    assert await live_state.unhold(room, "x")
    assert await live_state.leave(room, None, "a", T1, "runner-a")
    assert await live_state.leave(room, BR, "b", T1, "runner-b")
    assert await live_state.delete_if_empty(room) is True
    assert await live_state.count(room) == 0
    assert await live_state.participants(room, None) == []
    assert await live_state.participants(room, BR) == []
    assert await live_state.flag(room, "chat", True) is True
    assert await live_state.is_banned(room, "u1") is False
    assert await live_state.items(room, "chat") == []
    assert await live_state.items(room, "chat:group") == []
    assert await live_state.value(room, "topic") is None
    assert await live_state.init_flag(room, "waiting_room", False) is False
    assert await live_state.waiting(room) == []
    rejoined = await _join(live_state, room, _p("a", role="guest"))
    assert rejoined is not None and rejoined.role == "guest"  # the stored role went too
    assert [p.id for p in await live_state.participants(other, None)] == ["z"]
    assert await live_state.count(other) == 1


async def test_delete_room_is_unconditional(live_state: LiveState) -> None:
    room, other = _room(), _room()
    await _join(live_state, room, _p("a"))
    await _join(live_state, other, _p("b"))
    await live_state.ban(room, "u1")
    await live_state.set_flag(room, "chat", False)
    await live_state.append(room, "chat", _item(1), 10)
    await live_state.append(other, "chat", _item(2), 10)
    await live_state.put_value(room, "topic", b"t")
    await live_state.put_value(other, "topic", b"o")
    assert await live_state.hold(room, _p("w"), limit=0)
    assert await live_state.hold(room, _p("x"), limit=0)
    assert await live_state.accept(room, "x")
    assert await live_state.delete_room(room) is True
    assert await live_state.count(room) == 0
    assert await live_state.participants(room, None) == []
    assert await live_state.is_banned(room, "u1") is False
    assert await live_state.flag(room, "chat", True) is True
    assert await live_state.items(room, "chat") == []
    assert await live_state.value(room, "topic") is None
    assert await live_state.waiting(room) == []
    assert await live_state.accept(room, "w") is False
    assert await live_state.admit(room, "x") is False
    assert await live_state.unhold(room, "x") is False
    assert await live_state.count(room) == 0
    assert await live_state.count(other) == 1
    assert await live_state.items(other, "chat") == [_item(2)]
    assert await live_state.value(other, "topic") == b"o"
    assert await live_state.delete_room(room) is False  # nothing left to delete
    # a fresh start: the old waiting room does not come back
    assert await live_state.hold(room, _p("y"), limit=1)
    assert await _waiting_ids(live_state, room) == [("y", False)]
    assert await live_state.count(room) == 1


async def test_end_session_deletes_a_running_sessions_state(live_state: LiveState) -> None:
    room, other = _room(), _room()
    assert await live_state.session(room) is None
    assert await live_state.end_session(room) is False  # no session runs
    await _join(live_state, room, _p("a"))
    await _join(live_state, room, _p("b"), breakout=BR)
    await _join(live_state, other, _p("c"))
    assert await live_state.hold(room, _p("w"), limit=0)
    await live_state.ban(room, "u1")
    await live_state.put_value(room, "topic", b"t")
    session = await live_state.session(room)
    assert session is not None and session != await live_state.session(other)
    assert await live_state.end_session(room) is True
    assert await live_state.session(room) is None
    assert await live_state.count(room) == 0
    assert await live_state.participants(room, None) == []
    assert await live_state.participants(room, BR) == []
    assert await live_state.waiting(room) == []
    assert await live_state.is_banned(room, "u1") is False
    assert await live_state.value(room, "topic") is None
    assert room not in await live_state.rooms()
    assert await live_state.end_session(room) is False
    assert await live_state.count(other) == 1  # other rooms keep theirs
    await _join(live_state, room, _p("a"))  # the room stays: a new session begins
    assert await live_state.session(room) not in (None, session)


async def test_delete_room_without_state(live_state: LiveState) -> None:
    assert await live_state.delete_room(_room()) is False
    assert await live_state.delete_if_empty(_room()) is False


async def test_rooms_lists_parent_rooms_with_state(live_state: LiveState) -> None:
    one, two = _room(), _room()
    await _join(live_state, one, _p("a"))
    await _join(live_state, two, _p("b"), breakout=BR)
    rooms = await live_state.rooms()
    assert one in rooms and two in rooms
    assert BR not in rooms  # breakout rooms are not parent rooms
    await live_state.delete_room(one)
    rooms = await live_state.rooms()
    assert one not in rooms and two in rooms


async def test_breakouts_lists_signaling_rooms_with_participants(live_state: LiveState) -> None:
    room = _room()
    assert await live_state.breakouts(room) == []
    await _join(live_state, room, _p("a"))
    assert await live_state.breakouts(room) == [None]
    await _join(live_state, room, _p("b"), breakout=BR)
    await _join(live_state, room, _p("c"), breakout="breakout-2")
    assert sorted(await live_state.breakouts(room), key=str) == sorted(
        [None, BR, "breakout-2"], key=str
    )
    assert await live_state.breakouts(_room()) == []


async def test_empty_rooms_reports_rooms_whose_count_dropped_to_zero(
    live_state: LiveState,
) -> None:
    room, busy, untouched = _room(), _room(), _room()
    await _join(live_state, room, _p("a"))
    await _join(live_state, busy, _p("b"))
    await _join(live_state, busy, _p("c"))
    assert room not in await live_state.empty_rooms(time.time() + 60)
    before = time.time() - 60
    assert await live_state.leave(room, None, "a", T1, "runner-a")
    assert await live_state.leave(busy, None, "b", T1, "runner-b")
    after = time.time() + 60
    empty = await live_state.empty_rooms(after)
    assert room in empty
    assert busy not in empty and untouched not in empty
    assert room not in await live_state.empty_rooms(before)  # it emptied after `before`
    await _join(live_state, room, _p("a"))  # occupied again
    assert room not in await live_state.empty_rooms(after)
    assert await live_state.leave(room, None, "a", T1, "runner-a")
    assert room in await live_state.empty_rooms(time.time() + 60)
    assert await live_state.delete_if_empty(room)
    assert room not in await live_state.empty_rooms(time.time() + 60)


async def test_ping(live_state: LiveState) -> None:
    await live_state.ping()


# --- property: every way in and out keeps the count honest ----------------------------------

# Each participant stays in one signaling room: being present in two at once is a state the
# session never produces (it leaves before moving), so the contract does not pin it down.
# Likewise a participant is either present, held (waiting or accepted), admitted (off the
# lists, counted, about to join as counted) or none of these: the session never holds a
# present participant, joins a held one, or holds or joins uncounted an admitted one, so the
# model skips those steps.
_HOME: dict[str, str | None] = {"p0": None, "p1": None, "p2": None, "p3": BR, "p4": BR}
_ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["join", "leave", "hold", "accept", "admit", "unhold", "to_waiting"]),
        st.sampled_from(sorted(_HOME)),
        st.sampled_from(["r1", "r2"]),
    ),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(actions=_ACTIONS, limit=st.integers(0, 4))
async def test_count_matches_present_and_held_participants(
    live_state_factory: Factory[LiveState],
    actions: list[tuple[str, str, str]],
    limit: int,
) -> None:
    room = _room()
    present: dict[tuple[str | None, str], str] = {}  # (signaling room, pid) -> runner
    held: dict[str, bool] = {}  # pid -> accepted
    admitted: set[str] = set()
    ever_counted = False
    async with live_state_factory() as state:
        for step, (action, pid, runner) in enumerate(actions):
            breakout = _HOME[pid]
            where = f"step {step}: {action} {pid} in {breakout} by {runner}"
            here = (breakout, pid) in present
            counted = len(present) + len(held) + len(admitted)
            full = bool(limit) and counted >= limit
            if action == "join":
                if pid in held:
                    continue
                result = await state.join(
                    room,
                    breakout,
                    _p(pid, runner=runner),
                    limit=limit,
                    closes_at=None,
                    counted=pid in admitted,
                )
                expect_blocked = not here and pid not in admitted and full
                assert result.blocked == expect_blocked, where
                if not result.blocked:
                    present[(breakout, pid)] = runner
                    admitted.discard(pid)
            elif action == "leave":
                left = await state.leave(room, breakout, pid, T1, runner)
                assert left == (present.get((breakout, pid)) == runner), where
                if left:
                    del present[(breakout, pid)]
            elif action == "hold":
                if here or pid in admitted:
                    continue
                ok = await state.hold(room, _p(pid, runner=runner), limit=limit)
                assert ok == (pid in held or not full), where
                if ok:
                    held.setdefault(pid, False)
            elif action == "accept":
                accepted = await state.accept(room, pid)
                assert accepted == (held.get(pid) is False), where
                if accepted:
                    held[pid] = True
            elif action == "admit":
                admitted_now = await state.admit(room, pid)
                assert admitted_now == (held.get(pid) is True), where
                if admitted_now:
                    del held[pid]
                    admitted.add(pid)
            elif action == "unhold":
                unheld = await state.unhold(room, pid)
                assert unheld == (pid in held), where
                held.pop(pid, None)
            else:
                moved = await state.move_to_waiting(room, breakout, pid, T1, runner)
                assert (moved is not None) == (present.get((breakout, pid)) == runner), where
                if moved is not None:
                    assert moved.id == pid and moved.left_at is None, where
                    del present[(breakout, pid)]
                    held[pid] = False
            count = await state.count(room)
            still_here = [
                (b, p.id)
                for b in (None, BR)
                for p in await state.participants(room, b)
                if p.left_at is None
            ]
            waiting = [(p.id, accepted) for p, accepted in await state.waiting(room)]
            assert count == len(present) + len(held) + len(admitted), where
            assert sorted(still_here, key=str) == sorted(present, key=str), where
            assert sorted(waiting) == sorted(held.items()), where
            assert [a for _, a in waiting] == sorted(a for _, a in waiting), where
            if limit:
                assert count <= limit, where
            ever_counted = ever_counted or count > 0
            empty = room in await state.empty_rooms(time.time() + 60)
            assert empty == (ever_counted and count == 0), where


async def test_every_join_gets_the_next_join_number(live_state: LiveState) -> None:
    room = _room()
    first = await _join(live_state, room, _p("a"))
    second = await _join(live_state, room, _p("b"), breakout=BR)
    assert first is not None and second is not None
    assert (first.seq, second.seq) == (1, 2)  # one counter for the parent room
    assert await live_state.leave(room, None, "a", T1, "runner-a")
    again = await _join(live_state, room, _p("a"))
    assert again is not None and again.seq == 3
    assert [p.id for p in await live_state.participants(room, None)] == ["a"]

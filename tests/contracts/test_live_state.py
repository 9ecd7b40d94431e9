"""The LiveState contract (signaling/state/__init__.py), run against every backend."""

from __future__ import annotations

import time
import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from signaling.state import ChatMessage, LiveState, Participant, Role
from tests.contracts.conftest import Factory

T0 = "2024-01-01T00:00:00.000000Z"
T1 = "2024-01-01T00:00:01.000000Z"
T2 = "2024-01-01T00:00:02.000000Z"
BR = "breakout-1"


def _room() -> str:
    return str(uuid.uuid4())


def _p(pid: str, *, role: Role = "user", runner: str | None = None, name: str = "") -> Participant:
    return Participant(
        id=pid,
        display_name=name or f"Name {pid}",
        role=role,
        kind="user",
        user_id=f"user-{pid}",
        hand_updated_at=T0,
        joined_at=T0,
        runner=runner if runner is not None else f"runner-{pid}",
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


def _msg(i: int) -> ChatMessage:
    return ChatMessage(
        id=f"m{i}",
        source="p",
        timestamp=f"2024-01-01T00:00:{i:02d}.000000Z",
        content=f"c{i}",
        scope="global",
    )


# --- join and the participant count ---------------------------------------------------------


async def test_empty_room(live_state: LiveState) -> None:
    room = _room()
    assert await live_state.count(room) == 0
    assert await live_state.participants(room, None) == []
    assert await live_state.participant(room, None, "nobody") is None
    assert await live_state.chat_history(room, None) == []


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


async def test_closes_at_is_set_by_a_later_join_if_none_yet(live_state: LiveState) -> None:
    room = _room()
    first = await live_state.join(room, None, _p("a"), limit=0, closes_at=None, counted=False)
    second = await live_state.join(room, None, _p("b"), limit=0, closes_at=T2, counted=False)
    assert first.closes_at is None
    assert second.closes_at == T2


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


# --- flags, chat, bans ----------------------------------------------------------------------


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


async def test_chat_history_keeps_the_newest_oldest_first(live_state: LiveState) -> None:
    room = _room()
    for i in range(7):
        await live_state.add_chat_message(room, None, _msg(i), 3)
    assert [m.id for m in await live_state.chat_history(room, None)] == ["m4", "m5", "m6"]
    stored = (await live_state.chat_history(room, None))[-1]
    assert stored == _msg(6)


async def test_chat_history_below_the_limit_keeps_everything(live_state: LiveState) -> None:
    room = _room()
    for i in range(3):
        await live_state.add_chat_message(room, None, _msg(i), 100)
    assert await live_state.chat_history(room, None) == [_msg(0), _msg(1), _msg(2)]


async def test_chat_history_is_per_signaling_room_and_clears(live_state: LiveState) -> None:
    room = _room()
    await live_state.add_chat_message(room, None, _msg(1), 10)
    await live_state.add_chat_message(room, BR, _msg(2), 10)
    assert [m.id for m in await live_state.chat_history(room, None)] == ["m1"]
    assert [m.id for m in await live_state.chat_history(room, BR)] == ["m2"]
    await live_state.clear_chat_history(room, None)
    assert await live_state.chat_history(room, None) == []
    assert [m.id for m in await live_state.chat_history(room, BR)] == ["m2"]
    await live_state.add_chat_message(room, None, _msg(3), 10)
    assert [m.id for m in await live_state.chat_history(room, None)] == ["m3"]


@settings(max_examples=50, deadline=None)
@given(count=st.integers(0, 30), limit=st.integers(1, 10))
async def test_chat_history_property(
    live_state_factory: Factory[LiveState], count: int, limit: int
) -> None:
    room = _room()
    async with live_state_factory() as state:
        for i in range(count):
            await state.add_chat_message(room, None, _msg(i), limit)
        history = await state.chat_history(room, None)
    assert [m.id for m in history] == [f"m{i}" for i in range(max(0, count - limit), count)]


async def test_bans_are_per_room(live_state: LiveState) -> None:
    room, other = _room(), _room()
    assert await live_state.is_banned(room, "u1") is False
    await live_state.ban(room, "u1")
    await live_state.ban(room, "u1")
    assert await live_state.is_banned(room, "u1") is True
    assert await live_state.is_banned(room, "u2") is False
    assert await live_state.is_banned(other, "u1") is False


async def test_no_breakout_configuration_by_default(live_state: LiveState) -> None:
    assert await live_state.breakout_rooms(_room()) is None


# --- deletion -------------------------------------------------------------------------------


async def test_delete_if_empty_refuses_while_counted(live_state: LiveState) -> None:
    room = _room()
    await _join(live_state, room, _p("a"))
    await live_state.set_flag(room, "chat", False)
    assert await live_state.delete_if_empty(room) is False
    assert await live_state.count(room) == 1
    assert await live_state.flag(room, "chat", True) is False
    assert [p.id for p in await live_state.participants(room, None)] == ["a"]


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
    await live_state.add_chat_message(room, None, _msg(1), 10)
    await live_state.add_chat_message(room, BR, _msg(2), 10)
    assert await live_state.leave(room, None, "a", T1, "runner-a")
    assert await live_state.leave(room, BR, "b", T1, "runner-b")
    assert await live_state.delete_if_empty(room) is True
    assert await live_state.count(room) == 0
    assert await live_state.participants(room, None) == []
    assert await live_state.participants(room, BR) == []
    assert await live_state.flag(room, "chat", True) is True
    assert await live_state.is_banned(room, "u1") is False
    assert await live_state.chat_history(room, None) == []
    assert await live_state.chat_history(room, BR) == []
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
    await live_state.add_chat_message(room, None, _msg(1), 10)
    assert await live_state.delete_room(room) is True
    assert await live_state.count(room) == 0
    assert await live_state.participants(room, None) == []
    assert await live_state.is_banned(room, "u1") is False
    assert await live_state.flag(room, "chat", True) is True
    assert await live_state.chat_history(room, None) == []
    assert await live_state.count(other) == 1
    assert await live_state.delete_room(room) is False  # nothing left to delete


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


# --- property: joins and leaves keep the count honest ---------------------------------------

# Each participant stays in one signaling room: being present in two at once is a state the
# session never produces (it leaves before moving), so the contract does not pin it down.
_HOME: dict[str, str | None] = {"p0": None, "p1": None, "p2": None, "p3": BR, "p4": BR}
_ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["join", "leave"]),
        st.sampled_from(sorted(_HOME)),
        st.sampled_from(["r1", "r2"]),
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(actions=_ACTIONS, limit=st.integers(0, 4))
async def test_count_matches_present_participants(
    live_state_factory: Factory[LiveState],
    actions: list[tuple[str, str, str]],
    limit: int,
) -> None:
    room = _room()
    present: dict[tuple[str | None, str], str] = {}  # (signaling room, pid) -> runner
    async with live_state_factory() as state:
        for step, (action, pid, runner) in enumerate(actions):
            breakout = _HOME[pid]
            where = f"step {step}: {action} {pid} in {breakout} by {runner}"
            if action == "join":
                result = await state.join(
                    room,
                    breakout,
                    _p(pid, runner=runner),
                    limit=limit,
                    closes_at=None,
                    counted=False,
                )
                full = bool(limit) and len(present) >= limit
                expect_blocked = (breakout, pid) not in present and full
                assert result.blocked == expect_blocked, where
                if not result.blocked:
                    present[(breakout, pid)] = runner
            else:
                left = await state.leave(room, breakout, pid, T1, runner)
                assert left == (present.get((breakout, pid)) == runner), where
                if left:
                    del present[(breakout, pid)]
            count = await state.count(room)
            still_here = [
                (b, p.id)
                for b in (None, BR)
                for p in await state.participants(room, b)
                if p.left_at is None
            ]
            assert count == len(present), where
            assert sorted(still_here, key=str) == sorted(present, key=str), where
            if limit:
                assert count <= limit, where

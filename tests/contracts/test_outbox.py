"""The webhook outbox (signaling/webhooks/outbox.py) as the live state fills it, on every
backend: which step emits what, in which order, with which fields; cursors, trimming, the
bound and the lease."""

from __future__ import annotations

import asyncio
import re
import uuid

from signaling.state import LiveState, Notice, Participant
from signaling.webhooks.events import Entry
from signaling.webhooks.outbox import Outbox
from tests.contracts.conftest import OUTBOX_TEST_LIMIT, Emitting

T0 = "2024-01-01T00:00:00.000000Z"
T1 = "2024-01-01T00:00:01.000000Z"
BR = "breakout-1"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _p(pid: str, runner: str = "") -> Participant:
    return Participant(
        id=pid,
        display_name=f"Name {pid}",
        role="user",
        kind="user",
        user_id=f"user-{pid}",
        hand_updated_at=T0,
        joined_at=T0,
        runner=runner or f"runner-{pid}",
    )


async def _join(state: LiveState, room: str, pid: str, breakout: str | None = None) -> None:
    result = await state.join(room, breakout, _p(pid), limit=0, closes_at=None, counted=False)
    assert not result.blocked


async def _events(outbox: Outbox, room: str) -> list[tuple[str, str | None]]:
    """(event, participant id) of every entry, oldest first."""
    return [(e.event, e.data.get("participant_id")) for e in await outbox.entries(room, 1000)]


async def test_a_meeting_is_told_in_order(emitting: Emitting) -> None:
    state, outbox = emitting
    room = str(uuid.uuid4())
    await _join(state, room, "a")
    await _join(state, room, "b")
    assert await state.leave(room, None, "b", T1, "runner-b", "kicked")
    assert await state.leave(room, None, "a", T1, "runner-a")
    assert await state.delete_if_empty(room)
    entries = await outbox.entries(room, 1000)
    assert [(e.event, e.data.get("participant_id")) for e in entries] == [
        ("session.started", None),
        ("participant.joined", "a"),
        ("participant.joined", "b"),
        ("participant.left", "b"),
        ("participant.left", "a"),
        ("session.ended", None),
    ]
    assert [e.n for e in entries] == sorted({e.n for e in entries})
    assert len({e.id for e in entries}) == len(entries)
    assert all(UUID.match(e.id) for e in entries)
    session = entries[0].session_id
    assert session is not None and UUID.match(session)
    assert {e.session_id for e in entries} == {session}
    assert {e.room_id for e in entries} == {room}
    assert entries[0].data["started_at"] == T0
    assert entries[1].data == {
        "room_id": room,
        "session_id": session,
        "participant_id": "a",
        "display_name": "Name a",
        "kind": "user",
        "role": "user",
        "user_id": "user-a",
        "joined_at": T0,
    }
    assert entries[1].timestamp == T0
    assert (entries[3].data["leave_reason"], entries[3].data["left_at"]) == ("kicked", T1)
    assert entries[4].data["leave_reason"] == "quit"
    assert entries[5].data["reason"] == "empty"


async def test_a_new_session_after_the_cleanup(emitting: Emitting) -> None:
    state, outbox = emitting
    room = str(uuid.uuid4())
    await _join(state, room, "a")
    assert await state.leave(room, None, "a", T1, "runner-a")
    assert await state.delete_if_empty(room)
    await _join(state, room, "a")
    entries = await outbox.entries(room, 1000)
    assert [e.event for e in entries[-2:]] == ["session.started", "participant.joined"]
    assert entries[-1].session_id != entries[0].session_id
    assert entries[-1].n > entries[0].n


async def test_a_resumed_session_and_a_breakout_move_emit_nothing(emitting: Emitting) -> None:
    state, outbox = emitting
    room = str(uuid.uuid4())
    await _join(state, room, "a")
    # the same id still present: a resumed session takes over its record
    await state.join(room, None, _p("a", "runner-2"), limit=0, closes_at=None, counted=False)
    # the new socket joins the breakout room before the old one has left the main room
    await _join(state, room, "a", breakout=BR)
    assert await state.leave(room, None, "a", T1, "runner-2")
    assert await _events(outbox, room) == [("session.started", None), ("participant.joined", "a")]
    assert await state.leave(room, BR, "a", T1, "runner-a")
    assert (await _events(outbox, room))[-1] == ("participant.left", "a")


async def test_the_waiting_room(emitting: Emitting) -> None:
    state, outbox = emitting
    room = str(uuid.uuid4())
    assert await state.hold(room, _p("w"), limit=0)
    assert await state.hold(room, _p("w"), limit=0)  # held already: nothing new
    await _join(state, room, "a")
    assert await state.move_to_waiting(room, None, "a", T1, "runner-a") is not None
    entries = await outbox.entries(room, 1000)
    assert [(e.event, e.data.get("participant_id")) for e in entries] == [
        ("session.started", None),
        ("participant.waiting", "w"),
        ("participant.joined", "a"),
        ("participant.left", "a"),
        ("participant.waiting", "a"),
    ]
    assert entries[3].data["leave_reason"] == "sent_to_waiting_room"
    assert len({e.session_id for e in entries}) == 1


async def test_a_deleted_room(emitting: Emitting) -> None:
    state, outbox = emitting
    room = str(uuid.uuid4())
    await _join(state, room, "a")
    await _join(state, room, "b", breakout=BR)
    assert await state.leave(room, None, "a", T1, "runner-a")
    assert await state.delete_room(room)
    entries = await outbox.entries(room, 1000)
    assert [(e.event, e.data.get("participant_id")) for e in entries[3:]] == [
        ("participant.left", "a"),
        ("participant.left", "b"),
        ("session.ended", None),
        ("room.deleted", None),
    ]
    assert entries[4].data["leave_reason"] == "room_deleted"
    assert entries[5].data["reason"] == "room_deleted"
    assert entries[6].session_id == entries[0].session_id
    never = str(uuid.uuid4())  # a room without live state: only room.deleted, no session
    await state.delete_room(never)
    assert [(e.event, e.session_id) for e in await outbox.entries(never, 10)] == [
        ("room.deleted", None)
    ]


async def test_an_ended_session(emitting: Emitting) -> None:
    state, outbox = emitting
    room = str(uuid.uuid4())
    await _join(state, room, "a")
    await _join(state, room, "b", breakout=BR)
    assert await state.leave(room, None, "a", T1, "runner-a")
    session = await state.session(room)
    assert session is not None and UUID.match(session)
    assert await state.end_session(room)
    assert await state.session(room) is None
    entries = await outbox.entries(room, 1000)
    assert [(e.event, e.data.get("participant_id")) for e in entries[3:]] == [
        ("participant.left", "a"),
        ("participant.left", "b"),
        ("session.ended", None),
    ]
    assert entries[4].data["leave_reason"] == "ended"
    assert entries[5].data["reason"] == "ended"
    assert {e.session_id for e in entries} == {session}
    assert not await state.end_session(room)  # none runs: nothing more is told
    assert len(await outbox.entries(room, 1000)) == len(entries)


async def test_a_notice_goes_with_the_winning_take(emitting: Emitting) -> None:
    state, outbox = emitting
    room = str(uuid.uuid4())
    await _join(state, room, "a")
    await state.put_value(room, "poll", b"one")
    notice: Notice = ("poll.done", {"poll_id": "p", "results": [{"id": 0, "count": 2}]})
    takes = await asyncio.gather(
        *(state.take_value(room, "poll", b"one", notice) for _ in range(4))
    )
    assert sorted(takes) == [False, False, False, True]
    done = [e for e in await outbox.entries(room, 1000) if e.event == "poll.done"]
    assert len(done) == 1
    assert done[0].data["results"] == [{"id": 0, "count": 2}]
    assert done[0].session_id is not None


async def test_the_bound_drops_the_oldest_and_counts_them(emitting: Emitting) -> None:
    state, outbox = emitting
    room = str(uuid.uuid4())
    for i in range(6):
        await _join(state, room, f"p{i}")  # session.started + 6 joins + 3 leaves = 10
    for i in range(3):
        assert await state.leave(room, None, f"p{i}", T1, f"runner-p{i}")
    entries = await outbox.entries(room, 1000)
    assert len(entries) == OUTBOX_TEST_LIMIT
    assert [e.n for e in entries] == list(range(3, 11))
    assert await outbox.dropped_through(room) == 2
    await outbox.advance(room, "new", 0)
    assert (await outbox.cursors(room))["new"] == 0  # a consumer now, also at 0
    await outbox.advance(room, "fast", 10)
    await outbox.trim(room, 10)  # every consumer passed all: the room's outbox is forgotten
    assert await outbox.dropped_through(room) == 0
    assert room not in await outbox.rooms()


async def test_cursors_never_go_back_and_trim_forgets_an_empty_room(emitting: Emitting) -> None:
    state, outbox = emitting
    room = str(uuid.uuid4())
    await _join(state, room, "a")
    await _join(state, room, "b")
    assert room in await outbox.rooms()
    await outbox.advance(room, "w1", 2)
    await outbox.advance(room, "w1", 1)
    await outbox.advance(room, "records", 3)
    assert await outbox.cursors(room) == {"w1": 2, "records": 3}
    await outbox.trim(room, 2)
    assert [e.n for e in await outbox.entries(room, 10)] == [3]
    assert room in await outbox.rooms()
    await outbox.trim(room, 3)
    assert await outbox.entries(room, 10) == []
    assert room not in await outbox.rooms()
    assert await outbox.cursors(room) == {}
    await _join(state, room, "c")  # numbering goes on
    entries: list[Entry] = await outbox.entries(room, 10)
    assert [e.n for e in entries] == [4]


async def test_one_lease_holder_at_a_time(emitting: Emitting) -> None:
    _, outbox = emitting
    room = str(uuid.uuid4())
    takes = await asyncio.gather(*(outbox.lease(room, f"node-{i}", 0.3) for i in range(5)))
    assert sum(takes) == 1
    holder = f"node-{takes.index(True)}"
    assert await outbox.lease(room, holder, 0.3)  # renewed
    assert not await outbox.lease(room, "other", 0.3)
    await outbox.release(room, "other")  # not its lease: nothing happens
    assert not await outbox.lease(room, "other", 0.3)
    await asyncio.sleep(0.4)  # expired without renewal
    assert await outbox.lease(room, "other", 0.3)
    await outbox.release(room, "other")
    assert await outbox.lease(room, holder, 0.3)

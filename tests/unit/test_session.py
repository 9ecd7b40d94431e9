"""signaling.session without a server: §4 routing (error or silent drop), the rate limit's
wiring, the frame- and byte-bounded backlog (1013 past it) and audience filtering, on a node
in the test's loop with memory backends (tests/support/local.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from signaling.errors import CloseCode
from signaling.hub import Audience, Delivery, room_channel
from signaling.session import ConnState
from signaling.state import Role
from signaling.wire import encode_event
from tests.support.local import LocalNode, deliver, local_node


@pytest.fixture
async def local(tmp_path: Path) -> AsyncIterator[LocalNode]:
    async with local_node(tmp_path) as node:
        yield node


# -- §4 routing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("joined", "namespace", "payload", "expected"),
    [
        # an unknown namespace: silent before the join, invalid_namespace after it
        (False, "nope", {"action": "x"}, []),
        (True, "nope", {"action": "x"}, [("control", "invalid_namespace")]),
        # a module that needs a join is silent before it
        (False, "chat", {"action": "send_message", "scope": "global", "content": "hi"}, []),
        # a payload that is not one of the module's commands: dropped, but control reports it
        (True, "chat", {"action": "no_such_action"}, []),
        (True, "chat", {"action": "send_message", "scope": 7}, []),
        (False, "control", {"action": "no_such_action"}, [("control", "invalid_json")]),
        (True, "control", {"action": "raise_hand", "extra": []}, [("control", "hand_raised")]),
        # the module's own refusals are its typed errors
        (True, "control", {"action": "join"}, [("control", "already_joined")]),
        (False, "control", {"action": "raise_hand"}, [("control", "not_yet_joined")]),
        (True, "polls", {"action": "finish", "id": "x"}, [("polls", "insufficient_permissions")]),
    ],
)
async def test_routing(
    local: LocalNode,
    joined: bool,
    namespace: str,
    payload: dict[str, object],
    expected: list[tuple[str, str]],
) -> None:
    conn = await local.connect()
    if joined:
        await conn.join()
    before = len(conn.events())
    conn.send(namespace, payload)
    await conn.settle()
    assert conn.events()[before:] == expected


@pytest.mark.parametrize("joined", [False, True])
async def test_malformed_json_is_a_control_error_in_every_state(
    local: LocalNode, joined: bool
) -> None:
    conn = await local.connect()
    if joined:
        await conn.join()
    before = len(conn.events())
    for text in ["{", "[]", '{"namespace": 1}', "[" * 100_000]:
        conn.send_raw(text)
    await conn.settle()
    assert conn.events()[before:] == [("control", "invalid_json")] * 4
    assert conn.link.closed is None


async def test_echo_answers_before_the_join_with_the_payload_unchanged(local: LocalNode) -> None:
    conn = await local.connect()
    conn.send("echo", {"any": ["thing", 1, None]})
    frame = await conn.wait_frame(lambda f: f["namespace"] == "echo")
    assert frame["payload"] == {"any": ["thing", 1, None]}


# -- the rate limit's wiring (the bucket itself: test_ratelimit.py) ------------------------------


async def test_past_the_burst_commands_are_dropped_and_reported(tmp_path: Path) -> None:
    env = {"SIGNALING_RATE_BURST": "3", "SIGNALING_RATE_LIMIT": "0.001"}
    async with local_node(tmp_path, **env) as local:
        conn = await local.connect()
        await conn.join()  # one token
        for _ in range(4):
            conn.send("control", {"action": "raise_hand"})
        await conn.settle()  # small echo frames take none
        assert (
            conn.events()[1:]
            == [("control", "hand_raised")] * 2 + [("control", "rate_limit_exceeded")] * 2
        )


async def test_a_flood_is_closed_with_1008(tmp_path: Path) -> None:
    env = {
        "SIGNALING_RATE_BURST": "1",
        "SIGNALING_RATE_LIMIT": "0.001",
        "SIGNALING_RATE_FLOOD_SECONDS": "0.2",
    }
    async with local_node(tmp_path, **env) as local:
        conn = await local.connect()
        async with asyncio.timeout(5):
            while conn.link.closed is None:
                conn.send("nope", {})
                await asyncio.sleep(0.02)
        assert conn.link.closed == (CloseCode.POLICY, "rate limit exceeded")


# -- the backlog -------------------------------------------------------------------------------


def frame(n: int, size: int = 0) -> str:
    return encode_event("control", {"message": "update", "n": n, "pad": "x" * size})


@pytest.mark.parametrize(
    ("env", "size"),
    [({"SIGNALING_SEND_QUEUE_LIMIT": "5"}, 0), ({"SIGNALING_SEND_QUEUE_BYTES": "1000"}, 200)],
)
async def test_a_reader_that_falls_behind_gets_a_bounded_backlog_then_1013(
    tmp_path: Path, env: dict[str, str], size: int
) -> None:
    fits = 5 if size == 0 else 1000 // len(frame(0, size))
    assert fits >= 2
    async with local_node(tmp_path, **env) as local:
        conn = await local.connect()
        conn.link.stall()
        for n in range(fits):
            conn.session.send_text(frame(n, size))
        assert conn.link.frames == []
        assert conn.session.backlog_frames == fits
        conn.session.send_text(frame(fits, size))
        assert conn.link.closed == (CloseCode.SLOW_CONSUMER, "send queue overflow")
        assert conn.session.backlog_frames == 0
        conn.link.resume()
        await asyncio.sleep(0.01)
        assert conn.link.frames == []  # what was queued is dropped with the connection


async def test_the_backlog_drains_in_order_once_the_reader_catches_up(local: LocalNode) -> None:
    conn = await local.connect()
    frames = [frame(n) for n in range(5)]
    conn.session.send_text(frames[0])  # written at once
    conn.link.stall()
    for text in frames[1:4]:
        conn.session.send_text(text)
    assert conn.link.frames == frames[:1]
    conn.link.resume()
    conn.session.send_text(frames[4])  # behind the backlog, not ahead of it
    await conn.link.wait_for(5)
    assert conn.link.frames == frames
    assert conn.session.backlog_frames == 0


async def test_a_normal_close_waits_for_the_backlog(local: LocalNode) -> None:
    conn = await local.connect()
    conn.link.stall()
    queued = frame(0)
    conn.session.send_text(queued)
    conn.session.close(CloseCode.NORMAL, reason="bye")
    assert conn.link.is_open()
    conn.link.resume()
    await conn.link.wait_closed()
    assert (conn.link.frames, conn.link.closed) == ([queued], (CloseCode.NORMAL, "bye"))


# -- audiences ---------------------------------------------------------------------------------

STATES: list[tuple[ConnState, Role]] = [
    (ConnState.NONE, "guest"),
    (ConnState.WAITING, "guest"),
    (ConnState.JOINED, "guest"),
    (ConnState.JOINED, "moderator"),
]
RECEIVES = {
    Audience.JOINED: [False, False, True, True],
    Audience.MODERATORS: [False, False, False, True],
    Audience.PRESENT: [False, True, True, True],
    Audience.ANY: [True, True, True, True],
}


@pytest.mark.parametrize("audience", list(Audience))
async def test_an_audience_reaches_the_sessions_in_its_states(
    local: LocalNode, audience: Audience
) -> None:
    text = frame(1)
    for (state, role), receives in zip(STATES, RECEIVES[audience], strict=True):
        conn = await local.connect()
        conn.session.state, conn.session.role = state, role
        deliver(conn.session, Delivery(frame=text, audience=audience))
        assert conn.link.frames == ([text] if receives else []), (state, role)


async def test_exclude_and_skip_leave_out_one_participant_and_one_room(local: LocalNode) -> None:
    conn = await local.connect()
    conn.session.state = ConnState.JOINED
    text = frame(1)
    deliver(conn.session, Delivery(frame=text, exclude=conn.id))
    deliver(conn.session, Delivery(frame=text, skip=room_channel(local.room, None)))
    assert conn.link.frames == []
    deliver(conn.session, Delivery(frame=text, exclude="someone else", skip="room:other"))
    assert conn.link.frames == [text]


async def test_deliveries_during_a_join_wait_for_join_success(local: LocalNode) -> None:
    """A ``joined`` of an earlier join is dropped: ``join_success`` listed it already."""
    conn = await local.connect()
    session = conn.session
    frames = [frame(n) for n in range(3)]
    session.begin_join()
    deliver(session, Delivery(frame=frames[0]))
    deliver(session, Delivery(frame=frames[1], joined_seq=4))
    deliver(session, Delivery(frame=frames[2], joined_seq=6))
    assert conn.link.frames == []
    session.finish_join(5)
    assert conn.link.frames == [frames[0], frames[2]]

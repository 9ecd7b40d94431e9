"""The timer module over real sockets, on both backends (reference §12, supplement C): start
with its checks in order, ready statuses, stop, expiry with exactly one ``stopped``,
``join_success.timer`` (absent while no timer runs) and the switch in the tariff."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tests.support.client import Peer
from tests.support.expect import (
    quiet,
)
from tests.support.world import (
    World,
    meeting,
)

Json = dict[str, Any]
NS = "timer"
TIMER_KEYS = {"timer_id", "started_at", "kind", "ready_check_enabled"}


def countdown(duration: int, **fields: Any) -> Json:
    return {"action": "start", "kind": "countdown", "duration": duration} | fields


async def started(moderator: Peer, members: list[Peer], command: Json) -> Json:
    """``moderator`` starts a timer; every member gets the same ``started``."""
    await moderator.send(NS, command)
    payloads = [await member.expect(NS, "started") for member in members]
    assert all(payload == payloads[0] for payload in payloads), payloads
    return payloads[0]


async def error(peer: Peer, code: str) -> None:
    assert await peer.expect(NS, "error") == {"message": "error", "error": code}


async def test_a_coffee_break_with_ready_check_runs_until_the_moderator_stops_it(
    world: World,
) -> None:
    room, (alice, bob) = await meeting(world, "Bob")
    command = countdown(600, title="Coffee", style="coffee-break", enable_ready_check=True)
    await bob.send(NS, command)
    await error(bob, "insufficient_permissions")

    timer = await started(alice, [alice, bob], command)
    assert set(timer) == {"message", "ends_at", "title", "style"} | TIMER_KEYS
    assert (timer["kind"], timer["title"], timer["style"]) == (
        "countdown",
        "Coffee",
        "coffee-break",
    )
    assert timer["ready_check_enabled"] is True
    length = datetime.fromisoformat(timer["ends_at"]) - datetime.fromisoformat(timer["started_at"])
    assert length.total_seconds() == 600
    tid = timer["timer_id"]

    await alice.send(NS, countdown(5))
    await error(alice, "timer_already_running")
    await alice.send(NS, countdown(10**15))  # the duration check comes first
    await error(alice, "invalid_duration")

    await bob.send(NS, {"action": "update_ready_status", "timer_id": tid, "status": True})
    update = {"message": "updated_ready_status", "timer_id": tid, "participant_id": bob.id}
    for peer in (alice, bob):
        assert await peer.expect(NS, "updated_ready_status") == update | {"status": True}
    wrong = {"action": "update_ready_status", "timer_id": "nope", "status": False}
    await bob.send(NS, wrong)  # not the running timer: ignored
    await quiet(alice, bob)

    carol, success = await world.enter(world.user("Carol User"), room, "Carol")
    for peer in (alice, bob):  # the web app builds its "ready" list from this peer data
        assert (await peer.expect("control", "joined"))["timer"] == {"ready_status": False}
    readiness = {p["id"]: p["timer"]["ready_status"] for p in success["participants"]}
    assert readiness == {alice.id: False, bob.id: True}
    assert success["timer"] == {k: v for k, v in timer.items() if k != "message"} | {
        "ready_status": False
    }
    assert success["tariff"]["modules"]["timer"] == {"features": []}
    await carol.send(NS, {"action": "update_ready_status", "timer_id": tid, "status": True})
    for peer in (alice, bob, carol):
        await peer.expect(NS, "updated_ready_status")

    await bob.send(NS, {"action": "stop", "timer_id": tid})
    await error(bob, "insufficient_permissions")
    await alice.send(NS, {"action": "stop", "timer_id": "00000000-0000-4000-8000-000000000000"})
    await quiet(alice, bob, carol)  # not the running timer: ignored
    await alice.send(NS, {"action": "stop", "timer_id": tid, "reason": "back to work"})
    stopped = {
        "message": "stopped",
        "timer_id": tid,
        "kind": "by_moderator",
        "participant_id": alice.id,
        "reason": "back to work",
    }
    for peer in (alice, bob, carol):
        assert await peer.expect(NS, "stopped") == stopped
    await alice.send(NS, {"action": "stop", "timer_id": tid})
    await quiet(alice, bob, carol)  # over: ignored

    _, after = await world.enter(world.user("Dave User"), room, "Dave")
    assert "timer" not in after  # omitted, never null (§19.3)
    await bob.send(NS, {"action": "update_ready_status", "timer_id": tid, "status": True})
    for peer in (alice, bob, carol):
        await peer.expect("control", "joined")
    await quiet(alice, bob, carol)


async def test_a_countdown_expires_once_and_a_stopwatch_runs_open_ended(world: World) -> None:
    room, (alice, bob) = await meeting(world, "Bob")
    for bad in (
        countdown(-1),
        {"action": "start", "kind": "countdown"},  # no duration
        countdown(1, title=3),
        {"action": "start", "kind": "egg_timer", "duration": 3},
    ):
        await alice.send(NS, bad)  # invalid payloads: dropped
    await quiet(alice, bob)

    timer = await started(alice, [alice, bob], countdown(1))
    assert set(timer) == {"message", "ends_at"} | TIMER_KEYS  # no title, no style
    assert timer["ready_check_enabled"] is False  # the default
    await bob.send(
        NS, {"action": "update_ready_status", "timer_id": timer["timer_id"], "status": True}
    )
    expired = {"message": "stopped", "timer_id": timer["timer_id"], "kind": "expired"}
    for peer in (alice, bob):
        assert await peer.expect(NS, "stopped", timeout=5) == expired  # no ready status update
    await quiet(alice, bob, duration=0.5)

    watch = {"action": "start", "kind": "stopwatch", "duration": None, "style": "normal"}
    timer = await started(alice, [alice, bob], watch)
    assert "ends_at" not in timer and timer["kind"] == "stopwatch" and timer["style"] == "normal"
    _, success = await world.enter(world.user("Carol User"), room, "Carol")
    assert "ready_status" not in success["timer"]  # only with the ready check
    for peer in (alice, bob):
        await peer.expect("control", "joined")
    await alice.send(NS, {"action": "stop", "timer_id": timer["timer_id"]})
    for peer in (alice, bob):
        got = await peer.expect(NS, "stopped")
        assert got == {
            "message": "stopped",
            "timer_id": timer["timer_id"],
            "kind": "by_moderator",
            "participant_id": alice.id,
        }  # no reason given: none sent

    zero = await started(alice, [alice, bob], countdown(0))  # expires at once (C.2 item 2)
    assert zero["ends_at"] == zero["started_at"]
    for peer in (alice, bob):
        assert (await peer.expect(NS, "stopped"))["kind"] == "expired"

"""The Broker contract (signaling/broker/__init__.py), run against every backend.

Delivery may be asynchronous and subscriptions may take effect later (Redis pub/sub), so the
tests never sleep: :func:`_barrier` subscribes and then publishes *probes* until one arrives,
which proves the subscription is live and, as one publisher's messages arrive in order, that
everything that publisher sent before has arrived too. Probes are filtered out of
:meth:`Inbox.on`.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from signaling.broker import Broker
from signaling.errors import Refused
from signaling.state import Keep
from tests.contracts.conftest import Factory, NewNode

WAIT = 2.0
PROBE = b"\x00probe:"


class Inbox:
    """Records every ``(channel, data)`` the broker hands to its handler."""

    def __init__(self) -> None:
        self.received: list[tuple[str, bytes]] = []
        self.resynced: list[str] = []
        self._changed = asyncio.Event()

    def resync(self, channel: str) -> None:
        self.resynced.append(channel)
        self._changed.set()

    def __call__(self, channel: str, data: bytes) -> None:
        self.received.append((channel, data))
        self._changed.set()

    def on(self, channel: str) -> list[bytes]:
        """What arrived on ``channel``, probes left out."""
        return [d for ch, d in self.received if ch == channel and not d.startswith(PROBE)]

    async def until(self, done: Callable[[], bool], timeout: float = WAIT) -> None:
        async def arrived() -> None:
            while not done():
                self._changed.clear()
                await self._changed.wait()

        await asyncio.wait_for(arrived(), timeout)

    async def wait_for(self, channel: str, data: bytes, timeout: float = WAIT) -> None:
        await self.until(lambda: (channel, data) in self.received, timeout)

    async def wait_count(self, channel: str, count: int) -> None:
        await self.until(lambda: len(self.on(channel)) >= count)


def _channel(name: str = "ch") -> str:
    return f"test:{uuid.uuid4().hex}:{name}"


def _inbox(node: Broker) -> Inbox:
    inbox = Inbox()
    node.set_handlers(inbox, inbox.resync)
    return inbox


async def _barrier(publisher: Broker, subscriber: Broker, inbox: Inbox, channel: str) -> None:
    """Subscribe ``subscriber`` to ``channel`` and wait until it receives from ``publisher``."""
    await subscriber.subscribe([channel])
    probe = PROBE + uuid.uuid4().hex.encode()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT
    while True:
        await publisher.publish(channel, probe)
        try:
            await inbox.wait_for(channel, probe, timeout=0.05)
            return
        except TimeoutError:
            if loop.time() > deadline:
                raise


async def _settle(publisher: Broker, subscriber: Broker, inbox: Inbox) -> None:
    """Wait until everything ``publisher`` sent so far has reached ``subscriber``."""
    await _barrier(publisher, subscriber, inbox, _channel("sentinel"))


async def test_other_node_receives_in_publish_order(
    broker: Broker, broker_network: NewNode
) -> None:
    peer = await broker_network()
    inbox = _inbox(peer)
    channel = _channel()
    await _barrier(broker, peer, inbox, channel)
    messages = [f"m{i}".encode() for i in range(100)]
    for message in messages:
        await broker.publish(channel, message)
    await inbox.wait_count(channel, len(messages))
    await _settle(broker, peer, inbox)
    assert inbox.on(channel) == messages  # in order, each exactly once


async def test_a_publisher_gets_its_own_publication_before_publish_returns(
    broker: Broker, broker_network: NewNode
) -> None:
    own = _inbox(broker)
    peer = await broker_network()
    channel = _channel()
    await _barrier(peer, broker, own, channel)
    await broker.publish(channel, b"mine")
    assert own.on(channel) == [b"mine"]  # delivered here already, numbered like the others


async def test_every_node_sees_one_channel_in_the_same_order(
    broker: Broker, broker_network: NewNode
) -> None:
    peer = await broker_network()
    inboxes = [_inbox(broker), _inbox(peer)]
    channel = _channel()
    await _barrier(peer, broker, inboxes[0], channel)
    await _barrier(broker, peer, inboxes[1], channel)
    for round_ in range(20):  # both publish at once: the channel's numbering decides
        await asyncio.gather(
            broker.publish(channel, f"a{round_}".encode()),
            peer.publish(channel, f"b{round_}".encode()),
        )
    for inbox in inboxes:
        await inbox.wait_count(channel, 40)
    assert inboxes[0].on(channel) == inboxes[1].on(channel)


async def test_every_subscribed_node_receives_once(broker: Broker, broker_network: NewNode) -> None:
    peers = [await broker_network() for _ in range(3)]
    inboxes = [_inbox(peer) for peer in peers]
    channel = _channel()
    for peer, inbox in zip(peers, inboxes, strict=True):
        await _barrier(broker, peer, inbox, channel)
    await broker.publish(channel, b"hello")
    for peer, inbox in zip(peers, inboxes, strict=True):
        await _settle(broker, peer, inbox)
        assert inbox.on(channel) == [b"hello"]


async def test_each_publishers_order_is_kept(broker: Broker, broker_network: NewNode) -> None:
    other, receiver = await broker_network(), await broker_network()
    inbox = _inbox(receiver)
    channel = _channel()
    await _barrier(broker, receiver, inbox, channel)
    await _barrier(other, receiver, inbox, channel)
    for i in range(40):
        await (broker if i % 2 else other).publish(channel, f"{i % 2}:{i}".encode())
    await inbox.wait_count(channel, 40)
    got = inbox.on(channel)
    assert [m for m in got if m.startswith(b"1:")] == [f"1:{i}".encode() for i in range(1, 40, 2)]
    assert [m for m in got if m.startswith(b"0:")] == [f"0:{i}".encode() for i in range(0, 40, 2)]


async def test_interleaved_channels_keep_their_own_order(
    broker: Broker, broker_network: NewNode
) -> None:
    peer = await broker_network()
    inbox = _inbox(peer)
    a, b = _channel("a"), _channel("b")
    await _barrier(broker, peer, inbox, a)
    await _barrier(broker, peer, inbox, b)
    for i in range(30):
        await broker.publish(a if i % 3 else b, f"{i}".encode())
    await _settle(broker, peer, inbox)
    assert inbox.on(a) == [f"{i}".encode() for i in range(30) if i % 3]
    assert inbox.on(b) == [f"{i}".encode() for i in range(30) if not i % 3]


async def test_payload_bytes_arrive_unchanged(broker: Broker, broker_network: NewNode) -> None:
    peer = await broker_network()
    inbox = _inbox(peer)
    channel = _channel()
    await _barrier(broker, peer, inbox, channel)
    payloads = [b"", bytes(range(256)), "ünïcødé".encode(), b"x" * 100_000]
    for payload in payloads:
        await broker.publish(channel, payload)
    await _settle(broker, peer, inbox)
    assert inbox.on(channel) == payloads


async def test_nothing_on_channels_never_subscribed(
    broker: Broker, broker_network: NewNode
) -> None:
    peer = await broker_network()
    inbox = _inbox(peer)
    channel = _channel()
    await broker.publish(channel, b"lost")
    await _settle(broker, peer, inbox)
    assert inbox.on(channel) == []


async def test_nothing_after_unsubscribe(broker: Broker, broker_network: NewNode) -> None:
    peer = await broker_network()
    inbox = _inbox(peer)
    channel = _channel()
    await _barrier(broker, peer, inbox, channel)
    await broker.publish(channel, b"before")
    await inbox.wait_for(channel, b"before")
    await peer.unsubscribe([channel])
    await _settle(broker, peer, inbox)  # the unsubscribe has taken effect
    await broker.publish(channel, b"after")
    await _settle(broker, peer, inbox)
    assert inbox.on(channel) == [b"before"]


async def test_unsubscribe_leaves_other_channels_alone(
    broker: Broker, broker_network: NewNode
) -> None:
    peer = await broker_network()
    inbox = _inbox(peer)
    kept, dropped = _channel("kept"), _channel("dropped")
    await _barrier(broker, peer, inbox, kept)
    await _barrier(broker, peer, inbox, dropped)
    await peer.unsubscribe([dropped])
    await _settle(broker, peer, inbox)
    await broker.publish(dropped, b"x")
    await broker.publish(kept, b"y")
    await _settle(broker, peer, inbox)
    assert inbox.on(dropped) == []
    assert inbox.on(kept) == [b"y"]


async def test_nothing_stored_for_later_subscribers(
    broker: Broker, broker_network: NewNode
) -> None:
    peer = await broker_network()
    inbox = _inbox(peer)
    channel = _channel()
    await broker.publish(channel, b"early")
    await _barrier(broker, peer, inbox, channel)
    await broker.publish(channel, b"late")
    await _settle(broker, peer, inbox)
    assert inbox.on(channel) == [b"late"]


async def test_subscribe_is_idempotent(broker: Broker, broker_network: NewNode) -> None:
    peer = await broker_network()
    inbox = _inbox(peer)
    channel = _channel()
    await peer.subscribe([channel])
    await peer.subscribe([channel])
    await _barrier(broker, peer, inbox, channel)  # a third subscribe
    await broker.publish(channel, b"once")
    await _settle(broker, peer, inbox)
    assert inbox.on(channel) == [b"once"]  # not once per subscribe call
    # the hub does the counting: one unsubscribe undoes any number of subscribes
    await peer.unsubscribe([channel])
    await _settle(broker, peer, inbox)
    await broker.publish(channel, b"gone")
    await _settle(broker, peer, inbox)
    assert inbox.on(channel) == [b"once"]


async def test_unsubscribe_is_idempotent(broker: Broker, broker_network: NewNode) -> None:
    peer = await broker_network()
    inbox = _inbox(peer)
    channel = _channel()
    await peer.unsubscribe([channel])  # never subscribed: no error
    await peer.subscribe([channel])
    await peer.unsubscribe([channel])
    await peer.unsubscribe([channel])
    await _barrier(broker, peer, inbox, channel)
    await broker.publish(channel, b"back")
    await _settle(broker, peer, inbox)
    assert inbox.on(channel) == [b"back"]


async def test_set_handler_replaces_the_previous_one(
    broker: Broker, broker_network: NewNode
) -> None:
    peer = await broker_network()
    first = _inbox(peer)
    second = _inbox(peer)
    channel = _channel()
    await _barrier(broker, peer, second, channel)
    await broker.publish(channel, b"to-second")
    await _settle(broker, peer, second)
    assert second.on(channel) == [b"to-second"]
    assert first.received == []


@settings(max_examples=50, deadline=None)
@given(
    script=st.lists(
        st.tuples(
            st.sampled_from(["sub", "unsub", "pub", "own"]), st.sampled_from(["a", "b", "c"])
        ),
        max_size=30,
    )
)
async def test_receives_exactly_what_is_published_while_subscribed(
    broker_network_factory: Factory[NewNode], script: list[tuple[str, str]]
) -> None:
    prefix = _channel("model")
    expected: dict[str, list[bytes]] = {"a": [], "b": [], "c": []}
    subscribed: set[str] = set()
    async with broker_network_factory() as new_node:
        publisher, node = await new_node(), await new_node()
        inbox = _inbox(node)
        for step, (op, name) in enumerate(script):
            channel = f"{prefix}:{name}"
            if op == "sub":
                await _barrier(publisher, node, inbox, channel)
                subscribed.add(name)
            elif op == "unsub":
                await _settle(publisher, node, inbox)  # what is in transit is dropped
                await node.unsubscribe([channel])
                await _settle(publisher, node, inbox)
                subscribed.discard(name)
            elif op == "own":
                data = f"own-{step}".encode()
                await node.publish(channel, data)  # delivered to itself too, in order
                if name in subscribed:
                    expected[name].append(data)
            else:
                data = f"{step}".encode()
                await publisher.publish(channel, data)
                if name in subscribed:
                    expected[name].append(data)
        await _settle(publisher, node, inbox)
        for name, messages in expected.items():
            assert inbox.on(f"{prefix}:{name}") == messages, (name, script)


# -- lossless delivery: gaps, duplicates, reordering, lost history ---------------------------


async def test_what_a_node_missed_during_an_outage_is_repaired_in_order(
    broker: Broker, broker_network: NewNode
) -> None:
    peer = await broker_network()
    inbox = _inbox(peer)
    channel = _channel()
    await _barrier(broker, peer, inbox, channel)
    await broker.publish(channel, b"before")
    await inbox.wait_for(channel, b"before")
    async with broker_network.outage(peer):
        for i in range(20):
            await broker.publish(channel, f"during-{i}".encode())
    await broker.publish(channel, b"after")
    await inbox.wait_for(channel, b"after")
    expected = [b"before", *(f"during-{i}".encode() for i in range(20)), b"after"]
    assert inbox.on(channel) == expected
    assert inbox.resynced == [] and peer.resyncs == 0


async def test_a_quiet_channel_is_repaired_without_a_later_publication(
    broker: Broker, broker_network: NewNode
) -> None:
    peer = await broker_network()
    inbox = _inbox(peer)
    channel = _channel()
    await _barrier(broker, peer, inbox, channel)
    async with broker_network.outage(peer):
        await broker.publish(channel, b"only")
    await inbox.wait_for(channel, b"only")  # nothing newer came to reveal the gap
    assert inbox.on(channel) == [b"only"]


async def test_duplicated_and_reordered_arrivals_are_dropped(
    broker: Broker, broker_network: NewNode
) -> None:
    peer = await broker_network()
    inbox = _inbox(peer)
    channel = _channel()
    await _barrier(broker, peer, inbox, channel)
    messages = [f"m{i}".encode() for i in range(10)]
    for message in messages:
        await broker.publish(channel, message)
    await inbox.wait_count(channel, len(messages))
    await broker_network.replay(channel)  # every one again, newest first
    await broker.publish(channel, b"last")
    await inbox.wait_for(channel, b"last")
    assert inbox.on(channel) == [*messages, b"last"]


async def test_a_gap_the_history_no_longer_covers_is_a_resync(
    broker_network: NewNode,
) -> None:
    publisher = await broker_network(history_size=5)
    peer = await broker_network(history_size=5)
    inbox = _inbox(peer)
    channel = _channel()
    await _barrier(publisher, peer, inbox, channel)
    async with broker_network.outage(peer):
        for i in range(20):  # more than the history keeps
            await publisher.publish(channel, f"lost-{i}".encode())
    await inbox.until(lambda: inbox.resynced == [channel])
    await publisher.publish(channel, b"fresh")
    await inbox.wait_for(channel, b"fresh")
    assert peer.resyncs == 1
    assert inbox.on(channel)[-1] == b"fresh"
    assert len(set(inbox.on(channel))) == len(inbox.on(channel))  # nothing twice


async def test_a_channel_whose_numbering_was_lost_is_a_resync(
    broker: Broker, broker_network: NewNode
) -> None:
    peer = await broker_network()
    inbox = _inbox(peer)
    channel = _channel()
    await _barrier(broker, peer, inbox, channel)
    await broker_network.forget(channel)  # Redis came back without this channel's keys
    await broker.publish(channel, b"after the loss")
    await inbox.until(lambda: inbox.resynced == [channel])
    await broker.publish(channel, b"next")
    await inbox.wait_for(channel, b"next")
    assert inbox.on(channel)[-1] == b"next"


def _kept_channel(room: str) -> str:
    return f"test:{{{room}}}:ch"  # on the slot of the room whose lists it keeps in


async def test_a_publication_that_keeps_is_delivered_and_kept(
    broker: Broker, broker_network: NewNode
) -> None:
    peer = await broker_network()
    inbox = _inbox(peer)
    room = uuid.uuid4().hex
    channel = _kept_channel(room)
    await _barrier(broker, peer, inbox, channel)
    await broker.publish(channel, b"hello", Keep(room, ("a", "b"), b"item", 10, "enabled"))
    await inbox.wait_count(channel, 1)
    assert inbox.on(channel) == [b"hello"]
    assert await broker_network.state.items(room, "a") == [b"item"]
    assert await broker_network.state.items(room, "b") == [b"item"]


async def test_a_refused_publication_reaches_nobody_and_keeps_nothing(
    broker: Broker, broker_network: NewNode
) -> None:
    own = _inbox(broker)
    peer = await broker_network()
    inbox = _inbox(peer)
    room = uuid.uuid4().hex
    channel = _kept_channel(room)
    await _barrier(broker, peer, inbox, channel)
    await broker.subscribe([channel])
    state = broker_network.state
    await state.set_flag(room, "enabled", False)
    with pytest.raises(Refused):
        await broker.publish(channel, b"refused", Keep(room, ("a",), b"no", 10, "enabled"))
    await state.set_flag(room, "enabled", True)
    await broker.publish(channel, b"later", Keep(room, ("a",), b"yes", 10, "enabled"))
    await inbox.wait_count(channel, 1)
    await _settle(broker, peer, inbox)
    assert inbox.on(channel) == [b"later"]
    assert own.on(channel) == [b"later"]
    assert inbox.resynced == own.resynced == []  # the refusal took no number: no gap
    assert await state.items(room, "a") == [b"yes"]

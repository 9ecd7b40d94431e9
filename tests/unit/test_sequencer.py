"""The sequencer's rules without a backend: whatever order, duplication or loss the
publications arrive with, the handler sees each exactly once in channel order, or a resync
when the history cannot fill the gap."""

from __future__ import annotations

import asyncio

from hypothesis import given, settings
from hypothesis import strategies as st

from signaling.broker.sequencer import (
    NO_EPOCH,
    Cursor,
    History,
    Publication,
    Sequencer,
    numbered,
    parse,
    payload,
)

EPOCH = b"0123456789abcdef"
OTHER = b"\x01" * 8
CHANNEL = "room:r"


def _wire(seq: int, origin: bytes = OTHER) -> bytes:
    return numbered(EPOCH, seq, payload(origin, seq, f"m{seq}".encode()))


class _Log:
    def __init__(self, kept_from: int, head: int) -> None:
        self.kept_from = kept_from  # the history holds seq >= kept_from
        self.head = head
        self.delivered: list[bytes] = []
        self.resynced: list[str] = []

    async def fetch(self, channel: str, epoch: bytes, after: int) -> History:
        if epoch not in (EPOCH, NO_EPOCH):
            return History(EPOCH, self.head, None)
        if after + 1 < self.kept_from:
            return History(EPOCH, self.head, None)
        return History(EPOCH, self.head, [parse(_wire(s)) for s in range(after + 1, self.head + 1)])


async def _settled(sequencer: Sequencer) -> None:
    """Until no repair is under way (each may pause for the retry delay)."""
    for _ in range(50):
        await asyncio.sleep(0)
    while sequencer._repairs:
        await asyncio.gather(*sequencer._repairs)


def test_parse_inverts_the_wire_form() -> None:
    raw = numbered(EPOCH, 42, payload(OTHER, 7, b"data with spaces"))
    assert parse(raw) == Publication(EPOCH, 42, OTHER, 7, b"data with spaces")


@settings(max_examples=200, deadline=None)
@given(
    total=st.integers(1, 30),
    arrivals=st.lists(st.integers(1, 30), max_size=60),
)
def test_any_arrival_order_gives_each_once_in_order(total: int, arrivals: list[int]) -> None:
    async def run() -> None:
        log = _Log(kept_from=1, head=total)
        sequencer = Sequencer(log.fetch, retry_delay=0.001)
        sequencer.set_handlers(lambda ch, data: log.delivered.append(data), log.resynced.append)
        sequencer.add(CHANNEL)
        sequencer.start(CHANNEL, Cursor(NO_EPOCH, 0))
        for seq in [s for s in arrivals if s <= total] + [total]:  # the last one always arrives
            sequencer.offer(CHANNEL, _wire(seq))
        await _settled(sequencer)
        assert log.delivered == [f"m{s}".encode() for s in range(1, total + 1)]
        assert log.resynced == []

    asyncio.run(run())


@settings(max_examples=100, deadline=None)
@given(start=st.integers(0, 20), kept_from=st.integers(1, 40), extra=st.integers(1, 20))
def test_a_gap_beyond_the_history_is_one_resync(start: int, kept_from: int, extra: int) -> None:
    async def run() -> None:
        head = start + extra
        log = _Log(kept_from=kept_from, head=head)
        sequencer = Sequencer(log.fetch, retry_delay=0.001)
        sequencer.set_handlers(lambda ch, data: log.delivered.append(data), log.resynced.append)
        sequencer.add(CHANNEL)
        sequencer.start(CHANNEL, Cursor(EPOCH, start) if start else Cursor(NO_EPOCH, 0))
        sequencer.offer(CHANNEL, _wire(head))  # everything between (if any) was missed
        await _settled(sequencer)
        if extra == 1 or start + 1 >= kept_from:  # the next one needs no history
            assert log.delivered == [f"m{s}".encode() for s in range(start + 1, head + 1)]
            assert log.resynced == []
        else:
            assert log.delivered == []
            assert log.resynced == [CHANNEL]
            sequencer.offer(CHANNEL, _wire(head + 1))  # and it goes on from the head
            assert log.delivered == [f"m{head + 1}".encode()]

    asyncio.run(run())


def test_own_publications_are_delivered_in_channel_order_when_they_come_back() -> None:
    async def run() -> None:
        kept: dict[int, bytes] = {}  # what the backend numbered and keeps

        async def fetch(channel: str, epoch: bytes, after: int) -> History:
            head = max(kept, default=0)
            return History(EPOCH, head, [parse(kept[s]) for s in range(after + 1, head + 1)])

        delivered: list[bytes] = []
        sequencer = Sequencer(fetch, retry_delay=0.001)
        sequencer.set_handlers(lambda ch, data: delivered.append(data), lambda ch: None)
        sequencer.add(CHANNEL)
        sequencer.start(CHANNEL, Cursor(EPOCH, 0))
        mine, body = sequencer.publishing(b"mine")
        waiting = asyncio.ensure_future(sequencer.delivered(mine, CHANNEL, timeout=5))
        kept[1], kept[2] = _wire(1), numbered(EPOCH, 2, body)  # another node's came first
        sequencer.offer(CHANNEL, kept[2])  # ours arrives before it: held back, repaired
        assert await waiting is True and sequencer.came_back(mine) is False  # (popped)
        assert delivered == [b"m1", b"mine"]
        late, body = sequencer.publishing(b"late")
        assert await sequencer.delivered(late, CHANNEL, timeout=0.01) is False  # not back yet
        sequencer.offer(CHANNEL, numbered(EPOCH, 3, body))  # handed over when it arrives
        assert delivered == [b"m1", b"mine", b"late"]
        elsewhere, _ = sequencer.publishing(b"elsewhere")  # nobody here listens there
        assert await sequencer.delivered(elsewhere, "room:other", timeout=5) is True

    asyncio.run(run())

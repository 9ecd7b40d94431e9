"""Numbered publications and the per-node sequencer that turns them into exactly-once,
in-order delivery per channel, or a resync when that is impossible.

Every publication on a channel carries the channel's *epoch* (16 characters, drawn when the
channel's numbering starts or restarts) and its sequence number (1, 2, …), given in the same
atomic step that keeps it in the channel's short history and publishes it. The publisher's
identity travels with it (``origin``: 8 bytes per node; ``number``: that node's own
publication counter), so a node recognises its own publications when they come back.

Wire form, as published and as kept in the history::

    epoch (16 bytes) · seq (decimal) · b" " · origin (8 bytes) · number (8 bytes) · data

The :class:`Sequencer` is the same for every backend; a backend feeds it what arrives
(:meth:`Sequencer.offer`), tells it when its link was broken (:meth:`Sequencer.reconnected`)
and answers its history reads (the ``fetch`` callable).
"""

from __future__ import annotations

import asyncio
import enum
import logging
import os
from collections.abc import Awaitable, Callable
from typing import NamedTuple

log = logging.getLogger(__name__)

EPOCH_LENGTH = 16
ORIGIN_LENGTH = 8
_NUMBER_LENGTH = 8
NO_EPOCH = b""  # the channel has no numbering (never published, or its keys are gone)

Handler = Callable[[str, bytes], None]
Resync = Callable[[str], None]


class Publication(NamedTuple):
    epoch: bytes
    seq: int
    origin: bytes
    number: int
    data: bytes


class History(NamedTuple):
    """A channel's head and, when the history still holds them, the publications after the
    position that was asked for (``None``: they are gone)."""

    epoch: bytes
    seq: int
    publications: list[Publication] | None


Fetch = Callable[[str, bytes, int], Awaitable[History]]


def new_epoch() -> bytes:
    return os.urandom(EPOCH_LENGTH // 2).hex().encode()


def payload(origin: bytes, number: int, data: bytes) -> bytes:
    """What a publisher hands to the backend; the backend puts the numbering in front."""
    return origin + number.to_bytes(_NUMBER_LENGTH, "big") + data


def publication_body(publication: Publication) -> bytes:
    """The part of a publication its publisher sent (the inverse of :func:`parse`'s split)."""
    return payload(publication.origin, publication.number, publication.data)


def numbered(epoch: bytes, seq: int, body: bytes) -> bytes:
    """The wire form of a publication (the Redis script builds the same bytes)."""
    return epoch + str(seq).encode() + b" " + body


def parse(raw: bytes) -> Publication:
    """Raises ValueError on anything that is not a publication's wire form."""
    space = raw.index(b" ", EPOCH_LENGTH)
    body = space + 1 + ORIGIN_LENGTH + _NUMBER_LENGTH
    if len(raw) < body:
        raise ValueError("truncated publication")
    return Publication(
        epoch=raw[:EPOCH_LENGTH],
        seq=int(raw[EPOCH_LENGTH:space]),
        origin=raw[space + 1 : space + 1 + ORIGIN_LENGTH],
        number=int.from_bytes(raw[space + 1 + ORIGIN_LENGTH : body], "big"),
        data=raw[body:],
    )


class Verdict(enum.Enum):
    NEXT = "next"  # the one after the cursor: deliver
    DUPLICATE = "duplicate"  # at or before the cursor: drop
    GAP = "gap"  # something is missing before it (or the numbering restarted): repair


class Cursor(NamedTuple):
    """The last publication a node has handled on one channel (``NO_EPOCH, 0``: none
    existed when it subscribed)."""

    epoch: bytes
    seq: int

    def check(self, publication: Publication) -> Verdict:
        if publication.epoch == self.epoch:
            if publication.seq <= self.seq:
                return Verdict.DUPLICATE
            return Verdict.NEXT if publication.seq == self.seq + 1 else Verdict.GAP
        if self == START and publication.seq == 1:
            return Verdict.NEXT  # the channel's first publication ever
        return Verdict.GAP

    def mend(self, history: History) -> list[Publication] | None:
        """The publications that lead from this cursor to the history's head, in order, or
        None when they cannot be had: trimmed or expired, or the numbering restarted or went
        back (Redis lost data)."""
        if history.epoch != self.epoch and self != START:
            return None
        if history.seq < self.seq or history.publications is None:
            return None
        return history.publications


START = Cursor(NO_EPOCH, 0)


class _Stream:
    """One subscribed channel: its cursor, or None while it is being established or
    repaired (what arrives meanwhile waits in ``pending``)."""

    __slots__ = ("cursor", "pending")

    def __init__(self) -> None:
        self.cursor: Cursor | None = None
        self.pending: list[Publication] = []


class Sequencer:
    """Per-channel order and exactly-once delivery for one node.

    ``handler(channel, data)`` gets every publication on a subscribed channel once, in
    channel order — this node's own included, when they come back numbered, so every node
    delivers one channel's publications in the same order. ``resync(channel)`` is called
    when a gap cannot be repaired.
    """

    def __init__(self, fetch: Fetch, retry_delay: float = 0.2) -> None:
        self.origin = os.urandom(ORIGIN_LENGTH)
        self._fetch = fetch
        self._retry_delay = retry_delay
        self._handler: Handler | None = None
        self._resync: Resync | None = None
        self._streams: dict[str, _Stream] = {}
        self._number = 0
        self._delivered: dict[int, asyncio.Future[None]] = {}  # own publications under way
        self._repairs: set[asyncio.Task[None]] = set()
        self.resyncs = 0

    def set_handlers(self, handler: Handler, resync: Resync) -> None:
        self._handler = handler
        self._resync = resync

    # -- publishing ------------------------------------------------------------------------

    def publishing(self, data: bytes) -> tuple[int, bytes]:
        """A number and the payload for one publication of this node."""
        self._number += 1
        self._delivered[self._number] = asyncio.get_running_loop().create_future()
        return self._number, payload(self.origin, self._number, data)

    async def delivered(self, number: int, channel: str, timeout: float) -> bool:
        """Wait until publication ``number`` came back and was handed to the local sessions
        (True at once if nobody here is subscribed to ``channel``); False if it has not within
        ``timeout`` (it is handed over when it arrives, or a resync follows)."""
        done = self._delivered.get(number)
        try:
            if done is None or done.done() or not self.is_subscribed(channel):
                return True  # handed over already, or nobody here to hand it to
            try:
                await asyncio.wait_for(asyncio.shield(done), timeout)
            except TimeoutError:
                return False
            return True
        finally:
            self._delivered.pop(number, None)

    def came_back(self, number: int) -> bool:
        """Whether publication ``number`` has been seen numbered (so it went out)."""
        done = self._delivered.get(number)
        return done is not None and done.done()

    # -- subscriptions ----------------------------------------------------------------------

    def channels(self) -> list[str]:
        return list(self._streams)

    def is_subscribed(self, channel: str) -> bool:
        return channel in self._streams

    def add(self, channel: str) -> None:
        """Start buffering ``channel``: its position follows with :meth:`start`."""
        self._streams.setdefault(channel, _Stream())

    def start(self, channel: str, cursor: Cursor) -> None:
        """The channel's head, read after the subscription became active."""
        stream = self._streams.get(channel)
        if stream is not None and stream.cursor is None:
            stream.cursor = cursor
            self._drain(channel, stream)

    def remove(self, channel: str) -> None:
        self._streams.pop(channel, None)

    # -- arrivals ------------------------------------------------------------------------------

    def offer(self, channel: str, raw: bytes) -> None:
        """One publication as it arrived (in any order, duplicated, or after a gap)."""
        stream = self._streams.get(channel)
        if stream is None:
            return
        try:
            publication = parse(raw)
        except ValueError:
            log.error("dropping a malformed publication on %s", channel)
            return
        cursor = stream.cursor
        if cursor is not None and not stream.pending:  # the usual case, without a detour
            verdict = cursor.check(publication)
            if verdict is Verdict.DUPLICATE:
                return
            if verdict is Verdict.NEXT:
                stream.cursor = Cursor(publication.epoch, publication.seq)
                self._hand_over(channel, publication)
                return
        stream.pending.append(publication)
        if cursor is not None:
            self._drain(channel, stream)

    def reconnected(self, channels: list[str] | None = None) -> None:
        """The link was broken: anything may have been missed on ``channels`` (None: all)."""
        for channel in list(self._streams) if channels is None else channels:
            stream = self._streams.get(channel)
            if stream is not None and stream.cursor is not None:
                self._repair(channel, stream, stream.cursor)

    def _drain(self, channel: str, stream: _Stream, repaired: bool = False) -> None:
        pending, stream.pending = stream.pending, []
        for index, publication in enumerate(pending):
            cursor = stream.cursor
            assert cursor is not None
            verdict = cursor.check(publication)
            if verdict is Verdict.NEXT:
                stream.cursor = Cursor(publication.epoch, publication.seq)
                self._hand_over(channel, publication)
            elif verdict is Verdict.GAP:
                stream.pending = pending[index:] + stream.pending
                # right after a repair, a gap means a publication claims a number the
                # history has not reached yet: look again shortly, not in a busy loop
                self._repair(channel, stream, cursor, self._retry_delay if repaired else 0.0)
                return

    def _repair(self, channel: str, stream: _Stream, cursor: Cursor, pause: float = 0.0) -> None:
        stream.cursor = None
        work = self._mend(channel, stream, cursor, pause)
        task = asyncio.get_running_loop().create_task(work)
        self._repairs.add(task)
        task.add_done_callback(self._repairs.discard)

    async def _mend(self, channel: str, stream: _Stream, cursor: Cursor, pause: float) -> None:
        await asyncio.sleep(pause)
        while True:
            try:
                history = await self._fetch(channel, cursor.epoch, cursor.seq)
                break
            except Exception as exc:  # the backend is away: the next reconnect repairs too
                log.warning("reading the history of %s failed (%s); retrying", channel, exc)
                await asyncio.sleep(self._retry_delay)
            if self._streams.get(channel) is not stream:
                return
        if self._streams.get(channel) is not stream:
            return
        missing = cursor.mend(history)
        if missing is None:
            self.resyncs += 1
            log.warning(
                "publications on %s after %s are gone: resynchronising its clients",
                channel,
                cursor.seq,
            )
            if self._resync is not None:
                self._resync(channel)
        else:
            for publication in missing:
                self._hand_over(channel, publication)
        stream.cursor = Cursor(history.epoch, history.seq)
        self._drain(channel, stream, repaired=True)

    def _hand_over(self, channel: str, publication: Publication) -> None:
        if publication.origin == self.origin:
            done = self._delivered.get(publication.number)
            if done is not None and not done.done():
                done.set_result(None)
        if self._handler is not None:
            self._handler(channel, publication.data)

    async def close(self) -> None:
        for task in list(self._repairs):
            task.cancel()
        self._streams.clear()

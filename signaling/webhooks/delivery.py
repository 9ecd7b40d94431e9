"""The deliverer: every node runs one; for each room with events one node at a time (the
holder of the room's lease) applies them to the meeting records and posts them to the
webhooks, apart from the rooms' hot path.

Per room and webhook the events go out in order: one that fails is retried with
exponential backoff (``webhook_retry_base`` doubling up to ``webhook_retry_max``) and every
later one waits for it; after ``webhook_retry_for`` seconds of failures it is dropped and
counted. A cursor per room and consumer (the records, each webhook) is advanced after each
confirmed step, so a node killed mid-delivery leaves the rest to the next lease holder, which
sends again at most what was not confirmed (delivery is at least once; receivers
de-duplicate by the event id). The retry schedule lives in the lease holder's memory.

A request: ``POST`` of :func:`~.events.body` to an http(s) URL, ``X-Signature`` and
``X-Webhook-Event-Id`` headers, no redirects followed, 10 s for the whole exchange, at most
64 KiB of the answer read; a 2xx answer confirms it. The secret is never logged.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx

from signaling.config import Settings
from signaling.webhooks.events import CHAT_KEPT, Entry, body, sign
from signaling.webhooks.outbox import Outbox
from signaling.webhooks.records import Records, Webhook
from signaling.webhooks.settle import settle
from signaling.wire import format_timestamp

log = logging.getLogger(__name__)
REQUEST_TIMEOUT = 10.0
MAX_ANSWER = 64 * 1024
BATCH = 500  # entries read per step
POLL = 0.1  # seconds between two looks at the outboxes
WAIT = 0.5  # a room whose next event waits (a leave's window, a retry) looks again after
IDLE_MAX = 1.0  # the longest a drained room sleeps (it renews its lease in between)
RECORDS = "records"  # the cursor of the meeting records
SCHEMES = ("http", "https")


@dataclass
class _Failing:
    since: float
    attempts: int
    next_at: float


class Deliverer:
    """Started and stopped by the node; ``count(outcome)`` receives ``delivered``,
    ``failed`` (one attempt), ``given_up`` and ``dropped`` (past the outbox bound, counted
    per webhook that had not passed them)."""

    def __init__(
        self,
        outbox: Outbox,
        records: Records,
        settings: Settings,
        holder: str,
        count: Callable[[str, int], None],
        keeps_chat: Callable[[str], Awaitable[bool]],
    ) -> None:
        self._outbox = outbox
        self._records = records
        self._keeps_chat = keeps_chat
        self._settings = settings
        self._holder = holder
        self._count = count
        self._draining: set[str] = set()
        self._failing: dict[tuple[str, str], _Failing] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._client = httpx.AsyncClient(
            timeout=REQUEST_TIMEOUT, follow_redirects=False, trust_env=False
        )

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._client.aclose()

    async def look(self) -> None:
        """One look at the outboxes: drain each room whose lease this node gets."""
        for room in await self._outbox.rooms():
            if room in self._draining:
                continue
            if await self._outbox.lease(room, self._holder, self._settings.webhook_lease):
                self._draining.add(room)
                task = asyncio.ensure_future(self._drain(room))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    async def purge(self) -> None:
        """Forget the meeting sessions older than the retention."""
        cutoff = datetime.now(UTC) - timedelta(seconds=self._settings.session_retention)
        await self._records.purge(format_timestamp(cutoff))

    async def _drain(self, room: str) -> None:
        try:
            while True:
                progressed, more = await self._step(room)
                if not more:
                    return
                if not progressed:
                    await asyncio.sleep(self._idle(room))
                if not await self._outbox.lease(room, self._holder, self._settings.webhook_lease):
                    return
        except Exception:
            log.exception("delivering the events of room %s failed", room)
        finally:
            self._draining.discard(room)
            await self._outbox.release(room, self._holder)

    def _idle(self, room: str) -> float:
        """How long a room that made no progress waits: until its next retry is due (within
        :data:`POLL` .. :data:`IDLE_MAX`), or :data:`WAIT` (a leave waiting for its window)."""
        due = [f.next_at for (r, _), f in self._failing.items() if r == room]
        if not due:
            return WAIT
        return min(IDLE_MAX, max(POLL, min(due) - time.monotonic()))

    async def _step(self, room: str) -> tuple[bool, bool]:
        """Settle, record and deliver what is ready; ``(progressed, anything left)``."""
        entries = await self._outbox.entries(room, BATCH)
        if not entries:
            return False, False
        settings = self._settings
        ready, through = settle(entries, time.time(), settings.webhook_move_window)
        cursors = await self._outbox.cursors(room)
        webhooks = await self._records.webhooks()
        await self._skip_dropped(room, cursors, [RECORDS, *(w.id for w in webhooks)])
        for entry in ready:
            if entry.n > cursors.get(RECORDS, 0) and await self._recorded(entry):
                await self._records.apply(entry)
                await self._outbox.advance(room, RECORDS, entry.n)
        await self._outbox.advance(room, RECORDS, through)
        reached = await asyncio.gather(
            *(self._deliver(room, w, ready, cursors.get(w.id, 0), through) for w in webhooks)
        )
        low = min([through, *reached])
        await self._outbox.trim(room, low)
        before = min([cursors.get(RECORDS, 0), *(cursors.get(w.id, 0) for w in webhooks)])
        return low > before, True

    async def _recorded(self, entry: Entry) -> bool:
        """Whether the records take ``entry``: a session's chat only if its room (still)
        asks for it."""
        return entry.event != CHAT_KEPT or await self._keeps_chat(entry.room_id)

    async def _skip_dropped(self, room: str, cursors: dict[str, int], consumers: list[str]) -> None:
        """Move each consumer that lost entries to the bound past them, counting them for it
        (a consumer without a cursor in the room was not there to lose any: it gets one)."""
        dropped = await self._outbox.dropped_through(room)
        for consumer in consumers:
            cursor = cursors.get(consumer)
            if cursor is None:
                await self._outbox.advance(room, consumer, dropped)
                cursors[consumer] = dropped
                continue
            if cursor >= dropped:
                continue
            log.warning(
                "the outbox of room %s was full: %s lost its %d oldest events",
                room,
                consumer,
                dropped - cursor,
            )
            if consumer != RECORDS:
                self._count("dropped", dropped - cursor)
            await self._outbox.advance(room, consumer, dropped)
            cursors[consumer] = dropped

    async def _deliver(
        self, room: str, webhook: Webhook, ready: list[Entry], cursor: int, through: int
    ) -> int:
        """Post ``webhook``'s share of ``ready`` after ``cursor`` in order; the cursor
        reached."""
        key = (room, webhook.id)
        failing = self._failing.get(key)
        if failing is not None and time.monotonic() < failing.next_at:
            return cursor
        lease = self._settings.webhook_lease
        for entry in ready:
            if entry.n <= cursor:
                continue
            if not await self._outbox.lease(room, self._holder, lease):
                return cursor  # another node has taken over
            wanted = entry.event in webhook.events and entry.timestamp >= webhook.created_at
            if wanted and not await self._post(webhook, entry):
                failing = self._fail(key)
                if failing is not None:
                    return cursor
            else:
                self._failing.pop(key, None)
                if wanted:
                    self._count("delivered", 1)
            cursor = entry.n
            await self._outbox.advance(room, webhook.id, cursor)
        await self._outbox.advance(room, webhook.id, through)
        return max(cursor, through)

    def _fail(self, key: tuple[str, str]) -> _Failing | None:
        """Note a failed attempt; None when the event is given up (dropped and counted)."""
        settings = self._settings
        now = time.monotonic()
        failing = self._failing.get(key) or _Failing(since=now, attempts=0, next_at=now)
        failing.attempts += 1
        self._count("failed", 1)
        if failing.attempts == 1:
            log.warning("webhook %s: an event of room %s failed; retrying", key[1], key[0])
        if now - failing.since >= settings.webhook_retry_for:
            del self._failing[key]
            log.warning("webhook %s: an event of room %s given up", key[1], key[0])
            self._count("given_up", 1)
            return None
        delay = settings.webhook_retry_base * 2 ** (failing.attempts - 1)
        failing.next_at = now + min(delay, settings.webhook_retry_max)
        self._failing[key] = failing
        return failing

    async def _post(self, webhook: Webhook, entry: Entry) -> bool:
        payload = body(entry)
        headers = {
            "Content-Type": "application/json",
            "X-Signature": sign(webhook.secret, payload),
            "X-Webhook-Event-Id": entry.id,
        }
        if httpx.URL(webhook.url).scheme not in SCHEMES:
            return False
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT):
                request = self._client.build_request(
                    "POST", webhook.url, content=payload, headers=headers
                )
                response = await self._client.send(request, stream=True)
                try:
                    read = 0
                    async for chunk in response.aiter_raw():
                        read += len(chunk)
                        if read >= MAX_ANSWER:
                            break
                finally:
                    await response.aclose()
        except (httpx.HTTPError, TimeoutError) as exc:
            log.info("webhook %s: event %s not delivered (%s)", webhook.id, entry.id, exc)
            return False
        if not response.is_success:
            log.info("webhook %s: event %s answered %d", webhook.id, entry.id, response.status_code)
        return response.is_success

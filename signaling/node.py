"""One server process: the backends, the modules and the background duties that tie them.

Built by :func:`signaling.app.create_app`; nothing here is global. With no Redis configured
(embedded) live state, tokens and the broker live in this process and durable records in
SQLite under the data dir; with ``SIGNALING_REDIS_URL`` or ``SIGNALING_REDIS_CLUSTER_NODES``
(:mod:`signaling.redis_client`), everything lives in Redis and any number of nodes behave as
one server.

Background duties, one task each:

* **keeper** — refreshes the runner lock (which doubles as the presence record, §15.5) and
  the resumption token of every local session;
* **janitor** — deletes the state of rooms empty for longer than the grace period (§5.4),
  whichever node their last participant left from;
* **sweeper** (Redis only) — reports participants of dead nodes as ``left`` with reason
  ``timeout`` once their presence expired, at most one node per period (§15.5);
* **epoch watch** (Redis only) — a Redis that comes back empty closes every local client
  with 1012 so it reconnects into a consistent state;
* **deliverer** — takes the lease of rooms with webhook events and delivers them
  (:mod:`signaling.webhooks`); hourly, forgets meeting sessions past their retention.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, NamedTuple

from signaling.auth import Authenticator
from signaling.broker import Broker
from signaling.broker.memory import MemoryBroker, MemoryBus
from signaling.broker.redis import RedisBroker
from signaling.config import Settings
from signaling.errors import BACKEND_ERRORS, CloseCode
from signaling.hub import Delivery, Hub
from signaling.join import Joins
from signaling.modules import Module
from signaling.modules.catalog import MODULES
from signaling.modules.chat import ChatModule
from signaling.modules.chat.module import KEPT_HISTORY
from signaling.modules.context import ModuleContext
from signaling.modules.moderation import ModerationModule
from signaling.redis_client import Client, connect
from signaling.registry import Registry
from signaling.registry.redis import RedisRegistry
from signaling.registry.sqlite import SqliteRegistry
from signaling.roster import Roster
from signaling.session import ConnState
from signaling.state import Keep, LiveState
from signaling.state.memory import MemoryState
from signaling.state.redis import RedisState
from signaling.store import ExpiringStore
from signaling.store.memory import MemoryExpiringStore
from signaling.store.redis import RedisExpiringStore
from signaling.tariff import build_tariff
from signaling.tasks import cancel_until_done
from signaling.tokens import Tokens
from signaling.webhooks.delivery import POLL, Deliverer
from signaling.webhooks.outbox import Outbox
from signaling.webhooks.outbox_memory import MemoryOutbox
from signaling.webhooks.outbox_redis import RedisOutbox
from signaling.webhooks.records import Records
from signaling.webhooks.records_redis import RedisRecords
from signaling.webhooks.records_sqlite import SqliteRecords
from signaling.wire import format_timestamp, utcnow

log = logging.getLogger(__name__)
KEY_PREFIX = "opentalk-signaling:"
TIMER_PERIOD = 0.2  # how often a node looks for due module timers
RELIABLE_ATTEMPTS = 60  # an announcement that must go out is retried for about 2 minutes


class _Suspect(NamedTuple):
    """A participant the sweeper found without its runner lock."""

    room: str
    breakout: str | None
    pid: str
    runner: str
    held: bool  # in the waiting room


def build_modules(ctx: ModuleContext) -> dict[str, Module]:
    """Every namespace this server offers, minus the tariff's disabled ones."""
    disabled = set(ctx.settings.disabled_modules)
    return {m.namespace: m(ctx) for m in MODULES if not (m.in_tariff and m.namespace in disabled)}


class Node:
    """The wiring of one process. ``start``/``stop`` run in the app's lifespan. It is the
    :class:`~signaling.modules.context.ModuleContext` of its modules."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.id = uuid.uuid4().hex
        Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
        self.authenticator = Authenticator(settings)
        self.redis: Client | None = None
        self.registry: Registry
        self.state: LiveState
        store: ExpiringStore
        self.broker: Broker
        self.records: Records
        outbox: Outbox
        connection = connect(settings)
        if connection is None:
            self.registry = SqliteRegistry(str(Path(settings.data_dir) / "registry.sqlite3"))
            self.records = SqliteRecords(str(Path(settings.data_dir) / "meetings.sqlite3"))
            store = MemoryExpiringStore()
            outbox = MemoryOutbox()
            memory = MemoryState(outbox, kept=KEPT_HISTORY)
            self.state = memory
            self.broker = MemoryBroker(MemoryBus(settings.history_size), memory)
        else:
            self.redis = connection.client
            self.registry = RedisRegistry(self.redis, KEY_PREFIX)
            store = RedisExpiringStore(self.redis, KEY_PREFIX)
            self.state = RedisState(self.redis, KEY_PREFIX, kept=KEPT_HISTORY)
            self.records = RedisRecords(self.redis, KEY_PREFIX, settings.session_retention)
            outbox = RedisOutbox(self.redis, KEY_PREFIX)
            self.broker = RedisBroker(
                self.redis,
                connection.shards,
                KEY_PREFIX,
                history_size=settings.history_size,
                history_ttl=settings.history_ttl,
                on_connect=self._check_epoch,
            )
            self._connection = connection
        self.store = store
        self.tokens = Tokens(store, settings)
        self.hub = Hub(self.broker)
        self.deliverer = Deliverer(
            outbox,
            self.records,
            settings,
            self.id,
            self.hub.metrics.webhook_events,
            self._keeps_chat,
        )
        self.modules: dict[str, Module] = build_modules(self)
        self.tariff = build_tariff(
            settings, [name for name, m in self.modules.items() if m.in_tariff]
        )
        self.roster = Roster(self.modules, self.hub.publish)
        self.joins = Joins(self, self.modules, self.tariff)
        self._resumption_refreshed = time.monotonic()
        self._epoch: bytes | None = None
        self._connected_since: float | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.draining = False  # set by the drain (SIGTERM): no new sessions here

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        await self.registry.open()
        await self.records.open()
        await self.broker.start()
        presence = self.settings.presence_ttl
        self._every(min(presence / 3, self.tokens.resumption_ttl / 2), self._keep_sessions)
        self._every(max(0.2, min(2.0, self.settings.room_grace_period / 4)), self._clean_rooms)
        self._every(TIMER_PERIOD, self._fire_timers)
        self._every(POLL, self.deliverer.look)
        self._every(3600.0, self.deliverer.purge)
        if self.redis is not None:
            self._every(presence / 2, self._sweep_dead_sessions)

    async def stop(self) -> None:
        await cancel_until_done(self._tasks)
        await self.deliverer.close()
        await self.broker.close()
        await self.registry.close()
        await self.records.close()
        await self.state.close()
        if self.redis is not None:
            await self._connection.aclose()

    async def publish(self, channel: str, delivery: Delivery, keep: Keep | None = None) -> None:
        await self.hub.publish(channel, delivery, keep)

    def spawn(self, work: Awaitable[None]) -> None:
        """Run a coroutine owned by the node (cancelled on stop)."""
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def reliably(self, announce: Callable[[], Awaitable[None]]) -> None:
        """Publish an announcement of a change that has taken effect and cannot be taken
        back (someone left, a role went to its holder): now, or else again and again in the
        background until the backend takes it (every node then delivers it)."""
        try:
            await announce()
        except BACKEND_ERRORS as exc:
            log.warning("an announcement failed (%s): retrying in the background", exc)
            self.spawn(self._retry(announce))

    async def _retry(self, announce: Callable[[], Awaitable[None]]) -> None:
        delay = 0.1
        for _ in range(RELIABLE_ATTEMPTS):
            await asyncio.sleep(delay)
            try:
                await announce()
                return
            except BACKEND_ERRORS:
                delay = min(delay * 2, 2.0)
        log.error("an announcement was given up after %d attempts", RELIABLE_ATTEMPTS)

    def _every(self, period: float, duty: Callable[[], Awaitable[None]]) -> None:
        async def loop() -> None:
            while True:
                await asyncio.sleep(period)
                try:
                    await duty()
                except BACKEND_ERRORS as exc:
                    log.warning("%s: backend unavailable (%s)", duty.__name__, exc)
                except Exception:
                    log.exception("%s failed", duty.__name__)

        self.spawn(loop())

    # -- duties ----------------------------------------------------------------------------

    async def _keep_sessions(self) -> None:
        now = time.monotonic()
        due_resumption = now - self._resumption_refreshed >= self.tokens.resumption_ttl / 2
        if due_resumption:
            self._resumption_refreshed = now
        sessions = self.hub.sessions()  # a few pipelined round trips for all of them
        kept = await self.tokens.refresh_runners([(s.id, s.runner) for s in sessions])
        for session in (s for s, ok in zip(sessions, kept, strict=True) if not ok):
            session.close(CloseCode.NORMAL, reason="session taken over")
        if due_resumption:
            # a session's token becomes valid after its handshake: before its join it may not be
            alive = [
                s for s, ok in zip(sessions, kept, strict=True) if ok and s.state != ConnState.NONE
            ]
            resumable = await self.tokens.refresh_resumptions([s.ticket.resumption for s in alive])
            for session in (s for s, ok in zip(alive, resumable, strict=True) if not ok):
                session.close(CloseCode.NORMAL, reason="session resumed elsewhere")
            for module in self.modules.values():
                await module.on_refresh(alive)

    async def _clean_rooms(self) -> None:
        since = time.time() - self.settings.room_grace_period
        for room in await self.state.empty_rooms(since):
            if await self.state.delete_if_empty(room):
                for module in self.modules.values():
                    await module.on_room_closed(room)

    async def _fire_timers(self) -> None:
        for key in await self.state.due(time.time()):
            module = self.modules.get(key.split(":", 1)[0])
            if module is not None and await self.state.claim(key):
                await module.on_timer(key)

    async def breakout_rooms(self, room: str) -> list[str] | None:
        """The active breakout configuration's room ids (None: none is active)."""
        for module in self.modules.values():
            rooms = await module.breakout_rooms(room)
            if rooms is not None:
                return rooms
        return None

    async def _sweep_dead_sessions(self) -> None:
        """Report the participants whose presence expired, after a second look.

        A closing session releases its runner lock before it leaves the room (§19.10), so a
        missing lock alone may be a session about to leave by itself (``quit``) or a move
        between rooms; only who still lacks it, on the same record, ``ttl / 2`` later is
        gone with its node."""
        ttl = self.settings.presence_ttl
        connected = self._connected_since
        if connected is None or time.monotonic() - connected < ttl:
            return  # after a Redis restart every presence looks expired for a while
        if not await self.store.put_new("sweep-lock", self.id.encode(), ttl / 2):
            return
        suspects = await self._without_runner()
        if not suspects:
            return
        await asyncio.sleep(ttl / 2)
        active = await self.tokens.runners_active([suspect.pid for suspect in suspects])
        for suspect, running in zip(suspects, active, strict=True):
            if running:
                continue
            room, breakout, pid = suspect.room, suspect.breakout, suspect.pid
            if suspect.held:
                for module in self.modules.values():
                    await module.on_held_lost(room, pid)
                continue
            at = format_timestamp(utcnow())
            if await self.state.leave(room, breakout, pid, at, suspect.runner, "timeout"):
                log.info("participant %s of %s timed out (dead node)", pid, room)
                for module in self.modules.values():
                    await module.on_presence_lost(room, breakout, pid)

    async def _without_runner(self) -> list[_Suspect]:
        """Every present or held participant whose runner lock is missing."""
        suspects: list[_Suspect] = []
        for room in await self.state.rooms():
            for breakout in await self.state.breakouts(room):
                present = [
                    p for p in await self.state.participants(room, breakout) if p.left_at is None
                ]
                active = await self.tokens.runners_active([p.id for p in present])
                suspects += [
                    _Suspect(room, breakout, p.id, p.runner, held=False)
                    for p, running in zip(present, active, strict=True)
                    if not running
                ]
            held = [participant for participant, _ in await self.state.waiting(room)]
            active = await self.tokens.runners_active([p.id for p in held])
            suspects += [
                _Suspect(room, None, p.id, p.runner, held=True)
                for p, running in zip(held, active, strict=True)
                if not running
            ]
        return suspects

    async def _check_epoch(self) -> None:
        """Called on every (re)connection of the broker."""
        assert self.redis is not None
        self._connected_since = time.monotonic()
        fresh = uuid.uuid4().hex.encode()
        await self.redis.set(KEY_PREFIX + "epoch", fresh, nx=True)
        epoch: Any = await self.redis.get(KEY_PREFIX + "epoch")
        if self._epoch is not None and epoch != self._epoch:
            log.warning("Redis came back without its data: closing every client with 1012")
            for session in self.hub.sessions():
                session.close(CloseCode.RESTART, reason="backend state lost")
        self._epoch = epoch

    # -- events from the REST side -----------------------------------------------------------

    @property
    def moderation(self) -> ModerationModule | None:
        """The moderation module, whose actions the REST side takes; None if the tariff
        disables it."""
        module = self.modules.get("moderation")
        return module if isinstance(module, ModerationModule) else None

    async def _keeps_chat(self, room_id: str) -> bool:
        """Whether the room keeps its chat in the record of an ended meeting session."""
        room = await self.registry.get_room(room_id)
        return room is not None and room.chat_persistence

    @property
    def chat(self) -> ChatModule | None:
        """The chat module, which posts the REST side's messages; None if the tariff disables
        it."""
        module = self.modules.get("chat")
        return module if isinstance(module, ChatModule) else None

    async def close_room(self, room: str) -> None:
        """The room was deleted: its modules tell whoever is in it, then its state goes."""
        for module in self.modules.values():
            await module.on_room_deleted(room)
        await self.state.delete_room(room)

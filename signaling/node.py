"""One server process: the backends, the modules and the background duties that tie them.

Built by :func:`signaling.app.create_app`; nothing here is global. The embedded backend
(``SIGNALING_REDIS_URL`` unset) keeps live state, tokens and the broker in this process and
durable records in SQLite under the data dir.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

from signaling.auth import Authenticator
from signaling.broker.memory import MemoryBroker
from signaling.config import ConfigError, Settings
from signaling.errors import CloseCode
from signaling.hub import Audience, Delivery, Hub, global_channel
from signaling.modules import Module
from signaling.modules.chat import ChatModule
from signaling.modules.control import ControlModule
from signaling.modules.echo import EchoModule
from signaling.modules.moderation import ModerationModule
from signaling.state.memory import MemoryState
from signaling.tariff import build_tariff
from signaling.wire import encode_event
from tickets.sqlite_registry import SqliteRegistry
from tickets.store.memory import MemoryExpiringStore
from tickets.tokens import RUNNER_TTL, Tokens

log = logging.getLogger(__name__)


def build_modules(node: Node) -> dict[str, Module]:
    """Every namespace this server offers, minus the tariff's disabled ones."""
    control = ControlModule(node)
    modules: list[Module] = [
        control,
        EchoModule(),
        ChatModule(node),
        ModerationModule(node, control),
    ]
    disabled = set(node.settings.disabled_modules)
    return {m.namespace: m for m in modules if not (m.in_tariff and m.namespace in disabled)}


class Node:
    """The wiring of one process. ``start``/``stop`` run in the app's lifespan."""

    def __init__(self, settings: Settings) -> None:
        if not settings.embedded:
            raise ConfigError(
                "SIGNALING_REDIS_URL is set, but this version only has the embedded backend"
            )
        self.settings = settings
        Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
        self.authenticator = Authenticator(settings)
        self.registry = SqliteRegistry(str(Path(settings.data_dir) / "registry.sqlite3"))
        self.tokens = Tokens(MemoryExpiringStore(), settings)
        self.state = MemoryState()
        self.broker = MemoryBroker()
        self.hub = Hub(self.broker)
        self.modules = build_modules(self)
        self.tariff = build_tariff(
            settings, [name for name, m in self.modules.items() if m.in_tariff]
        )
        self._cleanups: dict[str, asyncio.TimerHandle] = {}
        self._background: set[asyncio.Task[None]] = set()
        self._keeper: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.registry.open()
        self._keeper = asyncio.get_running_loop().create_task(self._keep_sessions())

    async def stop(self) -> None:
        if self._keeper is not None:
            self._keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._keeper
        for handle in self._cleanups.values():
            handle.cancel()
        for task in list(self._background):
            task.cancel()
        await self.registry.close()
        await self.broker.close()
        await self.state.close()

    def spawn(self, work: object) -> None:
        """Run a background coroutine owned by the node (cancelled on stop)."""
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(work)  # type: ignore[arg-type]
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _keep_sessions(self) -> None:
        """Refresh runner locks and resumption tokens of local sessions (§2.6, §15.1)."""
        period = min(RUNNER_TTL / 3, self.tokens.resumption_ttl / 2)
        while True:
            await asyncio.sleep(period)
            for session in self.hub.sessions():
                try:
                    await self.tokens.refresh_runner(session.id, session.runner)
                    if not await self.tokens.refresh_resumption(session.ticket.resumption):
                        session.close(CloseCode.NORMAL, reason="session resumed elsewhere")
                except Exception:
                    log.exception("refreshing the tokens of %s failed", session.id)

    def schedule_cleanup(self, room: str) -> None:
        """Delete the room's live state after the grace period unless someone joins (§5.4)."""
        old = self._cleanups.pop(room, None)
        if old is not None:
            old.cancel()
        loop = asyncio.get_running_loop()

        def fire() -> None:
            self._cleanups.pop(room, None)
            self.spawn(self._cleanup(room))

        self._cleanups[room] = loop.call_later(self.settings.room_grace_period, fire)

    async def _cleanup(self, room: str) -> None:
        if await self.state.delete_if_empty(room):
            for module in self.modules.values():
                await module.on_room_closed(room)

    async def close_room(self, room: str) -> None:
        """The room was deleted: everyone in it gets ``room_deleted`` and is closed (§5.5)."""
        frame = encode_event("control", {"message": "room_deleted"})
        await self.hub.publish(
            global_channel(room),
            Delivery(
                frame=frame,
                audience=Audience.PRESENT,
                namespace="control",
                signal={"close": "room_deleted"},
            ),
        )
        await self.state.delete_room(room)
